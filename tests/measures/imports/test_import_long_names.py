"""Names too long for the register are refused by cell; names whose search key grows under
NFKC (㍿ → 株式会社) are imported like any other."""

import pytest

from measures.imports.apply import apply_plan
from measures.imports.summary import read_plan
from measures.models import Measure

pytestmark = pytest.mark.django_db


def test_import_refuses_a_name_over_200_characters_by_cell(seeded, edited_workbook):
    content = edited_workbook({"e-city": {"B5": "う" * 250}})

    plan = read_plan(content, filename="edited.xlsx")

    assert [str(e) for e in plan.errors] == [
        "e-city!B5: 施策名が長すぎます（250 文字）。200 文字以内にしてください。"
    ]
    assert plan.new_measures == []


def test_import_accepts_a_new_name_whose_search_key_is_long(seeded, edited_workbook, admin_user):
    def insert(wb):
        wb["e-business"].insert_rows(18)

    name = "㍿" * 60
    content = edited_workbook(
        {"e-business": {"B18": name, "D18": "○", "F18": "四次"}}, before=insert
    )

    plan = read_plan(content, filename="edited.xlsx")
    assert plan.errors == []
    assert [m.name for m in plan.new_measures] == [name]
    apply_plan(plan, user=admin_user)

    assert Measure.objects.get(name=name).search_text == "株式会社" * 60
