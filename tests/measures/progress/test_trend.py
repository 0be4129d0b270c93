"""Home: the plan's trend, totals per confirmed round as a chart and a table."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Category, Measure, Status
from measures.progress import services
from measures.progress.models import ProgressRound, RoundState
from measures.progress.trend import plan_trend

from .builders import advance, approve, report_of, submit

pytestmark = pytest.mark.django_db

HOME = reverse("measures:home")


def _figures(breakdown) -> list[int]:
    return [breakdown.count_of(s) for s in Status]


def test_trend_starts_with_the_plan_s_own_figures(seeded):
    trend = plan_trend()
    assert [p.progress_round.title for p in trend.points] == ["計画書掲載時点"]
    baseline = trend.points[0]
    assert [_figures(b) for b in baseline.categories] == [[12, 19, 3], [7, 4, 1], [20, 6, 3]]
    assert _figures(baseline.overall) == [39, 29, 7]


def test_home_shows_the_trend_as_a_chart_and_a_table(reader_client, seeded):
    page = reader_client.get(HOME).content.decode()
    section = page.split('id="trend-heading"')[1]
    assert 'role="img"' in section and "<svg" in section
    table = section.split("<table")[1].split("</table>")[0]
    assert "計画書掲載時点" in table
    # The overall figures of the baseline, in the row's last four cells.
    assert '<td class="num">39</td><td class="num">29</td><td class="num">7</td>' in table
    assert '<td class="num">75</td>' in table


def test_home_without_a_confirmed_round_says_what_will_appear(reader_client, make_measure):
    make_measure("施策")
    page = reader_client.get(HOME).content.decode()
    assert "確定した進捗調査はまだありません" in page


@pytest.fixture
def confirmed_and_open(make_round, register, people):
    """A confirmed round that raises 市民課の施策 to ◎, and an open one with an approved ◎ for
    税務課の施策 (not final yet: not in the trend)."""
    confirmed = make_round(RoundState.OPEN, title="令和7年度 進捗調査")
    submit(report_of(confirmed, register.own), people.leader)
    approve(report_of(confirmed, register.own), people.policy)
    advance(confirmed, services.progress_round_close, people.policy)
    advance(confirmed, services.progress_round_confirm, people.policy)
    current = make_round(RoundState.OPEN, title="令和8年度 進捗調査")
    submit(report_of(current, register.other), people.other_leader)
    approve(report_of(current, register.other), people.policy)
    return confirmed, current


def test_trend_counts_only_approved_reports_of_confirmed_rounds(confirmed_and_open, register):
    trend = plan_trend()
    assert [p.progress_round.title for p in trend.points] == ["令和7年度 進捗調査"]
    point = trend.points[0]
    # One approved report (◎) in the first category; the other three never approved.
    assert _figures(point.categories[0]) == [1, 0, 0]
    assert _figures(point.categories[1]) == [0, 0, 0]
    assert _figures(point.overall) == [1, 0, 0]


@pytest.mark.parametrize("who", ["leader", "policy", "reader"])
def test_every_logged_in_role_sees_the_same_trend(client, confirmed_and_open, people, who):
    client.force_login(getattr(people, who))
    page = client.get(HOME).content.decode()
    section = page.split('id="trend-heading"')[1]
    assert "令和7年度 進捗調査" in section
    assert "令和8年度 進捗調査" not in section


def test_public_sees_only_confirmed_rounds_and_no_names(client, settings, confirmed_and_open):
    settings.DASHBOARD_PUBLIC_READ = True
    page = client.get(HOME).content.decode()
    section = page.split('id="trend-heading"')[1]
    assert "令和7年度 進捗調査" in section
    assert "令和8年度 進捗調査" not in section
    for name in ("盛岡 花子", "leader", "kikaku"):
        assert name not in section


def test_anonymous_without_public_reading_is_sent_to_login(client, confirmed_and_open):
    response = client.get(HOME)
    assert response.status_code == 302


def test_home_query_count_stays_the_same_with_more_rounds_and_measures(
    client, confirmed_and_open, register, people
):
    client.force_login(people.reader)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    few = count()
    category = Category.objects.order_by("order").first()
    Measure.objects.bulk_create(
        Measure(category=category, position=1000 + n, name=f"生成施策{n}", status="partial")
        for n in range(300)
    )
    second = services.progress_round_create(
        title="令和9年度 進捗調査",
        reference_date=datetime.date(2027, 3, 31),
        opens_on=datetime.date(2027, 4, 1),
        closes_on=datetime.date(2027, 4, 30),
        user=people.policy,
    )
    ProgressRound.objects.filter(pk=second.pk).update(state=RoundState.CONFIRMED)
    # Creating a round gives every measure a report; approve them all at once.
    second.reports.update(state="approved", status="implemented")
    many = count()
    assert [_figures(p.overall) for p in plan_trend().points] == [[1, 0, 0], [304, 0, 0]]
    assert many == few


def test_measures_without_a_new_answer_keep_their_earlier_status(seeded, people):
    """Baseline 39/29/7; a round approves 「IT講習の推進」 ○ → ◎ and nothing else."""
    measure = Measure.objects.get(name="IT講習の推進")
    assert measure.status == Status.PARTIAL
    progress_round = services.progress_round_create(
        title="令和7年度 進捗調査",
        reference_date=datetime.date(2026, 3, 31),
        opens_on=datetime.date(2026, 4, 1),
        closes_on=datetime.date(2026, 4, 30),
        user=people.policy,
    )
    advance(progress_round, services.progress_round_open, people.policy)
    report = report_of(progress_round, measure)
    submit(report, people.policy)
    approve(report, people.policy)
    advance(progress_round, services.progress_round_close, people.policy)
    advance(progress_round, services.progress_round_confirm, people.policy)
    trend = plan_trend()
    assert [_figures(p.overall) for p in trend.points] == [[39, 29, 7], [40, 28, 7]]
    # The trend's last point is the register's own totals after confirming.
    from measures.selectors import status_overview

    assert _figures(status_overview().overall) == [40, 28, 7]
