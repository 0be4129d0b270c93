"""Downloads of the register as files: the summary workbook and the open-data CSV."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from governance.audit import AccessKind, record_access

from .opendata import opendata_filename, write_opendata
from .summary import summary_filename, write_summary

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def summary_download(request):
    """The summary workbook (集計 and one sheet per category) as it stands now."""
    today = timezone.localdate()
    stream = io.BytesIO()
    write_summary(stream, today=today)
    record_access(request, AccessKind.EXPORT, detail=summary_filename(today))
    return _attachment(stream.getvalue(), content_type=XLSX_TYPE, filename=summary_filename(today))


@require_GET
def opendata_download(request, bom: bool = False):
    """Every measure as open data: UTF-8 CSV, or with a BOM for Japanese Excel."""
    today = timezone.localdate()
    stream = io.StringIO()
    write_opendata(stream)
    record_access(request, AccessKind.EXPORT, detail=opendata_filename(today, bom=bom))
    encoding = "utf-8-sig" if bom else "utf-8"
    return _attachment(
        stream.getvalue().encode(encoding),
        content_type="text/csv; charset=utf-8",
        filename=opendata_filename(today, bom=bom),
    )
