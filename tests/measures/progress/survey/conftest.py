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
