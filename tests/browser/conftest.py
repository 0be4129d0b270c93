"""Shared Playwright fixtures: Debian's Chromium against pytest-django's live server.

Where /usr/bin/chromium is missing the browser tests are skipped with a reason, except in CI
(env CI set), where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def _async_unsafe(monkeypatch):
    """Playwright's sync API runs an event loop in this thread while the test still makes
    synchronous ORM calls (fixtures, force_login, assertions); allowed for this test only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def chromium(_async_unsafe):
    """Headless Chromium, one per test so that nothing outlives the test's settings."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} がないためブラウザテストを省略します（Debian: apt install chromium）"
        if os.environ.get("CI"):
            pytest.fail(f"CI では省略できません: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def logged_in_context(chromium, live_server, client, reader):
    """A Japanese browser context holding the session of a logged-in member of staff."""
    client.force_login(reader)
    context = chromium.new_context(locale="ja-JP", accept_downloads=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    yield context
    context.close()


@pytest.fixture
def page(logged_in_context):
    """A page of the logged-in context; fails the test if the browser reports an error, such
    as a Content-Security-Policy violation."""
    page = logged_in_context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "status of 404" not in message.text
            else None
        ),
    )
    yield page
    assert not errors
