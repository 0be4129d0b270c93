"""Reading an edited summary workbook back: every change listed, every problem by cell, and
applying changes exactly the edited measures, with history under the confirming user."""

import pytest

from measures.imports.apply import apply_plan, import_reason
from measures.imports.summary import ImportConflict, read_plan
from measures.models import Measure, Status

pytestmark = pytest.mark.django_db


def _measure(code: str, position: int) -> Measure:
    return Measure.objects.get(category__code=code, position=position)


def _plan(content: bytes, filename: str = "edited.xlsx"):
    return read_plan(content, filename=filename)


def _errors(plan) -> list[str]:
    return [str(e) for e in plan.errors]


def test_import_of_an_unedited_export_changes_nothing(seeded, summary_bytes):
    plan = _plan(summary_bytes())
    assert plan.errors == []
    assert plan.changes == []
    assert plan.new_measures == []
    assert plan.unmatched == []
    assert plan.missing_sheets == []
    assert plan.rows_read == 83


def test_import_round_trip_changes_exactly_the_edited_measures(seeded, edited_workbook, admin_user):
    content = edited_workbook(
        {
            # e-city 1 総合的文書管理システムの構築: ◎ → ×
            "e-city": {"C5": None, "E5": "×", "F6": "一次～二次"},
            # e-citizen 1 学校教育施設の基盤インフラ整備: ○ → ◎
            "e-citizen": {"D5": None, "C5": "◎"},
        }
    )
    before = {m.pk: (m.status, m.version) for m in Measure.objects.all()}
    plan = _plan(content)
    assert plan.errors == []
    assert [(c.category, c.position) for c in plan.status_changes] == [
        ("e-citizen", 1),
        ("e-city", 1),
    ]
    assert [(c.category, c.position, c.new_periods) for c in plan.period_changes] == [
        ("e-city", 2, (1, 2))
    ]

    assert apply_plan(plan, user=admin_user) == 3

    changed = {
        _measure("e-city", 1).pk: Status.NOT_STARTED,
        _measure("e-citizen", 1).pk: Status.IMPLEMENTED,
        _measure("e-city", 2).pk: Status.IMPLEMENTED,
    }
    for measure in Measure.objects.all():
        if measure.pk in changed:
            assert measure.status == changed[measure.pk]
            assert measure.version == before[measure.pk][1] + 1
        else:
            assert (measure.status, measure.version) == before[measure.pk]
    assert [p.number for p in _measure("e-city", 2).periods.all()] == [1, 2]


def test_import_history_is_one_entry_per_measure_under_the_confirming_user(
    seeded, edited_workbook, admin_user
):
    content = edited_workbook({"e-city": {"C5": None, "E5": "×", "F5": "一次～三次"}})
    measure = _measure("e-city", 1)
    entries_before = measure.history.count()
    apply_plan(_plan(content, "庁議用.xlsx"), user=admin_user)
    assert measure.history.count() == entries_before + 1
    latest = measure.history.first()
    assert latest.history_user == admin_user
    assert latest.history_username == admin_user.get_username()
    assert latest.history_change_reason == "Excel取込: 庁議用.xlsx" == import_reason("庁議用.xlsx")
    assert latest.status == Status.NOT_STARTED
    assert sorted(r.planperiod.number for r in latest.periods.all()) == [1, 2, 3]


def test_import_adds_a_new_measure_at_the_end_of_its_table(seeded, edited_workbook, admin_user):
    def insert(wb):
        wb["e-business"].insert_rows(18)

    content = edited_workbook(
        {"e-business": {"B18": "オープンデータの推進", "D18": "○", "F18": "四次"}}, before=insert
    )
    plan = _plan(content)
    assert plan.errors == []
    (new,) = plan.new_measures
    assert (new.category, new.position, new.name, new.status, new.periods) == (
        "e-business",
        14,
        "オープンデータの推進",
        Status.PARTIAL,
        (4,),
    )
    apply_plan(plan, user=admin_user)
    created = _measure("e-business", 14)
    assert created.name == "オープンデータの推進"
    assert [p.number for p in created.periods.all()] == [4]
    (entry,) = created.history.all()
    assert entry.history_type == "+"
    assert entry.history_user == admin_user
    assert [r.planperiod.number for r in entry.periods.all()] == [4]


