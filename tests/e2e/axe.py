"""axe-core in the browser: the copy that the pinned PyPI package axe-playwright-python ships
(its axe.min.js), so `make test` needs nothing but Python."""

from axe_playwright_python.base import AXE_SCRIPT

WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WCAG22AA = [*WCAG21AA, "wcag22aa"]
AXE_VERSION = AXE_SCRIPT.split("\n", 1)[0]  # "/*! axe v4.12.1"


def wcag_violations(page, tags=WCAG21AA):
    """Every violation of the rules tagged `tags` (WCAG 2.1 A/AA unless told) that axe finds
    on the page, as readable lines."""
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["html"][:160] for node in violation["nodes"][:5])
        for violation in results["violations"]
    ]
