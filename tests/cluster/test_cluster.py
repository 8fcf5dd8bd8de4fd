"""Two app servers behind HAProxy behind Varnish, as the README recommends, used the way
readers, editors and moderators use it: every request over HTTP, through the front cache
unless a test needs one app server in particular. What it proves is that no state lives in one
process: a session, a submission key, a purge, a schedule and an upload made on one server hold
on the other and in front of both."""

import io
import json
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import PIL.Image
import pytest
import requests

from tests.cluster.conftest import csrf_token, signed_in
from tests.webhook_receiver import running_receiver, verify

pytestmark = pytest.mark.cluster

# Names of this run, so that a cluster left running (NEWSROOM_TEST_CLUSTER) can run them again.
RUN = uuid.uuid4().hex[:6]

ARTICLE = """
import json
from articles.models import Article
a = Article.objects.published().order_by("-published_at").first()
print(json.dumps({"id": a.pk, "url": a.get_absolute_url()}))
"""


def front_get(cluster, path):
    """An anonymous reader's request through Varnish."""
    return requests.get(cluster.front + path, timeout=10)


def cached_in_front(cluster, path):
    """Ask until Varnish answers from its cache (the first request fills it)."""
    for _ in range(3):
        answer = front_get(cluster, path)
        assert answer.status_code == 200
        if answer.headers.get("X-Cache") == "hit":
            return answer
    pytest.fail(f"Varnish does not cache {path}: {dict(answer.headers)}")


def admin_action(session, base, changelist, action, pk, **extra):
    page = session.get(base + changelist, timeout=10)
    assert page.status_code == 200, page.status_code
    answer = session.post(
        base + changelist,
        data={
            "csrfmiddlewaretoken": csrf_token(page.text),
            "action": action,
            "_selected_action": [pk],
            **extra,
        },
        headers={"Referer": base + changelist},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:2000]
    return answer


def test_a_reader_signs_in_on_one_server_comments_through_the_other_and_a_moderator_removes_it(
    cluster,
):
    article = cluster.python(ARTICLE)
    one, other = cluster.apps
    TEXT = f"A comment posted on the other server ({RUN})."  # noqa: N806
    before = cached_in_front(cluster, article["url"])
    assert TEXT not in before.text

    reader = signed_in(one, "/accounts/login/", "reader@example.com", "newsroom-reader", "login")
    page = reader.get(other + article["url"], timeout=10)  # the session, read on the other
    assert page.status_code == 200 and 'name="submission_key"' in page.text, page.text[:1000]
    assert "private" in page.headers["Cache-Control"]
    key = re.search(r'name="submission_key" value="([^"]+)"', page.text).group(1)
    form = {"csrfmiddlewaretoken": csrf_token(page.text), "body": TEXT, "submission_key": key}

    def post_comment(base):
        return reader.post(
            base + f"/comments/article/{article['id']}/",
            data=form,
            headers={"Referer": base + article["url"]},
            timeout=10,
        )

    posted = post_comment(other)
    assert posted.status_code == 200, posted.text[:2000]
    # The same submission again (a double click, a retried request) on the first server: the
    # key is spent everywhere, so it is not stored twice.
    post_comment(one)
    comments = cluster.python(
        "import json\nfrom comments.models import Comment\n"
        f"print(json.dumps(list(Comment.objects.filter(body={TEXT!r})"
        ".values_list('pk', 'status'))))"
    )
    assert len(comments) == 1 and comments[0][1] == "visible", comments

    # Every anonymous reader sees it at once: the app purged the discussion's key in Varnish.
    after = front_get(cluster, article["url"])
    assert after.headers["X-Cache"] == "miss"
    assert TEXT in after.text
    assert cached_in_front(cluster, article["url"]).text == after.text

    # A moderator on the first server removes it: gone from the front cache's next answer.
    moderator = signed_in(one, "/admin/login/", "moderator", "newsroom-moderator")
    admin_action(moderator, one, "/admin/comments/comment/", "remove", comments[0][0])
    gone = front_get(cluster, article["url"])
    assert TEXT not in gone.text
    assert gone.headers["X-Cache"] == "miss"


