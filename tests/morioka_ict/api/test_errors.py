"""Errors are JSON with a stable code and a Japanese message, never HTML."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/measures?status=done", 400, "invalid_parameter"),
        ("/api/v1/measures?category=no-such", 400, "invalid_filter"),
        ("/api/v1/measures?period=99", 400, "invalid_filter"),
        ("/api/v1/measures?page_size=1000", 400, "invalid_parameter"),
        ("/api/v1/measures?q=" + "+".join("abcdefghijk"), 400, "invalid_filter"),
        ("/api/v1/measures?q=%00", 400, "invalid_parameter"),
        ("/api/v1/measures?page=999", 404, "page_not_found"),
        ("/api/v1/totals?as_of=2026-13-01", 400, "invalid_parameter"),
        ("/api/v1/totals?as_of=2999-01-01", 400, "invalid_parameter"),
        ("/api/v1/totals?as_of=2001-01-01", 404, "no_history_before"),
        ("/api/v1/measures/999999", 404, "not_found"),
        ("/api/v1/progress/rounds/999999/results", 404, "not_found"),
        ("/api/v1/no-such-thing", 404, "not_found"),
        ("/api/v1/", 404, "not_found"),
        ("/api/v2/measures", 404, "not_found"),
    ],
)
def test_api_errors_are_json_with_code_and_japanese_message(
    client, seeded, public, url, status, code
):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_api_answers_405_in_json_to_writes(client, seeded, public):
    response = client.post("/api/v1/measures")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_api_bad_filter_names_the_field(client, seeded, public):
    body = client.get("/api/v1/measures?category=no-such").json()
    assert any(detail.startswith("区分") for detail in body["details"])


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("page=0", "page", "1 以上で指定してください"),
        ("page=abc", "page", "整数で指定してください"),
        ("page_size=1000", "page_size", "100 以下で指定してください"),
        ("status=zz", "status", "次のいずれかで指定してください: "),
        ("relistings=perhaps", "relistings", "true か false で指定してください"),
        ("q=" + "あ" * 1001, "q", "1000 文字以内で指定してください"),
    ],
)
def test_api_says_in_japanese_what_is_wrong_with_a_value(
    client, seeded, public, query, field, reason
):
    response = client.get(f"/api/v1/measures?{query}")
    assert response.status_code == 400
    (detail,) = response.json()["details"]
    assert detail.startswith(f"{field}: ")
    assert reason in detail
    assert "Input should" not in detail


def test_api_says_which_date_is_wrong(client, seeded, public):
    (detail,) = client.get("/api/v1/totals?as_of=2026-13-01").json()["details"]
    assert detail.startswith("as_of: ")
    assert "YYYY-MM-DD 形式の日付で指定してください" in detail


def test_api_names_the_nul_character_it_refuses(client, seeded, public):
    response = client.get("/api/v1/measures?q=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert any("NUL" in detail for detail in response.json()["details"])
