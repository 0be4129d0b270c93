"""Hostile and broken returns are refused with a message, and nothing changes: reports,
their history and the record of returned workbooks are the same before and after."""

import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from measures.progress.models import SurveyReturn
from measures.progress.survey import writer

from ..builders import snapshot
from .conftest import KEY, answer, find_row


def _rewrite(content: bytes, changes: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename not in changes:
                target.writestr(info, source.read(info.filename))
        for name, data in changes.items():
            target.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _member(content: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _edit_key(content: bytes, name: str, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb[writer.ANSWER_SHEET]
    cell = ws.cell(find_row(ws, name), KEY)
    cell.value = change(cell.value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def _hostile_files(kind: str, *, own_round, other_round, divisions, register, workbook_of, fill):
    good = fill(workbook_of(own_round, divisions[0]), {register.own.name: answer()})
    if kind == "csv":
        return [
            ("調査票.csv", "区分,施策\ne-one,市民課の施策\n".encode("shift_jis"))
        ], "Excel ブック"
    if kind == "xlsm":
        return [("調査票.xlsm", good)], "マクロ付き"
    if kind == "macro inside":
        return [("a.xlsx", _rewrite(good, {"xl/vbaProject.bin": b"\xd0\xcf fake"}))], "マクロを含む"
    if kind == "zip bomb":
        bomb = _rewrite(good, {"xl/media/zeros.bin": b"\0" * (2 * 1024 * 1024)})
        return [("a.xlsx", bomb)], "圧縮爆弾"
    if kind == "zip bomb in a zip":
        return [("all.zip", _zip({"a.xlsx": b"\0" * (2 * 1024 * 1024)}))], "圧縮爆弾"
    if kind == "entities":
        path = "xl/worksheets/sheet2.xml"
        return [("a.xlsx", _rewrite(good, {path: LAUGHS + _member(good, path)}))], "DOCTYPE/ENTITY"
    if kind == "truncated":
        return [("a.xlsx", good[: len(good) // 2])], "壊れていて"
    if kind == "broken sheet":
        path = "xl/worksheets/sheet2.xml"
        return [("a.xlsx", _rewrite(good, {path: b"<worksheet><sheetData><row r='5'><c"}))], (
            "壊れていて"
        )
    if kind == "another round":
        other = fill(workbook_of(other_round, divisions[0]), {register.own.name: answer()})
        return [("a.xlsx", other)], "別の進捗調査（令和6年度 追加調査）の調査票です"
    if kind == "another division's row":
        theirs = workbook_of(own_round, divisions[1])
        wb = openpyxl.load_workbook(io.BytesIO(theirs))
        foreign_key = wb[writer.ANSWER_SHEET].cell(5, KEY).value
        return [("a.xlsx", _edit_key(good, register.own.name, lambda _v: foreign_key))], (
            "別の課等または別の調査の調査票からコピーした行です"
        )
    if kind == "key edited":
        edited = _edit_key(good, register.own.name, lambda v: v.replace(".", ".1", 2))
        return [("a.xlsx", edited)], "照合キーが正しくありません"
    if kind == "book key edited":
        wb = openpyxl.load_workbook(io.BytesIO(good))
        wb[writer.META_SHEET]["B1"] = wb[writer.META_SHEET]["B1"].value[:-2] + "xx"
        out = io.BytesIO()
        wb.save(out)
        return [("a.xlsx", out.getvalue())], "照合情報が変更されている"
    if kind == "another workbook":
        wb = openpyxl.Workbook()
        wb.active["A1"] = "施策"
        out = io.BytesIO()
        wb.save(out)
        return [("a.xlsx", out.getvalue())], "ダッシュボードの調査票ではありません"
    raise AssertionError(kind)


KINDS = [
    "csv",
    "xlsm",
    "macro inside",
    "zip bomb",
    "zip bomb in a zip",
    "entities",
    "truncated",
    "broken sheet",
    "another round",
    "another division's row",
    "key edited",
    "book key edited",
    "another workbook",
]


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_upload_is_refused_on_the_page_and_nothing_changes(
    kind, own_round, make_round, people, divisions, register, workbook_of, fill, client
):
    from measures.progress.models import ProgressRound, RoundState

    if kind == "another round":
        # Made while that round was open (one round at most is open), then closed again.
        other_round = make_round(RoundState.PREPARING, title="令和6年度 追加調査")
        ProgressRound.objects.filter(pk=own_round.pk).update(state=RoundState.CLOSED)
        ProgressRound.objects.filter(pk=other_round.pk).update(state=RoundState.OPEN)
        other_round.refresh_from_db()
        files, expected = _hostile_files(
            kind,
            own_round=own_round,
            other_round=other_round,
            divisions=divisions,
            register=register,
            workbook_of=workbook_of,
            fill=fill,
        )
        ProgressRound.objects.filter(pk=other_round.pk).update(state=RoundState.CLOSED)
        ProgressRound.objects.filter(pk=own_round.pk).update(state=RoundState.OPEN)
    else:
        files, expected = _hostile_files(
            kind,
            own_round=own_round,
            other_round=None,
            divisions=divisions,
            register=register,
            workbook_of=workbook_of,
            fill=fill,
        )
    before = snapshot()
    client.force_login(people.policy)
    uploads = [_upload(name, content) for name, content in files]
    response = client.post(
        reverse("measures:progress:survey_import", args=[own_round.pk]), {"files": uploads}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "何も取り込んでいません" in page
    assert expected in page
    assert snapshot() == before
    assert not SurveyReturn.objects.exists()
    assert "progress_survey_import" not in client.session


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_rows_past_the_limit_are_refused_without_reading_further(
    own_round, divisions, register, workbook_of, plan_of, monkeypatch
):
    from measures.progress.survey import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 1)
    plan = plan_of(own_round, ("a.xlsx", workbook_of(own_round, divisions[0])))
    assert [str(p) for p in plan.problems] == ["a.xlsx 調査票!A6: 行が多すぎます（上限 1 行）。"]


def test_too_many_files_in_a_zip_are_refused(own_round, divisions, register, plan_of, monkeypatch):
    from measures.progress.survey import reader

    monkeypatch.setattr(reader, "MAX_FILES", 1)
    archive = _zip({"a.xlsx": b"x", "b.xlsx": b"y"})
    plan = plan_of(own_round, ("all.zip", archive))
    assert [str(p) for p in plan.problems] == [
        "all.zip: zip の中のファイルが多すぎます（上限 1）。"
    ]


def test_a_broken_zip_and_a_closed_round_are_refused(make_round, register, plan_of):
    from measures.progress.models import RoundState

    closed = make_round(RoundState.CLOSED)
    plan = plan_of(closed, ("all.zip", b"PK\x03\x04broken"))
    assert "受付中ではないため" in str(plan.problems[0])


def test_a_zip_made_by_windows_keeps_japanese_file_names(
    own_round, divisions, register, workbook_of, plan_of
):
    content = workbook_of(own_round, divisions[0])
    sjis = "調査票_市民課.xlsx".encode("cp932")
    placeholder = b"A" * (len(sjis) - 5) + b".xlsx"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(placeholder.decode(), content)
    # As Windows Explorer writes it: Shift_JIS bytes, no UTF-8 flag.
    windows_zip = out.getvalue().replace(placeholder, sjis)
    plan = plan_of(own_round, ("返送.zip", windows_zip))
    assert not plan.problems
    assert [f.filename for f in plan.files] == ["調査票_市民課.xlsx"]