def test_an_editor_publishes_and_the_cached_home_page_shows_it_at_once(cluster):
    draft = cluster.python(
        f"""
import json
from articles.models import Article, Section
a = Article.objects.create(
    title="Bridge reopens after repairs {RUN}", lead="Traffic flows again.",
    body="<p>The bridge reopened.</p>", section=Section.objects.first(),
    status=Article.Status.DRAFT,
)
print(json.dumps({{"id": a.pk}}))
"""
    )
    home = cached_in_front(cluster, "/")
    assert f"Bridge reopens after repairs {RUN}" not in home.text
    editor = signed_in(cluster.apps[1], "/admin/login/", "editor", "newsroom-editor")
    admin_action(editor, cluster.apps[1], "/admin/articles/article/", "publish_now", draft["id"])
    fresh = front_get(cluster, "/")
    assert fresh.headers["X-Cache"] == "miss"
    assert f"Bridge reopens after repairs {RUN}" in fresh.text
    article = cluster.python(
        f"import json\nfrom articles.models import Article\n"
        f"print(json.dumps(Article.objects.get(pk={draft['id']}).get_absolute_url()))"
    )
    assert front_get(cluster, article).status_code == 200


def test_an_image_uploaded_on_one_server_is_served_to_the_other_from_object_storage(cluster):
    from tests.factories import image_upload

    one, other = cluster.apps
    editor = signed_in(one, "/admin/login/", "editor", "newsroom-editor")
    form = editor.get(one + "/admin/media/image/add/", timeout=10)
    assert form.status_code == 200, form.status_code
    upload = image_upload()
    saved = editor.post(
        one + "/admin/media/image/add/",
        data={
            "csrfmiddlewaretoken": csrf_token(form.text),
            "title": f"Cluster bridge {RUN}",
            "alt_text": "The bridge at dusk",
            "caption": "",
            "credit": "Cluster Test",
            "credit_url": "",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
        files={"file": (upload.name, upload.read(), upload.content_type)},
        headers={"Referer": one + "/admin/media/image/add/"},
        timeout=30,
    )
    assert saved.status_code == 200, saved.text[:2000]
    image = cluster.python(
        "import json\nfrom medialibrary.models import Image\n"
        f"i = Image.objects.get(title='Cluster bridge {RUN}')\n"
        "print(json.dumps({'id': i.pk, 'url': i.file.url}))"
    )
    # The other server shows it in the library, with a thumbnail it did not make.
    listing = signed_in(other, "/admin/login/", "editor", "newsroom-editor").get(
        other + f"/admin/media/image/?q={RUN}", timeout=10
    )
    assert listing.status_code == 200 and f"Cluster bridge {RUN}" in listing.text
    thumbnails = [
        url
        for url in re.findall(r'<img[^>]+src="([^"]+)"', listing.text)
        if url.startswith(cluster.s3)
    ]
    assert thumbnails, "no thumbnail from object storage on the other server's page"
    for url in [image["url"], *thumbnails]:
        assert url.startswith(cluster.s3), url  # from object storage, not an app server
        fetched = requests.get(url, timeout=10)
        assert fetched.status_code == 200, url
        with PIL.Image.open(io.BytesIO(fetched.content)) as picture:
            picture.verify()  # an image, whole
    # Nothing was written to the app servers' disk.
    assert [p for p in (cluster.dir / "media").rglob("*") if p.is_file()] == []


def test_a_scheduled_article_appears_on_time_through_the_front_cache_and_fires_once(cluster):
    with running_receiver() as receiver:
        setup = cluster.python(
            f"""
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from articles import workflow
from articles.models import Article, Section
from webhooks.models import Endpoint
endpoint = Endpoint(name="Wire desk", url={receiver.url!r}, events=["article.published"])
endpoint.full_clean()
endpoint.save()
a = Article.objects.create(
    title="Polls open at dawn {RUN}", lead="Voting starts.", body="<p>Voting starts.</p>",
    section=Section.objects.first(), status=Article.Status.DRAFT,
)
due = timezone.now() + timedelta(seconds=6)
workflow.schedule(a, by=get_user_model().objects.get(username="editor"), at=due)
print(json.dumps({{"id": a.pk, "due": due.timestamp(), "secret": endpoint.secret}}))
"""
        )
        assert f"Polls open at dawn {RUN}" not in cached_in_front(cluster, "/").text
        while time.time() < setup["due"] - 0.5:
            assert f"Polls open at dawn {RUN}" not in front_get(cluster, "/").text  # not before
            time.sleep(0.5)
        while f"Polls open at dawn {RUN}" not in front_get(cluster, "/").text:
            assert time.time() < setup["due"] + 10, "not on the cached home page 10 s after due"
            time.sleep(0.2)
        seen_after = time.time() - setup["due"]
        # Both app servers are asked meanwhile; the worker runs the timer: one webhook.
        for base in cluster.apps * 5:
            requests.get(base + "/", timeout=10)
        time.sleep(4)
        published = [
            (headers, body)
            for headers, body, _ in receiver.requests
            if json.loads(body)["type"] == "article.published"
            and json.loads(body)["data"]["article"]["id"] == setup["id"]
        ]
        assert len(published) == 1, receiver.bodies()
        assert verify(setup["secret"], published[0][0], published[0][1], seen=set()) == "new"
        print(f"scheduled article on the cached home page {seen_after:.1f} s after due")


def test_limits_and_sign_in_lockouts_count_across_app_servers(cluster):
    """A limit counted in one process would let a client through N times over with N servers."""
    one, other = cluster.apps
    statuses = [
        requests.get((one, other)[n % 2] + f"/api/v1/sections?run={RUN}", timeout=10).status_code
        for n in range(61)
    ]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429, Counter(statuses)

    # Five wrong passwords, alternating servers; then the right one is refused on either.
    for n in range(5):
        base = (one, other)[n % 2]
        session = requests.Session()
        form = session.get(base + "/admin/login/", timeout=10)
        session.post(
            base + "/admin/login/",
            data={
                "csrfmiddlewaretoken": csrf_token(form.text),
                "username": "reporter",
                "password": f"wrong-{n}",
            },
            timeout=10,
        )
    session = requests.Session()
    form = session.get(other + "/admin/login/", timeout=10)
    locked = session.post(
        other + "/admin/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(form.text),
            "username": "reporter",
            "password": "newsroom-reporter",
        },
        timeout=10,
    )
    assert locked.status_code == 429 and "sessionid" not in session.cookies


