"""Management commands for scheduled exports (and, further down, the import)."""

import io

import pytest
from django.core.management import CommandError, call_command

from measures.exports.summary import OVERVIEW_TITLE
from measures.management.commands import export_summary
from measures.models import Measure, Status

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


def _write(tmp_path, content: bytes, name: str = "edited.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_import_workbook_dry_run_prints_the_preview_and_changes_nothing(
    seeded, tmp_path, edited_workbook, admin_user
):
    path = _write(tmp_path, edited_workbook({"e-city": {"C5": None, "E5": "×"}}))
    before = list(Measure.objects.values_list("pk", "status", "version"))
    out = io.StringIO()
    call_command("import_workbook", path, "--dry-run", "--user", admin_user.username, stdout=out)
    text = out.getvalue()
    assert "状況の変更: 1 件" in text
    assert "e-city!B5 総合的文書管理システムの構築: ◎ 実施 → × 未着手" in text
    assert "--dry-run のため何も変更していません。" in text
    assert list(Measure.objects.values_list("pk", "status", "version")) == before


def test_import_workbook_applies_under_the_given_user(
    seeded, tmp_path, edited_workbook, admin_user
):
    path = _write(tmp_path, edited_workbook({"e-city": {"C5": None, "E5": "×"}}), "月次.xlsx")
    out = io.StringIO()
    call_command("import_workbook", path, "--user", admin_user.username, stdout=out)
    assert "1 件の施策を取り込みました" in out.getvalue()
    measure = Measure.objects.get(category__code="e-city", position=1)
    assert measure.status == Status.NOT_STARTED
    entry = measure.history.first()
    assert entry.history_user == admin_user
    assert entry.history_change_reason == "Excel取込: 月次.xlsx"


def test_import_workbook_fails_with_every_error_and_changes_nothing(
    seeded, tmp_path, edited_workbook, admin_user
):
    path = _write(
        tmp_path, edited_workbook({"e-city": {"C5": None, "E5": "×", "C14": "◎", "F8": "?"}})
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_workbook", path, "--user", admin_user.username, stdout=io.StringIO())
    message = str(caught.value)
    assert "問題が 2 件あります" in message
    assert "e-city!C14: 実施と未着手の両方に印があります" in message
    assert "e-city!F8:" in message
    assert Measure.objects.get(category__code="e-city", position=1).status == Status.IMPLEMENTED


def test_import_workbook_refuses_a_csv_and_an_unknown_user(seeded, tmp_path, admin_user):
    csv_path = _write(tmp_path, "a,b\n".encode("shift_jis"), "list.csv")
    with pytest.raises(CommandError, match=r"Excel ブック \(.xlsx\) を選んでください"):
        call_command("import_workbook", csv_path, "--user", admin_user.username)
    with pytest.raises(CommandError, match="利用者「nobody」がいません"):
        call_command("import_workbook", csv_path, "--user", "nobody")


def test_import_workbook_exits_non_zero_from_the_shell(seeded, tmp_path, admin_user):
    """CommandError becomes exit status 1 for scheduled jobs."""
    from django.core.management import ManagementUtility

    path = _write(tmp_path, b"not a workbook", "x.xlsx")
    utility = ManagementUtility(["manage.py", "import_workbook", path, "--user", "admin"])
    with pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code == 1


def test_import_workbook_overwrites_only_the_conflicts_it_is_told_to(
    seeded, tmp_path, summary_bytes, admin_user
):
    import openpyxl

    downloaded = summary_bytes()
    first = Measure.objects.get(category__code="e-city", position=1)
    second = Measure.objects.get(category__code="e-city", position=2)
    for measure in (first, second):
        measure.notes = "同僚の編集"
        measure.save()
    wb = openpyxl.load_workbook(io.BytesIO(downloaded))
    for row in (5, 6):
        wb["e-city"][f"C{row}"] = None
        wb["e-city"][f"E{row}"] = "×"
    out = io.BytesIO()
    wb.save(out)
    path = _write(tmp_path, out.getvalue())

    printed = io.StringIO()
    call_command(
        "import_workbook", path, "--user", admin_user.username, "--dry-run", stdout=printed
    )
    assert "競合（ブックの作成後に変更され、ブックでも編集された施策）: 2 件" in printed.getvalue()
    assert f"施策番号 {first.pk} e-city!B5 総合的文書管理システムの構築" in printed.getvalue()

    with pytest.raises(CommandError, match="競合した施策ではありません"):
        call_command("import_workbook", path, "--user", admin_user.username, "--overwrite", "1")
    printed = io.StringIO()
    call_command(
        "import_workbook",
        path,
        "--user",
        admin_user.username,
        "--overwrite",
        str(first.pk),
        stdout=printed,
    )
    assert "競合した 1 件の施策は上書きしていません。" in printed.getvalue()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.NOT_STARTED, Status.IMPLEMENTED)
