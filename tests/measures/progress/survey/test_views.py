"""The 調査票 pages of the round dashboard: who may use them, and the upload → preview →
confirm steps as 情報企画課 sees them."""

import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.audit import AccessRecord
from measures.progress.models import ProgressReport, ReportState, RoundState, SurveyReturn

from ..builders import report_of, snapshot, submit
from .conftest import answer


def _urls(progress_round, division):
    return [
        reverse("measures:progress:survey_zip", args=[progress_round.pk]),
        reverse("measures:progress:survey_download", args=[progress_round.pk, division.pk]),
        reverse("measures:progress:survey_import", args=[progress_round.pk]),
        reverse("measures:progress:survey_preview", args=[progress_round.pk]),
    ]


def test_anonymous_is_sent_to_log_in(own_round, divisions, client):
    for url in _urls(own_round, divisions[0]):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["leader", "reporter", "reader", "other_leader"])
def test_only_the_policy_division_may_use_the_survey(who, own_round, people, divisions, client):
    client.force_login(getattr(people, who))
    for url in _urls(own_round, divisions[0]):
        assert client.get(url).status_code == 403
    upload = SimpleUploadedFile("a.xlsx", b"PK\x03\x04")
    url = reverse("measures:progress:survey_import", args=[own_round.pk])
    assert client.post(url, {"files": [upload]}).status_code == 403


@pytest.mark.parametrize("who", ["policy", "administrator"])
def test_policy_division_downloads_one_workbook_and_the_zip(
    who, own_round, people, divisions, register, client
):
    client.force_login(getattr(people, who))
    response = client.get(
        reverse("measures:progress:survey_download", args=[own_round.pk, divisions[0].pk])
    )
    assert response.status_code == 200
    assert quote("調査票_令和7年度 進捗調査_市民課.xlsx") in response["Content-Disposition"]
    response = client.get(reverse("measures:progress:survey_zip", args=[own_round.pk]))
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 2
    assert AccessRecord.objects.filter(kind="export").count() == 2


def test_downloads_need_an_open_round(make_round, people, divisions, register, client):
    closed = make_round(RoundState.CLOSED)
    client.force_login(people.policy)
    response = client.get(reverse("measures:progress:survey_zip", args=[closed.pk]), follow=True)
    assert "調査票は受付中の進捗調査でだけ使えます" in response.content.decode()
    assert (
        client.get(
            reverse("measures:progress:survey_download", args=[closed.pk, divisions[0].pk])
        ).status_code
        == 302
    )


def test_dashboard_shows_survey_links_and_who_answered_by_workbook(
    own_round, people, divisions, register, client, workbook_of, fill
):
    client.force_login(people.policy)
    url = reverse("measures:progress:round", args=[own_round.pk])
    page = client.get(url).content.decode()
    assert "全課等の調査票をダウンロード（zip）" in page
    assert (
        reverse("measures:progress:survey_download", args=[own_round.pk, divisions[0].pk]) in page
    )
    assert "調査票で回答した課等: 0" in page
    filled = fill(workbook_of(own_round, divisions[0]), {register.own.name: answer()})
    _upload_and_confirm(client, own_round, [("調査票_市民課.xlsx", filled)])
    page = client.get(url).content.decode()
    assert "調査票で回答した課等: 1" in page
    assert "調査票_市民課.xlsx" in page
    assert "1 件を提出として記録" in page


def _upload_and_confirm(client, progress_round, files, overwrite=()):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = client.post(
        reverse("measures:progress:survey_import", args=[progress_round.pk]), {"files": uploads}
    )
    assert response.status_code == 302, response.content.decode()
    preview = client.get(response["Location"])
    digest = preview.context["plan"].digest
    return client.post(
        response["Location"],
        {"digest": digest, "confirm": "", "overwrite": [str(pk) for pk in overwrite]},
        follow=True,
    )


