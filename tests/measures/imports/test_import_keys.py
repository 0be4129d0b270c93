"""Rows are matched by the hidden key the summary writes (measure and version), never by name
or position: re-sorting or deleting rows cannot move an answer to another measure, and a
workbook made before an edit in the register cannot silently undo it."""

import io
import zipfile

import openpyxl
import pytest

from measures.exports.summary import KEY_COLUMN, LAST_COLUMN
from measures.imports.apply import apply_plan
from measures.imports.files import WorkbookRefused
from measures.imports.summary import read_plan
from measures.models import Measure, Relisting, Status

pytestmark = pytest.mark.django_db

# e-city has 新市民税システムの構築 twice: position 3 (row 7, ○) and position 24 (row 28, ◎).
FIRST_TAX_ROW, SECOND_TAX_ROW = 7, 28


def _measure(code: str, position: int) -> Measure:
    return Measure.objects.get(category__code=code, position=position)


def _plan(content: bytes, filename: str = "edited.xlsx"):
    return read_plan(content, filename=filename)


def _errors(plan) -> list[str]:
    return [str(e) for e in plan.errors]


def _statuses() -> dict[int, tuple[str, int]]:
    return {m.pk: (m.status, m.version) for m in Measure.objects.all()}


def _row_values(ws, row: int) -> list:
    return [ws.cell(row, col).value for col in range(2, KEY_COLUMN + 1)]


def _set_row(ws, row: int, values: list) -> None:
    for col, value in enumerate(values, 2):
        ws.cell(row, col).value = value


def test_deleting_the_first_of_two_same_named_rows_changes_only_the_second(
    seeded, edited_workbook, admin_user
):
    """The reported defect: the second row's answer overwrote e-city 3 without a warning."""

    def delete_first(wb):
        wb["e-city"].delete_rows(FIRST_TAX_ROW)

    # After the deletion the second 新市民税システムの構築 is one row higher; mark it ×.
    row = SECOND_TAX_ROW - 1
    content = edited_workbook({"e-city": {f"C{row}": None, f"E{row}": "×"}}, before=delete_first)
    first, second = _measure("e-city", 3), _measure("e-city", 24)
    before = _statuses()

    plan = _plan(content)
    assert plan.errors == []
    assert [(c.measure_pk, c.new_status) for c in plan.changes] == [(second.pk, Status.NOT_STARTED)]
    assert [(u.category, u.position) for u in plan.unmatched] == [("e-city", 3)]
    apply_plan(plan, user=admin_user)

    after = _statuses()
    assert after[first.pk] == before[first.pk] == (Status.PARTIAL, 1)
    assert after[second.pk] == (Status.NOT_STARTED, 2)
    assert {pk: v for pk, v in after.items() if pk != second.pk} == {
        pk: v for pk, v in before.items() if pk != second.pk
    }


def test_re_sorted_rows_each_land_on_their_own_measure(seeded, edited_workbook, admin_user):
    """Reverse every row of e-city (key column included, as sorting whole rows does)."""

    def reverse(wb):
        ws = wb["e-city"]
        rows = [_row_values(ws, row) for row in range(5, 41)]
        for row, values in zip(range(5, 41), reversed(rows), strict=True):
            _set_row(ws, row, values)

    # Row 28 now holds what was row 17 (position 13, a re-listing) and row 17 what was row
    # 28: the second 新市民税システムの構築. Mark it × where it now stands.
    content = edited_workbook({"e-city": {"C17": None, "E17": "×"}}, before=reverse)
    plan = _plan(content)
    assert plan.errors == []
    second = _measure("e-city", 24)
    assert [(c.measure_pk, c.old_status, c.new_status) for c in plan.changes] == [
        (second.pk, Status.IMPLEMENTED, Status.NOT_STARTED)
    ]
    assert plan.unmatched == []
    apply_plan(plan, user=admin_user)
    assert _measure("e-city", 24).status == Status.NOT_STARTED
    assert _measure("e-city", 3).status == Status.PARTIAL


def test_sorting_the_visible_columns_without_the_keys_is_refused(seeded, edited_workbook):
    """Rows sorted without the hidden column would pair names with other measures' keys."""

    def swap_visible(wb):
        ws = wb["e-city"]
        five, six = _row_values(ws, 5), _row_values(ws, 6)
        key = KEY_COLUMN - 2
        _set_row(ws, 5, six[:key] + five[key:])
        _set_row(ws, 6, five[:key] + six[key:])

    plan = _plan(edited_workbook(before=swap_visible))
    hint = (
        "名称は取り込みでは変更できません（管理画面で変更してください）。"
        "行を並べ替えたときは、G 列（非表示）も含めて行全体を並べ替えてください。"
    )
    assert _errors(plan) == [
        "e-city!B5: 施策名「財務会計システムの再構築」が"
        "照合キーの施策「総合的文書管理システムの構築」と違います。" + hint,
        "e-city!B6: 施策名「総合的文書管理システムの構築」が"
        "照合キーの施策「財務会計システムの再構築」と違います。" + hint,
    ]


