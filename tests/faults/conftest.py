"""Fault drills: each test starts a failure itself (a closed port, a server that never answers,
a held lock, a full disk...) and checks what readers, editors, the log and /healthz see. The run
ends with one line, "N fault drills: N survived"; a failed test is a drill the site did not
survive."""

import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folder = Path(__file__).parent.relative_to(config.rootpath).as_posix() + "/"
    drills, failed, skipped = set(), set(), set()
    for outcome, reports in terminalreporter.stats.items():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if not nodeid.startswith(folder) or not hasattr(report, "when"):
                continue
            if outcome == "skipped":
                skipped.add(nodeid)
                continue
            drills.add(nodeid)
            if outcome in {"failed", "error"}:
                failed.add(nodeid)
    drills -= skipped
    if drills or skipped:
        line = f"{len(drills)} fault drills: {len(drills - failed)} survived"
        if skipped:
            line += f" ({len(skipped)} skipped, see above why)"
        terminalreporter.write_line(line)


@pytest.fixture
def postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only drill: run with DATABASE_URL=postgres://...")


def closed_port():
    """A loopback port with nothing listening on it: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_server():
    """A TCP server on a loopback port that accepts every connection and never answers, like a
    hung Redis or mail server. Yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
