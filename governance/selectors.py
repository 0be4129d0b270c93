"""Reads that build the promotion structure pages, each in a fixed number of queries."""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from measures.models import Measure, Status

from .models import (
    BodyRelation,
    Department,
    Division,
    GovernanceBody,
    LeaderDuty,
    ProjectTeam,
    PromotionLeader,
)

# Diagram geometry (SVG user units).
BOX_WIDTH = 220
BOX_HEIGHT = 64
COLUMN_PITCH = 280
ROW_PITCH = 190
MARGIN = 24
PARALLEL_GAP = 52
LABEL_FONT = 13
LABEL_PADDING = 6


@dataclass(frozen=True)
class DiagramBox:
    body: GovernanceBody
    x: float
    y: float
    width: float
    height: float
    subtitle: str

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def title_y(self) -> float:
        return self.cy - 6 if self.subtitle else self.cy + 6

    @property
    def subtitle_y(self) -> float:
        return self.cy + 18


@dataclass(frozen=True)
class DiagramArrow:
    relation: BodyRelation
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float
    label_width: float

    @property
    def label_box_x(self) -> float:
        return self.label_x - self.label_width / 2

    @property
    def label_box_y(self) -> float:
        return self.label_y - LABEL_FONT / 2 - LABEL_PADDING / 2

    @property
    def label_box_height(self) -> float:
        return LABEL_FONT + LABEL_PADDING


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    boxes: list[DiagramBox]
    arrows: list[DiagramArrow]


@dataclass(frozen=True)
class Structure:
    bodies: list[GovernanceBody]
    relations: list[BodyRelation]
    leader_duties: list[LeaderDuty]
    diagram: Diagram


def _clip_to_box(x: float, y: float, dx: float, dy: float, box: DiagramBox) -> float:
    """Return how far (as a fraction of dx, dy) a ray from (x, y) inside ``box`` runs before
    leaving it."""
    limits = []
    if dx:
        edge = box.x + box.width if dx > 0 else box.x
        limits.append((edge - x) / dx)
    if dy:
        edge = box.y + box.height if dy > 0 else box.y
        limits.append((edge - y) / dy)
    return min(limits) if limits else 0.0


def _label_width(text: str) -> float:
    return len(text) * LABEL_FONT + 2 * LABEL_PADDING


def _box_subtitle(body: GovernanceBody) -> str:
    if body.division_id:
        return str(body.division)
    return f"（{body.note}）" if body.note else ""


def build_diagram(bodies: list[GovernanceBody], relations: list[BodyRelation]) -> Diagram:
    """Lay the bodies out on their grid cells and draw each relation as an arrow between the
    box edges; arrows between the same two bodies run side by side."""
    columns = max((b.diagram_column for b in bodies), default=0) + 1
    rows = max((b.diagram_row for b in bodies), default=0) + 1
    boxes = {
        b.pk: DiagramBox(
            body=b,
            x=MARGIN + b.diagram_column * COLUMN_PITCH,
            y=MARGIN + b.diagram_row * ROW_PITCH,
            width=BOX_WIDTH,
            height=BOX_HEIGHT,
            subtitle=_box_subtitle(b),
        )
        for b in bodies
    }
    pairs: dict[tuple[int, int], list[BodyRelation]] = defaultdict(list)
    for relation in relations:
        pairs[tuple(sorted((relation.source_id, relation.target_id)))].append(relation)

    arrows = []
    for (first, second), pair_relations in pairs.items():
        a, b = boxes[first], boxes[second]
        length = math.hypot(b.cx - a.cx, b.cy - a.cy) or 1.0
        # Perpendicular to the pair's own direction, so opposite arrows separate too.
        px, py = -(b.cy - a.cy) / length, (b.cx - a.cx) / length
        count = len(pair_relations)
        for index, relation in enumerate(pair_relations):
            shift = (index - (count - 1) / 2) * PARALLEL_GAP
            source, target = boxes[relation.source_id], boxes[relation.target_id]
            sx, sy = source.cx + px * shift, source.cy + py * shift
            tx, ty = target.cx + px * shift, target.cy + py * shift
            dx, dy = tx - sx, ty - sy
            start = _clip_to_box(sx, sy, dx, dy, source)
            end = 1 - _clip_to_box(tx, ty, -dx, -dy, target)
            x1, y1 = sx + dx * start, sy + dy * start
            x2, y2 = sx + dx * end, sy + dy * end
            arrows.append(
                DiagramArrow(
                    relation=relation,
                    x1=round(x1, 1),
                    y1=round(y1, 1),
                    x2=round(x2, 1),
                    y2=round(y2, 1),
                    label_x=round((x1 + x2) / 2, 1),
                    label_y=round((y1 + y2) / 2, 1),
                    label_width=_label_width(relation.label),
                )
            )
    arrows.sort(key=lambda arrow: (arrow.relation.order, arrow.relation.pk))
    return Diagram(
        width=2 * MARGIN + (columns - 1) * COLUMN_PITCH + BOX_WIDTH,
        height=2 * MARGIN + (rows - 1) * ROW_PITCH + BOX_HEIGHT,
        boxes=list(boxes.values()),
        arrows=arrows,
    )


def governance_structure() -> Structure:
    """Return the bodies with their roles, the relations and the diagram, in four queries."""
    bodies = list(
        GovernanceBody.objects.select_related("division__department").prefetch_related("roles")
    )
    relations = list(BodyRelation.objects.select_related("source", "target"))
    return Structure(
        bodies=bodies,
        relations=relations,
        leader_duties=list(LeaderDuty.objects.all()),
        diagram=build_diagram(bodies, relations),
    )


