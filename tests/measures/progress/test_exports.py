"""A round's results as files: the workbook for 庁議 (opened again with openpyxl, and
recomputed by LibreOffice) and the open-data CSV; who may download them; the command."""

import csv
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.management.commands import export_progress_round
from measures.models import Measure, Status
from measures.progress import services
from measures.progress.exports import (
    OPENDATA_HEADER,
    RESULTS_OVERVIEW_TITLE,
    write_round_opendata,
    write_round_results,
)
from measures.progress.models import ProgressReport, ProgressRound, RoundState
from measures.progress.services import ReportContent

from .builders import advance, approve, report_of, submit

pytestmark = pytest.mark.django_db


def _workbook_bytes(progress_round) -> bytes:
    stream = io.BytesIO()
    write_round_results(stream, progress_round)
    return stream.getvalue()


def _open(content: bytes, **kwargs):
    return openpyxl.load_workbook(io.BytesIO(content), **kwargs)


def _total_row(ws) -> int:
    return next(row for row in range(5, ws.max_row + 1) if ws.cell(row, 1).value == "計")


def _opendata(progress_round) -> list[list[str]]:
    stream = io.StringIO()
    write_round_opendata(stream, progress_round)
    return list(csv.reader(io.StringIO(stream.getvalue())))


@pytest.fixture
def baseline(seeded):
    return ProgressRound.objects.get(is_baseline=True)


def test_baseline_workbook_totals_are_formulas_with_the_plan_s_figures(baseline):
    content = _workbook_bytes(baseline)
    formulas, values = _open(content), _open(content, data_only=True)
    assert formulas.sheetnames == [RESULTS_OVERVIEW_TITLE, "e-citizen", "e-business", "e-city"]
    expected = {"e-citizen": [12, 19, 3], "e-business": [7, 4, 1], "e-city": [20, 6, 3]}
    for code, figures in expected.items():
        ws, cached = formulas[code], values[code]
        assert [c.value for c in ws[4]] == [
            "区分",
            "施策",
            "実施",
            "一部着手",
            "未着手",
            "進捗率（%）",
            "取組内容",
        ]
        total = _total_row(ws)
        assert ws.cell(total, 3).value == f'=COUNTIF(C5:C{total - 1},"◎")'
        assert ws.cell(total, 5).value == f'=COUNTIF(E5:E{total - 1},"×")'
        assert [cached.cell(total, col).value for col in (3, 4, 5)] == figures
    overview, cached = formulas[RESULTS_OVERVIEW_TITLE], values[RESULTS_OVERVIEW_TITLE]
    assert overview["B5"].value.startswith("='e-citizen'!C")
    assert overview["E5"].value == "=SUM(B5:D5)"
    assert [cached.cell(5, col).value for col in range(1, 6)] == [
        "ア e-citizenづくり",
        12,
        19,
        3,
        34,
    ]
    assert overview["B8"].value == "=SUM(B5:B7)"
    assert [cached.cell(8, col).value for col in range(1, 6)] == ["合計", 39, 29, 7, 75]


@pytest.fixture
def answered(make_round, register, people):
    """An open round: 市民課の施策 answered ◎ 100 % and approved; the rest unanswered."""
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.own), people.leader)
    approve(report_of(progress_round, register.own), people.policy)
    return progress_round


def test_workbook_puts_the_mark_in_its_column_and_the_answer_beside_it(answered):
    wb = _open(_workbook_bytes(answered))
    ws = wb["e-one"]
    rows = {ws.cell(r, 2).value: r for r in range(5, _total_row(ws))}
    own = rows["市民課の施策"]
    assert [ws.cell(own, c).value for c in range(3, 8)] == [
        "◎",
        None,
        None,
        100,
        "窓口で電子申請を始めた。",
    ]
    unanswered = rows["市民課の二つ目の施策"]
    assert [ws.cell(unanswered, c).value for c in range(3, 8)] == [None] * 5
    # A re-listing is shaded and carries no mark (not counted).
    other = wb["e-two"]
    relisting = next(r for r in range(5, other.max_row) if "再掲" in str(other.cell(r, 2).value))
    assert other.cell(relisting, 2).value == "再掲された市民課の施策（再掲）"
    assert [other.cell(relisting, c).value for c in (3, 4, 5)] == [None, None, None]


