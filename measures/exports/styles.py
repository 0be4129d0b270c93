"""The workbook look shared by every export; status colours come from ``Status``."""

from dataclasses import dataclass

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


# The same look for XlsxWriter, which writes every workbook (openpyxl reads them).
_XLSX_BASE = {"font_name": FONT_NAME, "font_size": 10.5, "valign": "vcenter"}
_XLSX_BORDER = {"border": 1, "border_color": "#808080"}
XLSX_HEADER = {
    **_XLSX_BASE,
    **_XLSX_BORDER,
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#0B4F8A",
    "pattern": 1,
    "align": "center",
}


@dataclass(frozen=True)
class XlsxLook:
    """Bordered body cells of one fill: centred, wrapped, and both with Excel's quote prefix
    (a text that looks like a formula stays text when edited by hand)."""

    center: object
    wrap: object
    quoted: object
    quoted_center: object


@dataclass(frozen=True)
class XlsxFormats:
    header: object
    body: XlsxLook
    relisting: XlsxLook
    marks: dict


def xlsx_formats(wb) -> XlsxFormats:
    """Return the formats of a list sheet, registered once with the XlsxWriter workbook."""

    def look(**fill) -> XlsxLook:
        base = {**_XLSX_BASE, **_XLSX_BORDER, **fill}
        center = {**base, "align": "center"}
        wrap = {**base, "text_wrap": True}
        return XlsxLook(
            center=wb.add_format(center),
            wrap=wb.add_format(wrap),
            quoted=wb.add_format({**wrap, "quote_prefix": True}),
            quoted_center=wb.add_format({**center, "quote_prefix": True}),
        )

    return XlsxFormats(
        header=wb.add_format(XLSX_HEADER),
        body=look(),
        relisting=look(bg_color="#E6E6E6", pattern=1),
        marks={
            s: wb.add_format(
                {
                    **_XLSX_BASE,
                    **_XLSX_BORDER,
                    "align": "center",
                    "bold": True,
                    "font_color": f"#{s.colour}",
                }
            )
            for s in Status
        },
    )
