"""The 推進体制 pages in a real browser: the diagram shows, CSP holds, axe finds nothing."""

import os
import shutil
from contextlib import contextmanager

import pytest
from django.urls import reverse

from governance.models import Department, Division, PromotionLeader
from governance.services import register_governance_seed

from .conftest import days_ago

CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(live_server, reader, client, monkeypatch):
    """Open a page as a logged-in reader. Create the test data before opening: while Playwright's
    loop runs, Django would give database calls another connection that nobody closes."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests")
        pytest.skip(f"{CHROMIUM} is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    client.force_login(reader)
    session = client.cookies["sessionid"].value
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]

    @contextmanager
    def open_(path: str):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            context = browser.new_context(locale="ja-JP")
            context.add_cookies(
                [{"name": "sessionid", "value": session, "domain": host, "path": "/"}]
            )
            page = context.new_page()
            page.console_messages = []
            page.on("console", lambda message: page.console_messages.append(message.text))
            page.goto(live_server.url + path)
            try:
                yield page
            finally:
                browser.close()

    return open_


def _axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def _csp_errors(page) -> list[str]:
    return [m for m in page.console_messages if "Content Security Policy" in m]


def test_structure_page_shows_the_diagram_without_csp_or_axe_problems(open_page):
    register_governance_seed()
    with open_page(reverse("governance:structure")) as page:
        diagram = page.locator("svg.gov-diagram")
        assert diagram.is_visible()
        assert diagram.locator("g.gov-box").count() == 4
        assert diagram.locator("g.gov-relation").count() == 6
        box = diagram.bounding_box()
        assert box["width"] > 300
        assert box["height"] > 200
        assert page.get_by_role("img", name="推進体制図").count() == 1
        assert _csp_errors(page) == []
        assert _axe_violations(page) == []


def test_division_page_has_no_axe_problems(open_page, make_measure):
    division = Division.objects.create(
        department=Department.objects.create(name="テスト部"), name="市民課", head_name="岩手 花子"
    )
    PromotionLeader.objects.create(
        division=division, person_name="滝沢 桜", appointed_by="市民課長", start_date=days_ago(30)
    )
    measure = make_measure("申請のオンライン化")
    measure.responsible_division = division
    measure.save()
    with open_page(division.get_absolute_url()) as page:
        assert page.get_by_role("heading", name="市民課").is_visible()
        assert page.get_by_role("link", name="申請のオンライン化").is_visible()
        assert _csp_errors(page) == []
        assert _axe_violations(page) == []
