"""Benchmark (not a test): what every page and download costs as the register grows.

    make bench                                   # 10,000 and 96,000 measures
    .venv/bin/python benchmarks/pages.py --sizes 10000 --repeat 3

Builds throw-away registers on the configured database (a test database next to it, created
and dropped here, so real data is never touched): the plan's seed, padded to each size with
measures spread over the three categories (with re-listings and a history entry each, as the
seed has). For every size it prints, from the same run, each page's median time and query
count next to the admin measure changelist, and each download's median time and peak memory
next to the plain way of producing the same cells (``values_list().iterator()`` into
``csv.writer`` or an openpyxl write-only workbook). The bars (issue 12): pages at most 0.5×
the admin changelist with the same query count at every size; downloads at most 2× the plain
writer, peak memory growing at most 10 % from the smallest padded size to the largest.
"""

import argparse
import csv
import gc
import io
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "morioka_ict.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import (  # noqa: E402
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import TruncDate  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from measures.models import Category, Measure, PlanPeriod, Relisting, Status  # noqa: E402
from measures.services import register_seed  # noqa: E402
from measures.text import search_key  # noqa: E402

# Positions are small integers (at most 32,767 on PostgreSQL): padded rows start after the
# seed's and each category holds at most a third of the measures plus its re-listings.
FIRST_PADDED_POSITION = 100
RELISTING_EVERY = 100
BATCH = 2_000
NAME = "{code}の施策その{n}：情報システムの構築と運用の推進"


@dataclass
class Figure:
    seconds: float
    queries: int | None = None
    peak_bytes: int | None = None


@dataclass
class Results:
    sizes: list[int] = field(default_factory=list)
    pages: dict[str, dict[int, Figure]] = field(default_factory=dict)
    downloads: dict[str, dict[int, Figure]] = field(default_factory=dict)
    raw: dict[str, dict[int, Figure]] = field(default_factory=dict)


# --- the throw-away register ------------------------------------------------------------------


def pad_register(total: int) -> None:
    """Add measures (with periods, some re-listings and one history entry each) until the
    register holds ``total``."""
    existing = Measure.objects.count()
    if existing >= total:
        return
    categories = list(Category.objects.order_by("order"))
    periods = list(PlanPeriod.objects.order_by("number"))
    statuses = list(Status)
    through = Measure.periods.through
    history = Measure.history.model
    history_periods = apps.get_model("measures", "HistoricalMeasure_periods")
    now = timezone.now()
    next_position = {}
    for category in categories:
        used = list(category.measures.values_list("position", flat=True)) + list(
            category.relistings.values_list("position", flat=True)
        )
        next_position[category.pk] = max([FIRST_PADDED_POSITION, *[p + 1 for p in used]])
    to_add = total - existing
    n = existing
    while to_add > 0:
        batch = []
        for _ in range(min(BATCH, to_add)):
            category = categories[n % len(categories)]
            name = NAME.format(code=category.code, n=n)
            batch.append(
                Measure(
                    category=category,
                    position=next_position[category.pk],
                    name=name,
                    search_text=search_key(name),
                    status=statuses[n % len(statuses)],
                )
            )
            next_position[category.pk] += 1
            n += 1
        to_add -= len(batch)
        created = Measure.objects.bulk_create(batch)
        links = through.objects.bulk_create(
            [
                through(measure_id=measure.pk, planperiod_id=p.pk)
                for i, measure in enumerate(created)
                for p in periods[i % len(periods) :]
            ]
        )
        relistings = []
        for i, measure in enumerate(created):
            if i % RELISTING_EVERY:
                continue
            target = categories[(categories.index(measure.category) + 1) % len(categories)]
            relistings.append(
                Relisting(
                    measure=measure,
                    category=target,
                    position=next_position[target.pk],
                    label=measure.name,
                    search_text=measure.search_text,
                )
            )
            next_position[target.pk] += 1
        Relisting.objects.bulk_create(relistings)
        records = history.objects.bulk_create(
            [
                history(
                    id=m.pk,
                    category_id=m.category_id,
                    position=m.position,
                    name=m.name,
                    status=m.status,
                    notes="",
                    version=1,
                    history_date=now,
                    history_type="+",
                    history_change_reason="benchmark",
                )
                for m in created
            ]
        )
        record_of = {record.id: record for record in records}
        history_periods.objects.bulk_create(
            [
                history_periods(
                    id=link.pk,
                    history=record_of[link.measure_id],
                    measure_id=link.measure_id,
                    planperiod_id=link.planperiod_id,
                )
                for link in links
            ]
        )


