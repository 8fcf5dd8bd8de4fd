"""Abusing the discussion: banned words in disguise, the same text again and again, comments
full of links, and text built to make the filters slow. Each is caught, and the reader's text
always comes back with the reason."""

import time
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, ModerationSettings, visible_count
from comments.textfilter import WordList, fold
from tests.factories import make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, settings):
    settings.NEWSROOM_COMMENT_MIN_INTERVAL = 0
    client.force_login(make_reader("writer"))
    return client


def post(client, article, body, *, follow=False, **data):
    url = reverse("comments:create", args=[article.pk])
    return client.post(url, {"body": body, **data}, follow=follow)


DISGUISES = [
    "This is a scam.",
    "This is a SCAM.",
    "This is a s\u200bc\u200ba\u200bm.",  # zero-width spaces
    "This is a s\u00adcam.",  # soft hyphen
    "This is a \u2060scam\ufeff.",  # word joiner, byte-order mark
    "This is a sc\u0430m.",  # Cyrillic а
    "This is a \u0455\u0441\u0430m.",  # Cyrillic ѕ, с, а
    "This is a \u03bf\u03ba scam.",  # Greek letters around it do not hide it
    "This is a ｓｃａｍ.",  # fullwidth letters
    "This is a \U0001d42c\U0001d41c\U0001d41a\U0001d426.",  # mathematical bold
    "This is a sçàm.",  # accents
    "This is a s\u0336c\u0336a\u0336m\u0336.",  # struck through with combining marks
    "This is a s.c.a.m.",
    "This is a s-c-a-m.",
    "This is a s c a m.",
    "This is a s_c_a_m.",
    "This is a s . c / a * m!",
    "These are scams.",
    "Two S.C.A.M.S here.",
    "Buy-now, they say.",
    "BUY    NOW",
    "buynow",
    "Parties everywhere.",  # party, plural in -ies
    "So many glasses.",  # glass, plural in -es
]


@pytest.mark.parametrize("text", DISGUISES)
def test_a_disguised_banned_word_is_refused_with_the_text_kept(signed_in, article, text):
    ModerationSettings.objects.update(banned_words="scam\nbuy now\nparty\nglass")
    response = post(signed_in, article, text)
    assert response.status_code == 200
    assert "not allowed here" in response.content.decode()
    assert text.replace("&", "&amp;") in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("text", DISGUISES)
def test_a_disguised_suspect_word_holds_the_comment_for_review(signed_in, article, text):
    ModerationSettings.objects.update(suspect_words="scam\nbuy now\nparty\nglass")
    response = post(signed_in, article, text, follow=True)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert comment.held_reason.startswith("suspect word: ")
    assert visible_count(article) == 0
    assert "once a moderator has read it" in response.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        "Scampi for dinner.",
        "He is cam-shy.",  # the letters of "scam", but not from the start of a word
        "A scamper of mice.",
        "Partying is fun.",
        "Glassy eyes.",
    ],
)
def test_words_that_merely_contain_a_listed_word_pass(signed_in, article, text):
    ModerationSettings.objects.update(banned_words="scam\nparty\nglass")
    post(signed_in, article, text)
    assert Comment.objects.get().status == Comment.Status.VISIBLE


def test_fold_normalises_case_width_accents_invisibles_and_look_alikes():
    assert fold("ＳＣ\u0410\u200bM Café ﬁne") == "scam cafe fine"


def test_the_same_text_from_the_same_reader_is_refused_within_the_window(signed_in, article):
    ModerationSettings.objects.update(duplicate_minutes=60)
    assert post(signed_in, article, "Buy my book now!").status_code == 302
    for again in ["Buy my book now!", "buy  my BOOK now", "Buy my b\u200book now!!!"]:
        response = post(signed_in, article, again, submission_key=str(uuid.uuid4()))
        assert response.status_code == 200
        assert "You posted the same text" in response.content.decode()
        assert again in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_same_text_is_accepted_after_the_window_or_from_another_reader(
    signed_in, client, article
):
    ModerationSettings.objects.update(duplicate_minutes=60)
    post(signed_in, article, "Agreed.")
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert post(signed_in, article, "Agreed.").status_code == 302
    client.force_login(make_reader())
    assert post(client, article, "Agreed.").status_code == 302
    assert Comment.objects.count() == 3


