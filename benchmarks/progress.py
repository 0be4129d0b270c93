"""Benchmark (not a test): the progress pages (進捗調査) with 10,000 measures and two rounds.

    .venv/bin/python benchmarks/progress.py                 # 10,000 measures
    .venv/bin/python benchmarks/progress.py --size 10000 --repeat 5

Builds a throw-away register on the configured database (a test database next to it, created
and dropped here, as benchmarks/pages.py does): the plan's seed padded to ``--size`` measures,
50 divisions each with a current 情報化推進リーダー, a confirmed round with an approved answer
for every measure and an open round with reports in every state. Prints each page's median
time and query count next to the admin measure changelist measured in the same run, and the
ratio. The bar (issue 10): the round dashboard and 「私の報告」 at most 0.5× the changelist.
The comparison, the home trend and the round's files are printed for information.
"""

import argparse
import itertools
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "morioka_ict.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from pages import (  # noqa: E402
    _median_time,
    _queries,
    _request,
    gather_statistics,
    pad_register,
)

from governance.models import Department, Division, PromotionLeader  # noqa: E402
from governance.roles import LEADER, POLICY_DIVISION  # noqa: E402
from measures.models import Measure, Status  # noqa: E402
from measures.progress import services  # noqa: E402
from measures.progress.models import (  # noqa: E402
    ProgressReport,
    ProgressRound,
    ReportState,
    RoundState,
)

DIVISIONS = 50
BAR = 0.5


def build_rounds(policy, leader) -> tuple[ProgressRound, ProgressRound]:
    """Spread the measures over the divisions; a confirmed round (every answer approved) and
    an open one (reports in every state)."""
    department = Department.objects.create(name="ベンチマーク部")
    divisions = Division.objects.bulk_create(
        Division(department=department, name=f"ベンチマーク課{n}", order=n)
        for n in range(DIVISIONS)
    )
    today = timezone.localdate()
    PromotionLeader.objects.bulk_create(
        PromotionLeader(
            division=d,
            person_name=f"リーダー{n}",
            appointed_by="課長",
            start_date=today - timezone.timedelta(days=100),
            user=leader if n == 0 else None,
        )
        for n, d in enumerate(divisions)
    )
    pks = list(Measure.objects.order_by("pk").values_list("pk", flat=True))
    # Every 20th measure stays without a 担当課 (情報企画課 writes those).
    for n, division in enumerate(divisions):
        mine = [pk for i, pk in enumerate(pks) if i % 20 and i % DIVISIONS == n]
        for start in range(0, len(mine), 900):
            Measure.objects.filter(pk__in=mine[start : start + 900]).update(
                responsible_division=division
            )

    def new_round(title, reference, opens, closes):
        progress_round = services.progress_round_create(
            title=title, reference_date=reference, opens_on=opens, closes_on=closes, user=policy
        )
        progress_round.refresh_from_db()
        services.progress_round_open(
            round_pk=progress_round.pk, expected_version=progress_round.version, user=policy
        )
        progress_round.refresh_from_db()
        return progress_round

    day = timezone.timedelta(days=1)
    previous = new_round(
        "ベンチマーク 前回", today - 400 * day, today - 420 * day, today - 390 * day
    )
    statuses = itertools.cycle(Status.values)
    for status in Status.values:
        previous.reports.filter(measure__status=status).update(
            state=ReportState.APPROVED, status=status, activities="前回の取組", progress_percent=50
        )
    services.progress_round_close(
        round_pk=previous.pk, expected_version=previous.version, user=policy
    )
    previous.refresh_from_db()
    services.progress_round_confirm(
        round_pk=previous.pk, expected_version=previous.version, user=policy
    )
    current = new_round("ベンチマーク 今回", today, today - 10 * day, today + 10 * day)
    states = itertools.cycle(ReportState.values)
    batch = {state: [] for state in ReportState.values}
    for pk in current.reports.values_list("pk", flat=True):
        batch[next(states)].append(pk)
    for state, report_pks in batch.items():
        for start in range(0, len(report_pks), 900):
            ProgressReport.objects.filter(pk__in=report_pks[start : start + 900]).update(
                state=state,
                status="" if state == ReportState.NOT_SUBMITTED else next(statuses),
                activities="" if state == ReportState.NOT_SUBMITTED else "今回の取組",
            )
    return previous, current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="measures in the register")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the test database (and reuse a kept one)"
    )
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        from measures.services import register_seed

        users = get_user_model().objects
        started = time.perf_counter()
        if not ProgressRound.objects.exists():
            register_seed()
            users.create_superuser("bench", "bench@example.invalid", "x")
            policy = users.create_user("kikaku", "kikaku@example.invalid", "x", is_staff=True)
            Group.objects.get(name=POLICY_DIVISION).user_set.add(policy)
            leader = users.create_user("leader", "leader@example.invalid", "x")
            Group.objects.get(name=LEADER).user_set.add(leader)
            pad_register(args.size)
            build_rounds(policy, leader)
            gather_statistics()
        admin, policy, leader = (users.get(username=n) for n in ("bench", "kikaku", "leader"))
        previous = ProgressRound.objects.filter(state=RoundState.CONFIRMED, is_baseline=False).get()
        current = ProgressRound.objects.open().get()
        print(
            f"{platform.node()}: {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {connection.vendor}"
        )
        print(
            f"{Measure.objects.count():,} measures, {ProgressReport.objects.count():,} reports "
            f"(built in {time.perf_counter() - started:.0f} s)\n"
        )
        clients = {}
        for user in (admin, policy, leader):
            clients[user.username] = Client()
            clients[user.username].force_login(user)
        pages = [
            ("admin changelist (reference)", "bench", "/admin/measures/measure/", False),
            ("進捗調査ダッシュボード（受付中）", "kikaku", f"/progress/rounds/{current.pk}/", True),
            ("進捗調査ダッシュボード（確定）", "kikaku", f"/progress/rounds/{previous.pk}/", True),
            ("私の報告（リーダー）", "leader", "/progress/", True),
            ("私の報告（情報企画課）", "kikaku", "/progress/", True),
            ("前回との比較 1頁", "kikaku", f"/progress/rounds/{current.pk}/compare/", False),
            ("ホーム（推移つき）", "kikaku", "/", False),
            ("庁議用の結果 XLSX", "kikaku", f"/progress/rounds/{previous.pk}/results.xlsx", False),
            ("オープンデータ CSV", "kikaku", f"/progress/rounds/{previous.pk}/opendata.csv", False),
        ]
        reference = None
        ok = True
        print("| page | median | queries | ratio to changelist |")
        print("|---|---|---|---|")
        for name, who, url, barred in pages:
            client = clients[who]
            seconds = _median_time(lambda url=url, c=client: _request(c, url), args.repeat)
            queries = _queries(lambda url=url, c=client: _request(c, url))
            if reference is None:
                reference = seconds
                print(f"| {name} | {seconds * 1000:,.0f} ms | {queries} | 1.00× |")
                continue
            ratio = seconds / reference
            mark = ""
            if barred:
                mark = " ✓" if ratio <= BAR else " ✗"
                ok = ok and ratio <= BAR
            print(f"| {name} | {seconds * 1000:,.0f} ms | {queries} | {ratio:.2f}×{mark} |")
        print(
            f"\nBar: the round dashboards and 「私の報告」 at most {BAR}× the admin changelist: "
            + ("holds." if ok else "does not hold (✗).")
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
