"""Management commands for scheduled exports (and, further down, the import)."""

import io

import pytest
from django.core.management import CommandError, call_command

from measures.excel.summary import OVERVIEW_TITLE
from measures.management.commands import export_summary

pytestmark = pytest.mark.django_db


def test_export_summary_writes_the_workbook(seeded, tmp_path, open_workbook):
    target = tmp_path / "out" / "summary.xlsx"
    out = io.StringIO()
    call_command("export_summary", "-o", str(target), stdout=out)
    assert str(target) in out.getvalue()
    wb = open_workbook(target.read_bytes())
    assert wb.sheetnames[0] == OVERVIEW_TITLE


def test_export_summary_defaults_to_exports_with_the_date(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(export_summary, "DEFAULT_DIRECTORY", tmp_path / "exports")
    call_command("export_summary", stdout=io.StringIO())
    (written,) = (tmp_path / "exports").iterdir()
    assert written.name.startswith("施策一覧_")
    assert written.suffix == ".xlsx"


def test_export_summary_refuses_other_extensions(seeded, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_summary", "-o", str(tmp_path / "x.csv"))


def test_export_opendata_to_file_with_and_without_bom(seeded, tmp_path):
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    call_command("export_opendata", "-o", str(plain), stderr=io.StringIO())
    call_command("export_opendata", "-o", str(bom), "--bom", stderr=io.StringIO())
    assert plain.read_bytes().startswith("区分コード".encode())
    assert bom.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()


def test_export_opendata_to_stdout(seeded):
    out = io.StringIO()
    call_command("export_opendata", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("区分コード,")
    assert len(lines) == 76
