import csv
import io

import pytest
from django.core.management import call_command

from measures.models import Measure

pytestmark = pytest.mark.django_db


def _table_csv(**kwargs) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_table_csv", stdout=out, **kwargs)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_export_table_csv_writes_every_row_in_plan_order(seeded):
    rows = _table_csv()
    assert len(rows) == 83
    assert list(rows[0]) == [
        "category",
        "position",
        "name",
        "status",
        "plan_periods",
        "relisting_of",
    ]
    assert rows[0] == {
        "category": "e-citizen",
        "position": "1",
        "name": "学校教育施設の基盤インフラ整備",
        "status": "○",
        "plan_periods": "一次～四次",
        "relisting_of": "",
    }
    assert [r["category"] for r in rows].count("e-city") == 36
    positions = [(r["category"], int(r["position"])) for r in rows]
    assert positions == sorted(
        positions, key=lambda p: (["e-citizen", "e-business", "e-city"].index(p[0]), p[1])
    )


def test_export_table_csv_relisting_rows_point_to_their_measure(seeded):
    rows = {(r["category"], r["position"]): r for r in _table_csv()}
    relisting = rows[("e-business", "6")]
    assert relisting["name"] == "申請・届出のオンライン化"
    assert relisting["status"] == ""
    assert relisting["relisting_of"] == "e-citizen:20"
    original = rows[("e-citizen", "20")]
    assert original["name"] == "申請・届出のオンライン化の促進"


def test_export_table_csv_totals_match_the_plan(seeded):
    rows = _table_csv()
    city = [r["status"] for r in rows if r["category"] == "e-city"]
    assert (city.count("◎"), city.count("○"), city.count("×")) == (20, 6, 3)


def test_export_table_csv_reflects_edits(seeded):
    measure = Measure.objects.get(name="IT講習の推進")
    measure.name = "IT講習の推進（改）"
    measure.save()
    rows = _table_csv()
    assert rows[2]["name"] == "IT講習の推進（改）"


def test_export_table_csv_to_a_file_is_utf8(seeded, tmp_path):
    target = tmp_path / "table.csv"
    call_command("export_table_csv", output=str(target), stderr=io.StringIO())
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("category,position,name")
    assert "一次～四次" in text


def test_seed_plan_command_is_idempotent(db):
    out = io.StringIO()
    call_command("seed_plan", stdout=out)
    call_command("seed_plan", stdout=out)
    assert "登録しました" in out.getvalue()
    assert "登録済み" in out.getvalue()
    assert Measure.objects.count() == 75
