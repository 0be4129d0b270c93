"""Files of a round's results (進捗調査): the comparison CSV, the workbook for 庁議 and the
open-data CSV. Every text goes through the one formula guard of ``measures.exports.cells``;
no file names a person."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from measures.exports.cells import safe_row

from .comparison import ComparisonRow
from .models import ProgressRound

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UNSAFE_IN_FILENAMES = set('/\\:*?"<>|')


def round_filename(progress_round: ProgressRound, prefix: str, extension: str) -> str:
    """Return ``<prefix>_<round title>.<extension>``, with characters no file system takes
    replaced."""
    title = "".join("_" if c in _UNSAFE_IN_FILENAMES else c for c in progress_round.title)
    return f"{prefix}_{title}.{extension}"


def attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- Comparison with the previous round --------------------------------------------------------

COMPARISON_HEADER = [
    "区分",
    "表内の位置",
    "施策名",
    "担当課",
    "前回の状況",
    "前回の進捗率",
    "今回の状況",
    "今回の進捗率",
    "変化",
]


def comparison_csv(rows: Iterable[ComparisonRow]) -> bytes:
    """Return the comparison rows as CSV, UTF-8 with a BOM so Japanese Excel opens it."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COMPARISON_HEADER)
    for row in rows:
        measure = row.measure
        division = measure.responsible_division
        writer.writerow(
            safe_row(
                [
                    measure.category.short_name,
                    measure.position,
                    measure.name,
                    str(division) if division else "",
                    str(row.before.label) if row.before else "",
                    row.before_percent if row.before_percent is not None else "",
                    str(row.after.label) if row.after else "",
                    row.after_percent if row.after_percent is not None else "",
                    str(row.kind.label),
                ]
            )
        )
    return stream.getvalue().encode("utf-8-sig")
