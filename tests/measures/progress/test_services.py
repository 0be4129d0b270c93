"""The cycle's writes: rounds move 準備中 → 受付中 → 締切 → 確定; reports 未提出 → 下書き → 提出 →
差戻し/承認; confirming sets the measures' statuses once, with the round's title."""

import pytest
from django.core.exceptions import PermissionDenied

from measures.models import Measure, Relisting, Status
from measures.progress import selectors, services
from measures.progress.models import ProgressReport, ProgressRound, ReportState, RoundState
from measures.progress.services import ProgressConflict, ProgressError, ReportContent

from .builders import ANSWER, advance, approve, days, report_of, snapshot, submit

pytestmark = pytest.mark.django_db


def test_create_gives_every_counted_measure_one_unsubmitted_report(make_round, register):
    progress_round = make_round(RoundState.PREPARING)
    assert progress_round.state == RoundState.PREPARING
    reports = progress_round.reports.all()
    assert Relisting.objects.count() == 1
    assert sorted(r.measure_id for r in reports) == sorted(
        Measure.objects.values_list("pk", flat=True)
    )
    assert {r.state for r in reports} == {ReportState.NOT_SUBMITTED}
    record = reports.first().history.get()
    assert (record.history_change_reason, record.history_username) == ("調査の対象に追加", "kikaku")


def test_create_refuses_a_deadline_before_opening_and_a_taken_title(people, register, make_round):
    make_round(RoundState.PREPARING, title="令和7年度 進捗調査")
    before = snapshot()
    with pytest.raises(ProgressError, match="締切（2026-04-01）が受付開始（2026-04-10）より前です"):
        services.progress_round_create(
            title="新しい調査",
            reference_date=days(0),
            opens_on=days(0).replace(year=2026, month=4, day=10),
            closes_on=days(0).replace(year=2026, month=4, day=1),
            user=people.policy,
        )
    with pytest.raises(ProgressError, match="既にあります"):
        services.progress_round_create(
            title="令和7年度 進捗調査",
            reference_date=days(0),
            opens_on=days(0),
            closes_on=days(1),
            user=people.policy,
        )
    assert snapshot() == before


def test_only_progress_managers_run_rounds(people, register):
    for user in (people.leader, people.reader, people.reporter):
        with pytest.raises(PermissionDenied):
            services.progress_round_create(
                title="x", reference_date=days(0), opens_on=days(0), closes_on=days(1), user=user
            )
    assert not ProgressRound.objects.exists()


def test_scope_leaves_measures_out_before_opening_and_not_after(make_round, register, people):
    progress_round = make_round(RoundState.PREPARING)
    added, removed = services.progress_round_set_scope(
        round_pk=progress_round.pk,
        expected_version=progress_round.version,
        measure_pks=[register.own.pk, register.other.pk],
        user=people.policy,
    )
    assert (added, removed) == (0, 2)
    assert set(progress_round.reports.values_list("measure_id", flat=True)) == {
        register.own.pk,
        register.other.pk,
    }
    assert ProgressReport.history.filter(history_type="-").count() == 2
    progress_round.refresh_from_db()
    added, removed = services.progress_round_set_scope(
        round_pk=progress_round.pk,
        expected_version=progress_round.version,
        measure_pks=[register.own.pk, register.other.pk, register.unassigned.pk],
        user=people.policy,
    )
    assert (added, removed) == (1, 0)

    advance(progress_round, services.progress_round_open, people.policy)
    before = snapshot()
    with pytest.raises(ProgressError, match="受付開始の前（準備中）にだけ"):
        services.progress_round_set_scope(
            round_pk=progress_round.pk,
            expected_version=progress_round.version,
            measure_pks=[register.own.pk],
            user=people.policy,
        )
    assert snapshot() == before


def test_opening_refuses_while_another_round_is_open_and_names_it(make_round, people):
    make_round(RoundState.OPEN, title="令和6年度 進捗調査")
    second = make_round(RoundState.PREPARING, title="令和7年度 進捗調査")
    before = snapshot()
    with pytest.raises(ProgressError) as refused:
        advance(second, services.progress_round_open, people.policy)
    assert "進捗調査「令和6年度 進捗調査」が受付中です" in str(refused.value)
    assert "先に「令和6年度 進捗調査」を締め切ってください" in str(refused.value)
    assert snapshot() == before


def test_a_stale_round_page_is_refused_naming_the_change(make_round, people):
    progress_round = make_round(RoundState.PREPARING)
    shown = progress_round.version
    advance(progress_round, services.progress_round_open, people.administrator)
    before = snapshot()
    with pytest.raises(ProgressConflict) as refused:
        services.progress_round_close(
            round_pk=progress_round.pk, expected_version=shown, user=people.policy
        )
    message = str(refused.value)
    assert "kanri さんが" in message and "状態: 準備中 → 受付中" in message
    assert "あなたの変更は保存していません" in message
    assert snapshot() == before