@dataclass(frozen=True)
class StatusTotal:
    status: Status
    count: int


def _status_totals(measures) -> list[StatusTotal]:
    totals = measures.status_totals()
    return [StatusTotal(status, totals[status.value]) for status in Status]


@dataclass(frozen=True)
class DivisionDetail:
    division: Division
    current_leaders: list[PromotionLeader]
    past_leaders: list[PromotionLeader]
    future_leaders: list[PromotionLeader]
    responsible_measures: list[Measure]
    responsible_totals: list[StatusTotal]
    cooperating_measures: list[Measure]
    cooperating_totals: list[StatusTotal]
    project_teams: list[ProjectTeam]
    governance_bodies: list[GovernanceBody] = field(default_factory=list)

    @property
    def responsible_count(self) -> int:
        return sum(total.count for total in self.responsible_totals)

    @property
    def cooperating_count(self) -> int:
        return sum(total.count for total in self.cooperating_totals)


def _today() -> datetime.date:
    return timezone.localdate()


def division_detail(division: Division, *, today: datetime.date | None = None) -> DivisionDetail:
    """Return a division's head, leaders (current, past, future), measures and computed status
    totals, and project teams; the number of queries does not grow with the data."""
    today = today or _today()
    leaders = list(division.leaders.order_by("-start_date", "-pk"))
    responsible = Measure.objects.filter(responsible_division=division)
    cooperating = Measure.objects.filter(cooperating_divisions=division)
    return DivisionDetail(
        division=division,
        current_leaders=[leader for leader in leaders if leader.is_current_on(today)],
        past_leaders=[leader for leader in leaders if leader.end_date and leader.end_date < today],
        future_leaders=[leader for leader in leaders if leader.start_date > today],
        responsible_measures=list(responsible.with_display_data()),
        responsible_totals=_status_totals(responsible),
        cooperating_measures=list(cooperating.with_display_data()),
        cooperating_totals=_status_totals(cooperating),
        project_teams=list(division.project_teams.order_by("-formed_on", "name")),
        governance_bodies=list(division.governance_bodies.all()),
    )


def _current_leaders_prefetch(today: datetime.date) -> Prefetch:
    return Prefetch(
        "leaders",
        queryset=PromotionLeader.objects.current(today).order_by("start_date", "pk"),
        to_attr="current_leaders",
    )


def division_list(*, today: datetime.date | None = None) -> list[Department]:
    """Return the departments with their divisions, each with its current leaders and counts
    of responsible and cooperating measures, in three queries."""
    today = today or _today()
    divisions = (
        Division.objects.annotate(
            responsible_count=Count("responsible_measures", distinct=True),
            cooperating_count=Count("cooperating_measures", distinct=True),
        )
        .prefetch_related(_current_leaders_prefetch(today))
        .order_by("order", "name")
    )
    return list(
        Department.objects.prefetch_related(Prefetch("divisions", queryset=divisions)).order_by(
            "order", "name"
        )
    )


def team_list(*, today: datetime.date | None = None) -> tuple[list, list]:
    """Return (active teams, dissolved teams), each with member divisions and measure count."""
    today = today or _today()
    teams = list(
        ProjectTeam.objects.annotate(measure_count=Count("measures", distinct=True))
        .prefetch_related(
            Prefetch("divisions", queryset=Division.objects.select_related("department"))
        )
        .order_by("-formed_on", "name")
    )
    active = [team for team in teams if team.is_active_on(today)]
    return active, [team for team in teams if not team.is_active_on(today)]


@dataclass(frozen=True)
class TeamDetail:
    team: ProjectTeam
    divisions: list[Division]
    members: list
    measures: list[Measure]
    totals: list[StatusTotal]


def team_detail(team: ProjectTeam) -> TeamDetail:
    measures = Measure.objects.filter(project_teams=team)
    return TeamDetail(
        team=team,
        divisions=list(team.divisions.select_related("department")),
        members=list(team.members.select_related("division__department")),
        measures=list(measures.with_display_data().select_related("responsible_division")),
        totals=_status_totals(measures),
    )


@dataclass(frozen=True)
class MeasureResponsibility:
    division: Division | None
    current_leaders: list[PromotionLeader]
    cooperating_divisions: list[Division]
    project_teams: list[ProjectTeam]

    @property
    def is_empty(self) -> bool:
        return not (self.division or self.cooperating_divisions or self.project_teams)


def measure_responsibility(
    measure: Measure, *, today: datetime.date | None = None
) -> MeasureResponsibility:
    """Return who is responsible for a measure: its division with current leaders, the
    cooperating divisions and the project teams handling it, in at most four queries."""
    today = today or _today()
    division = None
    leaders: list[PromotionLeader] = []
    if measure.responsible_division_id:
        division = (
            Division.objects.select_related("department")
            .prefetch_related(_current_leaders_prefetch(today))
            .get(pk=measure.responsible_division_id)
        )
        leaders = division.current_leaders
    return MeasureResponsibility(
        division=division,
        current_leaders=leaders,
        cooperating_divisions=list(
            Division.objects.filter(cooperating_measures=measure).select_related("department")
        ),
        project_teams=list(ProjectTeam.objects.filter(measures=measure).order_by("-formed_on")),
    )
