"""Shared pieces of the browser tests: Debian's chromium driven by Playwright, axe-core checks."""

from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (Playwright never downloads a browser).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # Playwright runs the test in a greenlet with its own context variables, so the ORM calls made in the
        # test body use connections of their own: close them, or PostgreSQL refuses to drop the test database.
        connections.close_all()


def assert_accessible(page):
    """No serious or critical axe-core findings (WCAG 2 A/AA rules) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    found = [(v["id"], v["nodes"][0]["target"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert found == [], page.url


def submit(page, selector="main form button[type=submit]"):
    """Click a form's submit button in the main area (the header holds language and logout forms too)."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    submit(page)
