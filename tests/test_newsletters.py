"""Newsletters: double opt-in sign-up from cached pages, issues sent once through bulk mail
with one-click unsubscribe (RFC 8058), preferences by token, and the profile's section.
Mail goes through the real SMTP server fixture where headers, parts and links matter."""

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletters.models import Issue, IssueArticle, Newsletter, Subscriber, Subscription
from newsletters.optin import confirmation_token
from newsletters.sending import prepare_digest, send_issue
from newsroom import tasks
from newsroom.models import BulkSend
from tests.factories import make_article, make_reader, make_staff
from tests.test_queries import ARTICLE_QUERIES

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://news.example.com"
LINK = re.compile(r"https://news\.example\.com(/newsletters/[a-z]+/[^/\s\"<>]+/)(\?list=[\w-]+)?")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def digest(db):
    return Newsletter.objects.create(
        name="Daily digest", slug="daily", kind=Newsletter.Kind.DIGEST, default=True
    )


@pytest.fixture
def alerts(db):
    return Newsletter.objects.create(name="Breaking news", slug="breaking", kind="alert")


@pytest.fixture
def editor_client(db):
    editor = make_staff("chief", group="Editor")
    client = Client()
    client.force_login(editor)
    return client, editor


def confirmation_path(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https://news\.example\.com(/newsletters/confirm/\S+/)", text)
    assert url, text
    return url.group(1)


def sign_up(client, email, **more):
    return client.post(reverse("newsletters:subscribe"), {"email": email, **more})


def confirmed(email, *newsletters):
    """Signed up and confirmed the way a reader does."""
    token = confirmation_token(email, newsletters)
    return Client().post(reverse("newsletters:confirm", args=[token]))


def digest_issue(newsletter, **fields):
    issue = Issue.objects.create(newsletter=newsletter, subject="Today's stories", **fields)
    article = make_article(title="Summit ends in agreement", lead="Leaders signed at dawn.")
    IssueArticle.objects.create(issue=issue, article=article, position=0)
    return issue


def test_signing_up_stores_nothing_and_mails_a_confirmation_link(client, digest, smtp_server):
    response = sign_up(client, "Anna@Example.com")
    assert response.status_code == 200
    assert "Check your mailbox" in response.content.decode()
    assert not Subscriber.objects.exists()
    message = smtp_server.only_message_to("anna@example.com")
    assert "Daily digest" in smtp_server.text_of(message)
    assert confirmation_path(message) in smtp_server.html_of(message)


def test_nothing_is_sent_to_an_unconfirmed_address_and_a_confirmed_one_gets_the_issue(
    client, digest, smtp_server
):
    sign_up(client, "waiting@example.com")
    sign_up(client, "anna@example.com")
    path = confirmation_path(smtp_server.only_message_to("anna@example.com"))
    smtp_server.clear()
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my subscription" in page.content.decode()
    assert not Subscriber.objects.exists(), "a GET (a mail scanner) confirms nothing"
    assert "no-store" in page["Cache-Control"]
    assert "You are subscribed" in client.post(path).content.decode()

    issue = digest_issue(digest)
    assert send_issue(issue, by=None)
    assert smtp_server.to("waiting@example.com") == []
    message = smtp_server.only_message_to("anna@example.com")
    assert "Summit ends in agreement" in smtp_server.text_of(message)
    issue.refresh_from_db()
    assert issue.bulk_send.progress() == {
        "queued": 0,
        "sent": 1,
        "failed": 0,
        "bounced": 0,
        "total": 1,
    }
    assert issue.refresh_status() == Issue.Status.SENT


def test_an_issue_carries_both_parts_the_list_headers_and_each_readers_own_links(
    digest, smtp_server
):
    confirmed("anna@example.com", digest)
    confirmed("ben@example.com", digest)
    send_issue(digest_issue(digest, intro="Good morning."), by=None)
    anna, ben = (smtp_server.only_message_to(f"{n}@example.com") for n in ("anna", "ben"))
    assert anna.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in anna.iter_parts()] == ["text/plain", "text/html"]
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert anna["List-Id"] == "Daily digest <daily.newsletters.news.example.com>"
    # (A long header is folded: unfolded, it starts with the folding's space.)
    header = re.fullmatch(r"<(https://[^>]+)>", anna["List-Unsubscribe"].strip())
    assert header, anna["List-Unsubscribe"]
    unsubscribe = header.group(1)
    assert unsubscribe.startswith(SITE + "/newsletters/unsubscribe/")
    assert unsubscribe != re.fullmatch(r"<([^>]+)>", ben["List-Unsubscribe"].strip()).group(1)
    text, html = smtp_server.text_of(anna), smtp_server.html_of(anna)
    assert unsubscribe in text
    assert unsubscribe.replace("&", "&amp;") in html
    assert "Good morning." in text and "Good morning." in html
    article_url = SITE + Issue.objects.get().stories()[0].get_absolute_url()
    assert f'href="{article_url}"' in html and article_url in text
    assert "<img" not in html  # it reads the same with images blocked
    preferences = [m.group(0) for m in LINK.finditer(text) if "/preferences/" in m.group(0)]
    assert len(preferences) == 1 and preferences[0] in html
    assert "[[" not in text + html + anna["Subject"]


