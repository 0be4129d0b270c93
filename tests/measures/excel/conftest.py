"""Helpers for the Excel tests: files are always opened again and inspected."""

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from measures.excel.summary import write_summary

TODAY = date(2026, 11, 27)


@pytest.fixture
def summary_bytes(db):
    """Return a function that writes the summary workbook of the register as it stands."""

    def make() -> bytes:
        stream = io.BytesIO()
        write_summary(stream, today=TODAY)
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