def test_an_edit_in_the_register_after_the_download_is_a_conflict(
    seeded, summary_bytes, admin_user
):
    """Conflict shown; not applied unless chosen; applied when chosen."""
    downloaded = summary_bytes()
    colleague = _measure("e-city", 1)  # 総合的文書管理システムの構築 ◎
    colleague.status = Status.PARTIAL
    colleague.save()

    wb = openpyxl.load_workbook(io.BytesIO(downloaded))
    wb["e-city"]["C5"] = None
    wb["e-city"]["E5"] = "×"
    out = io.BytesIO()
    wb.save(out)

    plan = _plan(out.getvalue())
    assert plan.errors == []
    assert plan.changes == []
    (conflict,) = plan.conflicts
    assert (conflict.measure_pk, conflict.key_version, conflict.version) == (colleague.pk, 1, 2)
    assert (conflict.old_status, conflict.new_status, conflict.exported_status) == (
        Status.PARTIAL,
        Status.NOT_STARTED,
        Status.IMPLEMENTED,
    )
    assert plan.has_changes

    assert apply_plan(plan, user=admin_user) == 0
    colleague.refresh_from_db()
    assert (colleague.status, colleague.version) == (Status.PARTIAL, 2)

    assert apply_plan(plan, user=admin_user, overwrite=[colleague.pk]) == 1
    colleague.refresh_from_db()
    assert (colleague.status, colleague.version) == (Status.NOT_STARTED, 3)


def test_an_old_workbook_does_not_undo_an_edit_made_after_it(seeded, summary_bytes, admin_user):
    """Rows not edited in the workbook keep the register's newer state; only listed."""
    downloaded = summary_bytes()
    colleague = _measure("e-city", 1)
    colleague.status = Status.PARTIAL
    colleague.save()
    colleague.periods.set(colleague.periods.filter(number=1))

    wb = openpyxl.load_workbook(io.BytesIO(downloaded))
    wb["e-city"]["C6"] = None  # e-city 2 財務会計システムの再構築 ◎ → ×
    wb["e-city"]["E6"] = "×"
    out = io.BytesIO()
    wb.save(out)

    plan = _plan(out.getvalue())
    assert plan.errors == []
    assert plan.conflicts == []
    assert [c.measure_pk for c in plan.newer_in_register] == [colleague.pk]
    assert [c.position for c in plan.changes] == [2]
    apply_plan(plan, user=admin_user)
    colleague.refresh_from_db()
    assert colleague.status == Status.PARTIAL
    assert [p.number for p in colleague.periods.all()] == [1]
    assert _measure("e-city", 2).status == Status.NOT_STARTED


def test_a_renamed_measure_still_matches_its_row_from_before_the_rename(
    seeded, summary_bytes, admin_user
):
    downloaded = summary_bytes()
    renamed = _measure("e-city", 1)
    renamed.name = "文書管理システムの構築（改称）"
    renamed.save()
    wb = openpyxl.load_workbook(io.BytesIO(downloaded))
    wb["e-city"]["C5"] = None
    wb["e-city"]["E5"] = "×"
    out = io.BytesIO()
    wb.save(out)

    plan = _plan(out.getvalue())
    assert plan.errors == []
    assert [c.measure_pk for c in plan.conflicts] == [renamed.pk]


def test_rows_without_a_key_are_new_measures(seeded, edited_workbook, admin_user):
    def add(wb):
        ws = wb["e-city"]
        ws.insert_rows(41)
        _set_row(ws, 41, ["オープンデータの推進", None, "○", None, "四次", None])

    plan = _plan(edited_workbook(before=add))
    assert plan.errors == []
    assert [(n.category, n.position, n.name) for n in plan.new_measures] == [
        ("e-city", 37, "オープンデータの推進")
    ]


def test_a_row_without_a_key_named_like_an_existing_measure_is_refused(seeded, edited_workbook):
    """Re-importing a workbook whose new rows were already added must not add them twice."""

    def retype(wb):
        ws = wb["e-city"]
        ws.delete_rows(40)  # 業務継続計画に係る情報システム対策 (position 36), with its key
        ws.insert_rows(40)
        _set_row(ws, 40, ["業務継続計画に係る情報システム対策", "◎", None, None, "四次", None])

    plan = _plan(edited_workbook(before=retype))
    assert _errors(plan) == [
        "e-city!B40: 「業務継続計画に係る情報システム対策」には照合キーがありませんが、"
        "この区分には同じ名前の施策（表内の位置 36）が既にあります。同じ名前の施策を加えるときは"
        "管理画面で追加してください。ダッシュボードから新しい集計ブックをダウンロードし、"
        "編集し直してから取り込んでください。"
    ]
    assert plan.new_measures == []


