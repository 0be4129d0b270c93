"""The 推進体制 pages in a real browser: the diagram shows, CSP holds, axe finds nothing."""

import os
import shutil

import pytest
from django.urls import reverse

from .conftest import days_ago

CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(live_server, reader, client, monkeypatch):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests")
        pytest.skip(f"{CHROMIUM} is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    client.force_login(reader)
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
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
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
        page = context.new_page()
        page.console_messages = []
        page.on("console", lambda message: page.console_messages.append(message.text))
        yield page
        browser.close()


def _axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def test_structure_page_shows_the_diagram_without_csp_or_axe_problems(browser_page, live_server):
    from governance.services import register_governance_seed

    register_governance_seed()
    page = browser_page
    page.goto(live_server.url + reverse("governance:structure"))
    diagram = page.locator("svg.gov-diagram")
    assert diagram.is_visible()
    assert diagram.locator("g.gov-box").count() == 4
    assert diagram.locator("g.gov-relation").count() == 6
    box = diagram.bounding_box()
    assert box["width"] > 300
    assert box["height"] > 200
    assert page.get_by_role("img", name="推進体制図").count() == 1
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
    assert _axe_violations(page) == []


def test_division_page_has_no_axe_problems(browser_page, live_server):
    from governance.models import Department, Division, PromotionLeader
    from measures.services import register_seed

    register_seed()
    division = Division.objects.create(
        department=Department.objects.create(name="テスト部"), name="市民課", head_name="岩手 花子"
    )
    PromotionLeader.objects.create(
        division=division, person_name="滝沢 桜", appointed_by="市民課長", start_date=days_ago(30)
    )
    page = browser_page
    page.goto(live_server.url + division.get_absolute_url())
    assert page.get_by_role("heading", name="市民課").is_visible()
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
    assert _axe_violations(page) == []
