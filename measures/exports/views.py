"""Downloads of the register as files: the summary workbook and the open-data CSV."""

from django.utils import timezone
from django.views.decorators.http import require_GET

from governance.audit import AccessKind, record_access

from .opendata import opendata_chunks, opendata_filename
from .responses import CSV_TYPE, XLSX_TYPE, download, file_chunks
from .summary import summary_filename, write_summary


@require_GET
def summary_download(request):
    """The summary workbook (集計 and one sheet per category) as it stands now."""
    today = timezone.localdate()
    created_at = timezone.now()  # before the register is read (see write_summary)
    record_access(request, AccessKind.EXPORT, detail=summary_filename(today))
    return download(
        file_chunks(lambda stream: write_summary(stream, today=today, created_at=created_at)),
        content_type=XLSX_TYPE,
        filename=summary_filename(today),
    )


@require_GET
def opendata_download(request, bom: bool = False):
    """Every measure as open data: UTF-8 CSV, or with a BOM for Japanese Excel."""
    today = timezone.localdate()
    record_access(request, AccessKind.EXPORT, detail=opendata_filename(today, bom=bom))
    return download(
        opendata_chunks(bom=bom), content_type=CSV_TYPE, filename=opendata_filename(today, bom=bom)
    )
