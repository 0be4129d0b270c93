"""Benchmark (not a test): the 調査票 of every division for 10,000 measures, written as one
zip, and the import (check + preview) of that zip returned with every row answered; each
against openpyxl writing / reading the same cells plainly (write-only / read-only mode, no
styling, no validation, no protection, no keys checked, no database).

    .venv/bin/python benchmarks/survey.py [--measures 10000] [--divisions 40] [--apply]

Runs on a throw-away SQLite database (the configured one is never touched). Prints seconds
(wall clock, best of --repeat) and ratios. --apply also times storing the whole answered zip
as submitted reports (one transaction; once, since it changes the reports).
"""

import argparse
import datetime
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "morioka_ict.settings")
_TEMP_DIR = tempfile.TemporaryDirectory()
os.environ["DATABASE_URL"] = f"sqlite:///{_TEMP_DIR.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from governance.models import Department, Division  # noqa: E402
from measures.models import Category, Measure, Plan, Status  # noqa: E402
from measures.progress import services as progress_services  # noqa: E402
from measures.progress.models import ProgressReport, ReportState  # noqa: E402
from measures.progress.survey import reader, services, writer  # noqa: E402
from measures.progress.survey.selectors import survey_divisions  # noqa: E402


def build(measures: int, divisions: int):
    call_command("migrate", verbosity=0)
    plan = Plan.objects.create(name="ベンチマーク計画")
    categories = [
        Category.objects.create(
            plan=plan, code=code, label=label, name=f"{code}づくり", short_name=code, order=n
        )
        for n, (code, label) in enumerate(
            [("e-citizen", "ア"), ("e-business", "イ"), ("e-city", "ウ")], 1
        )
    ]
    department = Department.objects.create(name="ベンチマーク部")
    division_list = Division.objects.bulk_create(
        Division(department=department, name=f"第{n + 1}課", order=n) for n in range(divisions)
    )
    statuses = list(Status)
    Measure.objects.bulk_create(
        (
            Measure(
                category=categories[i % 3],
                position=i // 3 + 1,
                name=f"施策その{i + 1}：情報システムの構築と運用の推進",
                status=statuses[i % 3],
                responsible_division=division_list[i % divisions],
            )
            for i in range(measures)
        ),
        batch_size=1000,
    )
    user = get_user_model().objects.create_superuser("bench", password="unused")
    today = timezone.localdate()
    progress_round = progress_services.progress_round_create(
        title="ベンチマーク調査",
        reference_date=today,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        user=user,
    )
    progress_round = progress_services.progress_round_open(
        round_pk=progress_round.pk, expected_version=progress_round.version, user=user
    )
    return progress_round, user


def best(repeat: int, function):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def plain_zip(surveys) -> bytes:
    """The same cells per division with openpyxl write-only, unstyled, zipped alike."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for survey in surveys:
            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet(writer.ANSWER_SHEET)
            ws.append(list(writer.HEADERS))
            for data in survey.rows:
                report, measure = data.report, data.report.measure
                ws.append(
                    [
                        measure.category.short_name,
                        measure.position,
                        measure.name,
                        "",
                        None,
                        "",
                        Status(report.status).mark if report.status else "",
                        report.progress_percent,
                        report.activities,
                        report.issues,
                        report.next_steps,
                        f"{report.pk}.{report.version}",
                    ]
                )
            stream = io.BytesIO()
            wb.save(stream)
            archive.writestr(f"{survey.division.name}.xlsx", stream.getvalue())
    return out.getvalue()


def plain_read(content: bytes) -> int:
    """Read every cell of every workbook in the zip with openpyxl read-only mode."""
    cells = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            wb = openpyxl.load_workbook(
                io.BytesIO(archive.read(name)), read_only=True, data_only=True
            )
            ws = wb[writer.ANSWER_SHEET]
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
            wb.close()
    return cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--divisions", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--apply", action="store_true")
    args = parser.parse_args()
    progress_round, user = build(args.measures, args.divisions)
    # Every report answered (a draft), so the written workbooks come back fully filled in.
    ProgressReport.objects.update(
        state=ReportState.DRAFT,
        status=Status.PARTIAL,
        progress_percent=50,
        activities="庁内の手続を電子化し、窓口での受付を始めた。利用者の声を集めている。",
        issues="周知が足りない。",
        next_steps="来年度は対象の手続を広げる。",
        written_at=timezone.now(),
    )
    print(f"{args.measures:,} measures, {args.divisions} divisions, best of {args.repeat}")

    def ours_write():
        stream = io.BytesIO()
        writer.write_survey_zip(stream, progress_round)
        return stream.getvalue()

    def plain_write():
        return plain_zip(survey_divisions(progress_round))

    ours_s, ours_zip = best(args.repeat, ours_write)
    plain_s, plain = best(args.repeat, plain_write)
    print(f"zip of 調査票 (queries included)   {ours_s:7.2f} s  {len(ours_zip) / 2**20:5.1f} MB")
    print(f"openpyxl write-only, same cells   {plain_s:7.2f} s  {len(plain) / 2**20:5.1f} MB")
    print(f"ratio                             {ours_s / plain_s:7.2f}×")

    def ours_read():
        return reader.read_survey_upload([("all.zip", ours_zip)], progress_round=progress_round)

    read_s, plan = best(args.repeat, ours_read)
    assert not plan.problems, plan.problems[:3]
    assert plan.to_store == args.measures, plan.to_store
    plain_read_s, cells = best(args.repeat, lambda: plain_read(ours_zip))
    print(f"import check + preview            {read_s:7.2f} s  ({plan.to_store:,} answers)")
    print(f"openpyxl read-only, same cells    {plain_read_s:7.2f} s  ({cells:,} cells)")
    print(f"ratio                             {read_s / plain_read_s:7.2f}×")
    if args.apply:
        start = time.perf_counter()
        result = services.survey_import_apply(plan=plan, user=user, overwrite=set())
        print(
            f"store as submitted (SQLite)       {time.perf_counter() - start:7.2f} s  "
            f"({result.stored:,} reports)"
        )


if __name__ == "__main__":
    main()
