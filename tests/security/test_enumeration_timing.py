"""Account enumeration by the clock: sign-up, sign-in and password reset take about as long
for an address that has an account as for one that has none. Measured with the production
password hasher (the suite's fast one would hide the difference), as medians over several
tries, known and unknown in turn, with a margin generous enough for a busy machine."""

import itertools
import statistics
import time

import pytest
from django.conf import global_settings
from django.urls import reverse

from tests.factories import make_reader

pytestmark = pytest.mark.django_db

TRIES = 5
addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def production_hasher(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    # allauth's rate limits would answer early and alike; the paths behind them are measured.
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture
def known(production_hasher):
    return make_reader("known", display_name="Known Reader")


def timed(post, n):
    started = time.perf_counter()
    response = post(n)
    return time.perf_counter() - started, response


def assert_alike(known_post, unknown_post):
    known_times, unknown_times, statuses = [], [], set()
    for n in range(TRIES):
        for times, post in [(known_times, known_post), (unknown_times, unknown_post)]:
            seconds, response = timed(post, n)
            statuses.add(response.status_code)
            times.append(seconds)
    assert len(statuses) == 1, statuses
    known_median = statistics.median(known_times)
    unknown_median = statistics.median(unknown_times)
    slower = max(known_median, unknown_median)
    assert abs(known_median - unknown_median) <= max(0.5 * slower, 0.05), (
        f"known {known_median * 1000:.0f} ms, unknown {unknown_median * 1000:.0f} ms"
    )


def test_sign_up_takes_as_long_for_a_taken_address_as_for_a_new_one(client, known):
    def sign_up(email, n):
        return client.post(
            reverse("account_signup"),
            {
                "email": email,
                "display_name": f"Timer {email[0]}{n}",
                "password1": "a-long-passphrase-9",
                "password2": "a-long-passphrase-9",
            },
            REMOTE_ADDR=next(addresses),
        )

    assert_alike(lambda n: sign_up(known.email, n), lambda n: sign_up(f"new{n}@example.com", n))


def test_sign_in_takes_as_long_for_a_known_address_as_for_an_unknown_one(client, known):
    def sign_in(email):
        return client.post(
            reverse("account_login"),
            {"login": email, "password": "wrong-password"},
            REMOTE_ADDR=next(addresses),
        )

    assert_alike(lambda n: sign_in(known.email), lambda n: sign_in(f"nobody{n}@example.com"))


def test_password_reset_takes_as_long_for_a_known_address_as_for_an_unknown_one(client, known):
    def reset(email):
        return client.post(
            reverse("account_reset_password"), {"email": email}, REMOTE_ADDR=next(addresses)
        )

    assert_alike(lambda n: reset(known.email), lambda n: reset(f"nobody{n}@example.com"))
