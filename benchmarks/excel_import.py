"""Benchmark (not a test): preview and apply an import of many rows, in bulk and row by row.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/excel_import.py [--rows 6000]

Runs on the configured database engine, in a throw-away test database (Django's test database
name, e.g. ``test_dashboard``; the configured database itself is never touched). Two cases:

- new: a workbook of ``--rows`` rows without keys, spread over the three category sheets (all
  become new measures);
- changed: the register holds ``--rows`` measures; the downloaded workbook has every row's
  mark and periods edited (every measure changes).

For each case it prints wall-clock seconds (best of ``--repeat``) for the preview
(``read_plan``: parse and match), the bulk apply (``apply_plan``), and the row-by-row apply
the import used before (each measure saved, its periods set, its history written one by one),
and the speed-up. Applies run inside a transaction that is rolled back, so every run starts
from the same register. The confirm request costs preview + apply.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "morioka_ict.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from measures.exports.summary import (  # noqa: E402
    SummaryRow,
    SummarySheet,
    summary_sheets,
    write_summary_sheets,
)
from measures.imports.apply import apply_plan, import_reason  # noqa: E402
from measures.imports.summary import read_plan  # noqa: E402
from measures.models import (  # noqa: E402
    MEASURE_HISTORY,
    Category,
    Measure,
    Plan,
    PlanPeriod,
    Status,
)
from measures.periods import format_periods  # noqa: E402

TODAY = date(2026, 11, 27)
CODES = [("e-citizen", "ア"), ("e-business", "イ"), ("e-city", "ウ")]
PERIOD_SETS = [(1,), (1, 2), (2, 3, 4), (4,), (1, 4)]


def _register() -> tuple[list[PlanPeriod], list[Category]]:
    plan = Plan.objects.create(name="盛岡市情報化基本計画")
    periods = [
        PlanPeriod.objects.create(plan=plan, number=n, name=f"第{k}次", short_name=f"{k}次")
        for n, k in enumerate("一二三四", 1)
    ]
    categories = [
        Category.objects.create(
            plan=plan, code=code, label=label, name=f"{code}づくり", short_name=code, order=n
        )
        for n, (code, label) in enumerate(CODES, 1)
    ]
    return periods, categories


def _fill(rows: int, periods: list[PlanPeriod], categories: list[Category], user) -> None:
    """Add ``rows`` measures with their first history entry (as an import would)."""
    statuses = list(Status)
    measures = [
        Measure(
            category=categories[i % 3],
            position=i // 3 + 1,
            name=f"施策その{i + 1}：情報システムの構築と運用の推進",
            search_text=f"施策その{i + 1}",
            status=statuses[i % 3],
        )
        for i in range(rows)
    ]
    measures = bulk_create_with_history(
        measures, Measure, batch_size=1000, default_user=user, default_change_reason="準備"
    )
    through = Measure.periods.through
    through.objects.bulk_create(
        [
            through(measure_id=m.pk, planperiod_id=periods[n - 1].pk)
            for i, m in enumerate(measures)
            for n in PERIOD_SETS[i % len(PERIOD_SETS)]
        ],
        batch_size=1000,
    )


def _workbook(sheets: list[SummarySheet]) -> bytes:
    stream = io.BytesIO()
    write_summary_sheets(stream, sheets, today=TODAY, title="施策一覧")
    return stream.getvalue()


def new_rows_workbook(rows: int, periods: list[PlanPeriod]) -> bytes:
    """Rows without keys: every one a new measure."""
    statuses = list(Status)
    by_number = {p.number: p for p in periods}
    sheets = []
    for n, (code, label) in enumerate(CODES):
        count = rows // 3 + (1 if n < rows % 3 else 0)
        sheets.append(
            SummarySheet(
                code,
                f"{label} {code}づくり",
                code,
                [
                    SummaryRow(
                        name=f"{code}の新しい施策その{i + 1}：情報システムの構築と運用の推進",
                        status=statuses[i % 3],
                        periods=format_periods(
                            by_number[k] for k in PERIOD_SETS[i % len(PERIOD_SETS)]
                        ),
                    )
                    for i in range(count)
                ],
            )
        )
    return _workbook(sheets)


def every_row_edited_workbook(periods: list[PlanPeriod]) -> bytes:
    """The register's summary with every measure's mark and periods changed."""
    statuses = list(Status)
    by_number = {p.number: p for p in periods}
    sheets = []
    for sheet in summary_sheets():
        rows = []
        for i, row in enumerate(sheet.rows):
            rows.append(
                SummaryRow(
                    name=row.name,
                    status=statuses[(statuses.index(row.status) + 1) % 3],
                    periods=format_periods(
                        by_number[k] for k in PERIOD_SETS[(i + 2) % len(PERIOD_SETS)]
                    ),
                    key=row.key,
                )
            )
        sheets.append(SummarySheet(sheet.code, sheet.heading, sheet.short_name, rows))
    return _workbook(sheets)


def apply_row_by_row(plan, *, user) -> int:
    """The import's apply step before bulk writes, kept here as the baseline."""
    reason = import_reason(plan.filename)
    periods = {p.number: p for p in PlanPeriod.objects.all()}
    written = 0
    with transaction.atomic():
        locked = {
            m.pk: m
            for m in Measure.objects.select_for_update().filter(
                pk__in=[c.measure_pk for c in plan.changes]
            )
        }
        for change in plan.changes:
            measure = locked[change.measure_pk]
            measure.status = change.new_status
            if change.periods_changed:
                measure.skip_history_when_saving = True
                try:
                    measure.periods.set([periods[n] for n in change.new_periods])
                finally:
                    del measure.skip_history_when_saving
            measure._history_user = user
            measure._change_reason = reason
            measure.save()
            written += 1
        categories = {c.code: c for c in Category.objects.all()}
        for new in plan.new_measures:
            measure = Measure(
                category=categories[new.category],
                position=new.position,
                name=new.name,
                status=new.status,
            )
            measure.skip_history_when_saving = True
            try:
                measure.save()
                measure.periods.set([periods[n] for n in new.periods])
            finally:
                del measure.skip_history_when_saving
            measure._history_user = user
            measure._change_reason = reason
            MEASURE_HISTORY.create_historical_record(measure, "+")
            written += 1
    return written


