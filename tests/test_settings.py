"""The production profile, checked the way an operator would: by running manage.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#kq9!vN2m$Lp4@wZr8^tYb6&hJc3*eFs5(gUd1)aQo0-iXnM",
    "DJANGO_ALLOWED_HOSTS": "example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
}


def run(args, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | extra_env
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env, error_id",
    [
        ({"DJANGO_SECRET_KEY": ""}, "newsroom.E001"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "newsroom.E002"),
        ({"DJANGO_SECURE_SSL_REDIRECT": "0"}, "security.W008"),
        ({"REDIS_URL": ""}, "newsroom.W020"),  # per-process state with several processes
    ],
)
def test_check_deploy_catches_unsafe_production_settings(env, error_id):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION | env)
    assert result.returncode != 0
    assert error_id in result.stderr + result.stdout


def test_production_refuses_to_serve_without_a_secret_key():
    result = run(["-c", "import newsroom.wsgi"], PRODUCTION | {"DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_serves_with_a_secret_key():
    result = run(["-c", "import newsroom.wsgi; print('ready')"], PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "ready" in result.stdout
