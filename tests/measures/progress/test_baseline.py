"""The plan itself is the first data point of the progress trend."""

from measures.models import Measure, ProgressReport, ProgressRound, Status
from measures.progress.models import BASELINE_TITLE, ReportState, RoundState
from measures.progress.services import progress_record_baseline
from measures.selectors import status_overview


def test_seed_records_the_plan_as_a_confirmed_baseline_round(seeded):
    baseline = ProgressRound.objects.get()
    assert (baseline.title, baseline.state, baseline.is_baseline) == (
        BASELINE_TITLE,
        RoundState.CONFIRMED,
        True,
    )
    reports = baseline.reports.all()
    assert reports.count() == Measure.objects.count() == 75
    assert {r.state for r in reports} == {ReportState.APPROVED}
    assert all(r.status == r.measure.status for r in reports.select_related("measure"))
    assert not any(r.activities or r.issues or r.next_steps for r in reports)
    assert ProgressReport.history.count() == 75


def test_baseline_counts_match_the_plan_and_change_no_total(seeded):
    overall = status_overview().overall
    assert [overall.count_of(s) for s in Status] == [39, 29, 7]
    reports = ProgressReport.objects.filter(round__is_baseline=True)
    assert [reports.filter(status=s).count() for s in Status] == [39, 29, 7]


def test_baseline_is_recorded_once(seeded):
    assert progress_record_baseline() is None
    assert ProgressRound.objects.count() == 1