def test_import_lists_measures_the_workbook_does_not_have(seeded, edited_workbook):
    def drop(wb):
        wb["e-city"].delete_rows(40)  # 業務継続計画に係る情報システム対策
        del wb["e-business"]

    plan = _plan(edited_workbook(before=drop))
    assert plan.errors == []
    assert [(u.category, u.position, u.name) for u in plan.unmatched] == [
        ("e-city", 36, "業務継続計画に係る情報システム対策")
    ]
    assert plan.missing_sheets == ["e-business"]
    assert not plan.has_changes


def test_import_matches_repeated_names_in_table_order(seeded, edited_workbook, admin_user):
    # e-city has 新市民税システムの構築 twice: position 3 (○) and position 24 (◎).
    content = edited_workbook({"e-city": {"C28": None, "E28": "×"}})
    plan = _plan(content)
    assert plan.errors == []
    assert [(c.position, c.new_status) for c in plan.changes] == [(24, Status.NOT_STARTED)]


def test_import_reports_two_marks_by_sheet_and_cell(seeded, edited_workbook):
    plan = _plan(edited_workbook({"e-city": {"C14": "◎"}}))
    assert _errors(plan) == ["e-city!C14: 実施と未着手の両方に印があります"]


def test_import_reports_unknown_and_misplaced_marks(seeded, edited_workbook):
    plan = _plan(
        edited_workbook(
            {"e-city": {"C5": "●", "C6": None, "D6": "◎", "D7": "〇", "E8": "x", "C8": None}}
        )
    )
    assert _errors(plan) == [
        "e-city!C5: 「●」は印として使えません（実施の欄の印は「◎」）。",
        "e-city!D6: 「◎」は実施の印です。一部着手の欄の印は「○」です。",
        "e-city!D7: 「〇」は印として使えません（一部着手の欄の印は「○」）。",
        "e-city!E8: 「x」は印として使えません（未着手の欄の印は「×」）。",
    ]


def test_import_reports_rows_without_a_mark_name_or_period(seeded, edited_workbook):
    plan = _plan(edited_workbook({"e-city": {"C5": None, "B6": None, "F7": None, "F8": "五次"}}))
    assert _errors(plan) == [
        "e-city!C5: 実施・一部着手・未着手のどれにも印がありません。",
        "e-city!B6: 施策名がありません。",
        "e-city!F7: 計画期間が空です（例: 一次～四次）。",
        "e-city!F8: 計画期間「五次」を読み取れません（例: 一次～四次、一次・四次、二次）。",
    ]


def test_import_reports_formulas_where_values_belong(seeded, edited_workbook):
    plan = _plan(
        edited_workbook({"e-city": {"C5": '=IF(TRUE,"◎","")', "B6": '="財務"&"会計"', "F8": "=A1"}})
    )
    assert _errors(plan) == [
        "e-city!C5: 実施の欄に数式があります。式ではなく値を入力してください。",
        "e-city!B6: 施策名の欄に数式があります。式ではなく値を入力してください。",
        "e-city!F8: 計画期間の欄に数式があります。式ではなく値を入力してください。",
    ]


def test_import_reports_an_unknown_category_sheet(seeded, edited_workbook):
    def rename(wb):
        wb["e-city"].title = "e-town"

    plan = _plan(edited_workbook(before=rename))
    assert _errors(plan) == [
        "e-town!A1: シート「e-town」に当たる区分がありません"
        "（区分のシート名は e-citizen・e-business・e-city）。"
    ]


def test_import_reports_duplicate_rows(seeded, edited_workbook):
    def duplicate(wb):
        wb["e-city"].insert_rows(41)

    content = edited_workbook(
        {"e-city": {"B41": "財務会計システムの再構築", "C41": "◎", "F41": "一次"}}, before=duplicate
    )
    assert _errors(_plan(content)) == [
        "e-city!B41: 「財務会計システムの再構築」は 6 行目と重複しています。"
    ]


def test_import_reports_a_relisting_whose_original_is_missing(seeded, edited_workbook):
    plan = _plan(edited_workbook({"e-city": {"B13": "市民電子会議室の開催（再掲）", "B15": None}}))
    assert _errors(plan) == [
        "e-city!B13: 再掲「市民電子会議室の開催」の元の施策が見つかりません"
        "（この区分に登録された再掲と表記が違います。再掲は管理画面で登録してください）。",
    ]


