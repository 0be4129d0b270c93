"""Hostile or broken files get a clear message and change nothing; memory and time stay
bounded (every file here is generated small; nothing is inflated to test a limit)."""

import io
import re
import zipfile

import openpyxl
import pytest

from measures.imports import files, summary
from measures.imports.files import CHOOSE_XLSX, WorkbookRefused
from measures.imports.summary import read_plan
from measures.models import Measure

pytestmark = pytest.mark.django_db


def _refused(content: bytes, filename: str = "upload.xlsx") -> str:
    with pytest.raises(WorkbookRefused) as caught:
        read_plan(content, filename=filename)
    return str(caught.value)


def _rewrite(content: bytes, changes: dict[str, bytes | None]) -> bytes:
    """Return the workbook with members replaced (bytes), removed (None) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in changes:
                continue
            target.writestr(info, source.read(info.filename))
        for name, data in changes.items():
            if data is not None:
                target.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _member(content: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name)


def _sheet_path(content: bytes, title: str) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    index = wb.sheetnames.index(title) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def test_defusedxml_is_used_by_openpyxl():
    assert openpyxl.DEFUSEDXML is True


def test_a_shift_jis_csv_is_refused_with_a_clear_message(seeded):
    csv = "区分,施策,実施\ne-city,総合的文書管理システムの構築,◎\n".encode("shift_jis")
    assert _refused(csv, "施策一覧.csv") == CHOOSE_XLSX
    assert _refused(csv, "renamed.xlsx") == CHOOSE_XLSX


def test_an_empty_file_and_plain_text_are_refused(seeded):
    assert "空" in _refused(b"", "empty.xlsx")
    assert _refused(b"hello", "hello.xlsx") == CHOOSE_XLSX


def test_an_old_xls_or_encrypted_workbook_is_refused(seeded):
    ole = files.OLE_MAGIC + b"\0" * 512
    assert "古い形式（.xls）またはパスワード付き" in _refused(ole, "old.xls")
    assert "古い形式（.xls）またはパスワード付き" in _refused(ole, "locked.xlsx")


def test_a_broken_zip_is_refused(seeded):
    assert "壊れていて" in _refused(b"PK\x03\x04" + b"\x00" * 100)


@pytest.mark.parametrize("name", ["book.xlsm", "book.XLSM", "template.xltm", "binary.xlsb"])
def test_macro_workbooks_are_refused_by_name(seeded, summary_bytes, name):
    assert "マクロ付き" in _refused(summary_bytes(), name)


def test_macro_content_is_refused_even_when_named_xlsx(seeded, summary_bytes):
    with_vba = _rewrite(summary_bytes(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"})
    assert "マクロを含む" in _refused(with_vba)
    content = summary_bytes()
    types = _member(content, "[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
    )
    assert "マクロを含む" in _refused(_rewrite(content, {"[Content_Types].xml": types}))


def test_a_zip_bomb_is_refused_from_declared_sizes(seeded, summary_bytes, monkeypatch):
    # 2 MB of zeros deflates to about 2 KB: a ratio of about 1000.
    bomb = _rewrite(summary_bytes(), {"xl/media/zeros.bin": b"\0" * (2 * 1024 * 1024)})
    assert "圧縮爆弾" in _refused(bomb)


def test_a_workbook_too_large_once_inflated_is_refused(seeded, summary_bytes, monkeypatch):
    monkeypatch.setattr(files, "MAX_UNCOMPRESSED_BYTES", 10_000)
    assert "圧縮爆弾" in _refused(summary_bytes())


def test_an_upload_over_the_size_limit_is_refused(seeded, summary_bytes, monkeypatch):
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 1024)
    assert "大きすぎます" in _refused(summary_bytes())


def test_xml_entity_tricks_are_refused_before_parsing(seeded, summary_bytes):
    content = summary_bytes()
    path = _sheet_path(content, "e-city")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    hostile = _rewrite(content, {path: laughs + _member(content, path)})
    assert "DOCTYPE/ENTITY" in _refused(hostile)


def test_openpyxl_itself_refuses_entities_through_defusedxml(seeded, summary_bytes):
    """Defence in depth: even past our own check, openpyxl parses with defusedxml."""
    from defusedxml import EntitiesForbidden

    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    )
    hostile = _rewrite(summary_bytes(), {"xl/workbook.xml": external})
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(hostile))
    assert isinstance(caught.value.__cause__, EntitiesForbidden)


def test_a_sheet_declaring_a_million_rows_is_refused_without_reading_them(seeded, summary_bytes):
    content = summary_bytes()
    path = _sheet_path(content, "e-city")
    xml = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:F1048576"/>', _member(content, path))
    huge = _rewrite(content, {path: xml})
    plan = read_plan(huge, filename="huge.xlsx")
    assert [str(e) for e in plan.errors] == [
        "e-city!A1: 行が多すぎます（1,048,576 行。上限は施策 10,000 行）。"
    ]


def test_a_sheet_with_more_rows_than_allowed_stops_reading(seeded, summary_bytes, monkeypatch):
    """Rows beyond the limit are not read even when the sheet does not declare its size."""
    monkeypatch.setattr(summary, "MAX_DATA_ROWS", 20)
    content = summary_bytes()
    paths = [_sheet_path(content, code) for code in ("e-citizen", "e-business", "e-city")]
    undeclared = {p: re.sub(rb"<dimension [^>]*/>", b"", _member(content, p)) for p in paths}
    plan = read_plan(_rewrite(content, undeclared), filename="long.xlsx")
    assert [str(e) for e in plan.errors] == [
        "e-citizen!A25: 行が多すぎます（上限は施策 20 行）。",
        "e-city!A25: 行が多すぎます（上限は施策 20 行）。",
    ]


def test_too_many_sheets_are_refused(seeded, summary_bytes, monkeypatch):
    monkeypatch.setattr(summary, "MAX_SHEETS", 2)
    assert "シートが多すぎます" in _refused(summary_bytes())


def test_a_zip_that_is_not_a_workbook_is_refused(seeded):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert "Excel ブックではありません" in _refused(out.getvalue())


def test_a_corrupt_sheet_gets_a_message_not_an_exception(seeded, summary_bytes):
    content = summary_bytes()
    path = _sheet_path(content, "e-city")
    broken = _rewrite(content, {path: b"<worksheet><sheetData><row r='1'><c r='A1'"})
    assert "読み取れませんでした" in _refused(broken)


def test_nothing_changes_after_a_refused_file(seeded, summary_bytes):
    before = list(Measure.objects.values_list("pk", "status", "version"))
    _refused(b"PK\x03\x04broken")
    assert list(Measure.objects.values_list("pk", "status", "version")) == before


def test_a_sheet_of_exactly_the_row_limit_is_read(seeded, summary_bytes, monkeypatch):
    """Its 「計」 row comes just after the limit and must not count as one row too many."""
    monkeypatch.setattr(summary, "MAX_DATA_ROWS", 36)  # e-city's rows, re-listings included
    plan = read_plan(summary_bytes(), filename="full.xlsx")
    assert plan.errors == []
    assert plan.rows_read == 83