def test_workbook_text_never_becomes_a_formula(answered, register, people):
    Measure.objects.filter(pk=register.own.pk).update(name="=HYPERLINK(1)")
    report = report_of(answered, register.own)
    ProgressReport.objects.filter(pk=report.pk).update(activities="@SUM(A1)")
    ws = _open(_workbook_bytes(answered))["e-one"]
    for col, text in ((2, "=HYPERLINK(1)"), (7, "@SUM(A1)")):
        cell = ws.cell(5, col)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_workbook_formulas_recompute_in_libreoffice(baseline, soffice, tmp_path):
    """Edit a mark by hand and let LibreOffice compute every total from the formulas
    (openpyxl drops the cached values when it saves)."""
    content = _workbook_bytes(baseline)
    wb = _open(content)
    ws = wb["e-city"]
    row = next(r for r in range(5, _total_row(ws)) if ws.cell(r, 3).value == "◎")
    ws.cell(row, 3).value = None
    ws.cell(row, 5).value = "×"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    outdir = soffice(
        edited, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    )
    with open(outdir / f"edited-{RESULTS_OVERVIEW_TITLE}.csv", encoding="utf-8") as f:
        overview = list(csv.reader(f))
    assert overview[4][1:] == ["12", "19", "3", "34"]
    assert overview[6][1:] == ["19", "6", "4", "29"]
    assert overview[7] == ["合計", "38", "29", "8", "75"]


def test_opendata_follows_the_machine_readable_rules(answered, register):
    report = report_of(answered, register.own)
    ProgressReport.objects.filter(pk=report.pk).update(activities="一行目\n二行目", issues="=1+1")
    rows = _opendata(answered)
    assert rows[0] == OPENDATA_HEADER
    assert len(rows) == 1 + 4  # every measure of the round, never a re-listing
    own = next(r for r in rows if r[5] == "市民課の施策")
    assert own[:2] == ["令和7年度 進捗調査", "2026-03-31"]
    assert own[7:] == ["実施", "◎", "100", "一行目 / 二行目", "'=1+1", "広報に載せる。"]
    unanswered = next(r for r in rows if r[5] == "市民課の二つ目の施策")
    assert unanswered[7:] == ["", "", "", "", "", ""]


def test_baseline_opendata_has_the_plan_s_marks(baseline):
    rows = _opendata(baseline)
    assert len(rows) == 76
    assert [sum(1 for r in rows[1:] if r[8] == s.mark) for s in Status] == [39, 29, 7]


def _url(progress_round, name):
    return reverse(f"measures:progress:{name}", args=[progress_round.pk])


DOWNLOADS = ("round_results", "round_opendata", "round_opendata_bom")


@pytest.mark.parametrize(
    ("who", "before_confirm"),
    [("policy", 200), ("administrator", 200), ("leader", 403), ("reader", 403)],
)
def test_who_may_download_the_results(client, answered, people, who, before_confirm):
    client.force_login(getattr(people, who))
    for name in DOWNLOADS:
        assert client.get(_url(answered, name)).status_code == before_confirm, name
    advance(answered, services.progress_round_close, people.policy)
    advance(answered, services.progress_round_confirm, people.policy)
    for name in DOWNLOADS:
        response = client.get(_url(answered, name))
        assert response.status_code == 200, name
        assert "attachment" in response["Content-Disposition"]


