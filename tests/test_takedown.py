"""Safe take-downs: withdrawing asks for confirmation and a public reason, readers are told
why, published articles are not deleted by editors, and a deleted one still answers 410."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles import workflow
from articles.models import Article
from tests.factories import change_url, make_article, make_draft, post_data

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:articles_article_changelist")
REASON = "It relied on a source who has since retracted their account."


def withdraw_url(article):
    return reverse("admin:articles_article_withdraw", args=[article.pk])


def bulk(action, *articles, **extra):
    return {"action": action, "_selected_action": [a.pk for a in articles], **extra}


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")


# Withdrawing asks for confirmation and a public reason


def test_the_bulk_withdraw_action_asks_for_confirmation_and_withdraws_nothing_yet(client, editor):
    article = make_article(title="Disputed story")
    client.force_login(editor)

    response = client.post(CHANGELIST_URL, bulk("withdraw", article))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Disputed story" in page
    assert 'name="reason"' in page
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_a_crafted_post_without_the_confirmation_step_withdraws_nothing(client, editor):
    article = make_article()
    client.force_login(editor)

    client.post(CHANGELIST_URL, bulk("withdraw", article, reason=REASON))
    response = client.post(change_url(article), post_data(article, _workflow="withdraw"))

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.withdrawal_reason == ""


def test_the_confirmed_bulk_action_withdraws_with_the_reason_kept_in_the_history(client, editor):
    article = make_article()
    client.force_login(editor)

    response = client.post(CHANGELIST_URL, bulk("withdraw", article, reason=REASON, post="yes"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    assert article.withdrawal_reason == REASON
    assert article.withdrawn_at is not None
    version = article.history.first()
    assert version.history_user == editor
    assert version.history_change_reason.startswith("Withdrawn: It relied on a source")


def test_the_change_forms_withdraw_button_leads_to_the_confirmation_page(client, editor):
    article = make_article(title="Disputed story")
    client.force_login(editor)

    form = client.get(change_url(article)).content.decode()
    page = client.get(withdraw_url(article))
    response = client.post(withdraw_url(article), {"reason": REASON, "post": "yes"})

    assert withdraw_url(article) in form
    assert page.status_code == 200 and "Disputed story" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    article.refresh_from_db()
    assert (article.status, article.withdrawal_reason) == (Article.Status.WITHDRAWN, REASON)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_the_reason_is_required_and_short_and_what_was_typed_is_kept(client, editor, reason):
    article = make_article()
    client.force_login(editor)

    response = client.post(withdraw_url(article), {"reason": reason, "post": "yes"})
    bulk_response = client.post(
        CHANGELIST_URL, bulk("withdraw", article, reason=reason, post="yes")
    )

    for answer in (response, bulk_response):
        assert answer.status_code == 200
        assert answer.context["form"].errors["reason"]
        assert answer.context["form"]["reason"].value() == reason
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_a_reporter_cannot_open_the_withdraw_page(client, reporter):
    article = make_article()
    client.force_login(reporter)

    assert client.get(withdraw_url(article)).status_code == 403
    assert client.post(withdraw_url(article), {"reason": REASON, "post": "yes"}).status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_the_workflow_function_requires_a_reason(editor):
    article = make_article()
    with pytest.raises(workflow.WorkflowError):
        workflow.withdraw(article, by=editor, reason="  ")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_publishing_again_clears_the_reason(editor):
    article = workflow.withdraw(make_article(), by=editor, reason=REASON)
    workflow.publish(article, by=editor)
    article.refresh_from_db()
    assert (article.withdrawal_reason, article.withdrawn_at) == ("", None)


# Readers are told why


def test_readers_see_the_headline_date_and_reason_and_the_home_page_drops_it_at_once(
    client, editor, settings
):
    assert settings.NEWSROOM_PAGE_CACHE_SECONDS > 0  # the page cache is on
    article = make_article(title="Disputed story")
    reader = Client()
    for _ in range(2):  # the second is served from the page cache
        assert "Disputed story" in reader.get(reverse("articles:home")).content.decode()
        assert reader.get(article.get_absolute_url()).status_code == 200
    assert reader.get(reverse("articles:home"))["X-Page-Cache"] == "hit"
    client.force_login(editor)

    client.post(CHANGELIST_URL, bulk("withdraw", article, reason="Facts <b>wrong</b>", post="yes"))
    response = reader.get(article.get_absolute_url())
    home = reader.get(reverse("articles:home")).content.decode()

    assert response.status_code == 410
    page = response.content.decode()
    assert "Disputed story" in page
    assert "Facts &lt;b&gt;wrong&lt;/b&gt;" in page  # plain text, escaped
    assert 'name="robots" content="noindex"' in page
    assert response["X-Robots-Tag"] == "noindex"
    assert 'class="site-footer"' in page  # in the site's design
    assert "Disputed story" not in home


# Published articles are not deleted by editors


def test_an_editor_cannot_delete_a_published_or_withdrawn_article(client, editor):
    published = make_article()
    withdrawn = make_article(status=Article.Status.WITHDRAWN)
    client.force_login(editor)

    for article in (published, withdrawn):
        url = reverse("admin:articles_article_delete", args=[article.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert Article.objects.count() == 2


def test_an_editor_can_still_delete_a_draft(client, editor):
    draft = make_draft()
    client.force_login(editor)

    url = reverse("admin:articles_article_delete", args=[draft.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.exists()


def test_the_bulk_delete_skips_published_articles_with_a_message(client, editor):
    published = make_article(title="Still public")
    draft = make_draft()
    client.force_login(editor)

    response = client.post(
        CHANGELIST_URL, bulk("delete_selected", published, draft, post="yes"), follow=True
    )

    assert list(Article.objects.all()) == [published]
    assert "1 published or withdrawn article was not deleted" in response.content.decode()


# A superuser's delete leaves a 410


def test_a_superusers_delete_leaves_a_410_at_the_address(client, superuser, editor):
    article = workflow.withdraw(make_article(title="Gone story"), by=editor, reason=REASON)
    address = article.get_absolute_url()
    other = make_article(title="Deleted in bulk")
    other_address = other.get_absolute_url()
    reader = Client()
    assert reader.get(address).status_code == 410  # its parts are cached now
    assert reader.get(other_address).status_code == 200
    client.force_login(superuser)

    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    client.post(CHANGELIST_URL, bulk("delete_selected", other, post="yes"))

    assert not Article.objects.exists()
    response = reader.get(address)
    assert response.status_code == 410
    assert "Gone story" in response.content.decode()
    assert REASON in response.content.decode()
    assert reader.get(other_address).status_code == 410
    assert reader.get("/article/999999/nothing-here/").status_code == 404


def test_deleting_a_draft_leaves_no_tombstone(client, superuser):
    draft = make_draft()
    address = reverse("articles:detail", args=[draft.pk, draft.slug])
    client.force_login(superuser)

    client.post(reverse("admin:articles_article_delete", args=[draft.pk]), {"post": "yes"})

    assert client.get(address).status_code == 404


@pytest.mark.usefixtures("no_page_cache")
def test_the_410_page_runs_a_fixed_number_of_queries(client, editor, django_assert_num_queries):
    withdrawn = workflow.withdraw(make_article(), by=editor, reason=REASON)
    deleted = make_article()
    deleted_address = deleted.get_absolute_url()
    deleted.delete()

    # nav sections, footer pages, the article row (whatever its state), notices, labels
    with django_assert_num_queries(5):
        assert client.get(withdrawn.get_absolute_url()).status_code == 410
    cache.clear()
    # ... and the tombstone: only an address without an article looks for one
    with django_assert_num_queries(5 + 1):
        assert client.get(deleted_address).status_code == 410
    with django_assert_num_queries(0):  # again, from the cached parts
        assert client.get(deleted_address).status_code == 410