def test_upload_preview_confirm_stores_submitted_reports(
    own_round, people, divisions, register, client, workbook_of, fill
):
    client.force_login(people.policy)
    own = fill(
        workbook_of(own_round, divisions[0]), {register.own.name: answer("○", 30, "市民課の回答")}
    )
    other = fill(
        workbook_of(own_round, divisions[1]),
        {register.other.name: answer("◎", 100, "税務課の回答")},
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("返送/調査票_税務課.xlsx", other)
    uploads = [
        SimpleUploadedFile("調査票_市民課.xlsx", own),
        SimpleUploadedFile("返送.zip", archive.getvalue()),
    ]
    response = client.post(
        reverse("measures:progress:survey_import", args=[own_round.pk]), {"files": uploads}
    )
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert (
        "2 ファイルの調査票から、2 件の回答を「提出」として記録します。まだ何も変更していません。"
        in page
    )
    assert "市民課の回答" in page and "税務課の回答" in page
    assert report_of(own_round, register.own).state == ReportState.NOT_SUBMITTED
    response = client.post(
        response["Location"], {"digest": preview.context["plan"].digest, "confirm": ""}, follow=True
    )
    assert (
        "調査票 2 ファイルから 2 件の報告を「提出」として取り込みました"
        in response.content.decode()
    )
    assert report_of(own_round, register.own).activities == "市民課の回答"
    assert report_of(own_round, register.other).state == ReportState.SUBMITTED
    assert SurveyReturn.objects.count() == 2
    assert AccessRecord.objects.filter(kind="import").count() == 1


def test_conflict_is_overwritten_only_when_ticked(
    own_round, people, divisions, register, client, workbook_of, fill
):
    content = workbook_of(own_round, divisions[0])
    submit(report_of(own_round, register.own), people.leader)
    filled = fill(content, {register.own.name: answer("×", 0, "調査票の回答")})
    client.force_login(people.policy)
    uploads = [SimpleUploadedFile("a.xlsx", filled)]
    response = client.post(
        reverse("measures:progress:survey_import", args=[own_round.pk]), {"files": uploads}
    )
    preview = client.get(response["Location"])
    assert "調査票の内容で上書きする" in preview.content.decode()
    page = client.post(
        response["Location"], {"digest": preview.context["plan"].digest, "confirm": ""}, follow=True
    ).content.decode()
    assert "上書きを選ばなかったため変更していません" in page
    assert report_of(own_round, register.own).activities != "調査票の回答"
    _upload_and_confirm(client, own_round, [("a.xlsx", filled)], overwrite=[register.own.pk])
    assert report_of(own_round, register.own).activities == "調査票の回答"


def test_confirm_after_a_change_shows_the_new_preview_and_writes_nothing(
    own_round, people, divisions, register, client, workbook_of, fill
):
    filled = fill(workbook_of(own_round, divisions[0]), {register.own.name: answer()})
    client.force_login(people.policy)
    uploads = [SimpleUploadedFile("a.xlsx", filled)]
    response = client.post(
        reverse("measures:progress:survey_import", args=[own_round.pk]), {"files": uploads}
    )
    digest = client.get(response["Location"]).context["plan"].digest
    submit(report_of(own_round, register.own), people.leader)
    before = snapshot()
    page = client.post(
        response["Location"], {"digest": digest, "confirm": ""}, follow=True
    ).content.decode()
    assert "確認した後に報告が変更されたため" in page
    assert snapshot() == before


def test_cancel_drops_the_upload(own_round, people, divisions, register, client, workbook_of):
    client.force_login(people.policy)
    uploads = [SimpleUploadedFile("a.xlsx", workbook_of(own_round, divisions[0]))]
    response = client.post(
        reverse("measures:progress:survey_import", args=[own_round.pk]), {"files": uploads}
    )
    page = client.post(response["Location"], {"cancel": ""}, follow=True).content.decode()
    assert "調査票の取り込みを取り消しました。何も変更していません。" in page
    assert "progress_survey_import" not in client.session
    response = client.get(response["Location"], follow=True)
    assert "取り込む調査票がありません。もう一度選んでください。" in response.content.decode()


def test_upload_page_without_a_file_says_what_to_do(own_round, people, client):
    client.force_login(people.policy)
    url = reverse("measures:progress:survey_import", args=[own_round.pk])
    page = client.get(url).content.decode()
    assert "返送された調査票" in page
    response = client.post(url, {})
    assert response.status_code == 200
    assert ProgressReport.objects.filter(state=ReportState.SUBMITTED).count() == 0


def test_dashboard_section_reads_in_three_queries_at_most_however_many_returns(
    own_round, people, divisions, register, workbook_of, fill, django_assert_max_num_queries
):
    from measures.progress import selectors
    from measures.progress.survey import reader, services
    from measures.progress.survey.selectors import survey_dashboard

    for division, measure in ((divisions[0], register.own), (divisions[1], register.other)):
        filled = fill(workbook_of(own_round, division), {measure.name: answer()})
        plan = reader.read_survey_upload([("a.xlsx", filled)], progress_round=own_round)
        services.survey_import_apply(plan=plan, user=people.policy, overwrite=set())
    lines = selectors.round_dashboard(own_round).divisions
    with django_assert_max_num_queries(3):
        survey = survey_dashboard(own_round, lines)
    assert survey.answered_divisions == 2
    assert [line.division for line in survey.lines] == list(divisions)


def test_dashboard_section_counts_what_each_division_may_still_answer(
    own_round, people, divisions, register, workbook_of, fill, django_assert_num_queries
):
    """The round page hands its per-division counts over: the section reads only the returns,
    and counts each division's reports that are still open to answer."""
    from measures.progress import selectors
    from measures.progress.services import WRITABLE_STATES
    from measures.progress.survey import reader, services
    from measures.progress.survey.selectors import survey_dashboard

    filled = fill(workbook_of(own_round, divisions[0]), {register.own.name: answer()})
    plan = reader.read_survey_upload([("a.xlsx", filled)], progress_round=own_round)
    services.survey_import_apply(plan=plan, user=people.policy, overwrite=set())
    lines = selectors.round_dashboard(own_round).divisions
    with django_assert_num_queries(1):
        handed = survey_dashboard(own_round, lines)
    expected = [
        (
            division,
            own_round.reports.filter(
                measure__responsible_division=division, state__in=WRITABLE_STATES
            ).count(),
        )
        for division in divisions
    ]
    assert [(line.division, line.reports) for line in handed.lines] == expected
    assert handed.answered_divisions == 1
