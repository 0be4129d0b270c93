"""Builders for the 調査票 tests: a division's workbook as downloaded, filled in as a division
would (openpyxl, or LibreOffice Calc), and the plan of an upload."""

import io

import openpyxl
import pytest

from measures.progress.survey import reader, writer
from measures.progress.survey.selectors import division_survey

# Columns (1-based, as openpyxl counts) of the answer cells.
STATUS, PERCENT, ACTIVITIES, ISSUES, NEXT = (c + 1 for c in writer.ANSWER_COLS)
NAME = 3
KEY = writer.KEY_COL + 1


@pytest.fixture
def own_round(make_round):
    return make_round()


@pytest.fixture
def workbook_of():
    """Return the downloaded 調査票 of a division (bytes)."""

    def make(progress_round, division) -> bytes:
        survey = division_survey(progress_round, division.pk)
        return writer.survey_bytes(progress_round, survey)

    return make


def find_row(ws, name: str) -> int:
    for row in range(writer.FIRST_DATA_ROW + 1, ws.max_row + 1):
        if ws.cell(row, NAME).value == name:
            return row
    raise AssertionError(f"no row for {name}")


@pytest.fixture
def fill():
    """Return a function filling answers in by measure name with openpyxl; ``before`` may
    change the sheet first (sort, delete, add rows)."""

    def edit(content: bytes, answers: dict[str, dict[int, object]], *, before=None) -> bytes:
        wb = openpyxl.load_workbook(io.BytesIO(content))
        ws = wb[writer.ANSWER_SHEET]
        if before:
            before(ws)
        for name, cells in answers.items():
            row = find_row(ws, name)
            for col, value in cells.items():
                ws.cell(row, col).value = value
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return edit


def answer(status="◎", percent=80, activities="電子申請を始めた。", issues="", next_steps=""):
    return {
        STATUS: status,
        PERCENT: percent,
        ACTIVITIES: activities,
        ISSUES: issues,
        NEXT: next_steps,
    }


@pytest.fixture
def plan_of():
    def read(progress_round, *files: tuple[str, bytes]):
        return reader.read_survey_upload(list(files), progress_round=progress_round)

    return read


# A Basic macro that opens a workbook in LibreOffice Calc and works on the 調査票 sheet as a
# division would: types answers (text, or numbers with NUM:), sorts rows, deletes a row, then
# saves it as .xlsx with Calc's own filter, so LibreOffice writes every part of the file.
# Operations are separated by |; ~ in a value is a line break (typed Alt+Enter in a cell).
_FILL_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub FillSurvey(sUrl As String, sSheet As String, sOps As String, sOut As String)
  Dim aOpen(0) As New com.sun.star.beans.PropertyValue
  aOpen(0).Name = &quot;Hidden&quot;
  aOpen(0).Value = True
  oDoc = StarDesktop.loadComponentFromURL(sUrl, &quot;_blank&quot;, 0, aOpen())
  oSheet = oDoc.Sheets.getByName(sSheet)
  oSheet.unprotect(&quot;&quot;)
  For Each sOp In Split(sOps, &quot;|&quot;)
    aOp = Split(sOp, &quot;:&quot;, 2)
    If aOp(0) = &quot;SET&quot; Or aOp(0) = &quot;NUM&quot; Then
      aPair = Split(aOp(1), &quot;=&quot;, 2)
      oCell = oSheet.getCellRangeByName(aPair(0))
      If aOp(0) = &quot;NUM&quot; Then
        oCell.setValue(CDbl(aPair(1)))
      Else
        oCell.setString(Replace(aPair(1), &quot;~&quot;, Chr(10)))
      End If
    ElseIf aOp(0) = &quot;DEL&quot; Then
      oSheet.getRows().removeByIndex(CLng(aOp(1)) - 1, 1)
    ElseIf aOp(0) = &quot;SORT&quot; Then
      oRange = oSheet.getCellRangeByName(aOp(1))
      Dim aFields(0) As New com.sun.star.table.TableSortField
      aFields(0).Field = 2
      aFields(0).IsAscending = True
      Dim aSort(0) As New com.sun.star.beans.PropertyValue
      aSort(0).Name = &quot;SortFields&quot;
      aSort(0).Value = aFields()
      oRange.sort(aSort())
    End If
  Next
  oSheet.protect(&quot;&quot;)
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
def calc_fill(soffice, tmp_path):
    """Return a function that fills a 調査票 in LibreOffice Calc and saves it as .xlsx there
    (skipped without LibreOffice, except on CI, like ``soffice``)."""
    import shutil
    import subprocess

    binary = shutil.which("soffice")
    profile = tmp_path / "lo-profile"

    def run(source, ops: list[str]):
        soffice(source, "csv")  # the first run creates the profile for the macro
        (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(
            _FILL_MACRO, encoding="utf-8"
        )
        target = tmp_path / f"calc-{source.name}"
        macro = (
            f'macro:///Standard.Module1.FillSurvey("{source.as_uri()}","{writer.ANSWER_SHEET}",'
            f'"{"|".join(ops)}","{target.as_uri()}")'
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
        assert target.exists(), "LibreOffice did not save the filled 調査票"
        return target

    return run
