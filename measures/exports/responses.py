"""The one way a download leaves the server: a streamed attachment with a safe filename."""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
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
    """Return a file already made in memory (a division's 調査票, a round's results) with the
    same headers as a streamed download."""
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class _Line:
    """A file-like sink for csv.writer that hands back what it was given."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = False
) -> Iterator[bytes]:
    """Yield UTF-8 CSV (CRLF, every text through the formula guard) a few hundred rows at a
    time, as ``rows`` are read from the database."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    lines = [(BOM if bom else "") + writer.writerow(list(header))]
    for row in rows:
        lines.append(writer.writerow(safe_row(row)))
        if len(lines) >= CSV_CHUNK_ROWS:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def file_chunks(write: Callable[[IO[bytes]], object]) -> Iterator[bytes]:
    """Yield what ``write`` writes to a temporary file, once it is complete (a workbook is a
    zip: it cannot be sent before its last sheet is written, but it need not sit in memory)."""
    with tempfile.TemporaryFile() as stream:
        write(stream)
        stream.seek(0)
        while chunk := stream.read(FILE_CHUNK_BYTES):
            yield chunk
