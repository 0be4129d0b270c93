"""Helpers for the Excel tests: files are always opened again and inspected."""

import io
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from measures.exports.summary import write_summary

TODAY = date(2026, 11, 27)
CREATED_AT = datetime(2026, 11, 27, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def summary_bytes(db):
    """Return a function that writes the summary workbook of the register as it stands."""

    def make() -> bytes:
        stream = io.BytesIO()
        write_summary(stream, today=TODAY, created_at=CREATED_AT)
        return stream.getvalue()

    return make


@pytest.fixture
def open_workbook():
    def load(content: bytes, **kwargs):
        return openpyxl.load_workbook(io.BytesIO(content), **kwargs)

    return load


@pytest.fixture
def soffice(tmp_path):
    """Return a function converting a file with headless LibreOffice (skipped if absent,
    except on CI)."""
    binary = shutil.which("soffice")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required on CI to check formulas recompute")
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path / "lo-profile"

    def convert(source: Path, target_format: str) -> Path:
        outdir = tmp_path / "converted"
        outdir.mkdir(exist_ok=True)
        subprocess.run(
            [
                binary,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                target_format,
                "--outdir",
                str(outdir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return outdir

    return convert


# A Basic macro that opens a workbook in Calc, types into cells as a user would, and saves it
# as .xlsx with Calc's own filter: LibreOffice writes every part of the saved file.
_EDIT_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub EditCells(sUrl As String, sSheet As String, sEdits As String, sOut As String)
  Dim aOpen(0) As New com.sun.star.beans.PropertyValue
  aOpen(0).Name = &quot;Hidden&quot;
  aOpen(0).Value = True
  oDoc = StarDesktop.loadComponentFromURL(sUrl, &quot;_blank&quot;, 0, aOpen())
  oSheet = oDoc.Sheets.getByName(sSheet)
  For Each sEdit In Split(sEdits, &quot;|&quot;)
    aPair = Split(sEdit, &quot;=&quot;)
    oCell = oSheet.getCellRangeByName(aPair(0))
    If aPair(1) = &quot;&quot; Then
      oCell.setString(&quot;&quot;)
    Else
      oCell.setString(aPair(1))
    End If
  Next
  Dim aSave(1) As New com.sun.star.beans.PropertyValue
  aSave(0).Name = &quot;FilterName&quot;
  aSave(0).Value = &quot;Calc MS Excel 2007 XML&quot;
  aSave(1).Name = &quot;Overwrite&quot;
  aSave(1).Value = True
  oDoc.storeToURL(sOut, aSave())
  oDoc.close(True)
End Sub
</script:module>
"""


@pytest.fixture
def soffice_edit(soffice, tmp_path):
    """Return a function that edits cells of a workbook in LibreOffice Calc and saves it as
    .xlsx (skipped without LibreOffice, except on CI, like ``soffice``)."""
    binary = shutil.which("soffice")
    profile = tmp_path / "lo-profile"

    def edit(source: Path, sheet: str, edits: dict[str, str]) -> Path:
        # The first run creates the profile; the macro goes into its Standard library.
        soffice(source, "csv")
        (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(
            _EDIT_MACRO, encoding="utf-8"
        )
        target = tmp_path / f"calc-{source.name}"
        pairs = "|".join(f"{ref}={value}" for ref, value in edits.items())
        macro = (
            f'macro:///Standard.Module1.EditCells("{source.as_uri()}","{sheet}",'
            f'"{pairs}","{target.as_uri()}")'
        )
        subprocess.run(
            [
                binary,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile.as_uri()}",
                macro,
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        assert target.exists(), "LibreOffice did not save the edited workbook"
        return target

    return edit


@pytest.fixture
def edited_workbook(summary_bytes):
    """Return a function that exports the register, applies ``edits`` and returns the bytes.

    ``edits`` maps a sheet name to {cell: value}; a value of None clears the cell.
    """

    def edit(edits: dict[str, dict[str, object]] | None = None, *, before=None) -> bytes:
        wb = openpyxl.load_workbook(io.BytesIO(summary_bytes()))
        if before:
            before(wb)
        for sheet, cells in (edits or {}).items():
            ws = wb[sheet]
            for ref, value in cells.items():
                ws[ref] = value
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return edit
