"""``ETag`` and ``Last-Modified`` for every API answer, so clients can poll cheaply.

The ETag is a hash of the body, so it changes exactly when what this reader sees changes (a
staff reader and the public get different bodies, and different tags). Last-Modified is the
last change to anything the API shows, read from the histories every record keeps, in one
query.
"""

import hashlib
from datetime import datetime

from django.db.models import Subquery
from django.utils import timezone

from governance.models import (
    BodyRelation,
    BodyRole,
    Department,
    Division,
    GovernanceBody,
    ProjectTeam,
)
from measures.models import Category, Measure, Plan, PlanPeriod, Relisting
from measures.progress.models import ProgressReport, ProgressRound

_HISTORIED = [
    Plan,
    PlanPeriod,
    Category,
    Measure,
    Relisting,
    ProgressRound,
    ProgressReport,
    Department,
    Division,
    GovernanceBody,
    BodyRole,
    BodyRelation,
    ProjectTeam,
]


def body_etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def data_last_modified() -> datetime | None:
    """Return when anything the API shows last changed (history dates), in one query."""
    latest = {
        f"m{i}": Subquery(
            model.history.model.objects.order_by("-history_date").values("history_date")[:1]
        )
        for i, model in enumerate(_HISTORIED)
    }
    # Any one-row table carries the subqueries; the plan always exists once seeded.
    row = Plan.objects.annotate(**latest).values(*latest).order_by().first()
    dates = [value for value in (row or {}).values() if value is not None]
    return max(dates) if dates else None


def last_modified_or_now() -> datetime:
    return data_last_modified() or timezone.now()
