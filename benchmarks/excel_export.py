"""Benchmark (not a test): the summary workbook for 10,000 measures against openpyxl's plain
write-only mode writing the same cells without any styling.

    DJANGO_SETTINGS_MODULE=morioka_ict.settings .venv/bin/python benchmarks/excel_export.py

Prints seconds for each and the ratio (the aim is at most 1.5×). A second part builds a
temporary SQLite register of the same size and times the whole export, queries included.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "morioka_ict.settings")
_TEMP_DIR = tempfile.TemporaryDirectory()
# A throw-away database: the benchmark never touches the configured one.
os.environ["DATABASE_URL"] = f"sqlite:///{_TEMP_DIR.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402
from openpyxl.cell import WriteOnlyCell  # noqa: E402
from openpyxl.utils import get_column_letter, quote_sheetname  # noqa: E402

from measures.exports.summary import (  # noqa: E402
    FIRST_DATA_ROW,
    KEY_HEADER,
    MARK_COLUMNS,
    OVERVIEW_TITLE,
    SummaryRow,
    SummarySheet,
    header_labels,
    write_summary_sheets,
)
from measures.models import Status  # noqa: E402

MEASURES = 10_000
RELISTING_EVERY = 25
REPEAT = 7
TODAY = date(2026, 11, 27)
PERIODS = ["一次", "一次～二次", "二次～四次", "四次", "一次・四次"]


def make_sheets(total: int = MEASURES) -> list[SummarySheet]:
    """Three categories, re-listings mixed in, names of realistic length."""
    statuses = list(Status)
    sheets = []
    per_sheet = total // 3
    for number, code in enumerate(["e-citizen", "e-business", "e-city"]):
        count = per_sheet + (total - 3 * per_sheet if number == 2 else 0)
        rows = []
        for i in range(count):
            rows.append(
                SummaryRow(
                    name=f"{code}の施策その{i + 1}：情報システムの構築と運用の推進",
                    status=statuses[i % 3],
                    periods=PERIODS[i % len(PERIODS)],
                    key=f"M{number * count + i + 1}V1",
                )
            )
            if i % RELISTING_EVERY == 0:
                rows.append(
                    SummaryRow(name=f"再掲される施策{i}", is_relisting=True, key=f"R{number}{i}")
                )
        sheets.append(SummarySheet(code, f"ア {code}づくり", code, rows))
    return sheets


def plain_write_only(sheets: list[SummarySheet], stream, *, blanks: bool = False) -> None:
    """The same values and formulas with openpyxl write-only mode and no styling.

    With ``blanks``, the blank cells the summary writes (bordered, shaded) are written too, as
    bare cells, so both files hold exactly the same cells.
    """
    wb = Workbook(write_only=True)

    def blank(ws):
        return WriteOnlyCell(ws) if blanks else None

    overview = wb.create_sheet(OVERVIEW_TITLE)
    for _ in range(3):
        overview.append(["見出し"])
    overview.append(["区分", *(str(s.label) for s in Status), "計"])
    for n, sheet in enumerate(sheets, FIRST_DATA_ROW):
        overview.append(
            [
                sheet.heading,
                *(
                    f"={quote_sheetname(sheet.code)}!"
                    f"{get_column_letter(MARK_COLUMNS[s])}{sheet.total_row}"
                    for s in Status
                ),
                f"=SUM(B{n}:D{n})",
            ]
        )
    overview.append(["合計", *(f"=SUM({c}5:{c}7)" for c in "BCDE")])
    for sheet in sheets:
        ws = wb.create_sheet(sheet.code)
        for _ in range(3):
            ws.append(["見出し"])
        ws.append([*header_labels(), KEY_HEADER])
        for i, row in enumerate(sheet.rows):
            ws.append(
                [
                    sheet.short_name if i == 0 else blank(ws),
                    row.label,
                    *(s.mark if row.status == s else blank(ws) for s in Status),
                    row.periods or blank(ws),
                    row.key or blank(ws),
                ]
            )
        last = sheet.last_data_row
        ws.append(
            [
                "計",
                blank(ws),
                *(
                    f"=COUNTIF({get_column_letter(MARK_COLUMNS[s])}{FIRST_DATA_ROW}:"
                    f'{get_column_letter(MARK_COLUMNS[s])}{last},"{s.mark}")'
                    for s in Status
                ),
                blank(ws),
            ]
        )
    wb.save(stream)


def interleaved(functions: dict, repeat: int = REPEAT) -> dict[str, tuple[float, float]]:
    """Run the functions in turn ``repeat`` times; return each one's best and median CPU
    seconds. Interleaving and CPU time keep other load on the machine out of the ratio."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.process_time()
            function()
            times[name].append(time.process_time() - start)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def register_of(total: int) -> None:
    """Fill the temporary database with ``total`` measures (benchmark data only: bulk
    inserts, no history)."""
    from django.core.management import call_command

    from measures.models import Category, Measure, Plan, PlanPeriod

    call_command("migrate", verbosity=0)
    plan = Plan.objects.create(name="盛岡市情報化基本計画")
    periods = [
        PlanPeriod.objects.create(plan=plan, number=n, name=f"第{k}次", short_name=f"{k}次")
        for n, k in enumerate("一二三四", 1)
    ]
    categories = [
        Category.objects.create(
            plan=plan, code=code, label=label, name=f"{code}づくり", short_name=code, order=n
        )
        for n, (code, label) in enumerate(
            [("e-citizen", "ア"), ("e-business", "イ"), ("e-city", "ウ")], 1
        )
    ]
    statuses = list(Status)
    measures = [
        Measure(
            category=categories[i % 3],
            position=i // 3 + 1,
            name=f"施策その{i + 1}：情報システムの構築と運用の推進",
            search_text=f"施策その{i + 1}",
            status=statuses[i % 3],
        )
        for i in range(total)
    ]
    Measure.objects.bulk_create(measures, batch_size=1000)
    through = Measure.periods.through
    through.objects.bulk_create(
        [
            through(measure_id=m.pk, planperiod_id=periods[j].pk)
            for i, m in enumerate(Measure.objects.order_by("pk"))
            for j in range(i % 4 + 1)
        ],
        batch_size=5000,
    )


