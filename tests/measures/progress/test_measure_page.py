"""「進捗の記録」 on the measure page: approved reports of confirmed rounds, newest first, with
進捗率 as a bar, 最終報告日, and a flag when the measure missed the latest confirmed round."""

import re

import pytest

from measures.models import Status
from measures.progress import services
from measures.progress.models import RoundState
from measures.progress.selectors import measure_progress
from measures.progress.services import ReportContent

from .builders import advance, approve, days, report_of, submit

pytestmark = pytest.mark.django_db


def _run_round(make_round, people, title, reference_date, answers):
    """A confirmed round with ``answers`` {(measure, user): content} approved."""
    progress_round = make_round(RoundState.OPEN, title=title, reference_date=reference_date)
    for (measure, user), content in answers.items():
        submit(report_of(progress_round, measure), user, content)
        approve(report_of(progress_round, measure), people.policy)
    advance(progress_round, services.progress_round_close, people.policy)
    advance(progress_round, services.progress_round_confirm, people.policy)
    return progress_round


@pytest.fixture
def two_rounds(make_round, register, people):
    _run_round(
        make_round,
        people,
        "令和6年度 進捗調査",
        days(-400),
        {
            (register.own, people.leader): ReportContent(
                status=Status.PARTIAL, progress_percent=40, activities="設計を終えた", issues="予算"
            ),
            (register.other, people.other_leader): ReportContent(
                status=Status.PARTIAL, activities="税務の取組"
            ),
        },
    )
    _run_round(
        make_round,
        people,
        "令和7年度 進捗調査",
        days(-30),
        {
            (register.own, people.leader): ReportContent(
                status=Status.IMPLEMENTED,
                progress_percent=100,
                activities="稼働した",
                next_steps="利用を広げる",
            )
        },
    )


def test_timeline_shows_approved_reports_of_confirmed_rounds_newest_first(
    reader_client, two_rounds, register
):
    page = reader_client.get(register.own.get_absolute_url()).content.decode()
    section = page.split('id="measure-progress-heading"')[1].split("</section>")[0]
    assert section.index("令和7年度 進捗調査") < section.index("令和6年度 進捗調査")
    assert "稼働した" in section and "利用を広げる" in section
    assert "設計を終えた" in section and "予算" in section
    assert days(-30).isoformat() in section and days(-400).isoformat() in section
    # 進捗率 as a bar (an SVG attribute, no inline style) with its number.
    assert re.search(
        r'<rect class="percent-fill" x="0" y="0" width="100" height="8"/></svg>100%', section
    )
    assert 'width="40"' in section and "40%" in section
    assert "style=" not in section
    assert "最終報告日" in section
    assert "直近の確定した進捗調査" not in section
    # The measure's mark follows the latest confirmed round.
    assert '<span class="mark status-implemented">◎</span> 実施' in page


def test_a_measure_that_missed_the_latest_confirmed_round_is_flagged(
    reader_client, two_rounds, register
):
    page = reader_client.get(register.other.get_absolute_url()).content.decode()
    assert (
        "直近の確定した進捗調査「令和7年度 進捗調査」に、この施策の承認された報告がありません。"
        in page
    )
    assert "税務の取組" in page


def test_open_rounds_and_unapproved_reports_stay_off_the_timeline(
    reader_client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    submit(
        report_of(progress_round, register.own),
        people.leader,
        ReportContent(status=Status.IMPLEMENTED, activities="途中の報告"),
    )
    approve(report_of(progress_round, register.own), people.policy)
    page = reader_client.get(register.own.get_absolute_url()).content.decode()
    assert "途中の報告" not in page
    assert "確定した進捗調査で承認された報告はまだありません。" in page
    assert "まだ報告はありません" in page


def test_public_readers_see_the_timeline_without_names(client, settings, two_rounds, register):
    settings.DASHBOARD_PUBLIC_READ = True
    page = client.get(register.own.get_absolute_url()).content.decode()
    assert "稼働した" in page
    assert "報告者" not in page and "leader" not in page


def test_staff_see_who_reported(reader_client, two_rounds, register):
    page = reader_client.get(register.own.get_absolute_url()).content.decode()
    assert "報告者" in page and "leader" in page


def test_last_report_date_is_the_latest_submission(two_rounds, register, reader):
    from django.utils import timezone

    progress = measure_progress(register.own, reader)
    submitted = [e.report.submitted_at for e in progress.entries]
    assert progress.last_report_date == timezone.localdate(max(submitted))


def test_baseline_shows_as_the_plan_itself(reader_client, seeded):
    from measures.models import Measure

    measure = Measure.objects.get(name="IT講習の推進")
    page = reader_client.get(measure.get_absolute_url()).content.decode()
    section = page.split('id="measure-progress-heading"')[1].split("</section>")[0]
    assert "計画書掲載時点" in section and "計画書の施策一覧" in section
    assert "まだ報告はありません" in section


def test_timeline_reads_in_two_queries(two_rounds, register, reader, django_assert_num_queries):
    from measures.progress.permissions import progress_read_scope

    progress_read_scope(reader)  # permissions are looked up once per request and kept
    with django_assert_num_queries(2):
        progress = measure_progress(register.own, reader)
        assert len(progress.entries) == 2