def test_public_downloads_only_confirmed_rounds_and_no_names(client, settings, answered, people):
    settings.DASHBOARD_PUBLIC_READ = True
    assert client.get(_url(answered, "round_results")).status_code == 302
    advance(answered, services.progress_round_close, people.policy)
    advance(answered, services.progress_round_confirm, people.policy)
    workbook = client.get(_url(answered, "round_results"))
    assert workbook.status_code == 200
    csv_text = client.get(_url(answered, "round_opendata_bom")).getvalue().decode("utf-8-sig")
    cells = [str(c.value) for ws in _open(workbook.getvalue()) for row in ws for c in row]
    for name in ("盛岡 花子", "leader", "kikaku", "紫波 三郎"):
        assert name not in csv_text and name not in " ".join(cells)


def test_dashboard_offers_the_downloads(client, answered, people):
    client.force_login(people.policy)
    page = client.get(reverse("measures:progress:round", args=[answered.pk])).content.decode()
    for name in (*DOWNLOADS, "round_compare"):
        assert _url(answered, name) in page


def test_downloads_keep_their_query_counts(client, answered, people, register):
    client.force_login(people.policy)

    def counts():
        result = []
        for name in DOWNLOADS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(_url(answered, name)).status_code == 200
            result.append(len(queries))
        return result

    few = counts()
    measures = Measure.objects.bulk_create(
        Measure(
            category=register.own.category, position=1000 + n, name=f"生成{n}", status="partial"
        )
        for n in range(300)
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(round=answered, measure=m, state="approved", status="partial")
        for m in measures
    )
    assert counts() == few


def test_command_writes_the_latest_confirmed_round(baseline, tmp_path, monkeypatch):
    monkeypatch.setattr(export_progress_round, "DEFAULT_DIRECTORY", tmp_path)
    out = io.StringIO()
    call_command("export_progress_round", stdout=out)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "進捗調査_オープンデータ_計画書掲載時点.csv",
        "進捗調査結果_計画書掲載時点.xlsx",
    ]
    assert "計画書掲載時点" in out.getvalue()
    target = tmp_path / "sub" / "r.xlsx"
    call_command("export_progress_round", str(baseline.pk), "-o", str(target), stdout=out)
    assert _open(target.read_bytes()).sheetnames[0] == RESULTS_OVERVIEW_TITLE


def test_command_refuses_unconfirmed_unknown_rounds_and_other_extensions(answered, tmp_path):
    with pytest.raises(CommandError, match="確定していません"):
        call_command("export_progress_round", answered.title, "-o", str(tmp_path / "a.csv"))
    call_command(
        "export_progress_round",
        answered.title,
        "--include-unconfirmed",
        "-o",
        str(tmp_path / "a.csv"),
        stdout=io.StringIO(),
    )
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").startswith("調査名,")
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("export_progress_round", "ない調査")
    with pytest.raises(CommandError, match="確定した進捗調査がありません"):
        call_command("export_progress_round")
    with pytest.raises(CommandError, match=r"\.xlsx か \.csv"):
        call_command(
            "export_progress_round", answered.title, "--include-unconfirmed", "-o", "x.txt"
        )


def test_report_content_is_only_in_files_once_approved(answered, register, people):
    report = report_of(answered, register.other)
    submit(report, people.other_leader, ReportContent(status="partial", activities="未承認の記述"))
    rows = _opendata(answered)
    other = next(r for r in rows if r[5] == "税務課の施策")
    assert other[7:] == ["", "", "", "", "", ""]


def test_the_web_files_are_the_command_files(client, answered, people):
    """The page streams what ``export_progress_round`` writes: same open data, same workbook."""
    client.force_login(people.policy)
    written = io.StringIO()
    write_round_opendata(written, answered)
    streamed = client.get(_url(answered, "round_opendata"))
    assert streamed.getvalue().decode("utf-8") == written.getvalue()
    with_bom = client.get(_url(answered, "round_opendata_bom")).getvalue().decode("utf-8")
    assert with_bom == "\ufeff" + written.getvalue()
    workbook = _open(client.get(_url(answered, "round_results")).getvalue())
    expected = _open(_workbook_bytes(answered))
    assert [ws.title for ws in workbook] == [ws.title for ws in expected]
    for ws in expected:
        assert [[c.value for c in row] for row in workbook[ws.title]] == [
            [c.value for c in row] for row in ws
        ]
