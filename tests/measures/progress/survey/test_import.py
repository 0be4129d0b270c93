"""Reading returned 調査票 and storing them: matched by key only, conflicts shown and kept,
rows added by hand ignored, every problem by file, sheet and cell."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from measures.progress.models import ProgressReport, ReportState, SurveyReturn
from measures.progress.services import ProgressConflict
from measures.progress.survey import services, writer
from measures.progress.survey.reader import AnswerKind

from ..builders import ANSWER, approve, report_of, snapshot, submit
from .conftest import ACTIVITIES, KEY, NAME, PERCENT, STATUS, answer


def _store(plan, user, overwrite=()):
    assert not plan.problems, [str(p) for p in plan.problems]
    return services.survey_import_apply(plan=plan, user=user, overwrite=set(overwrite))


def test_filled_survey_is_stored_as_submitted_with_history_naming_the_file(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    filled = fill(
        workbook_of(own_round, divisions[0]),
        {register.own.name: answer("○", 40, "庁内で検討した。", "予算", "来年度に入札")},
    )
    plan = plan_of(own_round, ("調査票_市民課.xlsx", filled))
    [survey_file] = plan.files
    assert survey_file.division == divisions[0]
    assert [a.name for a in survey_file.to_store] == [register.own.name]
    assert survey_file.blank_rows == 1  # the second measure was left empty
    result = _store(plan, people.policy)
    assert (result.stored, result.kept, result.files) == (1, 0, 1)
    report = report_of(own_round, register.own)
    assert (report.state, report.status, report.progress_percent) == (
        ReportState.SUBMITTED,
        "partial",
        40,
    )
    assert (report.activities, report.issues, report.next_steps) == (
        "庁内で検討した。",
        "予算",
        "来年度に入札",
    )
    assert report.submitted_by == people.policy
    last = report.history.first()
    assert last.history_change_reason == "Excel調査票: 調査票_市民課.xlsx"
    assert last.history_user == people.policy
    assert report_of(own_round, register.own_second).state == ReportState.NOT_SUBMITTED
    returned = SurveyReturn.objects.get()
    assert (returned.division, returned.filename, returned.stored) == (
        divisions[0],
        "調査票_市民課.xlsx",
        1,
    )


def test_resorted_and_deleted_rows_still_land_on_their_own_measures(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    def swap_rows(ws):
        first = [c.value for c in ws[5]]
        second = [c.value for c in ws[6]]
        for col, value in enumerate(second, 1):
            ws.cell(5, col).value = value
        for col, value in enumerate(first, 1):
            ws.cell(6, col).value = value

    filled = fill(
        workbook_of(own_round, divisions[0]),
        {
            register.own.name: answer("◎", 100, "一つ目"),
            register.own_second.name: answer("×", 0, "二つ目"),
        },
        before=swap_rows,
    )
    _store(plan_of(own_round, ("a.xlsx", filled)), people.policy)
    assert report_of(own_round, register.own).activities == "一つ目"
    assert report_of(own_round, register.own_second).activities == "二つ目"
    assert report_of(own_round, register.own_second).status == "not_started"


def test_deleted_row_leaves_its_report_alone(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    filled = fill(
        workbook_of(own_round, divisions[0]),
        {register.own_second.name: answer("◎", 100, "残った行")},
        before=lambda ws: ws.delete_rows(5),
    )
    plan = plan_of(own_round, ("a.xlsx", filled))
    _store(plan, people.policy)
    assert report_of(own_round, register.own).state == ReportState.NOT_SUBMITTED
    assert report_of(own_round, register.own_second).activities == "残った行"


def test_rows_added_by_hand_are_listed_and_ignored(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    def add_row(ws):
        ws.cell(7, NAME).value = "手で足した施策"
        ws.cell(7, STATUS).value = "◎"
        ws.cell(7, ACTIVITIES).value = "勝手に追加"

    filled = fill(workbook_of(own_round, divisions[0]), {}, before=add_row)
    plan = plan_of(own_round, ("a.xlsx", filled))
    assert not plan.problems
    [survey_file] = plan.files
    assert [(r.cell, r.text) for r in survey_file.added_rows] == [("調査票!7", "手で足した施策")]
    before = ProgressReport.objects.count()
    assert _store(plan, people.policy).stored == 0
    assert ProgressReport.objects.count() == before


def test_report_changed_on_the_dashboard_after_the_workbook_is_a_conflict_kept_unless_chosen(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    content = workbook_of(own_round, divisions[0])
    submit(report_of(own_round, register.own), people.leader)  # on the dashboard, later
    filled = fill(content, {register.own.name: answer("×", 10, "調査票の回答")})
    plan = plan_of(own_round, ("a.xlsx", filled))
    [conflict] = plan.files[0].conflicts
    assert conflict.kind == AnswerKind.CONFLICT
    assert conflict.changed_by == "leader"
    assert conflict.current.activities == ANSWER.activities
    result = _store(plan, people.policy)
    assert (result.stored, result.kept) == (0, 1)
    assert report_of(own_round, register.own).activities == ANSWER.activities
    # Chosen measure by measure, it is overwritten.
    plan = plan_of(own_round, ("a.xlsx", filled))
    result = _store(plan, people.policy, overwrite={register.own.pk})
    assert result.stored == 1
    assert report_of(own_round, register.own).activities == "調査票の回答"


def test_approved_reports_are_never_overwritten_and_the_same_answer_twice_changes_nothing(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    content = workbook_of(own_round, divisions[0])
    approve(submit(report_of(own_round, register.own), people.leader), people.policy)
    filled = fill(
        content,
        {register.own.name: answer("×", 0, "上書きしたい"), register.own_second.name: answer()},
    )
    plan = plan_of(own_round, ("a.xlsx", filled))
    assert [a.name for a in plan.files[0].settled] == [register.own.name]
    _store(plan, people.policy, overwrite={register.own.pk})
    assert report_of(own_round, register.own).state == ReportState.APPROVED
    history = ProgressReport.history.count()
    again = plan_of(own_round, ("a.xlsx", filled))
    assert [a.name for a in again.files[0].unchanged] == [register.own_second.name]
    assert _store(again, people.policy).stored == 0
    assert ProgressReport.history.count() == history


def test_store_refuses_when_a_report_changed_after_the_preview(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    filled = fill(workbook_of(own_round, divisions[0]), {register.own.name: answer()})
    plan = plan_of(own_round, ("a.xlsx", filled))
    submit(report_of(own_round, register.own), people.leader)
    before = snapshot()
    with pytest.raises(ProgressConflict):
        services.survey_import_apply(plan=plan, user=people.policy, overwrite=set())
    assert snapshot() == before
    assert not SurveyReturn.objects.exists()


def test_every_problem_is_listed_by_file_sheet_and_cell(
    own_round, people, divisions, register, workbook_of, fill, plan_of
):
    filled = fill(
        workbook_of(own_round, divisions[0]),
        {
            register.own.name: {STATUS: "済", PERCENT: 150, ACTIVITIES: "x"},
            register.own_second.name: {STATUS: "◎", PERCENT: 12.5},
        },
    )
    before = snapshot()
    plan = plan_of(own_round, ("市民課.xlsx", filled))
    problems = [str(p) for p in plan.problems]
    assert "市民課.xlsx 調査票!G5: 状況「済」は使えません。◎ ○ × から選んでください。" in problems
    assert "市民課.xlsx 調査票!H5: 進捗率「150」は 0～100 の整数で入力してください。" in problems
    assert "市民課.xlsx 調査票!H6: 進捗率「12.5」は 0～100 の整数で入力してください。" in problems
    assert len(problems) == 3
    filled = fill(workbook_of(own_round, divisions[0]), {register.own.name: {STATUS: "◎"}})
    problems = [str(p) for p in plan_of(own_round, ("b.xlsx", filled)).problems]
    assert problems == [
        "b.xlsx 調査票!I5: 取組内容 を記入してください（記入した行は提出として取り込みます）。"
    ]
    with pytest.raises(Exception, match="問題のある調査票"):
        services.survey_import_apply(plan=plan, user=people.policy, overwrite=set())
    assert snapshot() == before


def test_a_copied_row_and_two_workbooks_of_one_division_are_refused(
    own_round, divisions, register, workbook_of, fill, plan_of
):
    def copy_row(ws):
        for col in range(1, KEY + 1):
            ws.cell(7, col).value = ws.cell(5, col).value

    filled = fill(workbook_of(own_round, divisions[0]), {}, before=copy_row)
    problems = [str(p) for p in plan_of(own_round, ("a.xlsx", filled)).problems]
    assert problems == [
        "a.xlsx 調査票!L7: 5 行目と同じ施策の行です（行をコピーしないでください）。"
    ]
    content = workbook_of(own_round, divisions[0])
    problems = [
        str(p) for p in plan_of(own_round, ("a.xlsx", content), ("b.xlsx", content)).problems
    ]
    assert problems == [
        f"b.xlsx: 「{divisions[0]}」の調査票が二つあります（a.xlsx と b.xlsx）。"
        "一つにしてください。"
    ]


def test_a_measure_given_to_another_division_since_is_refused(
    own_round, divisions, register, workbook_of, plan_of, fill
):
    from measures.models import Measure

    content = fill(workbook_of(own_round, divisions[0]), {register.own.name: answer()})
    Measure.objects.filter(pk=register.own.pk).update(responsible_division=divisions[1])
    problems = [str(p) for p in plan_of(own_round, ("a.xlsx", content)).problems]
    assert problems == [
        f"a.xlsx 調査票!L5: 施策「{register.own.name}」の担当課は現在「{divisions[1]}」です。"
    ]


def test_import_command_dry_run_then_store(
    own_round, people, divisions, register, workbook_of, fill, tmp_path
):
    path = tmp_path / "調査票_市民課.xlsx"
    path.write_bytes(fill(workbook_of(own_round, divisions[0]), {register.own.name: answer()}))
    out = io.StringIO()
    call_command("import_survey_workbooks", str(path), "--user", "kikaku", "--dry-run", stdout=out)
    assert f"提出: e-one {register.own.position} {register.own.name} ◎ 80%" in out.getvalue()
    assert "--dry-run のため何も変更していません。" in out.getvalue()
    assert report_of(own_round, register.own).state == ReportState.NOT_SUBMITTED
    call_command("import_survey_workbooks", str(path), "--user", "kikaku", stdout=out)
    assert "1 ファイルから 1 件の報告を「提出」として記録しました。" in out.getvalue()
    assert report_of(own_round, register.own).state == ReportState.SUBMITTED


def test_import_command_lists_problems_and_changes_nothing(
    own_round, people, divisions, register, workbook_of, fill, tmp_path
):
    path = tmp_path / "a.xlsx"
    path.write_bytes(fill(workbook_of(own_round, divisions[0]), {register.own.name: {STATUS: "?"}}))
    before = snapshot()
    with pytest.raises(CommandError, match=r"(?s)問題が 1 件あります。.*a.xlsx 調査票!G5"):
        call_command("import_survey_workbooks", str(path), "--user", "kikaku")
    assert snapshot() == before


def test_writer_answer_columns_match_the_readers():
    assert (STATUS, PERCENT, ACTIVITIES, KEY) == (7, 8, 9, 12)
    assert writer.HEADERS[STATUS - 1] == "状況（◎ ○ ×）"
