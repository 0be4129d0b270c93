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
