"""Who does what in the progress cycle: every cell of the role table, through the pages.

Rows are kinds of user, columns are actions; each cell is the outcome a user sees: ``ok``,
``403`` (refused, nothing changed), ``login`` (sent to the login page, nothing changed), and
for the measure page's timeline whether names are shown. Crafted POSTs are included: a
leader posting another division's report gets 403 like any other refusal.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from measures.models import Status
from measures.progress import services
from measures.progress.models import ProgressReport, ProgressRound, RoundState
from measures.progress.services import ReportContent

from .builders import advance, approve, days, report_of, snapshot, submit

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "public",
    "reader",
    "leader",
    "reporter",
    "former_leader",
    "other_leader",
    "policy",
    "administrator",
]

# action: outcome per actor, in the order of ACTORS.
TABLE = {
    "my_reports_page": "login login ok ok ok ok ok ok ok",
    "read_own_division_submitted": "login login 403 ok ok 403 403 ok ok",
    "read_approved_report": "login login ok ok ok ok ok ok ok",
    "write_own_division": "login login 403 ok ok 403 403 403 403",
    "submit_own_division": "login login 403 ok ok 403 403 403 403",
    "write_other_division": "login login 403 403 403 403 ok 403 403",
    "write_unassigned": "login login 403 403 403 403 403 ok ok",
    "round_list": "login login 403 403 403 403 403 ok ok",
    "round_dashboard": "login login 403 403 403 403 403 ok ok",
    "create_round": "login login 403 403 403 403 403 ok ok",
    "close_round": "login login 403 403 403 403 403 ok ok",
    "approve_report": "login login 403 403 403 403 403 ok ok",
    "return_report": "login login 403 403 403 403 403 ok ok",
    "approve_unchanged": "login login 403 403 403 403 403 ok ok",
    "outstanding_csv": "login login 403 403 403 403 403 ok ok",
    "measure_timeline": "login confirmed-without-names confirmed-with-names "
    "confirmed-with-names confirmed-with-names confirmed-with-names "
    "confirmed-with-names confirmed-with-names confirmed-with-names",
}
CELLS = [
    (action, actor, expected)
    for action, row in TABLE.items()
    for actor, expected in zip(ACTORS, row.split(), strict=True)
]


@dataclass
class Scenario:
    current: ProgressRound  # 受付中
    own_submitted: ProgressReport  # 市民課, submitted
    own_untouched: ProgressReport  # 市民課, 未提出
    other_untouched: ProgressReport  # 税務課, 未提出
    unassigned: ProgressReport  # no 担当課, 未提出
    approved: ProgressReport  # 税務課, approved in the open round (not confirmed)
    timeline_measure_url: str


@pytest.fixture
def scenario(make_round, register, people, make_measure, divisions):
    previous = make_round(RoundState.OPEN, title="令和6年度 進捗調査", reference_date=days(-400))
    submit(
        report_of(previous, register.other),
        people.other_leader,
        ReportContent(status=Status.PARTIAL, activities="確定した取組"),
    )
    approve(report_of(previous, register.other), people.policy)
    advance(previous, services.progress_round_close, people.policy)
    advance(previous, services.progress_round_confirm, people.policy)

    current = make_round(RoundState.OPEN, title="令和7年度 進捗調査")
    own_submitted = report_of(current, register.own)
    submit(
        own_submitted,
        people.leader,
        ReportContent(status=Status.PARTIAL, activities="提出中の取組"),
    )
    approved = report_of(current, register.other)
    submit(
        approved,
        people.other_leader,
        ReportContent(status=Status.PARTIAL, activities="承認済み未確定"),
    )
    approve(approved, people.policy)
    return Scenario(
        current=current,
        own_submitted=report_of(current, register.own),
        own_untouched=report_of(current, register.own_second),
        other_untouched=_untouched_other(current, register, make_measure, divisions),
        unassigned=report_of(current, register.unassigned),
        approved=report_of(current, register.other),
        timeline_measure_url=register.other.get_absolute_url(),
    )


def _untouched_other(current, register, make_measure, divisions):
    """A second 税務課 measure, added to the open round by hand, still 未提出."""
    measure = make_measure("税務課の二つ目の施策", category=register.other.category)
    measure.responsible_division = divisions[1]
    measure.save()
    return ProgressReport.objects.create(round=current, measure=measure)


def _version(report) -> int:
    report.refresh_from_db()
    return report.version


def _write(client, report, action="draft"):
    return client.post(
        reverse("measures:progress:report", args=[report.pk]),
        {
            "version": _version(report),
            "action": action,
            "status": Status.IMPLEMENTED,
            "activities": "書いた",
        },
    )


def _round_post(client, name, progress_round):
    progress_round.refresh_from_db()
    return client.post(
        reverse(f"measures:progress:{name}", args=[progress_round.pk]),
        {"version": progress_round.version},
    )


ACTIONS = {
    "my_reports_page": lambda c, s: c.get(reverse("measures:progress:mine")),
    "read_own_division_submitted": lambda c, s: c.get(
        reverse("measures:progress:report", args=[s.own_submitted.pk])
    ),
    "read_approved_report": lambda c, s: c.get(
        reverse("measures:progress:report", args=[s.approved.pk])
    ),
    "write_own_division": lambda c, s: _write(c, s.own_untouched),
    "submit_own_division": lambda c, s: _write(c, s.own_untouched, "submit"),
    "write_other_division": lambda c, s: _write(c, s.other_untouched),
    "write_unassigned": lambda c, s: _write(c, s.unassigned),
    "round_list": lambda c, s: c.get(reverse("measures:progress:rounds")),
    "round_dashboard": lambda c, s: c.get(reverse("measures:progress:round", args=[s.current.pk])),
    "create_round": lambda c, s: c.post(
        reverse("measures:progress:round_create"),
        {
            "title": "令和8年度 進捗調査",
            "reference_date": "2027-03-31",
            "opens_on": "2027-04-01",
            "closes_on": "2027-04-30",
        },
    ),
    "close_round": lambda c, s: _round_post(c, "round_close", s.current),
    "approve_report": lambda c, s: c.post(
        reverse("measures:progress:report_approve", args=[s.own_submitted.pk]),
        {"version": _version(s.own_submitted)},
    ),
    "return_report": lambda c, s: c.post(
        reverse("measures:progress:report_return", args=[s.own_submitted.pk]),
        {"version": _version(s.own_submitted), "comment": "直してください"},
    ),
    "approve_unchanged": lambda c, s: _round_post(c, "round_approve_unchanged", s.current),
    "outstanding_csv": lambda c, s: c.get(
        reverse("measures:progress:round_outstanding_csv", args=[s.current.pk])
    ),
    "measure_timeline": lambda c, s: c.get(s.timeline_measure_url),
}


WRITES = {
    "write_own_division",
    "submit_own_division",
    "write_other_division",
    "write_unassigned",
    "create_round",
    "close_round",
    "approve_report",
    "return_report",
}


def _outcome(action: str, response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    if response.status_code == 403:
        return "403"
    assert response.status_code in {200, 302}, response.status_code
    if action == "measure_timeline":
        page = response.content.decode()
        assert "提出中の取組" not in page and "承認済み未確定" not in page, "unconfirmed shown"
        assert "確定した取組" in page
        return "confirmed-with-names" if "other_leader" in page else "confirmed-without-names"
    return "ok"


@pytest.mark.parametrize(("action", "actor", "expected"), CELLS)
def test_role_table(client, settings, scenario, people, action, actor, expected):
    if actor == "public":
        settings.DASHBOARD_PUBLIC_READ = True
    elif actor != "anonymous":
        client.force_login(getattr(people, actor))
    before = snapshot()

    outcome = _outcome(action, ACTIONS[action](client, scenario))

    assert outcome == expected
    if outcome in {"403", "login"}:
        assert snapshot() == before
    elif action in WRITES:
        assert snapshot() != before, "an allowed write should have changed something"


def test_every_action_and_actor_is_in_the_table():
    assert set(TABLE) == set(ACTIONS)
    assert len(CELLS) == len(ACTIONS) * len(ACTORS)


def test_a_leader_sees_only_their_divisions_reports_in_my_reports(client, scenario, people):
    client.force_login(people.leader)
    page = client.get(reverse("measures:progress:mine")).content.decode()
    assert "市民課の施策" in page and "市民課の二つ目の施策" in page
    assert "税務課の施策" not in page and "担当課のない施策" not in page


def test_policy_division_writes_unassigned_measures_in_my_reports(client, scenario, people):
    client.force_login(people.policy)
    page = client.get(reverse("measures:progress:mine")).content.decode()
    assert "担当課のない施策" in page
    assert "市民課の施策" not in page
