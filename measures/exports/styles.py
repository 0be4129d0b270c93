"""The workbook look shared by every export; status colours come from ``Status``."""

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from measures.models import Status

FONT_NAME = "Yu Gothic"
FONT = Font(name=FONT_NAME, size=10.5)
BOLD = Font(name=FONT_NAME, size=10.5, bold=True)
HEADER_FONT = Font(name=FONT_NAME, size=10.5, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
HEADER_FILL = PatternFill("solid", start_color="0B4F8A", end_color="0B4F8A")
RELISTING_FILL = PatternFill("solid", start_color="E6E6E6", end_color="E6E6E6")
TOTAL_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center")
WRAP = Alignment(vertical="center", wrap_text=True)


def status_font(status: Status) -> Font:
    """Return the bold font in the status's colour, used for its mark."""
    return Font(name=FONT_NAME, size=10.5, bold=True, color=status.colour)


# One Font object per status, so a writer can reuse (and cache) it for every mark cell.
STATUS_FONTS = {status: status_font(status) for status in Status}