def gather_statistics() -> None:
    """Give PostgreSQL's planner the table statistics a running database has (autovacuum
    gathers them after bulk writes; a throw-away register has none until told, and plans
    made without them are not the application's)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- what is measured -------------------------------------------------------------------------


def page_urls(sample_pk: int) -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {
        "admin changelist (reference)": "/admin/measures/measure/",
        "ホーム /": "/",
        "ホーム 時点指定": f"/?as_of={today}",
        "区分別の表 e-city": "/categories/e-city/",
        "区分別の表 e-city 時点指定": f"/categories/e-city/?as_of={today}",
        "施策一覧 1頁": "/measures/",
        "施策一覧 施策名順": "/measures/?sort=name",
        "施策一覧 状況順 逆": "/measures/?sort=-status",
        "施策一覧 3頁 再掲込み": "/measures/?relistings=on&page=3",
        "施策一覧 検索+絞込み": "/measures/?"
        + urlencode({"q": "システム", "status": "partial", "period": 4}),
        "計画期間": "/periods/",
        "施策": f"/measures/{sample_pk}/",
    }


# Each download and the plain writer of the same cells (see ``RAW``).
DOWNLOAD_URLS = {
    "施策一覧 CSV": ("/measures/export.csv", "csv 施策一覧"),
    "施策一覧 XLSX": ("/measures/export.xlsx", "xlsx 施策一覧"),
    # Seven cells a row (table, name, a column per status, periods, key), the periods joined:
    # the 施策一覧's plain writer (the same joins, twelve values a row) is the nearest.
    "集計ブック XLSX": ("/excel/summary.xlsx", "xlsx 施策一覧"),
    "オープンデータ CSV": ("/excel/opendata.csv", "csv オープンデータ"),
}


def _consume(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _request(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    _consume(response)


def _median_time(action: Callable[[], None], repeat: int) -> float:
    action()  # warm caches and connections
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak(action: Callable[[], None]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _queries(action: Callable[[], None]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def _raw_measure_list_rows():
    """The 施策一覧's cells in the plainest SQL: the table's short name, position, name, status
    twice (word and mark), then the periods the measure runs in (a flag each) and the tables it
    is re-listed in (a count each, over one join): what the download reads to make its last
    two cells."""
    through = Measure.periods.through
    flags = {
        f"p{p.pk}": Exists(through.objects.filter(measure_id=OuterRef("pk"), planperiod_id=p.pk))
        for p in PlanPeriod.objects.order_by("number")
    }
    counts = {
        f"c{c.pk}": Count("relistings", filter=Q(relistings__category_id=c.pk), distinct=True)
        for c in Category.objects.order_by("order")
    }
    return (
        Measure.objects.order_by("category__order", "position")
        .annotate(**flags, **counts)
        .values_list(
            "category__short_name", "position", "name", "status", "status", *flags, *counts
        )
        .iterator(chunk_size=2_000)
    )


def _raw_opendata_rows():
    """The open data's cells in the plainest SQL: the table's code and name, position, name,
    status twice, a flag per period, the re-listing's position per table, the latest change."""
    through = Measure.periods.through
    flags = {
        f"p{p.pk}": Exists(through.objects.filter(measure_id=OuterRef("pk"), planperiod_id=p.pk))
        for p in PlanPeriod.objects.order_by("number")
    }
    positions = {
        f"c{c.pk}": Max("relistings__position", filter=Q(relistings__category_id=c.pk))
        for c in Category.objects.order_by("order")
    }
    updated = Subquery(
        Measure.history.filter(id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(day=Max(TruncDate("history_date")))
        .values("day")
    )
    return (
        Measure.objects.order_by("category__order", "position")
        .annotate(**flags, **positions, updated=updated)
        .values_list(
            "category__code",
            "category__name",
            "position",
            "name",
            "status",
            "status",
            *flags,
            *positions,
            "updated",
        )
        .iterator(chunk_size=2_000)
    )


def _plain_csv(rows) -> Callable[[], None]:
    def write() -> None:
        """The plain way: rows from the database straight into csv.writer."""
        writer = csv.writer(io.StringIO())
        for row in rows():
            writer.writerow(row)

    return write


def _plain_xlsx(rows) -> Callable[[], None]:
    def write() -> None:
        """The plain way: rows from the database into an openpyxl write-only workbook."""
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        for row in rows():
            ws.append(row)
        wb.save(io.BytesIO())

    return write


RAW = {
    "csv 施策一覧": _plain_csv(_raw_measure_list_rows),
    "csv オープンデータ": _plain_csv(_raw_opendata_rows),
    "xlsx 施策一覧": _plain_xlsx(_raw_measure_list_rows),
}


def measure_size(
    client: Client, size: int, repeat: int, results: Results, memory: bool, only: str | None = None
) -> None:
    sample_pk = Measure.objects.order_by("-pk").values_list("pk", flat=True).first()
    pages = page_urls(sample_pk) if only != "downloads" else {}
    downloads = DOWNLOAD_URLS if only != "pages" else {}
    for name, url in pages.items():
        figure = Figure(
            seconds=_median_time(lambda url=url: _request(client, url), repeat),
            queries=_queries(lambda url=url: _request(client, url)),
        )
        results.pages.setdefault(name, {})[size] = figure
        print(f"  {name:<28} {figure.seconds * 1000:9.1f} ms {figure.queries:4d} queries")
    for name, (url, _kind) in downloads.items():
        figure = Figure(
            seconds=_median_time(lambda url=url: _request(client, url), repeat),
            queries=_queries(lambda url=url: _request(client, url)),
            peak_bytes=_peak(lambda url=url: _request(client, url)) if memory else None,
        )
        results.downloads.setdefault(name, {})[size] = figure
        print(f"  {name:<28} {figure.seconds * 1000:9.1f} ms")
    for kind, writer in RAW.items() if downloads else ():
        results.raw.setdefault(kind, {})[size] = Figure(
            seconds=_median_time(writer, repeat), peak_bytes=_peak(writer) if memory else None
        )


# --- report -----------------------------------------------------------------------------------


def _ms(figure: Figure | None) -> str:
    return f"{figure.seconds * 1000:,.0f} ms" if figure else "-"


def _mb(figure: Figure | None) -> str:
    return f"{figure.peak_bytes / 2**20:,.1f} MB" if figure and figure.peak_bytes else "-"


def report(results: Results) -> bool:
    """Print the tables; return whether every bar holds."""
    sizes = results.sizes
    padded = [s for s in sizes if s >= 10_000]
    ok = True
    admin = results.pages.get("admin changelist (reference)", {})
    print("\n## Pages: median time (queries), ratio to the admin changelist of the same size\n")
    print("| page | " + " | ".join(f"{s:,} measures" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name, figures in results.pages.items():
        cells = []
        counts = {f.queries for f in figures.values()}
        for s in sizes:
            f = figures.get(s)
            if f is None:
                cells.append("-")
                continue
            ratio = f.seconds / admin[s].seconds
            cell = f"{_ms(f)} ({f.queries} q)"
            if name != "admin changelist (reference)":
                cell += f", {ratio:.2f}×"
                if s in padded and ratio > 0.5:
                    ok = False
                    cell += " ✗"
            cells.append(cell)
        if name != "admin changelist (reference)" and len(counts) > 1:
            ok = False
            cells[-1] += " (query count grows ✗)"
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\n## Downloads: median time, ratio to the plain writer; peak memory\n")
    print("| download | " + " | ".join(f"{s:,} measures" for s in sizes) + " | memory growth |")
    print("|---|" + "---|" * (len(sizes) + 1))
    for name, figures in results.downloads.items():
        kind = DOWNLOAD_URLS[name][1]
        cells = []
        for s in sizes:
            f = figures.get(s)
            raw = results.raw[kind].get(s)
            if f is None or raw is None:
                cells.append("-")
                continue
            ratio = f.seconds / raw.seconds
            cell = f"{_ms(f)}, {ratio:.2f}× plain, {_mb(f)}"
            if s in padded and ratio > 2:
                ok = False
                cell += " ✗"
            cells.append(cell)
        growth = "-"
        if len(padded) >= 2 and all(figures[s].peak_bytes for s in padded):
            first, last = figures[padded[0]].peak_bytes, figures[padded[-1]].peak_bytes
            growth = f"{(last - first) / first * 100:+.0f} %"
            if last > first * 1.10:
                ok = False
                growth += " ✗"
        print(f"| {name} | " + " | ".join(cells) + f" | {growth} |")
    print("\n| plain writer | " + " | ".join(f"{s:,} measures" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for kind, figures in results.raw.items():
        cells = [f"{_ms(figures.get(s))}, {_mb(figures.get(s))}" for s in sizes]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,96000", help="register sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--no-memory", action="store_true", help="skip peak-memory runs")
    parser.add_argument("--only", choices=["pages", "downloads"], help="measure only these")
    parser.add_argument("--pages-only", action="store_true", help="the same as --only pages")
    parser.add_argument(
        "--keepdb",
        action="store_true",
        help="keep the test database (and reuse a kept one): the largest size built stays",
    )
    args = parser.parse_args()
    sizes = sorted({75, *(int(s) for s in args.sizes.split(","))})

    setup_test_environment()
    vendor = connection.vendor
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        register_seed()
        user = get_user_model().objects.filter(username="bench").first()
        user = user or get_user_model().objects.create_superuser(
            "bench", "bench@example.invalid", "x"
        )
        client = Client()
        client.force_login(user)
        results = Results(sizes=sizes)
        print(
            f"{platform.node()}: {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {vendor}"
        )
        for size in list(sizes):
            if Measure.objects.count() > size:
                print(f"\n# {size:,} measures: skipped, the kept register is larger")
                results.sizes.remove(size)
                continue
            started = time.perf_counter()
            pad_register(size)
            gather_statistics()
            print(f"\n# {size:,} measures (built in {time.perf_counter() - started:.0f} s)")
            measure_size(
                client,
                size,
                args.repeat if size < 50_000 else max(1, args.repeat // 2),
                results,
                memory=not args.no_memory,
                only="pages" if args.pages_only else args.only,
            )
        ok = report(results)
        print("\nEvery bar holds." if ok else "\nSome bars do not hold (✗).")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
