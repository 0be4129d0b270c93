"""Writes to the promotion structure: the plan's seed, the sample data set."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from measures.models import Measure
from measures.services import load_with_initial_history

from .models import (
    BodyRelation,
    BodyRole,
    Department,
    Division,
    GovernanceBody,
    LeaderDuty,
    ProjectTeam,
    ProjectTeamMember,
    PromotionLeader,
    history_recorder,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_FIXTURE = FIXTURES / "governance.json"
SAMPLE_FIXTURE = FIXTURES / "governance_sample.json"
SAMPLE_MEASURES = FIXTURES / "governance_sample_measures.json"
SEED_CHANGE_REASON = "計画書（第５章 推進体制）からの初期登録"
SAMPLE_CHANGE_REASON = "サンプルデータ（試用のための架空のデータ）"
SAMPLE_MARK = "（サンプル）"

_SEED_MODELS = [Department, Division, GovernanceBody, BodyRole, BodyRelation, LeaderDuty]
_SAMPLE_MODELS = [*_SEED_MODELS, PromotionLeader, ProjectTeam, ProjectTeamMember]


def _load_with_initial_history(fixture: Path, reason: str) -> None:
    load_with_initial_history(
        fixture, {model: history_recorder(model) for model in _SAMPLE_MODELS}, reason
    )


@transaction.atomic
def register_governance_seed(*, fixture: Path = SEED_FIXTURE) -> bool:
    """Load the plan's promotion structure into empty tables; return False if it has data.

    Never overwrites: 情報企画課 keeps the structure current in admin, and re-running the set-up
    must keep those edits.
    """
    if GovernanceBody.objects.exists() or Department.objects.exists():
        return False
    _load_with_initial_history(fixture, SEED_CHANGE_REASON)
    return True


def _sample_assignments() -> list[dict]:
    return json.loads(SAMPLE_MEASURES.read_text(encoding="utf-8"))["assignments"]


class SampleError(Exception):
    """The sample data cannot be loaded (the message says why, in Japanese)."""


@transaction.atomic
def load_governance_sample(*, user=None) -> bool:
    """Load the clearly labelled （サンプル） data set for trying the pages; False if loaded.

    The plan names no divisions but 情報企画課 and no people, so everything here is invented
    and marked （サンプル）. Measures get a sample 担当課 only where none is set, so real
    assignments are never overwritten.
    """
    from measures.services import register_seed

    register_seed()
    register_governance_seed()
    if Department.objects.filter(name__startswith=SAMPLE_MARK).exists():
        return False
    _load_with_initial_history(SAMPLE_FIXTURE, SAMPLE_CHANGE_REASON)
    for row in _sample_assignments():
        try:
            measure = Measure.objects.get_by_natural_key(*row["measure"])
        except Measure.DoesNotExist as missing:
            raise SampleError(
                _("サンプルが指す施策 %(key)s がありません。") % {"key": row["measure"]}
            ) from missing
        if measure.responsible_division_id is not None:
            continue
        measure.responsible_division = Division.objects.get_by_natural_key(*row["responsible"])
        measure._change_reason = SAMPLE_CHANGE_REASON
        if user is not None:
            measure._history_user = user
        measure.save()
        cooperating = [Division.objects.get_by_natural_key(*key) for key in row["cooperating"]]
        if cooperating:
            measure.cooperating_divisions.add(*cooperating)
    return True


@transaction.atomic
def remove_governance_sample(*, user=None) -> int:
    """Remove everything the sample set added (names marked （サンプル）); return rows removed.

    Measures keep their records: a sample 担当課 is cleared and sample 協力課 are taken off, each
    change entering the history. The sample also lists 情報企画課 on a few measures; those
    assignments are undone too while they still match the sample list.
    """
    divisions = Division.objects.filter(
        Q(name__startswith=SAMPLE_MARK) | Q(department__name__startswith=SAMPLE_MARK)
    )
    removed = 0
    reason = _("サンプルデータの削除")
    listed = {}
    for row in _sample_assignments():
        listed[tuple(row["measure"])] = (tuple(row["responsible"]), row["cooperating"])
    for measure in Measure.objects.select_related("category", "responsible_division__department"):
        responsible, cooperating = listed.get(measure.natural_key(), (None, []))
        division = measure.responsible_division
        if division and (division in divisions or division.natural_key() == responsible):
            measure.responsible_division = None
            measure._change_reason = reason
            if user is not None:
                measure._history_user = user
            measure.save()
        taken_off = [
            d
            for d in measure.cooperating_divisions.all()
            if d in divisions or list(d.natural_key()) in cooperating
        ]
        if taken_off:
            measure._change_reason = reason
            measure.cooperating_divisions.remove(*taken_off)
    leaders = PromotionLeader.objects.filter(
        Q(division__in=divisions) | Q(person_name__startswith=SAMPLE_MARK)
    )
    for rows in (
        ProjectTeam.objects.filter(name__startswith=SAMPLE_MARK),
        ProjectTeamMember.objects.filter(person_name__startswith=SAMPLE_MARK),
        leaders,
        divisions,
        Department.objects.filter(name__startswith=SAMPLE_MARK),
    ):
        for obj in rows:
            obj._change_reason = _("サンプルデータの削除")
            if user is not None:
                obj._history_user = user
            obj.delete()
            removed += 1
    return removed
