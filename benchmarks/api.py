"""Benchmark (not a test): the JSON API against the admin changelist as the register grows.

    .venv/bin/python benchmarks/api.py                       # 10,000 measures
    .venv/bin/python benchmarks/api.py --sizes 10000,96000 --repeat 5

Builds the same throw-away registers as ``benchmarks/pages.py`` (a test database next to the
configured one, created and dropped here) and prints, from the same run, each API call's median
time and query count next to the admin measure changelist. The bar (issue 13): the measures
list, 100 per page, at most 0.5× the admin changelist at 10,000 measures. Requests carry a
personal API token, so authentication and the access-record count are part of the figure.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone
from pages import _median_time, _queries, _request, pad_register

from governance.tokens import api_token_create
from measures.models import Measure
from measures.services import register_seed

ADMIN = "admin changelist (reference)"
BAR_CALL = "API 施策一覧 100件/頁"
BAR = 0.5


def api_urls(sample_pk: int, size: int) -> dict[str, str]:
    today = timezone.localdate().isoformat()
    middle = max(1, size // 200)
    return {
        BAR_CALL: "/api/v1/measures?page_size=100",
        "API 施策一覧 100件/頁 中ほどの頁": f"/api/v1/measures?page_size=100&page={middle}",
        "API 施策一覧 再掲込み 施策名順": (
            "/api/v1/measures?page_size=100&relistings=true&ordering=name"
        ),
        "API 施策一覧 検索+絞込み": (
            "/api/v1/measures?page_size=100&q=%E6%96%BD%E7%AD%96&status=partial&period=4"
        ),
        "API 施策": f"/api/v1/measures/{sample_pk}",
        "API 集計": "/api/v1/totals",
        "API 集計 時点指定": f"/api/v1/totals?as_of={today}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="register sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})

    setup_test_environment()
    settings.API_RATE_PER_TOKEN = 10**9  # measuring, not throttling
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    ok = True
    try:
        register_seed()
        user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", "x")
        admin = Client()
        admin.force_login(user)
        api = Client(
            headers={"Authorization": f"Bearer {api_token_create(user=user, label='bench')[1]}"}
        )
        print(
            f"{platform.node()}: {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {connection.vendor}"
        )
        for size in sizes:
            started = time.perf_counter()
            pad_register(size)
            print(f"\n# {size:,} measures (built in {time.perf_counter() - started:.0f} s)\n")
            print("| call | median ms | queries | ratio to admin |")
            print("|---|---:|---:|---:|")
            reference = _median_time(
                lambda: _request(admin, "/admin/measures/measure/"), args.repeat
            )
            queries = _queries(lambda: _request(admin, "/admin/measures/measure/"))
            print(f"| {ADMIN} | {reference * 1000:.0f} | {queries} | 1.00 |")
            sample = Measure.objects.order_by("-pk").values_list("pk", flat=True).first()
            for name, url in api_urls(sample, size).items():
                seconds = _median_time(lambda url=url: _request(api, url), args.repeat)
                queries = _queries(lambda url=url: _request(api, url))
                ratio = seconds / reference
                mark = ""
                if name == BAR_CALL:
                    holds = ratio <= BAR
                    ok = ok and holds
                    mark = " ✓" if holds else " ✗"
                print(f"| {name} | {seconds * 1000:.0f} | {queries} | {ratio:.2f}{mark} |")
        print(
            f"\nBar: {BAR_CALL} ≤ {BAR}× the admin changelist: "
            + ("holds." if ok else "does not hold (✗).")
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
