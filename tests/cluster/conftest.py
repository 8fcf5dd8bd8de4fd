"""The production layout, started for real: Varnish → HAProxy → two gunicorn app servers, a
task worker, PostgreSQL, a Redis of its own and S3 (moto's server), by deploy/local-cluster.sh.

The tests talk to it over HTTP only, as readers, editors and moderators do, and read the
cluster's database through its own `manage.py shell` (never this test process's settings).

Without Varnish, HAProxy or a PostgreSQL server on this machine the tests are skipped, and the
reason is printed; with NEWSROOM_REQUIRE_CLUSTER=1 (as .ci/run sets, after installing them) a
missing part fails the run instead.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "local-cluster.sh"
DATABASE = "newsroom_cluster_test"


def _missing():
    for program, package in [
        ("varnishd", "varnish"),
        ("haproxy", "haproxy"),
        ("redis-server", "redis-server"),
    ]:
        if shutil.which(program) is None:
            return f"no {program} (apt-get install {package})"
    if not Path("/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so").exists() and not list(
        Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")
    ):
        return "no vmod xkey (apt-get install varnish-modules)"
    ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)
    if ready.returncode != 0:
        return "no PostgreSQL server at 127.0.0.1:5432"
    return None


def _free_base():
    """A first port with the cluster's ports (base .. base+12) all free."""
    for base in range(18800, 30000, 100):
        ports = [*range(base, base + 6), *range(base + 10, base + 13)]
        try:
            for port in ports:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports for the cluster")


class Cluster:
    def __init__(self, directory, base):
        self.dir = Path(directory)
        self.base = base
        self.front = f"http://127.0.0.1:{base}"
        self.balancer = f"http://127.0.0.1:{base + 1}"
        self.s3 = f"http://127.0.0.1:{base + 3}"
        self.apps = [f"http://127.0.0.1:{base + 10 + n}" for n in (1, 2)]
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "NEWSROOM_CLUSTER_DIR": str(self.dir),
            "NEWSROOM_CLUSTER_PORT": str(base),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "PYTHON": sys.executable,
        }

    def script(self, *args, check=True):
        return subprocess.run(
            ["bash", str(SCRIPT), *args],
            env=self.env,
            cwd=ROOT,
            check=check,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def app_env(self):
        env = dict(self.env)
        for line in (self.dir / "env").read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                name, value = line.split("=", 1)
                env[name] = value
        return env

    def python(self, code):
        """Run `code` in the cluster's Django (its database and cache); returns what it printed
        as JSON on its last line."""
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            env=self.app_env(),
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def log(self, name):
        path = self.dir / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture(scope="session")
def cluster():
    missing = _missing()
    if missing:
        message = f"cluster tests not run: {missing}"
        if os.environ.get("NEWSROOM_REQUIRE_CLUSTER") == "1":
            pytest.fail(message)
        print(f"\n{message}", file=sys.stderr)
        pytest.skip(message)
    running = os.environ.get("NEWSROOM_TEST_CLUSTER")
    if running:
        # A cluster already started by hand (`NEWSROOM_TEST_CLUSTER=DIR:PORT`), to run the
        # tests again while working on them: used as it is and left running.
        directory, port = running.rsplit(":", 1)
        yield Cluster(directory, int(port))
        return
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DATABASE],
        check=True,
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    directory = tempfile.mkdtemp(prefix="newsroom-cluster-")
    cluster = Cluster(directory, _free_base())
    started = cluster.script("start", check=False)
    try:
        if started.returncode != 0:
            logs = "\n".join(
                f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                for path in sorted((cluster.dir / "log").glob("*.log"))
            )
            pytest.fail(f"the cluster did not start:\n{started.stdout}{started.stderr}\n{logs}")
        yield cluster
    finally:
        cluster.script("stop", check=False)
        shutil.rmtree(directory, ignore_errors=True)


def csrf_token(html):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def signed_in(base, path, login, password, field="username"):
    """A browser-like session signed in through the form at `base` + `path`."""
    session = requests.Session()
    form = session.get(base + path, timeout=10)
    assert form.status_code == 200, form.status_code
    answer = session.post(
        base + path,
        data={"csrfmiddlewaretoken": csrf_token(form.text), field: login, "password": password},
        headers={"Referer": base + path},
        timeout=10,
    )
    assert answer.status_code == 200 and "sessionid" in session.cookies, (
        answer.status_code,
        answer.text[:2000],
    )
    return session
