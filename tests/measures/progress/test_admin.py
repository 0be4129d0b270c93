"""Admin shows rounds and reports read-only, with their history; the work happens on the
progress pages. Reports outside a user's read scope stay out of admin too."""

import pytest
from django.urls import reverse

from measures.progress.models import RoundState

from .builders import report_of, snapshot, submit

pytestmark = pytest.mark.django_db


def test_policy_division_reads_rounds_and_reports_but_cannot_change_them(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    report = report_of(progress_round, register.own)
    submit(report, people.leader)
    client.force_login(people.policy)

    page = client.get(reverse("admin:measures_progressround_changelist")).content.decode()
    assert "令和7年度 進捗調査" in page and "進捗調査の画面で開く" in page
    page = client.get(reverse("admin:measures_progressreport_changelist")).content.decode()
    assert "市民課の施策" in page and "担当課のない施策" in page
    change = client.get(reverse("admin:measures_progressreport_change", args=[report.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    history = client.get(reverse("admin:measures_progressreport_history", args=[report.pk]))
    assert history.status_code == 200 and "提出" in history.content.decode()

    before = snapshot()
    assert client.get(reverse("admin:measures_progressround_add")).status_code == 403
    response = client.post(
        reverse("admin:measures_progressreport_change", args=[report.pk]), {"state": "approved"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("admin:measures_progressround_delete", args=[progress_round.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert snapshot() == before


def test_a_leader_in_admin_sees_only_approved_and_own_division_reports(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.other), people.other_leader)
    people.leader.is_staff = True
    people.leader.save()
    client.force_login(people.leader)
    page = client.get(reverse("admin:measures_progressreport_changelist")).content.decode()
    assert "市民課の施策" in page
    assert "税務課の施策" not in page
    other = report_of(progress_round, register.other)
    assert (
        client.get(reverse("admin:measures_progressreport_history", args=[other.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("admin:measures_progressreport_history", args=["abc"])).status_code
        == 404
    )
    # Rounds are run by 情報企画課 only.
    assert client.get(reverse("admin:measures_progressround_changelist")).status_code == 403


def test_a_version_page_outside_the_read_scope_is_refused(client, make_round, register, people):
    """The version page (「履歴」 → a date) shows every field of that version: another
    division's leader and 閲覧 must not read a report they may not read on the pages."""
    progress_round = make_round(RoundState.OPEN)
    other = report_of(progress_round, register.other)
    submit(other, people.other_leader)
    version = other.history.latest().history_id
    url = reverse("admin:measures_progressreport_simple_history", args=[other.pk, version])
    for user in (people.leader, people.reader):
        user.is_staff = True
        user.save()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403, user
        assert "窓口で電子申請を始めた" not in response.content.decode()
    client.force_login(people.policy)
    assert client.get(url).status_code == 200


def test_adding_a_reporter_to_a_division_enters_its_history(divisions, make_user):
    division = divisions[0]
    user = make_user("new_reporter")
    division.reporters.add(user)
    latest = division.history.first()
    assert [row.user_id for row in latest.reporters.all()] == [user.pk]


def test_the_round_filter_lists_only_rounds_with_reports_the_user_may_read(
    client, make_round, register, people
):
    """The 進捗調査 filter of the report list names rounds; a round being prepared (or one
    whose reports the user may not read) is not named to a leader or 閲覧."""
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.own), people.leader)
    make_round(RoundState.PREPARING, title="令和9年度 準備中の調査")
    url = reverse("admin:measures_progressreport_changelist")
    for user in (people.leader, people.reader):
        user.is_staff = True
        user.save()
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "令和9年度 準備中の調査" not in page, user
    client.force_login(people.leader)
    assert "令和7年度 進捗調査" in client.get(url).content.decode()
    filtered = client.get(url, {"round__id__exact": progress_round.pk}).content.decode()
    assert "市民課の施策" in filtered
