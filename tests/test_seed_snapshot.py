"""The suite's copied seed must be the seed: same tables, same rows, same references."""

import datetime

from django.db import transaction
from django.utils import timezone

from governance.services import register_governance_seed
from measures.models import Measure
from measures.progress.models import ProgressRound
from measures.services import register_seed
from tests.seed_snapshot import SeedSnapshot


def _contents(snapshot: SeedSnapshot) -> dict[str, list[dict]]:
    """Every noted table as it now reads in the database, times left out."""
    contents = {}
    for table in snapshot.tables:
        fields = list(table.rows[0])
        contents[table.model._meta.label] = [
            {k: v for k, v in row.items() if not isinstance(v, datetime.datetime)}
            for row in table.model._base_manager.order_by("pk").values(*fields)
        ]
    return contents


def _both_seeds() -> bool:
    return register_seed() and register_governance_seed()


def test_a_copied_seed_reads_as_the_loaded_one(db):
    with transaction.atomic():
        snapshot, loaded = SeedSnapshot.take(_both_seeds)
        as_loaded = _contents(snapshot)
        transaction.set_rollback(True)
    assert loaded
    assert not Measure.objects.exists()

    snapshot.replay()

    assert _contents(snapshot) == as_loaded
    assert Measure.objects.count() == 75
    assert {"measures.Measure", "measures.HistoricalMeasure", "measures.Relisting"} <= set(
        as_loaded
    )


def _aged(snapshot: SeedSnapshot, days: int) -> None:
    """Make the snapshot look taken ``days`` ago (as a long test run would see it)."""
    age = datetime.timedelta(days=days)
    seeded_day = timezone.localdate(snapshot.taken_at)
    snapshot.taken_at -= age
    for table in snapshot.tables:
        for row in table.rows:
            for key, value in row.items():
                is_time = isinstance(value, datetime.datetime)
                if is_time or (isinstance(value, datetime.date) and value == seeded_day):
                    row[key] = value - age


def test_a_copied_seed_is_dated_when_it_is_copied(db):
    with transaction.atomic():
        snapshot, _ = SeedSnapshot.take(register_seed)
        transaction.set_rollback(True)
    _aged(snapshot, days=3)
    baseline_row = next(t for t in snapshot.tables if t.model is ProgressRound).rows[0]
    assert baseline_row["reference_date"] < timezone.localdate()

    before = timezone.now()
    snapshot.replay()

    baseline = ProgressRound.objects.get(is_baseline=True)
    assert baseline.reference_date == timezone.localdate()
    assert before - datetime.timedelta(minutes=1) <= baseline.confirmed_at <= timezone.now()
    first = Measure.history.earliest("history_date").history_date
    assert before - datetime.timedelta(minutes=1) <= first <= timezone.now()
