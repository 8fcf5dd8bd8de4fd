"""An editor looks at an article as readers saw it on an earlier day, with a label that was in
force then and has been switched off since."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_workflow import sign_in
from tests.factories import make_article, make_label, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

DAY_1 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


def test_the_archived_view_shows_a_label_in_force_then_and_not_now(live_server, browser, page):
    make_staff("editor", group="Editor")
    with time_machine.travel(DAY_1, tick=False):
        label = make_label("Acme", label_text="banned in Russia")
        article = make_article(
            title="Acme opens an office in Riga",
            body="<p>Acme opened an office in Riga on Friday.</p>",
            published_at=DAY_1,
        )
    public_url = live_server.url + article.get_absolute_url()

    reader = browser.new_context().new_page()
    reader.goto(public_url)
    assert reader.locator(".article__body").inner_text().startswith("Acme (banned in Russia)")

    # Today the editor switches the label off, in the admin.
    sign_in(page, live_server, "editor")
    page.goto(live_server.url + reverse("admin:notices_label_change", args=[label.pk]))
    page.uncheck("#id_active")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/notices/label/")
    reader.goto(public_url)
    assert "(banned in Russia)" not in reader.locator(".article__body").inner_text()
    reader.screenshot(path="/tmp/i13-asof-public-now.png")

    # From the history, the page as readers saw it three hours after publication.
    page.goto(live_server.url + reverse("admin:articles_article_history", args=[article.pk]))
    page.fill("#id_at", timezone.localtime(DAY_1 + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.screenshot(path="/tmp/i13-asof-history.png", full_page=True)
    page.get_by_role("button", name="Show the page as readers saw it").click()
    banner = page.get_by_role("note")
    expect(banner).to_contain_text("archived view, not the current page")
    body = page.locator(".article__body").inner_text()
    assert body.startswith("Acme (banned in Russia) opened an office")
    page.screenshot(path="/tmp/i13-asof-archived.png", full_page=True)

    # A date that is not one gets a form error, with what was typed kept.
    page.goto(
        live_server.url + reverse("admin:articles_article_as_of", args=[article.pk]) + "?at=x"
    )
    assert page.locator(".errorlist").inner_text().startswith("Enter a date and time")
    page.screenshot(path="/tmp/i13-asof-bad-date.png")

    # Before it was published, the page says it was not public.
    page.fill("#id_at", "2026-11-19T12:00")
    page.get_by_role("button", name="Show the page").click()
    assert "The article did not exist yet" in page.locator("#not-public").inner_text()
    page.screenshot(path="/tmp/i13-asof-not-public.png")


def test_the_diff_shows_a_link_retargeted_formatting_and_tags(live_server, page):
    from articles.models import Article

    make_staff("editor", group="Editor")
    article = make_article(
        title="Summit in Vilnius",
        body='<p>Leaders met at the <a href="https://nato.example/summit">NATO</a> summit.</p>'
        "<p>What was agreed</p><p>A plan for air defence.</p>",
        tags=["NATO", "Vilnius"],
    )
    article = Article.objects.get(pk=article.pk)  # as a later request would
    article.body = (
        '<p>Leaders met at the <a href="https://nato.example/summit-2026">NATO</a> summit.</p>'
        "<h2>What was agreed</h2><p>A plan for <strong>air defence</strong>.</p>"
    )
    article.save()
    article.tags.set(["NATO", "air defence"])

    sign_in(page, live_server, "editor")
    page.goto(live_server.url + reverse("admin:articles_article_history", args=[article.pk]))
    page.get_by_role("button", name="Compare the chosen versions").click()
    notes = page.locator(".diff-notes").inner_text()
    assert (
        "now points to https://nato.example/summit-2026, was https://nato.example/summit" in notes
    )
    assert "“What was agreed” is now a heading (level 2), was a paragraph." in notes
    assert "“air defence.” is now bold." in notes
    assert page.locator("ins", has_text="air defence").is_visible()
    assert page.locator("del", has_text="Vilnius").is_visible()
    page.screenshot(path="/tmp/i13-asof-diff.png", full_page=True)