def _best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _rolled_back(function):
    def run():
        with transaction.atomic():
            function()
            transaction.set_rollback(True)

    return run


def measure_case(title: str, content: bytes, user, repeat: int, baseline: bool = True) -> None:
    plan = read_plan(content, filename="benchmark.xlsx")
    assert not plan.errors, plan.errors[:5]
    rows = len(plan.changes) + len(plan.new_measures)
    preview = _best(lambda: read_plan(content, filename="benchmark.xlsx"), repeat)
    bulk = _best(_rolled_back(lambda: apply_plan(plan, user=user)), repeat)
    print(f"{title}: {rows:,} measures written, workbook {len(content) / 2**20:.1f} MB")
    print(f"  preview (read_plan):          {preview:7.2f} s")
    print(f"  apply in bulk:                {bulk:7.2f} s   confirm = {preview + bulk:.2f} s")
    if not baseline:
        return
    one_by_one = _best(_rolled_back(lambda: apply_row_by_row(plan, user=user)), repeat)
    print(
        f"  apply row by row (before):    {one_by_one:7.2f} s   confirm = "
        f"{preview + one_by_one:.2f} s"
    )
    print(f"  speed-up of the apply step:   {one_by_one / bulk:7.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the (slow) row-by-row apply"
    )
    args = parser.parse_args()

    temp = tempfile.TemporaryDirectory()
    if connection.vendor == "sqlite":
        # A file, as in production use, rather than the test runner's in-memory database.
        connection.settings_dict["TEST"]["NAME"] = f"{temp.name}/bench.sqlite3"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(
            f"database: {connection.vendor} ({connection.settings_dict['NAME']}), "
            f"best of {args.repeat} runs, wall-clock seconds"
        )
        user = get_user_model().objects.create_user("benchmark")
        periods, categories = _register()
        baseline = not args.no_baseline
        content = new_rows_workbook(args.rows, periods)
        measure_case("new", content, user, args.repeat, baseline)
        _fill(args.rows, periods, categories, user)
        measure_case("changed", every_row_edited_workbook(periods), user, args.repeat, baseline)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        temp.cleanup()


if __name__ == "__main__":
    main()