def test_duplicate_refusal_can_be_switched_off(signed_in, article):
    ModerationSettings.objects.update(duplicate_minutes=0)
    post(signed_in, article, "Agreed.")
    post(signed_in, article, "Agreed.")
    assert Comment.objects.count() == 2


def test_a_comment_with_more_links_than_the_moderators_allow_is_held(signed_in, article):
    ModerationSettings.objects.update(max_links=3)
    links = " ".join(f"https://spam{i}.example/offer" for i in range(10))
    post(signed_in, article, f"Great offers: {links}")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert comment.held_reason == "10 links (most allowed: 3)"
    assert visible_count(article) == 0


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("See https://a.example and www.b.example and c.com/x", False),
        ("See https://a.example and www.b.example and c.com/x and d.org", True),
        ("Write to me@mail.example, you@mail.example, (http://x.example) or www.y.example", True),
        ("ratio 3:1, a.b.c, 10.5% and an @mention", False),
    ],
)
def test_links_are_counted_as_readers_can_click_them(signed_in, article, text, held):
    ModerationSettings.objects.update(max_links=3)
    post(signed_in, article, text)
    assert (Comment.objects.get().status == Comment.Status.HELD) is held


def best_time(function, *args):
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        function(*args)
        timings.append(time.perf_counter() - start)
    return min(timings)


def test_checking_a_comment_stays_linear_in_its_length():
    """Text made of single letters between separators gives a possible match at every other
    character, and a long listed word of the same letter keeps each attempt going."""
    many_words = ["a" * 40 + "b", "scam", "buy now"] + [f"w{i}x" for i in range(300)]
    moderation = ModerationSettings(
        banned_words="\n".join(many_words),
        suspect_words="a" * 30 + "c",
        max_links=3,
    )
    sizes = [1250, 2500, 5000, 10000]
    texts = [("a." * size)[:size] for size in sizes]
    timings = [best_time(moderation.verdict_on, text) for text in texts]
    assert moderation.verdict_on(texts[2]).refusal is None
    assert timings[2] < 0.05, timings  # 5,000 characters, the longest a comment may be
    # Linear: four times the text, about four times the time (quadratic would be sixteen).
    assert timings[3] / timings[1] < 8, timings


def test_a_word_list_finds_a_word_at_the_end_of_a_long_text_quickly():
    words = WordList(["scam"])
    text = "x " * 2500 + "s.c.a.m"
    assert words.first_in(text) == "scam"
    assert best_time(words.first_in, text) < 0.05


@pytest.fixture
def own_comment(signed_in, article):
    post(signed_in, article, "Harmless words.")
    return Comment.objects.get()


def test_editing_a_comment_into_a_banned_word_is_refused_with_the_text_kept(signed_in, own_comment):
    ModerationSettings.objects.update(banned_words="scam")
    url = reverse("comments:edit", args=[own_comment.pk])
    response = signed_in.post(url, {"body": "Now it is a s.c.a.m."})
    assert response.status_code == 200
    assert "not allowed here" in response.content.decode()
    assert "Now it is a s.c.a.m." in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.body == "Harmless words."


@pytest.mark.parametrize(
    ("settings_change", "body", "reason"),
    [
        ({"suspect_words": "crypto"}, "Buy CRYPT0S? No: buy cryptos.", "suspect word: crypto"),
        ({"max_links": 1}, "https://a.example https://b.example", "2 links (most allowed: 1)"),
    ],
)
def test_editing_an_approved_comment_into_suspect_text_sends_it_back_for_review(
    signed_in, own_comment, article, settings_change, body, reason
):
    anonymous = Client()
    assert "Harmless words." in anonymous.get(article.get_absolute_url()).content.decode()
    ModerationSettings.objects.update(**settings_change)
    signed_in.post(reverse("comments:edit", args=[own_comment.pk]), {"body": body})
    own_comment.refresh_from_db()
    assert (own_comment.status, own_comment.held_reason) == (Comment.Status.HELD, reason)
    assert visible_count(article) == 0
    page = anonymous.get(article.get_absolute_url()).content.decode()
    assert body not in page and "Harmless words." not in page
