"""Forged log lines: user input (the address's path, a sign-in attempt) never starts a new
line in the log or hides part of one."""

import logging

import pytest
from django.urls import reverse

from tests.factories import make_staff
from tests.faults.test_database import database_unreachable

pytestmark = pytest.mark.django_db

FORGED_LINE = "%0a2026-12-01 10:00:00,000 ERROR newsroom.faults admin signed in%0d%E2%80%AE"


def messages(caplog, logger):
    return [record.getMessage() for record in caplog.records if record.name.startswith(logger)]


def assert_one_line_each(lines):
    assert lines
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\u202e" not in line, line


def test_the_fault_log_escapes_the_path_during_a_database_outage(client, caplog):
    with database_unreachable(), caplog.at_level(logging.INFO):
        assert client.get(f"/tag/x{FORGED_LINE}/").status_code == 503
    lines = messages(caplog, "newsroom.faults")
    assert_one_line_each(lines)
    assert "GET /tag/x\\n2026-12-01 10:00:00,000 ERROR" in lines[0]


def test_a_backslash_in_the_path_cannot_pose_as_an_escape_in_the_fault_log(client, caplog):
    with database_unreachable(), caplog.at_level(logging.INFO):
        client.get("/tag/x\\n/")
    [line] = messages(caplog, "newsroom.faults")
    assert "GET /tag/x\\\\n/" in line


def test_the_request_log_carries_no_control_characters_from_the_address(client, caplog):
    # Sent raw, as no browser would: the line still shows them encoded.
    with caplog.at_level(logging.INFO, logger="newsroom.request"):
        client.get(f"/tag/x{FORGED_LINE}/", QUERY_STRING="q=\nGET /admin/ 200 1.0ms\x1b[2K")
    [line] = messages(caplog, "newsroom.request")
    assert_one_line_each([line])
    assert "\x1b" not in line
    assert line.startswith("GET /tag/x%0A2026-12-01")


def test_failed_sign_in_log_lines_carry_no_line_breaks_from_the_form(client, caplog):
    make_staff("editor", group="Editor")
    with caplog.at_level(logging.INFO, logger="axes"):
        client.post(
            reverse("admin:login"), {"username": "editor\nAXES: forged", "password": "wrong"}
        )
        client.post(
            reverse("account_login"), {"login": "a@example.com\nforged", "password": "wrong"}
        )
    lines = messages(caplog, "axes")
    assert any("failure" in line for line in lines)
    assert_one_line_each(lines)
    assert not any("forged" in line for line in lines)
