"""Reads for the 調査票: which divisions get one, the rows of each, and who answered by
workbook (the round dashboard)."""

from collections import defaultdict
from dataclasses import dataclass

from governance.models import Division

from ..models import ProgressReport, ProgressRound
from ..selectors import previous_answers
from ..services import WRITABLE_STATES


@dataclass(frozen=True)
class SurveyRowData:
    """One measure's row: its report as it stands and the previous confirmed answer."""

    report: ProgressReport
    previous: ProgressReport | None


@dataclass(frozen=True)
class DivisionSurvey:
    division: Division
    rows: list[SurveyRowData]


def survey_divisions(
    progress_round: ProgressRound, *, division_pk: int | None = None
) -> list[DivisionSurvey]:
    """Return, per division in the governance order, the reports it may still answer in the
    round (not yet approved), in the plan's order; measures without a 担当課 are left out
    (情報企画課 writes those on the dashboard). Three queries."""
    reports = (
        progress_round.reports.filter(
            state__in=WRITABLE_STATES, measure__responsible_division__isnull=False
        )
        .select_related("measure__category", "measure__responsible_division__department")
        .order_by("measure__category__order", "measure__position", "pk")
    )
    if division_pk is not None:
        reports = reports.filter(measure__responsible_division=division_pk)
    by_division: dict[int, list[ProgressReport]] = defaultdict(list)
    divisions: dict[int, Division] = {}
    for report in reports:
        division = report.measure.responsible_division
        divisions[division.pk] = division
        by_division[division.pk].append(report)
    _previous_round, answers = previous_answers(
        progress_round, None if division_pk is None else [r.measure_id for r in reports]
    )
    ordered = sorted(
        divisions.values(), key=lambda d: (d.department.order, d.department.name, d.order, d.pk)
    )
    return [
        DivisionSurvey(
            division,
            [SurveyRowData(r, answers.get(r.measure_id)) for r in by_division[division.pk]],
        )
        for division in ordered
    ]


def division_survey(progress_round: ProgressRound, division_pk: int) -> DivisionSurvey | None:
    """Return one division's rows, or None if it has nothing to answer in the round."""
    surveys = survey_divisions(progress_round, division_pk=division_pk)
    return surveys[0] if surveys else None


def survey_returns(progress_round: ProgressRound):
    """Return the workbooks imported into the round, newest first."""
    from ..models import SurveyReturn

    return list(
        SurveyReturn.objects.filter(round=progress_round)
        .select_related("division__department", "imported_by")
        .order_by("-imported_at", "-pk")
    )


@dataclass(frozen=True)
class DivisionSurveyLine:
    division: Division
    reports: int  # reports the division may still answer (the rows of its workbook)
    last_return: object = None  # its latest SurveyReturn in the round, if any


@dataclass(frozen=True)
class SurveyDashboard:
    """The 調査票 section of the round dashboard."""

    lines: list[DivisionSurveyLine]
    returns: list

    @property
    def answered_divisions(self) -> int:
        return sum(1 for line in self.lines if line.last_return is not None)


def survey_dashboard(progress_round: ProgressRound, divisions) -> SurveyDashboard:
    """Return which divisions get a 調査票 (with their number of rows) and which answered by
    workbook and when, from the round dashboard's ``divisions`` (its lines, which already
    count each division's reports by state), in one query (the returns, with their
    divisions)."""
    by_division = {
        line.division.pk: n
        for line in divisions
        if (n := sum(line.counts[state] for state in WRITABLE_STATES))
    }
    known = {line.division.pk: line.division for line in divisions}
    returns = survey_returns(progress_round)
    latest: dict[int, object] = {}
    for survey_return in returns:
        latest.setdefault(survey_return.division_id, survey_return)
        known.setdefault(survey_return.division_id, survey_return.division)
    wanted = set(by_division) | set(latest)
    lines = [
        DivisionSurveyLine(d, by_division.get(d.pk, 0), latest.get(d.pk))
        for d in sorted(
            (known[pk] for pk in wanted),
            key=lambda d: (d.department.order, d.department.name, d.order, d.pk),
        )
    ]
    return SurveyDashboard(lines=lines, returns=returns)