def main() -> None:
    sheets = make_sheets()
    cells = sum(len(s.rows) for s in sheets) * 7
    results = interleaved(
        {
            "ours": lambda: write_summary_sheets(
                io.BytesIO(), sheets, today=TODAY, title="施策一覧"
            ),
            "plain": lambda: plain_write_only(sheets, io.BytesIO()),
            "same": lambda: plain_write_only(sheets, io.BytesIO(), blanks=True),
        }
    )
    (ours, ours_median), (plain, plain_median), (same, same_median) = (
        results["ours"],
        results["plain"],
        results["same"],
    )
    print(f"{MEASURES:,} measures ({cells:,} table cells), CPU seconds, best of {REPEAT} runs:")
    print(f"  summary workbook (styles, formulas, validation, print set-up): {ours:.3f} s")
    print(f"  openpyxl write-only, values only (blank cells skipped):      {plain:.3f} s")
    print(f"  openpyxl write-only, the same cells incl. bare blank cells:  {same:.3f} s")
    print(
        f"  ratio to values only: {ours / plain:.2f}x (median {ours_median / plain_median:.2f}x);"
        f" to the same cells: {ours / same:.2f}x (median {ours_median / same_median:.2f}x);"
        " aim <= 1.5x"
    )

    from measures.exports.summary import write_summary

    register_of(MEASURES)
    whole, _ = interleaved({"whole": lambda: write_summary(io.BytesIO(), today=TODAY)}, 3)["whole"]
    print(
        f"  whole export from a SQLite register of {MEASURES:,} (queries included): {whole:.3f} s"
    )


if __name__ == "__main__":
    main()
