"""The attack suite reports itself in one line at the end of the run: each test here (each
parametrized case) is one attack with its expected safe outcome, and a failed test is an attack
that succeeded."""

from pathlib import Path


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folder = Path(__file__).parent.relative_to(config.rootpath).as_posix() + "/"
    cases, succeeded = set(), set()
    for outcome, reports in terminalreporter.stats.items():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if not nodeid.startswith(folder) or not hasattr(report, "when"):
                continue
            cases.add(nodeid)
            if outcome in {"failed", "error"}:
                succeeded.add(nodeid)
    if cases:
        terminalreporter.write_line(f"{len(cases)} attack cases: {len(succeeded)} succeeded")
