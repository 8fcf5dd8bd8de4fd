"""`make audit` must not pass when it checked nothing: the pinned requirements are compared
with the advisory file kept in the repo (security/advisories.json), offline."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "security" / "audit.py"


def audit(*files, advisories=None):
    command = [sys.executable, str(AUDIT), "check"]
    for path in files:
        command += ["-r", str(path)]
    if advisories is not None:
        command += ["--advisories", str(advisories)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)


def requirements(tmp_path, text):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def test_our_pinned_requirements_pass(tmp_path):
    result = audit(ROOT / "requirements.txt", ROOT / "requirements-dev.txt")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "none affects a pinned version" in result.stdout


@pytest.mark.parametrize(
    ("pin", "advisory"),
    [
        ("Django==5.2.7", "CVE-2025-64459"),
        ("django==4.2.10", "CVE-2025-32873"),  # an older branch, and the name in other case
        ("Pillow==11.2.0", "CVE-2025-48379"),  # the first affected version
        ("gunicorn==21.2.0", "CVE-2024-1135"),
    ],
)
def test_a_pinned_version_inside_an_advisorys_range_fails(tmp_path, pin, advisory):
    result = audit(requirements(tmp_path, f"# pinned\n{pin}\nnh3==0.3.8\n"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert advisory in result.stdout


@pytest.mark.parametrize("pin", ["Django==5.2.8", "Pillow==11.1.0", "Pillow==11.3.0"])
def test_a_version_outside_every_range_passes(tmp_path, pin):
    result = audit(requirements(tmp_path, pin + "\n"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_included_requirements_file_is_checked_too(tmp_path):
    (tmp_path / "base.txt").write_text("Django==5.2.7\n")
    result = audit(requirements(tmp_path, "-r base.txt\nnh3==0.3.8\n"))
    assert result.returncode == 1
    assert "django==5.2.7" in result.stdout


@pytest.mark.parametrize(
    "text",
    [
        "",  # nothing to check
        "Django>=5.2\n",  # not a pin: which version would be installed?
        "Django==5.2.*\n",
        "this is not a requirement!\n",
        "-r missing.txt\n",
        "-e git+https://example.com/x.git#egg=x\n",
    ],
)
def test_requirements_it_cannot_check_fail_the_audit(tmp_path, text):
    result = audit(requirements(tmp_path, text))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "nothing was checked" in result.stderr


@pytest.mark.parametrize(
    "advisories", [None, "", "{}", '{"vulnerabilities": []}', "not json"], ids=str
)
def test_missing_or_empty_advisory_data_fails_the_audit(tmp_path, advisories):
    path = tmp_path / "advisories.json"
    if advisories is not None:
        path.write_text(advisories)
    result = audit(ROOT / "requirements.txt", advisories=path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no advisory data" in result.stderr


def test_an_advisory_it_cannot_read_fails_the_audit(tmp_path):
    path = tmp_path / "advisories.json"
    path.write_text(
        '{"vulnerabilities": [{"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI",'
        ' "name": "django"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced":'
        ' "0"}, {"fixed": "not-a-version"}]}]}]}]}'
    )
    result = audit(requirements(tmp_path, "Django==5.2.19\n"), advisories=path)
    assert result.returncode == 2


@pytest.mark.parametrize(
    ("pin", "returncode"),
    [("nh3==0.1.0", 0), ("nh3==0.2.0", 1), ("nh3==0.2.5", 1), ("nh3==0.2.6", 0), ("nh3==0.3.0", 1)],
)
def test_last_affected_and_listed_versions_count_as_affected(tmp_path, pin, returncode):
    path = tmp_path / "advisories.json"
    path.write_text(
        '{"vulnerabilities": [{"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI",'
        ' "name": "nh3"}, "versions": ["0.3.0"], "ranges": [{"type": "ECOSYSTEM", "events":'
        ' [{"introduced": "0.2.0"}, {"last_affected": "0.2.5"}]}]}]}]}'
    )
    assert audit(requirements(tmp_path, pin + "\n"), advisories=path).returncode == returncode


class FakeOSV(BaseHTTPRequestHandler):
    """The OSV query API, with one advisory for Django and none for anything else."""

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        vulns = []
        if query["package"]["name"] == "django":
            vulns = [
                {
                    "id": "GHSA-test-0001",
                    "summary": "A test advisory",
                    "modified": "2026-11-30T00:00:00Z",
                    "details": "dropped from the file",
                    "affected": [
                        {
                            "package": {"ecosystem": "PyPI", "name": "Django"},
                            "ranges": [
                                {
                                    "type": "ECOSYSTEM",
                                    "events": [{"introduced": "5.2"}, {"fixed": "5.2.9"}],
                                }
                            ],
                        }
                    ],
                }
            ]
        body = json.dumps({"vulns": vulns}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_osv():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOSV)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1/query"
    server.shutdown()
    server.server_close()


def refresh(*args):
    command = [sys.executable, str(AUDIT), "refresh", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_refresh_writes_the_advisories_that_check_then_reads(tmp_path, fake_osv):
    pins = requirements(tmp_path, "Django==5.2.8\nnh3==0.3.8\n")
    advisories = tmp_path / "advisories.json"
    result = refresh("-r", pins, "--advisories", advisories, "--osv-url", fake_osv)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "details" not in advisories.read_text()
    checked = audit(pins, advisories=advisories)
    assert checked.returncode == 1
    assert "GHSA-test-0001" in checked.stdout


def test_refresh_without_an_answer_fails_and_keeps_the_file(tmp_path):
    advisories = tmp_path / "advisories.json"
    advisories.write_text("kept")
    result = refresh(
        "-r",
        requirements(tmp_path, "nh3==0.3.8\n"),
        "--advisories",
        advisories,
        "--osv-url",
        "http://127.0.0.1:1/v1/query",
    )
    assert result.returncode == 2
    assert advisories.read_text() == "kept"
