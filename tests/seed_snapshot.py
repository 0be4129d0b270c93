"""Load a seed once per test process, then copy its rows into each later test.

`register_seed()` runs loaddata and writes a history row per measure: about 1,200 queries, a
second or more per test on PostgreSQL, paid by several hundred tests. The first test of a
worker runs the real loader and notes every row it wrote; later tests insert the same rows
with one bulk INSERT per table. Primary keys are kept, so references between the rows hold;
times are shifted to the moment of the copy, so the data looks freshly seeded (history dated
now, the baseline round's dates today).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone


@dataclass
class _Table:
    model: type[models.Model]
    rows: list[dict]


@dataclass
class SeedSnapshot:
    tables: list[_Table]
    taken_at: datetime.datetime

    @classmethod
    def take(cls, loader: Callable[[], object]) -> tuple["SeedSnapshot", object]:
        """Run ``loader`` and note the rows it wrote, table by table."""
        all_models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
        before = {m: set(m._base_manager.values_list("pk", flat=True)) for m in all_models}
        result = loader()
        taken_at = timezone.now()  # after the load, so that copied times never lie ahead
        tables = []
        for model in all_models:
            fields = [f.attname for f in model._meta.concrete_fields]
            rows = [
                row
                for row in model._base_manager.order_by("pk").values(*fields)
                if row[model._meta.pk.attname] not in before[model]
            ]
            if rows:
                tables.append(_Table(model, rows))
        return cls(tables, taken_at), result

    def replay(self) -> None:
        """Insert the noted rows again, in one transaction: foreign keys are checked at its
        commit on both engines, so the tables' order does not matter (tests on a live server
        run without the usual per-test transaction)."""
        now = timezone.now()
        shift = now - self.taken_at
        seeded_day, today = timezone.localdate(self.taken_at), timezone.localdate(now)
        with transaction.atomic():
            for table in self.tables:
                moved = [self._moved(row, shift, seeded_day, today) for row in table.rows]
                table.model._base_manager.bulk_create([table.model(**row) for row in moved])

    @staticmethod
    def _moved(row: dict, shift, seeded_day, today) -> dict:
        moved = {}
        for key, value in row.items():
            if isinstance(value, datetime.datetime):
                value = value + shift
            elif isinstance(value, datetime.date) and value == seeded_day:
                value = today
            moved[key] = value
        return moved

    def row_count(self) -> int:
        return sum(len(t.rows) for t in self.tables)
