"""Plan periods as the plan prints them: 一次～四次 for a run, 一次・四次 for separate periods."""

from collections.abc import Iterable, Sequence
from typing import Protocol

from django.utils.translation import gettext as _

from .text import search_key

RANGE_MARK = "～"
SEPARATOR = "・"
_RANGE_MARKS = ("~", "〜", "-", "‐", "−", "ー")


class _Period(Protocol):
    number: int
    name: str
    short_name: str


class PeriodTextError(ValueError):
    """The text does not describe a set of known plan periods."""


def format_periods(periods: Iterable[_Period]) -> str:
    """Return the plan's notation for a set of periods: runs joined by ～, runs separated by ・."""
    ordered = sorted(periods, key=lambda p: p.number)
    runs: list[list[_Period]] = []
    for period in ordered:
        if runs and period.number == runs[-1][-1].number + 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    parts = [
        run[0].short_name
        if len(run) == 1
        else f"{run[0].short_name}{RANGE_MARK}{run[-1].short_name}"
        for run in runs
    ]
    return SEPARATOR.join(parts)


def parse_periods(text: str, known: Sequence[_Period]) -> list[_Period]:
    """Return the periods named by ``text`` (「一次～三次」, 「一次・四次」, 「第二次」).

    Raises PeriodTextError with a message for users when the text names no known period.
    """
    by_label: dict[str, _Period] = {}
    for period in known:
        by_label[search_key(period.short_name)] = period
        by_label[search_key(period.name)] = period
    ordered = sorted(known, key=lambda p: p.number)

    normalised = search_key(text)
    if not normalised:
        raise PeriodTextError(_("計画期間が空です。"))
    for mark in _RANGE_MARKS:
        normalised = normalised.replace(mark, "~")

    chosen: dict[int, _Period] = {}
    for part in normalised.replace("、", SEPARATOR).replace(",", SEPARATOR).split(SEPARATOR):
        if not part:
            raise PeriodTextError(_("計画期間「%(text)s」を読み取れません。") % {"text": text})
        ends = part.split("~")
        if len(ends) > 2 or any(end not in by_label for end in ends):
            raise PeriodTextError(
                _("計画期間「%(text)s」を読み取れません（例: 一次～四次、一次・四次、二次）。")
                % {"text": text}
            )
        first, last = by_label[ends[0]], by_label[ends[-1]]
        if first.number > last.number:
            raise PeriodTextError(_("計画期間「%(text)s」の範囲が逆順です。") % {"text": text})
        for period in ordered:
            if first.number <= period.number <= last.number:
                chosen[period.number] = period
    return [chosen[n] for n in sorted(chosen)]