def test_report_goes_draft_submitted_returned_resubmitted_approved(make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    report = report_of(progress_round, register.own)
    services.progress_report_save_draft(
        report_pk=report.pk,
        expected_version=report.version,
        content=ReportContent(activities="途中"),
        user=people.leader,
    )
    report.refresh_from_db()
    assert (report.state, report.written_by) == (ReportState.DRAFT, people.leader)

    submit(report, people.reporter)
    report.refresh_from_db()
    assert (report.state, report.submitted_by) == (ReportState.SUBMITTED, people.reporter)

    services.progress_report_return(
        report_pk=report.pk,
        expected_version=report.version,
        comment="数字を確認",
        user=people.policy,
    )
    report.refresh_from_db()
    assert (report.state, report.return_comment) == (ReportState.RETURNED, "数字を確認")
    # A draft of a returned report stays 差戻し, so the comment stays in sight.
    services.progress_report_save_draft(
        report_pk=report.pk, expected_version=report.version, content=ANSWER, user=people.leader
    )
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    submit(report, people.leader)
    approve(report, people.policy)
    report.refresh_from_db()
    assert (report.state, report.reviewed_by) == (ReportState.APPROVED, people.policy)
    reasons = list(
        report.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == [
        "調査の対象に追加",
        "下書き保存",
        "提出",
        "差戻し",
        "下書き保存",
        "提出",
        "承認",
    ]


def test_submission_needs_a_status_and_activities(make_round, register, people):
    report = report_of(make_round(RoundState.OPEN), register.own)
    before = snapshot()
    with pytest.raises(ProgressError, match="提出するには 状況と取組内容 を入力してください"):
        submit(report, people.leader, ReportContent(activities="  "))
    with pytest.raises(ProgressError, match="提出するには 取組内容 を入力してください"):
        submit(report, people.leader, ReportContent(status=Status.PARTIAL))
    assert snapshot() == before


@pytest.mark.parametrize("state", [RoundState.PREPARING, RoundState.CLOSED, RoundState.CONFIRMED])
def test_divisions_write_only_while_the_round_is_open(make_round, register, people, state):
    report = report_of(make_round(state), register.own)
    before = snapshot()
    with pytest.raises(ProgressError) as refused:
        submit(report, people.leader)
    expected = (
        "まだ受付を始めていません" if state == RoundState.PREPARING else "報告は変更できません"
    )
    assert expected in str(refused.value)
    assert snapshot() == before


def test_an_approved_report_is_settled_for_the_division(make_round, register, people):
    report = report_of(make_round(RoundState.OPEN), register.own)
    submit(report, people.leader)
    approve(report, people.policy)
    before = snapshot()
    with pytest.raises(ProgressError, match="承認済みのため変更できません"):
        submit(report, people.leader)
    assert snapshot() == before


def test_writers_are_checked_by_the_permission_module(make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    before = snapshot()
    refused = [
        (people.leader, register.other),
        (people.leader, register.unassigned),
        (people.other_leader, register.own),
        (people.former_leader, register.own),
        (people.reader, register.own),
        (people.policy, register.own),
    ]
    for user, measure in refused:
        with pytest.raises(PermissionDenied):
            submit(report_of(progress_round, measure), user)
    assert snapshot() == before
    submit(report_of(progress_round, register.unassigned), people.policy)
    submit(report_of(progress_round, register.own_second), people.reporter)


def test_only_submitted_reports_are_approved_or_returned(make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    report = report_of(progress_round, register.own)
    before = snapshot()
    with pytest.raises(
        ProgressError, match="承認できるのは提出された報告だけです（この報告は「未提出」）"
    ):
        approve(report, people.policy)
    with pytest.raises(ProgressError, match="差戻しできるのは提出された報告だけです"):
        services.progress_report_return(
            report_pk=report.pk, expected_version=report.version, comment="x", user=people.policy
        )
    submit(report, people.leader)
    report.refresh_from_db()
    before = snapshot()
    with pytest.raises(ProgressError, match="直してほしい点をコメントに"):
        services.progress_report_return(
            report_pk=report.pk, expected_version=report.version, comment=" ", user=people.policy
        )
    with pytest.raises(PermissionDenied):
        approve(report, people.leader)
    assert snapshot() == before


def test_confirm_sets_each_changed_measure_once_with_the_round_title(make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    # 市民課の施策: ○ → ◎ (approved). 税務課の施策: ○ → ○ (approved, unchanged).
    # 市民課の二つ目: × → ◎ submitted then returned: stays ×. 担当課のない施策: not answered.
    submit(report_of(progress_round, register.own), people.leader)
    approve(report_of(progress_round, register.own), people.policy)
    submit(
        report_of(progress_round, register.other),
        people.other_leader,
        ReportContent(status=Status.PARTIAL, activities="継続中"),
    )
    approve(report_of(progress_round, register.other), people.policy)
    returned = report_of(progress_round, register.own_second)
    submit(returned, people.leader)
    returned.refresh_from_db()
    services.progress_report_return(
        report_pk=returned.pk, expected_version=returned.version, comment="根拠", user=people.policy
    )
    history_before = Measure.history.count()
    advance(progress_round, services.progress_round_close, people.policy)

    changed = advance(progress_round, services.progress_round_confirm, people.policy)

    assert changed == 1
    statuses = dict(Measure.objects.values_list("name", "status"))
    assert statuses == {
        "市民課の施策": Status.IMPLEMENTED,
        "市民課の二つ目の施策": Status.NOT_STARTED,
        "税務課の施策": Status.PARTIAL,
        "担当課のない施策": Status.NOT_STARTED,
    }
    assert Measure.history.count() == history_before + 1
    record = register.own.history.first()
    assert (record.history_change_reason, record.history_user) == (
        "令和7年度 進捗調査",
        people.policy,
    )
    assert (progress_round.state, progress_round.confirmed_by) == (
        RoundState.CONFIRMED,
        people.policy,
    )
    assert progress_round.confirmed_at is not None


def test_confirm_refuses_while_reports_wait_for_review_or_before_closing(
    make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.own), people.leader)
    before = snapshot()
    with pytest.raises(
        ProgressError, match="確定できるのは締め切った進捗調査だけです（現在: 受付中）"
    ):
        advance(progress_round, services.progress_round_confirm, people.policy)
    advance(progress_round, services.progress_round_close, people.policy)
    before = snapshot()
    with pytest.raises(ProgressError, match="確認待ち（提出）の報告が 1 件あります"):
        advance(progress_round, services.progress_round_confirm, people.policy)
    assert snapshot() == before


def test_a_confirmed_round_is_read_only(make_round, register, people):
    progress_round = make_round(RoundState.CONFIRMED)
    report = report_of(progress_round, register.own)
    before = snapshot()
    with pytest.raises(ProgressError):
        submit(report, people.leader)
    with pytest.raises(ProgressError):
        advance(progress_round, services.progress_round_open, people.policy)
    with pytest.raises(ProgressError):
        services.progress_round_update(
            round_pk=progress_round.pk,
            expected_version=progress_round.version,
            user=people.policy,
            title="別名",
            reference_date=days(0),
            opens_on=days(0),
            closes_on=days(1),
        )
    assert snapshot() == before


def test_correcting_a_confirmed_report_needs_a_reason_and_enters_the_history(
    make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    report = report_of(progress_round, register.own)
    submit(report, people.leader)
    approve(report, people.policy)
    advance(progress_round, services.progress_round_close, people.policy)
    advance(progress_round, services.progress_round_confirm, people.policy)
    report.refresh_from_db()
    corrected = ReportContent(status=Status.PARTIAL, progress_percent=60, activities="訂正後")
    before = snapshot()
    with pytest.raises(ProgressError, match="訂正の理由を書いてください"):
        services.progress_report_correct(
            report_pk=report.pk,
            expected_version=report.version,
            content=corrected,
            reason="",
            user=people.policy,
        )
    with pytest.raises(PermissionDenied):
        services.progress_report_correct(
            report_pk=report.pk,
            expected_version=report.version,
            content=corrected,
            reason="誤り",
            user=people.leader,
        )
    assert snapshot() == before

    services.progress_report_correct(
        report_pk=report.pk,
        expected_version=report.version,
        content=corrected,
        reason="担当課の申出",
        user=people.policy,
    )
    report.refresh_from_db()
    assert (report.status, report.progress_percent, report.state) == (
        Status.PARTIAL,
        60,
        ReportState.APPROVED,
    )
    assert report.history.first().history_change_reason == "訂正: 担当課の申出"
    measure = Measure.objects.get(pk=register.own.pk)
    assert measure.status == Status.PARTIAL
    assert (
        measure.history.first().history_change_reason == "令和7年度 進捗調査（訂正: 担当課の申出）"
    )


def test_bulk_approval_takes_only_unchanged_submitted_answers(make_round, register, people):
    first = make_round(RoundState.OPEN, title="令和6年度 進捗調査", reference_date=days(-400))
    for measure, user in [(register.own, people.leader), (register.other, people.other_leader)]:
        submit(report_of(first, measure), user)
        approve(report_of(first, measure), people.policy)
    advance(first, services.progress_round_close, people.policy)
    advance(first, services.progress_round_confirm, people.policy)

    second = make_round(RoundState.OPEN, title="令和7年度 進捗調査")
    submit(report_of(second, register.own), people.leader)  # the same answer again
    submit(
        report_of(second, register.other),
        people.other_leader,
        ReportContent(**{**ANSWER.__dict__, "activities": "新しい取組"}),
    )
    second.refresh_from_db()

    count = services.progress_reports_approve_unchanged(
        round_pk=second.pk, expected_version=second.version, user=people.policy
    )

    assert count == 1
    assert report_of(second, register.own).state == ReportState.APPROVED
    assert report_of(second, register.other).state == ReportState.SUBMITTED
    assert (
        report_of(second, register.own).history.first().history_change_reason
        == "一括承認（前回と同じ回答）"
    )


def test_reminders_are_recorded_on_the_round(make_round):
    progress_round = make_round(RoundState.OPEN)
    assert progress_round.reminded_at is None
    services.progress_round_record_reminders(round_pk=progress_round.pk)
    progress_round.refresh_from_db()
    assert progress_round.reminded_at is not None
    assert progress_round.history.first().history_change_reason == "督促を送信"


def test_only_one_round_is_open_by_database_rule(make_round):
    from django.db import IntegrityError, transaction

    make_round(RoundState.OPEN, title="一つ目")
    second = make_round(RoundState.PREPARING, title="二つ目")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressRound.objects.filter(pk=second.pk).update(state=RoundState.OPEN)


def test_only_web_links_are_stored(make_round, register, people):
    report = report_of(make_round(RoundState.OPEN), register.own)
    before = snapshot()
    with pytest.raises(
        ProgressError, match="参考リンクの 2 行目「javascript:alert\\(1\\)」は URL ではありません"
    ):
        submit(
            report,
            people.leader,
            ReportContent(**{**ANSWER.__dict__, "links": "https://a.jp/\njavascript:alert(1)"}),
        )
    assert snapshot() == before


def test_editing_a_submitted_report_takes_it_back_to_draft(make_round, register, people):
    report = report_of(make_round(RoundState.OPEN), register.own)
    submit(report, people.leader)
    report.refresh_from_db()
    services.progress_report_save_draft(
        report_pk=report.pk, expected_version=report.version, content=ANSWER, user=people.reporter
    )
    report.refresh_from_db()
    assert (report.state, report.submitted_by, report.submitted_at) == (
        ReportState.DRAFT,
        None,
        None,
    )


def test_the_dashboard_finds_repeated_answers_as_repeats_answer_does(make_round, register, people):
    """「前回と同じ」 is compared by the database on the dashboard and in the bulk approval; it
    must agree with ``repeats_answer`` (texts, status, and 進捗率 none and 0 alike)."""
    no_percent = ReportContent(
        **{**ANSWER.__dict__, "status": Status.PARTIAL, "progress_percent": None}
    )
    previous_answers = {
        register.own: (people.leader, ANSWER),
        register.own_second: (people.leader, no_percent),
        register.other: (people.other_leader, ANSWER),
        register.unassigned: (people.policy, ANSWER),
    }
    first = make_round(RoundState.OPEN, title="令和6年度 進捗調査", reference_date=days(-400))
    for measure, (user, content) in previous_answers.items():
        submit(report_of(first, measure), user, content)
        approve(report_of(first, measure), people.policy)
    advance(first, services.progress_round_close, people.policy)
    advance(first, services.progress_round_confirm, people.policy)

    second = make_round(RoundState.OPEN, title="令和7年度 進捗調査")
    current_answers = {
        register.own: ANSWER,
        register.own_second: ReportContent(**{**no_percent.__dict__, "progress_percent": 0}),
        register.other: ReportContent(**{**ANSWER.__dict__, "activities": "新しい取組"}),
        register.unassigned: ReportContent(**{**ANSWER.__dict__, "status": Status.PARTIAL}),
    }
    for measure, content in current_answers.items():
        submit(report_of(second, measure), previous_answers[measure][0], content)

    dashboard = selectors.round_dashboard(second)
    shown = {row.report.measure_id: row.repeats_previous for row in dashboard.rows}
    expected = {
        measure.pk: selectors.repeats_answer(report_of(second, measure), report_of(first, measure))
        for measure in current_answers
    }
    assert (
        shown
        == expected
        == {
            register.own.pk: True,
            register.own_second.pk: True,
            register.other.pk: False,
            register.unassigned.pk: False,
        }
    )
    assert dashboard.unchanged_count == 2
    assert sorted(selectors.unchanged_submitted_report_pks(second)) == sorted(
        report_of(second, m).pk for m in (register.own, register.own_second)
    )
