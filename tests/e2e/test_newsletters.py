"""A reader subscribes from an article, confirms from the mail the SMTP server received, an
editor prepares and sends the day's digest in the admin, the digest arrives, and the mail
client's one-click unsubscribe (the List-Unsubscribe-Post request) ends the subscription."""

import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from newsletters.models import Newsletter, Subscriber, Subscription
from notices.models import Channel, Notice
from tests.e2e.axe import AXE_VERSION, wcag_violations
from tests.factories import make_article, make_channel, make_notice, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("NEWSROOM_SHOTS", "/work/shots/newsletters")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def assert_accessible(page):
    violations = wcag_violations(page)
    assert not violations, f"{page.url} ({AXE_VERSION}):\n" + "\n".join(violations)


def test_subscribe_confirm_receive_the_digest_and_unsubscribe_in_one_click(
    live_server, browser, page, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    Newsletter.objects.create(
        name="Daily digest",
        slug="daily",
        description="The day's top stories, every evening.",
        default=True,
    )
    # Published now (today's digest), not at the factories' "n seconds ago", which is yesterday
    # for the run's later articles when it runs just after midnight.
    article = make_article(
        title="Allies meet in Brussels", lead="Talks resume on Monday.", published_at=timezone.now()
    )
    make_staff("chief", group="Editor")
    channels = make_notice(name="Our news channels", placement=Notice.Placement.ARTICLE_END)
    make_channel(channels, name="Newsletter", kind=Channel.Kind.NEWSLETTER, link="/newsletters/")

    # The reader signs up in "Our news channels" at the end of the article.
    page.goto(live_server.url + article.get_absolute_url())
    form = page.locator("article .channel__signup")
    form.get_by_role("textbox").fill("reader@example.com")
    form.scroll_into_view_if_needed()
    shot(page, "signup-form")
    assert_accessible(page)
    form.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your mailbox")).to_be_visible()
    assert not Subscriber.objects.exists()

    # The confirmation link, from the mail as the server received it.
    smtp_server.wait_for(1)
    text = smtp_server.text_of(smtp_server.only_message_to("reader@example.com"))
    link = re.search(r"(http://\S+/newsletters/confirm/\S+/)", text).group(1)
    page.goto(link)
    expect(page.get_by_role("button", name="Confirm my subscription")).to_be_visible()
    shot(page, "confirmation-page")
    assert_accessible(page)
    assert not Subscriber.objects.exists()
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    assert Subscription.objects.filter(subscriber__email="reader@example.com").exists()
    smtp_server.clear()

    # An editor prepares today's digest in the admin and sends it.
    editor = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = editor.new_page()
    desk.goto(live_server.url + "/admin/login/")
    desk.fill("#id_username", "chief")
    desk.fill("#id_password", "pw-12345678")
    desk.get_by_role("button", name="Log in").click()
    desk.wait_for_url(live_server.url + "/admin/")
    desk.goto(live_server.url + "/admin/newsletters/issue/")
    desk.get_by_role("button", name="Prepare today's digests").click()
    desk.get_by_role("link", name=re.compile("^Prepared: Daily digest")).click()
    expect(desk.get_by_role("link", name="Send…")).to_be_visible()
    expect(desk.locator("#issue_articles-group")).to_contain_text("Allies meet in Brussels")
    shot(desk, "admin-issue")
    desk.get_by_role("link", name="Send…").click()
    expect(desk.get_by_text("goes to 1 confirmed subscriber")).to_be_visible()
    shot(desk, "admin-send-confirmation")
    desk.get_by_role("button", name="Yes, send it").click()
    expect(desk.get_by_text("The issue is being sent.")).to_be_visible()
    expect(desk.locator(".field-delivery")).to_contain_text("1 sent, 0 failed, 0 bounced of 1")
    shot(desk, "admin-issue-sent")
    editor.close()

    # The digest arrives; its HTML part, rendered as a mail client would.
    smtp_server.wait_for(1)
    digest = smtp_server.only_message_to("reader@example.com")
    html = smtp_server.html_of(digest)
    assert "Allies meet in Brussels" in html
    page.goto("about:blank")  # out of the site's page and its Content-Security-Policy
    page.set_content(html)
    expect(page.get_by_role("link", name="Allies meet in Brussels")).to_be_visible()
    shot(page, "digest-mail")

    # The mail client's one-click unsubscribe: a POST to the header's URL, without cookies.
    url = re.fullmatch(r"<([^>]+)>", digest["List-Unsubscribe"].strip()).group(1)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.goto(url)  # a person (or a mail scanner) opening the link only sees a button
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    shot(page, "unsubscribe-page")
    assert Subscription.objects.exists()
    page.goto(url.replace("/unsubscribe/", "/unsubscribe/0"))
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    shot(page, "link-invalid")
    mail_client = browser.new_context()
    response = mail_client.request.post(
        url,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    mail_client.close()
    assert not Subscription.objects.exists()


def test_the_sign_up_page_and_the_profile_section(live_server, page, settings):
    from tests.factories import make_reader

    settings.SITE_URL = live_server.url
    Newsletter.objects.create(
        name="Daily digest", slug="daily", description="The day's top stories.", default=True
    )
    Newsletter.objects.create(
        name="Breaking news", slug="breaking", kind="alert", description="Only what cannot wait."
    )
    page.goto(live_server.url + "/newsletters/")
    expect(page.get_by_label("Daily digest")).to_be_checked()
    expect(page.get_by_label("Breaking news")).not_to_be_checked()
    assert_accessible(page)
    page.get_by_label("Breaking news").check()
    page.get_by_label("Daily digest").uncheck()
    page.locator("main").get_by_role("button", name="Subscribe").click()
    # The message stands at the field and, as a link to it, in the page's error summary.
    expect(page.get_by_text("Enter your e-mail address.", exact=True)).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary a[href='#id_email']")).to_be_visible()
    expect(page.get_by_label("Breaking news")).to_be_checked()
    expect(page.get_by_label("Daily digest")).not_to_be_checked()
    shot(page, "signup-page-error")

    make_reader("anna")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "anna@example.com")
    page.fill("input[name=password]", "pw-12345678")
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/accounts/profile/")
    section = page.locator(".profile-newsletters")
    section.get_by_label("Breaking news").check()
    section.get_by_role("button", name="Update my newsletters").click()
    expect(page.get_by_text("Your newsletters have been saved.")).to_be_visible()
    expect(page.locator(".profile-newsletters").get_by_label("Breaking news")).to_be_checked()
    assert_accessible(page)
    shot(page, "profile-newsletters")
    assert list(Subscription.objects.values_list("newsletter__slug", flat=True)) == ["breaking"]
