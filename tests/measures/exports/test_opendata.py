"""The open-data CSV: one value per cell, plain status words, periods as columns, ISO dates."""

import csv
import io
import re

import pytest
from django.utils import timezone

from measures.exports.opendata import write_opendata
from measures.models import Measure, Status

pytestmark = pytest.mark.django_db

HEADER = [
    "区分コード",
    "区分",
    "表内の位置",
    "施策名",
    "状況",
    "記号",
    "第一次計画期間",
    "第二次計画期間",
    "第三次計画期間",
    "第四次計画期間",
    "再掲先_e-citizen",
    "再掲先_e-business",
    "再掲先_e-city",
    "更新日",
]


def _csv() -> tuple[str, list[dict[str, str]]]:
    out = io.StringIO(newline="")
    write_opendata(out)
    text = out.getvalue()
    return text, list(csv.DictReader(io.StringIO(text, newline="")))


def test_opendata_lists_every_measure_with_one_value_per_cell(seeded):
    text, rows = _csv()
    assert text.splitlines()[0].split(",") == HEADER
    assert len(rows) == Measure.objects.count() == 75
    first = rows[0]
    assert first["区分コード"] == "e-citizen"
    assert first["区分"] == "e-citizenづくり"
    assert first["表内の位置"] == "1"
    assert first["施策名"] == "学校教育施設の基盤インフラ整備"
    assert first["状況"] == "一部着手"
    assert first["記号"] == "○"
    assert [first[f"第{n}次計画期間"] for n in "一二三四"] == ["1", "1", "1", "1"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first["更新日"])


def test_opendata_status_word_matches_the_mark(seeded):
    _, rows = _csv()
    for row in rows:
        assert Status.from_mark(row["記号"]).label == row["状況"]
    assert {r["状況"] for r in rows} == {"実施", "一部着手", "未着手"}


def test_opendata_periods_are_separate_flags(seeded):
    _, rows = _csv()
    city = {(r["区分コード"], r["表内の位置"]): r for r in rows}
    gis = city[("e-city", "5")]  # 統合型GISシステムの構築: 一次・四次
    assert [gis[f"第{n}次計画期間"] for n in "一二三四"] == ["1", "0", "0", "1"]
    for row in rows:
        assert all(row[f"第{n}次計画期間"] in {"0", "1"} for n in "一二三四")


def test_opendata_relisting_positions(seeded):
    _, rows = _csv()
    by_key = {(r["区分コード"], r["表内の位置"]): r for r in rows}
    online = by_key[("e-citizen", "20")]
    assert online["再掲先_e-business"] == "6"
    assert online["再掲先_e-city"] == ""
    assert by_key[("e-citizen", "1")]["再掲先_e-business"] == ""


def test_opendata_has_no_formulas_and_crlf_lines(make_measure):
    make_measure("=1+1")
    make_measure("-2")
    text, rows = _csv()
    assert "\r\n" in text
    assert [r["施策名"] for r in rows] == ["'=1+1", "'-2"]
    for row in rows:
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values())


def test_opendata_updated_date_follows_the_history(make_measure):
    measure = make_measure("日付")
    latest = measure.history.first().history_date
    _, rows = _csv()
    assert rows[0]["更新日"] == timezone.localdate(latest).isoformat()


def test_opendata_query_count_is_fixed(seeded, django_assert_num_queries):
    """Periods, categories, then every row in one query, however many chunks it is read in."""
    with django_assert_num_queries(3):
        write_opendata(io.StringIO())