def test_a_row_whose_visible_cells_were_cleared_counts_as_deleted(seeded, edited_workbook):
    plan = _plan(
        edited_workbook(
            {"e-city": {"B40": None, "C40": None, "D40": None, "E40": None, "F40": None}}
        )
    )
    assert plan.errors == []
    assert [(u.category, u.position) for u in plan.unmatched] == [("e-city", 36)]
    assert not plan.has_changes


def test_bad_keys_are_reported_by_sheet_and_cell(seeded, edited_workbook):
    first_citizen = _measure("e-citizen", 1)
    deleted = _measure("e-city", 36)
    relisting = Relisting.objects.get(category__code="e-city", position=9)

    def tamper(wb):
        city = wb["e-city"]
        city["G5"] = "abc"
        city["G6"] = f"R{relisting.pk}"
        city["G8"] = city["G9"].value.split("V")[0] + "V99"
        # A copied row keeps its key; a row moved from another category's sheet too.
        city.insert_rows(41, 2)
        _set_row(city, 41, _row_values(city, 10))
        _set_row(city, 42, _row_values(wb["e-citizen"], 5))

    content = edited_workbook(before=tamper)
    deleted_pk = deleted.pk
    deleted.delete()
    plan = _plan(content)
    key_hint = "（G 列は非表示の照合用の列です。書き換えないでください）。"
    again = (
        "ダッシュボードから新しい集計ブックをダウンロードし、編集し直してから取り込んでください。"
    )
    city_10 = _measure("e-city", 6)
    assert _errors(plan) == [
        "e-city!G5: 照合キー「abc」を読み取れません" + key_hint,
        f"e-city!G6: 施策の行に再掲の照合キー「R{relisting.pk}」があります。行を並べ替えたときは、"
        "G 列（非表示）も含めて行全体を並べ替えてください。",
        f"e-city!G8: 照合キー「M{_measure('e-city', 5).pk}V99」を読み取れません" + key_hint,
        f"e-city!G40: 照合キー「M{deleted_pk}V1」の施策（番号 {deleted_pk}）は削除されています。"
        "この行を消すか、" + again,
        f"e-city!G41: 照合キー「M{city_10.pk}V1」は e-city!G10 と同じ施策を指しています。"
        "行をコピーしたときは、コピーした行の G 列（非表示）の照合キーを消してください。",
        f"e-city!G42: 照合キー「M{first_citizen.pk}V1」は e-citizen の施策"
        f"「{first_citizen.name}」の行です。施策の区分は取り込みでは変更できません"
        "（管理画面で変更してください）。",
    ]


def test_a_workbook_without_keys_is_refused_with_a_request_to_download_a_new_one(
    seeded, edited_workbook
):
    def drop_keys(wb):
        for ws in wb.worksheets[1:]:
            ws.delete_cols(KEY_COLUMN)

    with pytest.raises(WorkbookRefused) as refused:
        _plan(edited_workbook({"e-city": {"C5": None, "E5": "×"}}, before=drop_keys))
    assert "照合キーがありません" in str(refused.value)
    assert "新しい集計ブックをダウンロード" in str(refused.value)


def test_a_sheet_without_the_key_column_is_reported(seeded, edited_workbook):
    def drop_keys(wb):
        wb["e-city"].delete_cols(KEY_COLUMN)

    plan = _plan(edited_workbook(before=drop_keys))
    assert _errors(plan) == [
        "e-city!G4: このシートには照合キーの列（G 列、非表示）がありません。"
        "ダッシュボードから新しい集計ブックをダウンロードし、編集し直してから取り込んでください。"
    ]


def test_the_preview_knows_when_the_workbook_was_made(seeded, summary_bytes):
    from tests.measures.conftest import CREATED_AT

    assert _plan(summary_bytes()).created_at == CREATED_AT


# --- item 12: two sheets of one category --------------------------------------------------


def _with_second_sheet_named(content: bytes, copy_title: str, title: str) -> bytes:
    """Rename a sheet in workbook.xml: Excel and openpyxl never write two sheets of one name,
    but a hand-made file can, and openpyxl's read-only mode keeps both."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(f'name="{copy_title}"'.encode(), f'name="{title}"'.encode())
            target.writestr(info, data)
    return out.getvalue()


def two_city_sheets(edited_workbook) -> bytes:
    def copy(wb):
        duplicate = wb.copy_worksheet(wb["e-city"])
        duplicate["C5"] = None
        duplicate["E5"] = "×"

    return _with_second_sheet_named(edited_workbook(before=copy), "e-city Copy", "e-city")


def test_two_sheets_of_one_category_are_refused_in_the_preview(seeded, edited_workbook):
    plan = _plan(two_city_sheets(edited_workbook))
    assert _errors(plan) == [
        "e-city!A1: 5 枚目のシート「e-city」は、4 枚目のシート「e-city」と同じ区分 e-city の"
        "シートです。一つの区分のシートは一枚にしてください。"
    ]
    assert plan.has_errors


def test_the_summary_layout_constants_agree():
    assert KEY_COLUMN == LAST_COLUMN + 1 == 7
