"""Round trip through real spreadsheet software: the downloaded 調査票 is opened in LibreOffice
Calc (headless), answers are typed in, rows re-sorted or deleted, the file is saved as .xlsx
by Calc, and imported through the pages. The answers arrive intact, on their own measures."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.progress.models import ReportState, SurveyReturn
from measures.progress.survey import writer

from ..builders import report_of, snapshot


def _download(client, progress_round, division, tmp_path):
    response = client.get(
        reverse("measures:progress:survey_download", args=[progress_round.pk, division.pk])
    )
    assert response.status_code == 200
    path = tmp_path / "調査票_市民課.xlsx"
    path.write_bytes(response.content)
    return path


def _import(client, progress_round, path):
    uploads = [SimpleUploadedFile(path.name, path.read_bytes())]
    response = client.post(
        reverse("measures:progress:survey_import", args=[progress_round.pk]), {"files": uploads}
    )
    assert response.status_code == 302, [str(p) for p in response.context["plan"].problems]
    preview = client.get(response["Location"])
    plan = preview.context["plan"]
    client.post(response["Location"], {"digest": plan.digest, "confirm": ""})
    return plan


def test_survey_filled_and_saved_in_libreoffice_imports_intact(
    own_round, people, divisions, register, client, calc_fill, tmp_path
):
    client.force_login(people.policy)
    downloaded = _download(client, own_round, divisions[0], tmp_path)
    saved = calc_fill(
        downloaded,
        [
            "SET:G5=○",
            "NUM:H5=45",
            "SET:I5=窓口の電子申請を開始~（一部の手続）",
            "SET:J5=周知不足",
            "SET:K5=広報に掲載する",
            "SET:G6=×",
            "SET:I6=未着手（予算要求中）",
        ],
    )
    ws = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))[writer.ANSWER_SHEET]
    assert ws.protection.sheet  # Calc kept the protection
    plan = _import(client, own_round, saved)
    assert plan.files[0].division == divisions[0]
    first = report_of(own_round, register.own)
    assert (first.state, first.status, first.progress_percent) == (
        ReportState.SUBMITTED,
        "partial",
        45,
    )
    assert first.activities == "窓口の電子申請を開始\n（一部の手続）"
    assert (first.issues, first.next_steps) == ("周知不足", "広報に掲載する")
    second = report_of(own_round, register.own_second)
    assert (second.status, second.progress_percent, second.activities) == (
        "not_started",
        None,
        "未着手（予算要求中）",
    )
    assert first.history.first().history_change_reason == f"Excel調査票: {saved.name}"
    assert SurveyReturn.objects.get().division == divisions[0]


def test_rows_resorted_in_libreoffice_land_on_their_own_measures(
    own_round, people, divisions, register, client, calc_fill, tmp_path
):
    client.force_login(people.policy)
    downloaded = _download(client, own_round, divisions[0], tmp_path)
    # Row 5 is 市民課の施策, row 6 the second one; sorted by name (二 before 施) they swap, and
    # the answers typed afterwards go on the swapped rows.
    saved = calc_fill(
        downloaded,
        ["SORT:A5:L6", "SET:G5=◎", "SET:I5=二つ目の回答", "SET:G6=○", "SET:I6=一つ目の回答"],
    )
    ws = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))[writer.ANSWER_SHEET]
    assert ws["C5"].value == register.own_second.name  # the sort really happened
    _import(client, own_round, saved)
    assert report_of(own_round, register.own).activities == "一つ目の回答"
    assert report_of(own_round, register.own).status == "partial"
    assert report_of(own_round, register.own_second).activities == "二つ目の回答"


def test_row_deleted_in_libreoffice_leaves_its_measure_alone(
    own_round, people, divisions, register, client, calc_fill, tmp_path
):
    client.force_login(people.policy)
    downloaded = _download(client, own_round, divisions[0], tmp_path)
    saved = calc_fill(downloaded, ["DEL:5", "SET:G5=◎", "NUM:H5=100", "SET:I5=残った行の回答"])
    _import(client, own_round, saved)
    assert report_of(own_round, register.own).state == ReportState.NOT_SUBMITTED
    kept = report_of(own_round, register.own_second)
    assert (kept.state, kept.activities, kept.progress_percent) == (
        ReportState.SUBMITTED,
        "残った行の回答",
        100,
    )


def test_key_edited_in_libreoffice_is_refused_and_nothing_changes(
    own_round, people, divisions, register, client, calc_fill, tmp_path
):
    client.force_login(people.policy)
    downloaded = _download(client, own_round, divisions[0], tmp_path)
    saved = calc_fill(downloaded, ["SET:G5=◎", "SET:I5=回答", "SET:L5=1.1.1.1:abc"])
    before = snapshot()
    uploads = [SimpleUploadedFile(saved.name, saved.read_bytes())]
    response = client.post(
        reverse("measures:progress:survey_import", args=[own_round.pk]), {"files": uploads}
    )
    assert "調査票!L5" in response.content.decode()
    assert "照合キーが正しくありません" in response.content.decode()
    assert snapshot() == before