def test_the_one_click_post_unsubscribes_without_cookies_or_csrf_and_a_get_does_not(
    digest, alerts, smtp_server
):
    confirmed("anna@example.com", digest, alerts)
    send_issue(digest_issue(digest), by=None)
    header = smtp_server.only_message_to("anna@example.com")["List-Unsubscribe"]
    url = urlsplit(header.strip().strip("<>"))
    mail_client = Client(enforce_csrf_checks=True)

    page = mail_client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert Subscription.objects.count() == 2

    response = mail_client.post(
        f"{url.path}?{url.query}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not response.cookies
    remaining = Subscription.objects.values_list("newsletter__slug", flat=True)
    assert list(remaining) == ["breaking"], "only the list the mail came from"


def test_a_tampered_or_unknown_token_gets_a_clear_page(client, digest):
    confirmed("anna@example.com", digest)
    token = Subscriber.objects.get().token()
    pk, digest_part = token.split(".")
    tampered = [
        f"{pk}.{digest_part[:-1]}{'0' if digest_part[-1] != '0' else '1'}",
        f"{int(pk) + 1}.{digest_part}",
        f"0{pk}.{digest_part}",
        "nonsense",
        "9" * 40 + ".x",
    ]
    for bad in tampered:
        for name in ("unsubscribe", "preferences"):
            response = client.post(reverse(f"newsletters:{name}", args=[bad]))
            assert response.status_code == 404
            assert "This link does not work" in response.content.decode()
    assert Subscription.objects.count() == 1


def test_a_tampered_or_expired_confirmation_link_gets_a_clear_page(client, digest):
    token = confirmation_token("anna@example.com", [digest])
    bad = client.post(reverse("newsletters:confirm", args=[token[:-2] + "xx"]))
    assert bad.status_code == 404 and "This link does not work" in bad.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        late = client.post(reverse("newsletters:confirm", args=[token]))
    assert late.status_code == 410 and "This link has expired" in late.content.decode()
    assert "<html" in late.content.decode() and "site-header" in late.content.decode()
    assert not Subscriber.objects.exists()


def test_the_preferences_page_changes_newsletters_and_leaves_all(client, digest, alerts):
    confirmed("anna@example.com", digest)
    url = reverse("newsletters:preferences", args=[Subscriber.objects.get().token()])
    page = client.get(url)
    assert "no-store" in page["Cache-Control"]
    assert client.post(url, {"newsletters": [str(alerts.pk)]}).status_code == 200
    assert list(Subscription.objects.values_list("newsletter", flat=True)) == [alerts.pk]
    assert f'value="{alerts.pk}" id="newsletter-{alerts.pk}" checked' in (
        client.get(url).content.decode()
    )
    assert client.post(url, {"leave_all": "1"}).status_code == 200
    assert not Subscription.objects.exists()


def test_send_goes_once_however_often_it_is_clicked(editor_client, digest, smtp_server):
    client, editor = editor_client
    confirmed("anna@example.com", digest)
    issue = digest_issue(digest)
    url = reverse("admin:newsletters_issue_send", args=[issue.pk])
    confirm_page = client.get(url)
    assert "1 confirmed subscriber" in confirm_page.content.decode()
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert BulkSend.objects.count() == 1
    assert len(smtp_server.to("anna@example.com")) == 1
    from audit.models import AuditEntry

    entry = AuditEntry.objects.about(issue).get()
    assert (entry.actor, entry.details["recipients"]) == (editor, 1)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING and issue.bulk_send is not None
    change = client.get(reverse("admin:newsletters_issue_change", args=[issue.pk]))
    assert "1 sent, 0 failed, 0 bounced of 1" in change.content.decode()
    assert "Sent" in change.content.decode()


def test_a_reporter_cannot_send(digest):
    client = Client()
    client.force_login(make_staff("rep", group="Reporter"))
    issue = digest_issue(digest)
    response = client.post(reverse("admin:newsletters_issue_send", args=[issue.pk]))
    assert response.status_code == 403
    assert not BulkSend.objects.exists()


def test_a_test_send_goes_to_the_editor_only(editor_client, digest, smtp_server):
    client, editor = editor_client
    confirmed("anna@example.com", digest)
    issue = digest_issue(digest)
    client.post(reverse("admin:newsletters_issue_test", args=[issue.pk]))
    assert [m.envelope_to for m in smtp_server.messages] == [[editor.email]]
    message = smtp_server.messages[0]
    assert message["Subject"] == "[Test] Today's stories"
    assert "Summit ends in agreement" in smtp_server.html_of(message)
    assert "[[" not in smtp_server.text_of(message)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT and not BulkSend.objects.exists()


def test_the_preview_shows_the_mail_as_html_and_plain_text(editor_client, digest):
    client, _editor = editor_client
    issue = digest_issue(digest, intro="Good morning.")
    html = client.get(reverse("admin:newsletters_issue_preview", args=[issue.pk, "html"]))
    text = client.get(reverse("admin:newsletters_issue_preview", args=[issue.pk, "text"]))
    assert html.status_code == text.status_code == 200
    assert text["Content-Type"].startswith("text/plain")
    for response in (html, text):
        body = response.content.decode()
        assert "Summit ends in agreement" in body and "Good morning." in body
        assert "[[" not in body
    change = client.get(reverse("admin:newsletters_issue_change", args=[issue.pk]))
    assert "Send a test to me" in change.content.decode()


def test_an_editor_sends_a_breaking_news_alert_in_a_few_clicks(editor_client, alerts, smtp_server):
    client, _editor = editor_client
    confirmed("anna@example.com", alerts)
    article = make_article(title="Earthquake hits the coast")
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "newsletters", "model_name": "issuearticle", "field_name": "article",
         "term": "Earthquake"},
    )  # fmt: skip
    assert [r["text"] for r in found.json()["results"]] == ["Earthquake hits the coast"]
    response = client.post(
        reverse("admin:newsletters_issue_add"),
        {
            "newsletter": alerts.pk,
            "alert_article": article.pk,
            "subject": "",
            "intro": "",
            "issue_articles-TOTAL_FORMS": "0",
            "issue_articles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    issue = Issue.objects.get()
    assert issue.subject == "Earthquake hits the coast"
    client.post(reverse("admin:newsletters_issue_send", args=[issue.pk]))
    message = smtp_server.only_message_to("anna@example.com")
    assert message["Subject"] == "Earthquake hits the coast"
    assert Issue.objects.get().bulk_send.priority == tasks.ALERT


def test_preparing_the_digest_picks_the_days_stories_and_is_idempotent(digest, editor_client):
    # Published now, not at the factories' "n seconds ago": after midnight, article 2,000 of a
    # run would be yesterday's.
    now = timezone.now()
    today = [
        make_article(title=f"Today {n}", published_at=now - timedelta(seconds=n)) for n in range(3)
    ]
    make_article(title="Last week", published_at=timezone.now() - timedelta(days=7))
    make_article(title="Tomorrow", published_at=timezone.now() + timedelta(days=1))
    call_command("prepare_digests", stdout=(out := __import__("io").StringIO()))
    assert "Daily digest: prepared, 3 articles" in out.getvalue()
    issue = Issue.objects.get()
    assert {a.title for a in issue.stories()} == {a.title for a in today}
    IssueArticle.objects.filter(issue=issue, article=today[0]).delete()  # an editor's choice

    client, _editor = editor_client
    client.post(reverse("admin:newsletters_issue_prepare"))
    call_command("prepare_digests", stdout=__import__("io").StringIO())
    assert Issue.objects.count() == 1
    assert len(Issue.objects.get().stories()) == 2
    assert prepare_digest(digest)[1] is False


def test_the_article_page_with_the_sign_up_form_stays_cached_without_a_csrf_cookie(
    client, digest, django_assert_num_queries
):
    article = make_article()
    first = client.get(article.get_absolute_url())
    body = first.content.decode()
    assert 'action="/newsletters/"' in body and 'name="email"' in body
    assert "csrfmiddlewaretoken" not in body
    assert body.count('class="newsletter-signup"') == 1  # the footer's (the article's: channels)
    assert "public" in first["Cache-Control"]
    with django_assert_num_queries(0):
        second = client.get(article.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert "csrftoken" not in first.cookies and "csrftoken" not in second.cookies


def test_the_short_form_subscribes_to_the_default_newsletters(client, digest, alerts, smtp_server):
    sign_up(client, "anna@example.com")
    Client().post(confirmation_path(smtp_server.only_message_to("anna@example.com")))
    assert list(Subscription.objects.values_list("newsletter__slug", flat=True)) == ["daily"]


def test_the_sign_up_page_offers_the_newsletters_and_shows_changes_through_its_cache(
    client, digest
):
    url = reverse("newsletters:subscribe")
    first = client.get(url)
    assert "Daily digest" in first.content.decode()
    assert f'value="{digest.pk}" id="newsletter-{digest.pk}" checked' in first.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    Newsletter.objects.create(name="Culture letter", slug="culture", description="Arts weekly.")
    again = client.get(url)
    assert "Culture letter" in again.content.decode() and "Arts weekly." in again.content.decode()


def test_the_full_form_needs_a_choice_and_keeps_what_was_typed(client, digest):
    response = sign_up(client, "anna@example.com", choose="1")
    assert response.status_code == 400
    assert "Choose at least one newsletter." in response.content.decode()
    assert 'value="anna@example.com"' in response.content.decode()
    bad = sign_up(client, "not-an-address", choose="1", newsletters=[str(digest.pk)])
    assert bad.status_code == 400 and 'value="not-an-address"' in bad.content.decode()
    assert f'value="{digest.pk}" id="newsletter-{digest.pk}" checked' in bad.content.decode()


def test_the_answer_is_the_same_for_an_address_already_subscribed(client, digest, smtp_server):
    confirmed("anna@example.com", digest)
    known = sign_up(client, "anna@example.com").content.decode()
    unknown = sign_up(client, "ben@example.com").content.decode()
    assert known.replace("anna", "ben") == unknown


def test_sign_ups_are_limited_per_address_with_a_page_in_design(client, digest, settings):
    settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_EMAIL = 2
    codes = [sign_up(client, "anna@example.com").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = sign_up(client, "anna@example.com", choose="1", newsletters=[str(digest.pk)])
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 3000
    body = refused.content.decode()
    assert "Please wait 60 minutes" in body and 'value="anna@example.com"' in body
    assert 'class="site-header"' in body
    assert len(mail.outbox) == 2
    assert sign_up(client, "ben@example.com").status_code == 200


def test_sign_ups_are_limited_per_client_address(client, digest, settings):
    settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_ADDRESS = 3
    codes = [sign_up(client, f"reader{n}@example.com").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert sign_up(other, "reader9@example.com").status_code == 200


def test_behind_a_trusted_proxy_each_reader_has_their_own_sign_up_limit(digest, settings):
    """All readers reach the app through the proxy: counting its address would let three
    sign-ups an hour through for the whole site."""
    settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_ADDRESS = 1
    settings.NEWSROOM_TRUSTED_PROXIES = ["10.0.0.5"]
    anna = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    ben = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert sign_up(anna, "anna@example.com").status_code == 200
    assert sign_up(ben, "ben@example.com").status_code == 200
    assert sign_up(anna, "anna2@example.com").status_code == 429
    # what a client writes into the header itself is not believed
    forged = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert sign_up(forged, "anna3@example.com").status_code == 429


@pytest.mark.parametrize("field", ["email", "newsletters"])
def test_growing_inputs_on_the_sign_up_form_take_linear_time(client, digest, settings, field):
    settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_ADDRESS = 0
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = None

    def post(size):
        if field == "email":
            data = {"email": "a" * size + "@example.com", "choose": "1"}
        else:
            data = {"email": "x@example.com", "choose": "1", "newsletters": ["9"] * size}
        start = time.perf_counter()
        response = client.post(reverse("newsletters:subscribe"), data)
        assert response.status_code == 400
        return time.perf_counter() - start

    post(1000)  # warm up
    small, large = post(10_000), post(100_000)
    assert large < small * 30 + 0.05, (small, large)


def test_a_signed_in_reader_subscribes_on_the_profile_without_a_confirmation_mail(
    client, digest, alerts
):
    reader = make_reader("anna")
    client.force_login(reader)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Sent to your verified address anna@example.com" in page
    response = client.post(reverse("newsletters:profile"), {"newsletters": [str(alerts.pk)]})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.user, subscriber.confirmed_by) == (
        "anna@example.com",
        reader,
        "account",
    )
    assert list(subscriber.subscriptions.values_list("newsletter", flat=True)) == [alerts.pk]
    assert len(mail.outbox) == 0
    page = client.get(reverse("accounts:profile")).content.decode()
    assert f'value="{alerts.pk}" id="profile-newsletter-{alerts.pk}" checked' in page
    client.post(reverse("newsletters:profile"), {})
    assert not Subscription.objects.exists()


def test_an_unverified_reader_must_verify_first(client, digest):
    client.force_login(make_reader("ben", verified=False))
    client.post(reverse("newsletters:profile"), {"newsletters": [str(digest.pk)]})
    assert not Subscriber.objects.exists()


def test_a_readers_data_lists_subscriptions_and_deleting_the_account_removes_them(digest):
    from accounts.signals import personal_data

    reader = make_reader("anna")
    confirmed("anna@example.com", digest)
    confirmed("other@example.com", digest)
    answers = [data for _receiver, data in personal_data.send(sender=type(reader), user=reader)]
    mine = next(data for data in answers if "subscriptions" in data)
    assert [(s["email"], s["newsletter"]) for s in mine["subscriptions"]] == [
        ("anna@example.com", "Daily digest")
    ]
    get_user_model().objects.get(pk=reader.pk).delete()
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["other@example.com"]


def test_the_sign_up_forms_add_no_query_to_the_article_page(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    article = make_article()

    def queries():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(captured)

    queries()  # process-wide caches (the current Site) filled once
    before = queries()
    for n in range(5):
        Newsletter.objects.create(name=f"Letter {n}", slug=f"letter-{n}", default=True)
    assert queries() == before == ARTICLE_QUERIES  # the article page's count


def test_a_mailbox_for_unsubscribing_can_be_offered_beside_the_link(digest, settings):
    from newsletters.sending import mail_headers

    settings.NEWSROOM_NEWSLETTER_UNSUBSCRIBE_MAILTO = "leave@news.example.com"
    assert mail_headers(digest)["List-Unsubscribe"] == (
        "<[[unsubscribe_url]]>, <mailto:leave@news.example.com?subject=unsubscribe%20daily>"
    )


def test_the_issue_list_shows_sent_once_the_delivery_is_done(editor_client, digest):
    client, editor = editor_client
    confirmed("anna@example.com", digest)
    issue = digest_issue(digest)
    send_issue(issue, by=editor)
    page = client.get(reverse("admin:newsletters_issue_changelist")).content.decode()
    assert "1 sent, 0 failed, 0 bounced of 1" in page
    assert Issue.objects.get().status == Issue.Status.SENT


@pytest.mark.parametrize("count", [1, 20])
def test_the_sign_up_page_runs_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries, count
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    for n in range(count):
        Newsletter.objects.create(name=f"Letter {n}", slug=f"letter-{n}", description="Weekly.")
    client.get(reverse("articles:home"))  # process-wide caches (the current Site) filled once
    from django.core.cache import cache

    cache.clear()
    # newsletters, sections, Information pages, notices, labels
    with django_assert_num_queries(5):
        response = client.get(reverse("newsletters:subscribe"))
    assert response.content.decode().count('name="newsletters"') == count


def test_an_address_that_bounced_is_not_mailed_again_until_it_confirms_anew(digest, smtp_server):
    confirmed("anna@example.com", digest)
    confirmed("gone@example.com", digest)
    smtp_server.refuse.add("gone@example.com")
    send_issue(digest_issue(digest), by=None)
    assert Issue.objects.get().progress()["bounced"] == 1

    second = Issue.objects.create(newsletter=digest, subject="Tomorrow")
    send_issue(second, by=None)
    second.refresh_from_db()
    assert list(second.bulk_send.recipients.values_list("address", flat=True)) == [
        "anna@example.com"
    ]

    smtp_server.refuse.clear()
    confirmed("gone@example.com", digest)  # the owner fixed the mailbox and signed up again
    third = Issue.objects.create(newsletter=digest, subject="Next day")
    send_issue(third, by=None)
    assert len(smtp_server.to("gone@example.com")) == 1
