"""The public pages pass axe-core's WCAG 2.1 A and AA rules: a news site is read by everyone."""

import os

import pytest
from django.urls import reverse

from tests.e2e.axe import AXE_VERSION, wcag_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("name", ["home", "article", "section", "sign-in", "sign-up"])
def test_page_has_no_wcag_21_aa_violation(live_server, page, screenshot_dir, content, name):
    url = {
        "home": reverse("articles:home"),
        "article": content.get_absolute_url(),
        "section": content.section.get_absolute_url(),
        "sign-in": reverse("account_login"),
        "sign-up": reverse("account_signup"),
    }[name]
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        page.goto(live_server.url + url)
        page.screenshot(
            path=os.path.join(screenshot_dir, f"a11y-{name}-{scheme}.png"), full_page=True
        )
        violations = wcag_violations(page)
        assert not violations, f"{name} ({scheme}, {AXE_VERSION}):\n" + "\n".join(violations)
