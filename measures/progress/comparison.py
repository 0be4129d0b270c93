"""What changed, per measure, between a round (進捗調査) and the confirmed round before it.

Only approved answers count, on both sides: they are what a confirmed round made the
measures' statuses. A measure is *improved* when its status moved towards 実施 (× → ○ → ◎),
*regressed* when it moved away, *unchanged* when it kept it, *new* when the previous round
gave it no approved answer, and *no answer* when this round has none (yet).
"""

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from governance.models import Division
from measures.models import Category, Status

from .models import ProgressReport, ProgressRound, ReportState
from .selectors import previous_confirmed_round


class ChangeKind(TextChoices):
    IMPROVED = "improved", _("改善")
    REGRESSED = "regressed", _("後退")
    UNCHANGED = "unchanged", _("変化なし")
    NEW = "new", _("新規（前回の回答なし）")
    NO_ANSWER = "no_answer", _("承認された回答なし")


# Higher is further along: 未着手 0, 一部着手 1, 実施 2 (Status lists 実施 first).
_RANK = {status.value: len(Status) - 1 - n for n, status in enumerate(Status)}


def change_kind(before: str, after: str) -> ChangeKind:
    """Return the kind of change from status ``before`` to ``after`` ("" for no answer)."""
    if not after:
        return ChangeKind.NO_ANSWER
    if not before:
        return ChangeKind.NEW
    if _RANK[after] > _RANK[before]:
        return ChangeKind.IMPROVED
    if _RANK[after] < _RANK[before]:
        return ChangeKind.REGRESSED
    return ChangeKind.UNCHANGED


@dataclass(frozen=True)
class ComparisonRow:
    report: ProgressReport  # this round's report, with its measure, category and 担当課
    before: Status | None
    before_percent: int | None
    kind: ChangeKind

    @property
    def measure(self):
        return self.report.measure

    @property
    def after(self) -> Status | None:
        if self.report.state != ReportState.APPROVED or not self.report.status:
            return None
        return Status(self.report.status)

    @property
    def after_percent(self) -> int | None:
        return self.report.progress_percent if self.after is not None else None


@dataclass(frozen=True)
class RoundComparison:
    progress_round: ProgressRound
    previous_round: ProgressRound | None
    rows: list[ComparisonRow]  # every measure of the round, in plan order

    @property
    def kind_counts(self) -> list[tuple[ChangeKind, int]]:
        counts = dict.fromkeys(ChangeKind, 0)
        for row in self.rows:
            counts[row.kind] += 1
        return list(counts.items())

    def filtered(
        self,
        *,
        category: Category | None = None,
        kind: str = "",
        division: Division | None = None,
        unassigned: bool = False,
    ) -> list[ComparisonRow]:
        """Return the rows of one category, kind of change and 担当課 (each optional)."""
        rows = self.rows
        if category is not None:
            rows = [r for r in rows if r.measure.category_id == category.pk]
        if kind:
            rows = [r for r in rows if r.kind == kind]
        if division is not None:
            rows = [r for r in rows if r.measure.responsible_division_id == division.pk]
        elif unassigned:
            rows = [r for r in rows if r.measure.responsible_division_id is None]
        return rows


def round_comparison(progress_round: ProgressRound) -> RoundComparison:
    """Return every measure of ``progress_round`` with its change since the previous
    confirmed round, in three queries whatever the number of measures."""
    previous = previous_confirmed_round(progress_round)
    before: dict[int, tuple[str, int | None]] = {}
    if previous is not None:
        before = {
            measure_id: (status, percent)
            for measure_id, status, percent in previous.reports.filter(
                state=ReportState.APPROVED
            ).values_list("measure_id", "status", "progress_percent")
        }
    reports = progress_round.reports.select_related(
        "measure__category", "measure__responsible_division__department"
    ).order_by("measure__category__order", "measure__position")
    rows = []
    for report in reports:
        status, percent = before.get(report.measure_id, ("", None))
        after = report.status if report.state == ReportState.APPROVED else ""
        rows.append(
            ComparisonRow(
                report=report,
                before=Status(status) if status else None,
                before_percent=percent,
                kind=change_kind(status, after),
            )
        )
    return RoundComparison(progress_round=progress_round, previous_round=previous, rows=rows)
