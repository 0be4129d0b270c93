"""The progress pages as users see them: 「私の報告」, the report form, the round dashboard,
the round list, creation and state changes; bad input gets a Japanese message and changes
nothing."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from measures.models import Measure, Status
from measures.progress import selectors, services
from measures.progress.models import ProgressReport, ProgressRound, ReportState, RoundState

from .builders import ANSWER, advance, approve, days, report_of, snapshot, submit

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _report_url(report) -> str:
    return reverse("measures:progress:report", args=[report.pk])


def _post_report(client, report, **fields):
    report.refresh_from_db()
    data = {"version": report.version, "action": "submit", **fields}
    return client.post(_report_url(report), data)


# --- 私の報告 ----------------------------------------------------------------------------------


def test_my_reports_lists_state_deadline_and_the_return_comment(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN, closes_on=days(5))
    report = report_of(progress_round, register.own)
    submit(report, people.leader)
    report.refresh_from_db()
    services.progress_report_return(
        report_pk=report.pk,
        expected_version=report.version,
        comment="進捗率の根拠を追記してください",
        user=people.policy,
    )
    client.force_login(people.leader)

    page = _page(client.get(reverse("measures:progress:mine")))

    assert "令和7年度 進捗調査" in page
    assert days(5).isoformat() in page and "あと 5 日" in page
    assert "進捗率の根拠を追記してください" in page
    assert "差戻し" in page and "未提出" in page
    assert "期限超過" not in page
    # Returned first, then the one not yet written.
    assert page.index("市民課の施策") < page.index("市民課の二つ目の施策")


def test_my_reports_shows_overdue_reports_in_plain_sight(client, make_round, register, people):
    make_round(RoundState.OPEN, opens_on=days(-20), closes_on=days(-1))
    client.force_login(people.leader)
    page = _page(client.get(reverse("measures:progress:mine")))
    assert "締切を過ぎています" in page
    assert f"締切（{days(-1).isoformat()}）を過ぎて、まだ提出していない報告があります" in page
    assert page.count('class="overdue"') >= 2


def test_my_reports_is_paged_outstanding_first_and_counts_every_page(
    client, make_round, register, people, monkeypatch
):
    monkeypatch.setattr(selectors, "MY_REPORTS_PER_PAGE", 1)
    progress_round = make_round(RoundState.OPEN, closes_on=days(5))
    submit(report_of(progress_round, register.own), people.leader)
    client.force_login(people.leader)
    url = reverse("measures:progress:mine")

    first = _page(client.get(url))
    second = _page(client.get(url, {"page": 2}))

    assert "市民課の二つ目の施策" in first and "市民課の施策<" not in first
    assert "市民課の施策<" in second and "市民課の二つ目の施策" not in second
    assert "1 / 2 ページ" in first and "2 / 2 ページ" in second
    for page in (first, second):
        assert "未提出・下書き・差戻しの報告が 1 件あります" in page
    assert "1 / 2 ページ" in _page(client.get(url, {"page": "abc"}))


def test_my_reports_without_an_open_round_says_so_and_names_the_next(client, make_round, people):
    make_round(RoundState.PREPARING, opens_on=days(3), closes_on=days(30))
    client.force_login(people.leader)
    page = _page(client.get(reverse("measures:progress:mine")))
    assert "現在、受付中の進捗調査はありません" in page
    assert (
        f"次の進捗調査「令和7年度 進捗調査」を準備中です（受付開始予定: {days(3).isoformat()}）"
        in page
    )


def test_my_reports_for_an_account_without_a_division_says_whom_to_ask(client, make_round, people):
    make_round(RoundState.OPEN)
    client.force_login(people.reader)
    page = _page(client.get(reverse("measures:progress:mine")))
    assert (
        "どの課等の情報化推進リーダー（在任中）にも、進捗報告の入力者にも登録されていません" in page
    )
    assert "情報企画課（総務部）に" in page


def test_my_reports_for_a_division_without_measures_says_whom_to_ask(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.PREPARING)
    services.progress_round_set_scope(
        round_pk=progress_round.pk,
        expected_version=progress_round.version,
        measure_pks=[register.other.pk],
        user=people.policy,
    )
    advance(progress_round, services.progress_round_open, people.policy)
    client.force_login(people.leader)
    page = _page(client.get(reverse("measures:progress:mine")))
    assert "（テスト）市民部 市民課 が担当する施策は、この調査の対象にありません" in page
    assert "施策の担当課の設定を情報企画課（総務部）に確認してください" in page


# --- The report form --------------------------------------------------------------------------


def _confirmed_previous(make_round, register, people):
    previous = make_round(RoundState.OPEN, title="令和6年度 進捗調査", reference_date=days(-400))
    submit(report_of(previous, register.own), people.leader)
    approve(report_of(previous, register.own), people.policy)
    advance(previous, services.progress_round_close, people.policy)
    advance(previous, services.progress_round_confirm, people.policy)
    return previous


def test_form_is_prefilled_with_the_previous_confirmed_answer(client, make_round, register, people):
    _confirmed_previous(make_round, register, people)
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.leader)

    page = _page(client.get(_report_url(report_of(progress_round, register.own))))

    assert "前回（令和6年度 進捗調査）の回答を入れてあります" in page
    assert 'value="implemented" id="id_status_0" checked' in page or (
        'id="id_status_0" checked' in page
    )
    assert 'value="100"' in page
    assert ANSWER.activities in page and ANSWER.next_steps in page
    assert "下書き保存" in page and "提出" in page


def test_form_without_a_previous_round_starts_empty(client, make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.leader)
    page = _page(client.get(_report_url(report_of(progress_round, register.own))))
    assert "前回（" not in page
    assert "checked" not in page


def test_leader_saves_a_draft_and_then_submits(client, make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    report = report_of(progress_round, register.own)
    client.force_login(people.leader)

    response = _post_report(client, report, action="draft", activities="書きかけ\r\n二行目")
    assert response.status_code == 302 and response["Location"] == reverse("measures:progress:mine")
    report.refresh_from_db()
    assert (report.state, report.activities) == (ReportState.DRAFT, "書きかけ\n二行目")
    assert "下書き保存しました" in _page(client.get(response["Location"]))

    response = _post_report(
        client,
        report,
        status=Status.IMPLEMENTED,
        progress_percent="80",
        activities="完了間近",
        links="https://example.jp/a\r\n\r\nhttps://example.jp/b",
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.progress_percent, report.links) == (
        ReportState.SUBMITTED,
        80,
        "https://example.jp/a\nhttps://example.jp/b",
    )
    assert report.submitted_by == people.leader


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"status": "implemented", "activities": "x", "progress_percent": "101"},
            "進捗率は 0～100 の整数で入力してください。",
        ),
        (
            {"status": "implemented", "activities": "x", "progress_percent": "abc"},
            "進捗率は 0～100 の整数で入力してください。",
        ),
        (
            {"status": "implemented", "activities": "x", "progress_percent": "-1"},
            "進捗率は 0～100 の整数で入力してください。",
        ),
        ({"activities": "x"}, "提出するには状況を選んでください。"),
        ({"status": "partial", "activities": "  "}, "提出するには取組内容を書いてください。"),
        (
            {"status": "maybe", "activities": "x"},
            "状況は ◎ 実施・○ 一部着手・× 未着手 から選んでください。",
        ),
        (
            {"status": "partial", "activities": "x", "links": "javascript:alert(1)"},
            "参考リンクの 1 行目",
        ),
        (
            {"status": "partial", "activities": "x", "version": "abc"},
            "ページの情報が古いか壊れています",
        ),
        (
            {"status": "partial", "activities": "x", "action": "approve"},
            "「下書き保存」か「提出」を押してください。",
        ),
    ],
)
def test_bad_report_input_is_refused_with_a_message_and_changes_nothing(
    client, make_round, register, people, fields, message
):
    report = report_of(make_round(RoundState.OPEN), register.own)
    client.force_login(people.leader)
    before = snapshot()
    page = _page(_post_report(client, report, **fields))
    assert message in page
    assert "入力に誤りがあります" in page
    assert snapshot() == before


@pytest.mark.parametrize("state", [RoundState.CLOSED, RoundState.CONFIRMED])
def test_editing_after_the_deadline_or_confirmation_is_refused(
    client, make_round, register, people, state
):
    report = report_of(make_round(state), register.own)
    client.force_login(people.leader)
    before = snapshot()
    page = _page(_post_report(client, report, status="partial", activities="遅れて提出"))
    label = "締切" if state == RoundState.CLOSED else "確定"
    assert f"進捗調査「令和7年度 進捗調査」は{label}のため、報告は変更できません" in page
    assert snapshot() == before
    # The page no longer offers the form.
    assert "下書き保存" not in _page(client.get(_report_url(report)))


def test_a_leader_posting_another_divisions_report_gets_403(client, make_round, register, people):
    report = report_of(make_round(RoundState.OPEN), register.other)
    client.force_login(people.leader)
    before = snapshot()
    response = _post_report(client, report, status="implemented", activities="なりすまし")
    assert response.status_code == 403
    assert "この施策の進捗報告を書く権限がありません" in response.content.decode()
    assert snapshot() == before


def test_a_stale_form_is_refused_naming_what_changed(client, make_round, register, people):
    report = report_of(make_round(RoundState.OPEN), register.own)
    report.refresh_from_db()
    shown = report.version
    submit(report, people.reporter)  # a colleague submits meanwhile
    client.force_login(people.leader)
    before = snapshot()
    page = _page(
        client.post(
            _report_url(report),
            {"version": shown, "action": "draft", "status": "partial", "activities": "私の下書き"},
        )
    )
    assert "reporter さんが" in page
    assert "提出状況: 未提出 → 提出" in page and "状況（報告）: 未選択 → 実施" in page
    assert "取組内容" in page and "あなたの変更は保存していません" in page
    assert "私の下書き" in page  # what they typed is kept on the page
    assert snapshot() == before


# --- Reviewing --------------------------------------------------------------------------------


def test_policy_division_returns_with_a_comment_and_the_leader_sees_it(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    report = report_of(progress_round, register.own)
    submit(report, people.leader)
    client.force_login(people.policy)
    page = _page(client.get(_report_url(report)))
    assert "承認する" in page and "差し戻す" in page

    before = snapshot()
    page = _page(
        client.post(
            reverse("measures:progress:report_return", args=[report.pk]),
            {"version": ProgressReport.objects.get(pk=report.pk).version, "comment": ""},
        )
    )
    assert "差し戻すには、直してほしい点をコメントに書いてください。" in page
    assert snapshot() == before

    response = client.post(
        reverse("measures:progress:report_return", args=[report.pk]),
        {
            "version": ProgressReport.objects.get(pk=report.pk).version,
            "comment": "課題も書いてください",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#report-{report.pk}")

    client.force_login(people.leader)
    page = _page(client.get(_report_url(report)))
    assert "情報企画課からのコメント（差戻しの理由）" in page and "課題も書いてください" in page


def test_approving_a_report_that_is_not_submitted_is_refused(client, make_round, register, people):
    report = report_of(make_round(RoundState.OPEN), register.own)
    client.force_login(people.policy)
    before = snapshot()
    response = client.post(
        reverse("measures:progress:report_approve", args=[report.pk]),
        {"version": report.version},
        follow=True,
    )
    assert "承認できるのは提出された報告だけです（この報告は「未提出」）" in _page(response)
    assert snapshot() == before


def test_bulk_approval_of_unchanged_answers_from_the_dashboard(
    client, make_round, register, people
):
    _confirmed_previous(make_round, register, people)
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.own), people.leader)  # same as last time
    client.force_login(people.policy)
    url = reverse("measures:progress:round", args=[progress_round.pk])
    page = _page(client.get(url))
    assert "前回と同じ回答の 1 件を承認する" in page

    progress_round.refresh_from_db()
    response = client.post(
        reverse("measures:progress:round_approve_unchanged", args=[progress_round.pk]),
        {"version": progress_round.version},
        follow=True,
    )
    assert "前回と同じ回答の報告 1 件を承認しました。" in _page(response)
    assert report_of(progress_round, register.own).state == ReportState.APPROVED


# --- Round list, creation and dashboard -------------------------------------------------------


def test_round_creation_refuses_a_deadline_before_opening(client, people, register):
    client.force_login(people.policy)
    before = snapshot()
    page = _page(
        client.post(
            reverse("measures:progress:round_create"),
            {
                "title": "令和7年度 進捗調査",
                "reference_date": "2026-03-31",
                "opens_on": "2026-04-10",
                "closes_on": "2026-04-01",
            },
        )
    )
    assert (
        "締切（2026-04-01）が受付開始（2026-04-10）より前です。受付開始以降の日付にしてください。"
        in page
    )
    assert snapshot() == before


def test_round_creation_refuses_a_reference_date_after_the_deadline(client, people, register):
    client.force_login(people.policy)
    before = snapshot()
    page = _page(
        client.post(
            reverse("measures:progress:round_create"),
            {
                "title": "令和7年度 進捗調査",
                "reference_date": "2027-03-31",
                "opens_on": "2026-12-01",
                "closes_on": "2026-12-27",
            },
        )
    )
    assert "基準日（2027-03-31）が締切（2026-12-27）より後です。" in page
    assert snapshot() == before


def test_the_service_refuses_a_reference_date_after_the_deadline(people, register):
    with pytest.raises(services.ProgressError, match="基準日"):
        services.progress_round_create(
            title="令和7年度 進捗調査",
            reference_date=datetime.date(2027, 3, 31),
            opens_on=datetime.date(2026, 12, 1),
            closes_on=datetime.date(2026, 12, 27),
            user=people.policy,
        )
    assert not ProgressRound.objects.filter(title="令和7年度 進捗調査").exists()


def test_round_creation_refuses_bad_dates_and_missing_title(client, people, register):
    client.force_login(people.policy)
    before = snapshot()
    page = _page(
        client.post(
            reverse("measures:progress:round_create"),
            {"title": "", "reference_date": "2026-02-30", "opens_on": "x", "closes_on": ""},
        )
    )
    assert "名称を入力してください。" in page
    assert "日付は 2026-03-31 の形で入力してください。" in page
    assert "締切を入力してください。" in page
    assert snapshot() == before


def test_round_is_created_in_preparation_and_listed(client, people, register):
    client.force_login(people.policy)
    response = client.post(
        reverse("measures:progress:round_create"),
        {
            "title": "令和7年度 進捗調査",
            "reference_date": "2026-03-31",
            "opens_on": "2026-04-01",
            "closes_on": "2026-04-30",
        },
        follow=True,
    )
    page = _page(response)
    assert "進捗調査「令和7年度 進捗調査」を作成しました（準備中）" in page
    progress_round = ProgressRound.objects.get()
    assert progress_round.reports.count() == Measure.objects.count() == 4

    page = _page(client.get(reverse("measures:progress:rounds")))
    assert "令和7年度 進捗調査" in page and "準備中" in page


def test_round_list_without_rounds_says_how_to_start(client, people):
    client.force_login(people.policy)
    page = _page(client.get(reverse("measures:progress:rounds")))
    assert "進捗調査はまだありません" in page


def test_dashboard_counts_by_division_flags_overdue_and_lists_unassigned(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN, opens_on=days(-20), closes_on=days(-1))
    submit(report_of(progress_round, register.own), people.leader)
    submit(report_of(progress_round, register.other), people.other_leader)
    approve(report_of(progress_round, register.other), people.policy)
    client.force_login(people.policy)

    page = _page(client.get(reverse("measures:progress:round", args=[progress_round.pk])))

    assert "締切を過ぎて未提出の報告がある課等:" in page
    # 市民課 owes one (二つ目), 税務課 owes none, 担当課未設定 owes one.
    overdue_line = page.split("締切を過ぎて未提出の報告がある課等:")[1].split("</p>")[0]
    assert "市民課（1）" in overdue_line and "担当課未設定（1）" in overdue_line
    assert "税務課" not in overdue_line
    assert "盛岡 花子" in page  # 市民課's current leader, to chase
    assert "担当課が設定されていない施策が 1 件あります" in page
    assert "担当課を設定する（管理画面）" in page and "（担当課のない施策）" in page
    # Confirming would turn 税務課の施策 ○ into ◎ (approved); 市民課's is only submitted.
    assert "確定すると状況が変わる施策: 1 件" in page
    assert "まだ送っていません" in page


def test_dashboard_totals_if_confirmed_are_computed_not_stored(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.own), people.leader)  # ○ → ◎
    approve(report_of(progress_round, register.own), people.policy)
    client.force_login(people.policy)
    page = _page(client.get(reverse("measures:progress:round", args=[progress_round.pk])))
    assert "確定すると状況が変わる施策: 1 件" in page
    assert Measure.objects.get(pk=register.own.pk).status == Status.PARTIAL


def test_dashboard_filters_reports_by_state(client, make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.own), people.leader)
    client.force_login(people.policy)
    url = reverse("measures:progress:round", args=[progress_round.pk])
    page = _page(client.get(url, {"state": "submitted"}))
    table = page.split('id="reports-heading"')[1]
    assert "市民課の施策" in table and "税務課の施策" not in table
    page = _page(client.get(url, {"state": "nonsense"}))
    assert "税務課の施策" in page.split('id="reports-heading"')[1]


def test_state_changes_have_a_confirmation_step(client, make_round, register, people):
    progress_round = make_round(RoundState.PREPARING)
    client.force_login(people.policy)
    url = reverse("measures:progress:round_open", args=[progress_round.pk])
    page = _page(client.get(url))
    assert "「令和7年度 進捗調査」の受付を開始しますか" in page
    assert ProgressRound.objects.get().state == RoundState.PREPARING

    response = client.post(url, {"version": progress_round.version}, follow=True)
    assert "受付を開始しました" in _page(response)
    progress_round.refresh_from_db()
    assert progress_round.state == RoundState.OPEN

    page = _page(client.get(reverse("measures:progress:round_close", args=[progress_round.pk])))
    assert "を締め切りますか" in page
    client.post(
        reverse("measures:progress:round_close", args=[progress_round.pk]),
        {"version": progress_round.version},
    )
    progress_round.refresh_from_db()
    page = _page(client.get(reverse("measures:progress:round_confirm", args=[progress_round.pk])))
    assert "を確定しますか" in page and "確定した場合の集計" in page
    response = client.post(
        reverse("measures:progress:round_confirm", args=[progress_round.pk]),
        {"version": progress_round.version},
        follow=True,
    )
    assert "確定しました。承認された状況を施策に反映しました（状況が変わった施策: 0 件）" in _page(
        response
    )


def test_opening_a_second_round_is_refused_with_the_message(client, make_round, people):
    make_round(RoundState.OPEN, title="令和6年度 進捗調査")
    second = make_round(RoundState.PREPARING, title="令和7年度 進捗調査")
    client.force_login(people.policy)
    url = reverse("measures:progress:round_open", args=[second.pk])
    assert "進捗調査「令和6年度 進捗調査」が受付中です" in _page(client.get(url))
    before = snapshot()
    page = _page(client.post(url, {"version": second.version}))
    assert "先に「令和6年度 進捗調査」を締め切ってください" in page
    assert snapshot() == before


def test_stale_round_page_is_refused(client, make_round, people):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.policy)
    before = snapshot()
    page = _page(
        client.post(
            reverse("measures:progress:round_close", args=[progress_round.pk]),
            {"version": progress_round.version - 1},
        )
    )
    assert "あなたが開いた後に" in page and "状態: 準備中 → 受付中" in page
    assert snapshot() == before


def test_scope_page_leaves_measures_out(client, make_round, register, people):
    progress_round = make_round(RoundState.PREPARING)
    client.force_login(people.policy)
    url = reverse("measures:progress:round_scope", args=[progress_round.pk])
    page = _page(client.get(url))
    assert page.count('name="measures"') == 4
    response = client.post(
        url,
        {"version": progress_round.version, "measures": [register.own.pk, register.other.pk]},
        follow=True,
    )
    assert "対象の施策を変更しました（追加 0 件、除外 2 件）" in _page(response)
    assert progress_round.reports.count() == 2
    before = snapshot()
    progress_round.refresh_from_db()
    page = _page(client.post(url, {"version": progress_round.version, "measures": ["999999"]}))
    assert "選んだ施策の一部が見つかりません" in page
    assert snapshot() == before


def test_round_edit_extends_the_deadline(client, make_round, people):
    progress_round = make_round(RoundState.OPEN, closes_on=days(3))
    client.force_login(people.policy)
    url = reverse("measures:progress:round_edit", args=[progress_round.pk])
    assert days(3).isoformat() in _page(client.get(url))
    response = client.post(
        url,
        {
            "version": progress_round.version,
            "title": progress_round.title,
            "reference_date": progress_round.reference_date.isoformat(),
            "opens_on": progress_round.opens_on.isoformat(),
            "closes_on": days(10).isoformat(),
        },
    )
    assert response.status_code == 302
    progress_round.refresh_from_db()
    assert progress_round.closes_on == days(10)


# --- The 未提出 download ------------------------------------------------------------------------


def test_outstanding_csv_lists_what_is_owed_with_the_formula_guard(
    client, make_round, register, people
):
    Measure.objects.filter(pk=register.own_second.pk).update(name='=HYPERLINK("http://x")')
    progress_round = make_round(RoundState.OPEN, opens_on=days(-20), closes_on=days(-1))
    submit(report_of(progress_round, register.own), people.leader)
    client.force_login(people.policy)

    response = client.get(
        reverse("measures:progress:round_outstanding_csv", args=[progress_round.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "担当課",
        "情報化推進リーダー",
        "区分",
        "表内の位置",
        "施策名",
        "提出状況",
        "締切",
        "期限超過",
    ]
    names = [row[4] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://x")', "税務課の施策", "担当課のない施策"]
    assert rows[1][0] == "（テスト）市民部 市民課" and rows[1][1] == "盛岡 花子"
    assert rows[3][0] == "担当課未設定"
    assert {row[7] for row in rows[1:]} == {"はい"}
    from governance.audit import AccessKind, AccessRecord

    assert AccessRecord.objects.filter(kind=AccessKind.EXPORT, user=people.policy).exists()


# --- Correction of a confirmed round ----------------------------------------------------------


def test_correction_page_needs_a_reason(client, make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    report = report_of(progress_round, register.own)
    submit(report, people.leader)
    approve(report, people.policy)
    advance(progress_round, services.progress_round_close, people.policy)
    advance(progress_round, services.progress_round_confirm, people.policy)
    client.force_login(people.policy)
    assert "確定した報告を訂正する（理由が必要です）" in _page(client.get(_report_url(report)))
    url = reverse("measures:progress:report_correct", args=[report.pk])
    report.refresh_from_db()
    before = snapshot()
    page = _page(
        client.post(
            url,
            {"version": report.version, "status": "partial", "activities": "訂正", "reason": ""},
        )
    )
    assert "訂正の理由を書いてください。" in page
    assert snapshot() == before
    response = client.post(
        url,
        {
            "version": report.version,
            "status": "partial",
            "activities": "訂正",
            "reason": "数字の誤り",
        },
        follow=True,
    )
    page = _page(response)
    assert "確定した報告を訂正しました" in page and "訂正: 数字の誤り" in page


def test_leader_cannot_reach_the_correction_page(client, make_round, register, people):
    progress_round = make_round(RoundState.CONFIRMED)
    client.force_login(people.leader)
    url = reverse(
        "measures:progress:report_correct", args=[report_of(progress_round, register.own).pk]
    )
    assert client.get(url).status_code == 403


def test_an_unknown_report_or_round_is_a_404(client, people):
    client.force_login(people.policy)
    assert client.get(reverse("measures:progress:report", args=[999999])).status_code == 404
    assert client.get(reverse("measures:progress:round", args=[999999])).status_code == 404
