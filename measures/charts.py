"""Geometry of the charts drawn as server-side SVG: drawing is not reading."""

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Status


@dataclass(frozen=True)
class BarSegment:
    """One coloured part of a stacked bar, in percent of its width (SVG user units)."""

    status: Status
    x: float
    width: float

    @property
    def fill(self) -> str:
        return f"#{self.status.colour}"


def stacked_bar(shares: Iterable[tuple[Status, int, float]]) -> list[BarSegment]:
    """Return the segments of a bar 100 units wide for (status, count, percent share) triples;
    statuses with no count get no segment."""
    segments, x = [], 0.0
    for status, count, share in shares:
        if count:
            segments.append(BarSegment(status, round(x, 3), round(share, 3)))
            x += share
    return segments


@dataclass(frozen=True)
class ColumnSegment:
    """One coloured part of a stacked column (SVG user units, y grows downwards)."""

    status: Status
    count: int
    y: float
    height: float

    @property
    def fill(self) -> str:
        return f"#{self.status.colour}"


@dataclass(frozen=True)
class Column:
    """One stacked column of a trend chart: a point in time and its statuses' shares."""

    label: str
    x: float
    width: float
    total: int
    segments: list[ColumnSegment]

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 3)


def stacked_columns(
    points: Iterable[tuple[str, int, Iterable[tuple[Status, int, float]]]],
    *,
    left: float,
    top: float,
    height: float,
    width: float,
    gap: float,
) -> list[Column]:
    """Return 100 %-stacked columns for (label, total, shares) points, left to right: the first
    status at the top of each column, as the plan lists them; an empty point gets no segment."""
    columns, x = [], left
    for label, total, shares in points:
        segments, y = [], top
        for status, count, share in shares:
            if count:
                part = height * share / 100
                segments.append(ColumnSegment(status, count, round(y, 3), round(part, 3)))
                y += part
        columns.append(Column(label, round(x, 3), width, total, segments))
        x += width + gap
    return columns
