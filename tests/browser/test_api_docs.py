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
