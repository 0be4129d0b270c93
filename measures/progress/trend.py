"""The plan's trend: status totals after each confirmed round (進捗調査), per category and
overall.

Computed from the approved reports of confirmed rounds, never stored. After a round, each
measure counts with its latest approved answer up to that round: confirming makes approved
answers the measures' statuses and leaves the others as they were, so a measure left out of a
round, or without an approved answer in it, keeps its earlier status. The baseline round
(「計画書掲載時点」) gives the plan's own figures, so the trend starts where the plan did. Only
confirmed rounds count, so the trend is the same for staff and for the public, and it names
no one.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from measures.charts import Column, stacked_columns
from measures.models import Category, Status
from measures.totals import StatusBreakdown

from .models import ProgressReport, ProgressRound, ReportState, RoundState

# Geometry of one panel of the trend chart (SVG user units).
CHART_LEFT, CHART_TOP, CHART_HEIGHT = 34.0, 8.0, 100.0
COLUMN_WIDTH, COLUMN_GAP, CHART_RIGHT, CHART_BOTTOM = 30.0, 14.0, 8.0, 30.0


@dataclass(frozen=True)
class TrendPoint:
    """One confirmed round's totals."""

    progress_round: ProgressRound
    categories: list[StatusBreakdown]  # in the order of ``PlanTrend.categories``
    overall: StatusBreakdown

    @property
    def label(self) -> str:
        """The short label under the round's column: the plan, or the month of its 基準日."""
        if self.progress_round.is_baseline:
            return _("計画書")
        return self.progress_round.reference_date.strftime("%Y-%m")


@dataclass(frozen=True)
class TrendPanel:
    """One chart: a category (or the whole plan) across the rounds."""

    title: str
    columns: list[Column]

    @property
    def width(self) -> float:
        n = len(self.columns)
        return CHART_LEFT + n * COLUMN_WIDTH + max(n - 1, 0) * COLUMN_GAP + CHART_RIGHT

    @property
    def height(self) -> float:
        return CHART_TOP + CHART_HEIGHT + CHART_BOTTOM

    @property
    def display_width(self) -> float:
        """Width on screen in CSS pixels: the drawing, half as large again, for legible text."""
        return self.width * 1.5

    @property
    def display_height(self) -> float:
        return self.height * 1.5

    @property
    def axis(self) -> list[tuple[int, float]]:
        """Gridlines: (percent, y) at 0, 50 and 100 %."""
        return [(p, CHART_TOP + CHART_HEIGHT * (100 - p) / 100) for p in (100, 50, 0)]

    @property
    def bottom(self) -> float:
        return CHART_TOP + CHART_HEIGHT

    @property
    def label_y(self) -> float:
        return CHART_TOP + CHART_HEIGHT + 14

    @property
    def total_y(self) -> float:
        return CHART_TOP + CHART_HEIGHT + 26


@dataclass(frozen=True)
class PlanTrend:
    categories: list[Category]
    points: list[TrendPoint]

    @property
    def statuses(self) -> list[Status]:
        return list(Status)

    @property
    def panels(self) -> list[TrendPanel]:
        series = [
            (str(category), [point.categories[i] for point in self.points])
            for i, category in enumerate(self.categories)
        ]
        series.append((_("全体"), [point.overall for point in self.points]))
        return [
            TrendPanel(
                title=title,
                columns=stacked_columns(
                    (
                        (point.label, b.total, [(c.status, c.count, c.share) for c in b.counts])
                        for point, b in zip(self.points, breakdowns, strict=True)
                    ),
                    left=CHART_LEFT,
                    top=CHART_TOP,
                    height=CHART_HEIGHT,
                    width=COLUMN_WIDTH,
                    gap=COLUMN_GAP,
                ),
            )
            for title, breakdowns in series
        ]


def plan_trend() -> PlanTrend:
    """Return the totals after every confirmed round, oldest first (the baseline first), in
    three queries whatever the number of rounds and measures."""
    rounds = list(ProgressRound.objects.confirmed())
    categories = list(Category.objects.order_by("order"))
    answers: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    approved = ProgressReport.objects.filter(
        state=ReportState.APPROVED, round__state=RoundState.CONFIRMED
    ).values_list("round_id", "measure_id", "measure__category_id", "status")
    for round_id, measure_id, category_id, status in approved:
        answers[round_id].append((measure_id, category_id, status))
    # Running totals: each round's answers replace the measures' earlier ones.
    latest: dict[int, tuple[int, str]] = {}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    points = []
    for progress_round in rounds:
        for measure_id, category_id, status in answers[progress_round.pk]:
            if measure_id in latest:
                old_category, old_status = latest[measure_id]
                counts[old_category][old_status] -= 1
            latest[measure_id] = (category_id, status)
            counts[category_id][status] += 1
        per_category = [dict(counts[c.pk]) for c in categories]
        overall = {s.value: sum(totals[s.value] for totals in per_category) for s in Status}
        points.append(
            TrendPoint(
                progress_round=progress_round,
                categories=[StatusBreakdown.from_totals(t) for t in per_category],
                overall=StatusBreakdown.from_totals(overall),
            )
        )
    return PlanTrend(categories=categories, points=points)
