"""Every progress page makes the same number of queries with a handful or a few hundred
measures, reports and divisions."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Division, PromotionLeader
from measures.models import Measure, Status
from measures.progress import services
from measures.progress.models import ProgressReport, ReportState, RoundState
from measures.text import search_key

from .builders import advance, approve, days, report_of, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(make_round, register, people):
    """A confirmed round, an open one with reports in every state, and one in preparation."""
    previous = make_round(RoundState.OPEN, title="令和6年度 進捗調査", reference_date=days(-400))
    submit(report_of(previous, register.own), people.leader)
    approve(report_of(previous, register.own), people.policy)
    advance(previous, services.progress_round_close, people.policy)
    advance(previous, services.progress_round_confirm, people.policy)
    current = make_round(RoundState.OPEN, closes_on=days(-1), opens_on=days(-20))
    submit(report_of(current, register.own), people.leader)
    submit(report_of(current, register.other), people.other_leader)
    approve(report_of(current, register.other), people.policy)
    preparing = make_round(RoundState.PREPARING, title="令和8年度 進捗調査")
    return previous, current, preparing


def _grow(register, divisions, rounds, people, count: int = 300) -> None:
    """Add ``count`` measures spread over 20 more divisions (each with a leader) and the two
    divisions of the register, with a report in every round in a spread of states."""
    department = divisions[0].department
    extra = [
        Division.objects.create(department=department, name=f"生成課{n}", order=10 + n)
        for n in range(20)
    ]
    PromotionLeader.objects.bulk_create(
        PromotionLeader(
            division=d, person_name=f"リーダー{n}", appointed_by="課長", start_date=days(-100)
        )
        for n, d in enumerate(extra)
    )
    owners = itertools.cycle([*divisions, *extra, None])
    category = register.own.category
    start = max(category.measures.values_list("position", flat=True)) + 100
    measures = Measure.objects.bulk_create(
        Measure(
            category=category,
            position=start + n,
            name=f"生成施策{n}",
            search_text=search_key(f"生成施策{n}"),
            status=list(Status)[n % 3],
            responsible_division=next(owners),
        )
        for n in range(count)
    )
    states = itertools.cycle(ReportState.values)
    statuses = itertools.cycle(Status.values)
    previous, current, preparing = rounds
    reports = []
    for measure in measures:
        reports.append(
            ProgressReport(round=previous, measure=measure, state="approved", status=next(statuses))
        )
        state = next(states)
        reports.append(
            ProgressReport(
                round=current,
                measure=measure,
                state=state,
                status="" if state in {"not_submitted"} else next(statuses),
                activities="" if state == "not_submitted" else "生成された報告",
                progress_percent=50,
                return_comment="直してください" if state == "returned" else "",
                submitted_at=None,
            )
        )
        reports.append(ProgressReport(round=preparing, measure=measure))
    ProgressReport.objects.bulk_create(reports)


def _count(client, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200, url
    return len(queries)


def test_progress_pages_keep_their_query_counts(client, cycle, register, divisions, people):
    previous, current, preparing = cycle
    own_report = report_of(current, register.own)
    confirmed_report = report_of(previous, register.own)
    pages = [
        (people.leader, reverse("measures:progress:mine"), None),
        (people.leader, reverse("measures:progress:report", args=[own_report.pk]), None),
        (people.policy, reverse("measures:progress:mine"), None),
        (people.policy, reverse("measures:progress:report", args=[own_report.pk]), None),
        (people.policy, reverse("measures:progress:rounds"), None),
        (people.policy, reverse("measures:progress:round", args=[current.pk]), None),
        (
            people.policy,
            reverse("measures:progress:round", args=[current.pk]),
            {"state": "submitted"},
        ),
        (people.policy, reverse("measures:progress:round", args=[previous.pk]), None),
        (people.policy, reverse("measures:progress:round_close", args=[current.pk]), None),
        (people.policy, reverse("measures:progress:round_scope", args=[preparing.pk]), None),
        (
            people.policy,
            reverse("measures:progress:round_outstanding_csv", args=[current.pk]),
            None,
        ),
        (
            people.policy,
            reverse("measures:progress:report_correct", args=[confirmed_report.pk]),
            None,
        ),
        (people.reader, register.own.get_absolute_url(), None),
    ]

    def counts():
        result = []
        for user, url, data in pages:
            client.force_login(user)
            result.append(_count(client, url, data))
        return result

    few = counts()
    _grow(register, divisions, cycle, people)
    assert Measure.objects.count() > 300 and ProgressReport.objects.count() > 900
    many = counts()

    assert many == few, list(zip([url for _u, url, _d in pages], few, many, strict=True))


def test_round_dashboard_counts_stay_right_with_many_reports(
    client, cycle, register, divisions, people
):
    _grow(register, divisions, cycle, people, count=100)
    client.force_login(people.policy)
    page = client.get(reverse("measures:progress:round", args=[cycle[1].pk])).content.decode()
    # 100 generated reports cycle through the five states: 20 each, plus the register's own.
    expected = {state.label: 20 for state in ReportState}
    expected["提出"] += 1  # 市民課の施策
    expected["承認"] += 1  # 税務課の施策
    expected["未提出"] += 2  # 市民課の二つ目, 担当課のない施策
    counts = page.split('id="counts-heading"')[1].split("</ul>")[0]
    for label, count in expected.items():
        assert f">{label}</span> {count}</li>" in counts, (label, count)


# Queries each selector makes, whatever the number of measures, reports and divisions.
PINS = {
    "dashboard": 10,  # counts by one aggregate; 「前回と同じ」 counted by the database
    "dashboard_page": 12,  # the same, one page: its report ids in order, then those reports
    "mine": 5,  # one page of reports, its count and the outstanding count
    "list": 1,
    "outstanding": 1,
    "reminders": 3,
    "report": 5,
    "timeline": 2,
}


def test_selectors_read_in_a_fixed_number_of_queries(
    cycle, register, divisions, people, django_assert_num_queries
):
    from measures.progress import permissions, selectors

    _grow(register, divisions, cycle, people)
    current = cycle[1]
    # Permissions are looked up once per request and kept on the user.
    permissions.progress_read_scope(people.leader)
    permissions.reporting_division_ids(people.policy)
    with django_assert_num_queries(PINS["dashboard"]):
        dashboard = selectors.round_dashboard(current)
        assert len(dashboard.rows) == 304
    with django_assert_num_queries(PINS["dashboard_page"]):
        page = selectors.round_dashboard(current, state="not_submitted", page=2, per_page=20)
        assert len(page.rows) == 20 and page.page.number == 2
        assert {row.report.state for row in page.rows} == {"not_submitted"}
        assert page.report_count == 304 == dashboard.report_count
    with django_assert_num_queries(PINS["mine"]):
        assert len(selectors.my_reports(people.leader).rows) == 16
    with django_assert_num_queries(PINS["list"]):
        assert len(selectors.round_list()) == 3
    with django_assert_num_queries(PINS["outstanding"]):
        assert len(selectors.outstanding_reports(current)) > 100
    with django_assert_num_queries(PINS["reminders"]):
        reminders, _unassigned = selectors.reminders(current)
        assert len(reminders) == 22
    with django_assert_num_queries(PINS["report"]):
        page = selectors.report_page(report_of(current, register.own))
        assert page.previous is not None and page.history
    with django_assert_num_queries(PINS["timeline"]):
        assert selectors.measure_progress(register.own, people.leader).entries
