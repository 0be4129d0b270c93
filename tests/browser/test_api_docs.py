"""The API's documentation page (static/api/) renders the OpenAPI document in the browser,
from our own files only (the page fixture fails on any console error, CSP included)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_page_lists_every_endpoint(page, live_server, seeded):
    page.goto(f"{live_server.url}/api/")
    page.get_by_text("個のエンドポイントがあります").wait_for()
    headings = page.locator(".api-operation h3").all_inner_texts()
    assert any("/api/v1/measures" in text for text in headings)
    assert any("/api/v1/totals" in text for text in headings)
    assert page.locator("#schema-MeasureRowOut").count() == 1


def test_token_page_and_docs_page_have_no_serious_accessibility_violations(
    page, live_server, seeded
):
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    page.goto(f"{live_server.url}/accounts/api-tokens/")
    page.get_by_label("用途").fill("市ホームページの集計表示")
    page.get_by_role("button", name="作成する").click()
    page.get_by_text("このトークンは今だけ表示されます").wait_for()
    problems = {}
    for url in (page.url, f"{live_server.url}/api/"):
        page.goto(url)
        if url.endswith("/api/"):
            page.get_by_text("個のエンドポイントがあります").wait_for()
        violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
        serious = [
            v["id"]
            for v in violations.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        if serious:
            problems[url] = serious
    assert not problems