def test_an_app_server_killed_under_load_loses_no_request_the_balancer_could_retry(cluster):
    """SIGKILL, not a graceful stop: requests under way on that server die with it, and the
    balancer sends each again to the other server."""
    paths = ["/", "/healthz", cluster.python(ARTICLE)["url"], "/search/?q=bridge"]
    results = Counter()
    failures = []
    stop = threading.Event()

    def reader(n):
        session = requests.Session()
        i = n
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                answer = session.get(cluster.balancer + path, timeout=15)
                results[answer.status_code] += 1
                if answer.status_code != 200:
                    failures.append((path, answer.status_code, answer.text[:200]))
            except requests.RequestException as error:
                failures.append((path, "error", str(error)))

    with ThreadPoolExecutor(8) as pool:
        for n in range(8):
            pool.submit(reader, n)
        time.sleep(2)
        before = sum(results.values())
        cluster.script("stop-app", "1", "KILL")
        time.sleep(4)
        stop.set()
    after = sum(results.values()) - before
    print(f"under load: {before} requests before the kill, {after} after, {dict(results)}")
    assert failures == []
    assert after > 50  # the other server carried the load on
    cluster.script("start-app", "1")
    assert requests.get(cluster.apps[0] + "/healthz", timeout=10).status_code == 200