def test_import_refuses_marks_on_relisting_rows(seeded, edited_workbook):
    plan = _plan(edited_workbook({"e-city": {"D13": "○"}}))
    assert _errors(plan) == [
        "e-city!D13: 再掲の行には印を付けません。元の施策の行で状況を変更してください。"
    ]


def test_import_reports_a_changed_header_and_rows_below_the_total(seeded, edited_workbook):
    plan = _plan(
        edited_workbook(
            {"e-city": {"C4": "完了"}, "e-business": {"B20": "合計の下の施策", "C20": "◎"}}
        )
    )
    assert _errors(plan) == [
        "e-business!B20: 「計」の行より下には施策を書けません。",
        "e-city!A4: 見出し行が書き出した形式（区分・施策・実施・一部着手・未着手・計画期間）と"
        "違います。",
    ]


def test_import_with_any_error_cannot_be_applied(seeded, edited_workbook, admin_user):
    plan = _plan(edited_workbook({"e-city": {"C5": None, "E5": "×", "C14": "◎"}}))
    assert plan.has_errors
    assert plan.status_changes  # the valid edit is listed, but nothing may be written
    with pytest.raises(ValueError):
        apply_plan(plan, user=admin_user)
    assert _measure("e-city", 1).status == Status.IMPLEMENTED


def test_import_refuses_when_a_measure_changed_after_the_preview(
    seeded, edited_workbook, admin_user
):
    content = edited_workbook(
        {"e-citizen": {"D5": None, "C5": "◎"}, "e-city": {"C5": None, "E5": "×"}}
    )
    plan = _plan(content)
    meanwhile = _measure("e-city", 1)
    meanwhile.notes = "別の人の編集"
    meanwhile.save()
    with pytest.raises(ImportConflict, match="総合的文書管理システムの構築"):
        apply_plan(plan, user=admin_user)
    # One transaction: the earlier change (e-citizen 1) was rolled back too.
    assert _measure("e-citizen", 1).status == Status.PARTIAL
    assert _measure("e-city", 1).status == Status.IMPLEMENTED


def test_import_keeps_formula_like_names_as_names(make_measure, edited_workbook):
    make_measure("=1+1", status=Status.PARTIAL)
    make_measure("@mention")
    plan = _plan(edited_workbook())
    assert plan.errors == []
    assert not plan.has_changes
    assert plan.unmatched == []


def test_import_reads_a_workbook_saved_by_libreoffice(seeded, edited_workbook, soffice, tmp_path):
    """A file edited and saved by LibreOffice Calc (cached values, its own XML) reads back."""
    source = tmp_path / "edited.xlsx"
    source.write_bytes(edited_workbook({"e-city": {"C5": None, "E5": "×"}}))
    resaved = soffice(source, "xlsx:Calc MS Excel 2007 XML") / "edited.xlsx"
    plan = _plan(resaved.read_bytes())
    assert plan.errors == []
    assert [(c.category, c.position, c.new_status) for c in plan.changes] == [
        ("e-city", 1, Status.NOT_STARTED)
    ]


def test_import_of_a_mark_edited_in_libreoffice_calc(
    seeded, summary_bytes, soffice_edit, tmp_path, open_workbook, admin_user
):
    """Download, change a mark in Calc, save as .xlsx there, import: the hidden keys survive
    LibreOffice and the row still lands on its own measure."""
    downloaded = tmp_path / "施策一覧.xlsx"
    downloaded.write_bytes(summary_bytes())
    # e-city row 28: the second 新市民税システムの構築 (position 24) ◎ → ×.
    saved = soffice_edit(downloaded, "e-city", {"C28": "", "E28": "×"})

    ws = open_workbook(saved.read_bytes())["e-city"]
    second = _measure("e-city", 24)
    assert ws.column_dimensions["G"].hidden
    assert ws["G28"].value == f"M{second.pk}V{second.version}"
    assert ws["E28"].value == "×"

    plan = _plan(saved.read_bytes(), "施策一覧.xlsx")
    assert plan.errors == []
    assert [(c.measure_pk, c.new_status) for c in plan.changes] == [(second.pk, Status.NOT_STARTED)]
    assert plan.created_at is not None
    apply_plan(plan, user=admin_user)
    assert _measure("e-city", 24).status == Status.NOT_STARTED
    assert _measure("e-city", 3).status == Status.PARTIAL
