"""An admin registers a webhook endpoint in the browser, and reads the delivery's attempts."""

import os

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.factories import make_article
from tests.webhook_receiver import running_receiver
from tests.worker import run_worker
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_registers_an_endpoint_and_reads_its_log(live_server, page, settings,
                                                          screenshot_dir):  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSROOM_WEBHOOK_RETRY_SECONDS = []
    get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-12345678")
    page.get_by_role("button", name="Log in").click()

    with running_receiver() as receiver:
        page.goto(live_server.url + "/admin/webhooks/endpoint/add/")
        page.fill("#id_name", "Wire desk")
        page.fill("#id_url", receiver.url)
        page.get_by_label("An article became public").check()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".errornote")).to_be_visible()  # loopback: refused, text kept
        expect(page.locator("#id_name")).to_have_value("Wire desk")
        page.screenshot(path=os.path.join(screenshot_dir, "webhook-endpoint-refused.png"))

        settings.NEWSROOM_WEBHOOKS_ALLOW_PRIVATE = True
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("Wire desk")
        endpoint = Endpoint.objects.get()
        assert endpoint.events == ["article.published"]

        receiver.answer = (503, {})
        make_article(title="Bridges of the north")
        run_worker()
        assert len(receiver.requests) == 1

    delivery = Delivery.objects.get()
    page.goto(live_server.url + f"/admin/webhooks/delivery/{delivery.pk}/change/")
    expect(page.locator("body")).to_contain_text("Answered 503.")
    expect(page.locator("body")).to_contain_text("Bridges of the north")
    page.screenshot(path=os.path.join(screenshot_dir, "webhook-delivery.png"), full_page=True)
    page.goto(live_server.url + f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    expect(page.locator("body")).to_contain_text(endpoint.secret)
    page.screenshot(path=os.path.join(screenshot_dir, "webhook-endpoint.png"), full_page=True)
