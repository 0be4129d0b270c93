"""The one way a download leaves the server: a streamed attachment with a safe filename."""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from .cells import safe_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
# Rows per chunk sent to the client: few enough to keep memory flat, many enough that the
# per-chunk overhead does not show.
CSV_CHUNK_ROWS = 500
FILE_CHUNK_BYTES = 64 * 1024


def download(chunks: Iterable[bytes], *, filename: str, content_type: str):
    """Return ``chunks`` as a streamed attachment named ``filename`` (any language)."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Return a file already made in memory (a division's 調査票, a round's comparison) with the
    same headers as a streamed download."""
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_chunks(
    header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = False
) -> Iterator[bytes]:
    """Yield UTF-8 CSV (CRLF, every text through the formula guard) a few hundred rows at a
    time, as ``rows`` are read from the database."""
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\r\n")
    sink.write(BOM if bom else "")
    writer.writerow(list(header))
    rows = iter(rows)
    while chunk := list(islice(rows, CSV_CHUNK_ROWS)):
        writer.writerows(map(safe_row, chunk))
        yield sink.getvalue().encode()
        sink.seek(0)
        sink.truncate()
    if sink.tell():
        yield sink.getvalue().encode()


def file_chunks(write: Callable[[IO[bytes]], object]) -> Iterator[bytes]:
    """Yield what ``write`` writes to a temporary file, once it is complete (a workbook is a
    zip: it cannot be sent before its last sheet is written, but it need not sit in memory)."""
    with tempfile.TemporaryFile() as stream:
        write(stream)
        stream.seek(0)
        while chunk := stream.read(FILE_CHUNK_BYTES):
            yield chunk
