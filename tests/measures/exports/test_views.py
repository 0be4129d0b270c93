"""Downloads need a login; they return the files as attachments."""

import csv
import io

import pytest
from django.urls import reverse

from governance.audit import AccessKind, AccessRecord
from measures.exports.summary import OVERVIEW_TITLE
from measures.models import Measure, Status
from tests.downloads import body as download_body

pytestmark = pytest.mark.django_db

SUMMARY = reverse("measures:excel:summary")
OPENDATA = reverse("measures:excel:opendata")
OPENDATA_BOM = reverse("measures:excel:opendata_bom")


@pytest.mark.parametrize("url", [SUMMARY, OPENDATA, OPENDATA_BOM])
def test_downloads_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_summary_download_is_the_workbook(seeded, reader_client, open_workbook):
    response = reader_client.get(SUMMARY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "xlsx" in disposition
    wb = open_workbook(download_body(response))
    assert wb.sheetnames[0] == OVERVIEW_TITLE


def test_opendata_download_is_utf8_without_bom(seeded, reader_client):
    response = reader_client.get(OPENDATA)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not download_body(response).startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download_body(response).decode("utf-8"))))
    assert rows[0][0] == "区分コード"
    assert len(rows) == 76


def test_opendata_bom_download_opens_in_japanese_excel(seeded, reader_client):
    response = reader_client.get(OPENDATA_BOM)
    assert download_body(response).startswith(b"\xef\xbb\xbf")
    assert "Excel" in response["Content-Disposition"]
    assert download_body(response).decode("utf-8-sig").startswith("区分コード,")


def test_downloads_refuse_post(reader_client):
    assert reader_client.post(SUMMARY).status_code == 405


def test_downloads_are_public_when_public_read_is_on(seeded, client, settings):
    settings.DASHBOARD_PUBLIC_READ = True
    assert client.get(OPENDATA).status_code == 200


@pytest.mark.parametrize("page", ["measures:home", "measures:category"])
def test_dashboard_pages_link_every_file(seeded, reader_client, page):
    url = reverse(page, args=["e-city"]) if page == "measures:category" else reverse(page)
    html = reader_client.get(url).content.decode()
    for link in (SUMMARY, OPENDATA, OPENDATA_BOM):
        assert f'href="{link}"' in html


# --- admin import: upload → preview → confirm ---------------------------------------------

IMPORT = reverse("admin:measures_measure_import")
PREVIEW = reverse("admin:measures_measure_import_preview")
CHANGELIST = reverse("admin:measures_measure_changelist")


def _upload(client, content: bytes, name: str = "edited.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(IMPORT, {"workbook": SimpleUploadedFile(name, content)})


@pytest.fixture
def staff_client(client, django_user_model):
    """Staff of another division: may see and change measures, may not import."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("staff", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_measure", "change_measure"])
    )
    client.force_login(user)
    return client


@pytest.fixture
def planning_client(client, django_user_model):
    """A member of the 情報企画課 role (created by a migration), which may import."""
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="情報企画課")
    user = django_user_model.objects.create_user("kikaku", is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    client.user = user
    return client


def test_import_button_is_shown_only_to_users_who_may_import(seeded, admin_client, staff_client):
    assert "Excelから取り込む" in admin_client.get(CHANGELIST).content.decode()
    assert "Excelから取り込む" not in staff_client.get(CHANGELIST).content.decode()


def test_import_pages_are_refused_without_the_permission(seeded, staff_client):
    from django.test import Client

    assert staff_client.get(IMPORT).status_code == 403
    assert staff_client.get(PREVIEW).status_code == 403
    anonymous = Client().get(IMPORT)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


def test_import_upload_page_renders(seeded, planning_client):
    response = planning_client.get(IMPORT)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert 'accept=".xlsx"' in content


def test_import_refused_file_shows_the_message_on_the_form(seeded, planning_client):
    response = _upload(planning_client, "区分,施策\n".encode("shift_jis"), "list.csv")
    assert response.status_code == 200
    assert "Excel ブック (.xlsx) を選んでください" in response.content.decode()
    assert "measures_excel_import" not in planning_client.session


def test_import_with_errors_shows_them_by_cell_and_offers_no_confirm(
    seeded, planning_client, edited_workbook
):
    response = _upload(planning_client, edited_workbook({"e-city": {"C14": "◎"}}))
    content = response.content.decode()
    assert response.status_code == 200
    assert "e-city!C14: 実施と未着手の両方に印があります" in content
    assert 'name="confirm"' not in content
    assert "measures_excel_import" not in planning_client.session


def test_import_preview_then_confirm_writes_under_the_confirming_user(
    seeded, planning_client, edited_workbook
):
    content = edited_workbook({"e-city": {"C5": None, "E5": "×", "F6": "一次～二次"}})
    response = _upload(planning_client, content, "庁議資料.xlsx")
    assert response.status_code == 302
    assert response["Location"] == PREVIEW

    preview = planning_client.get(PREVIEW)
    html = preview.content.decode()
    assert "総合的文書管理システムの構築" in html
    assert "◎ 実施" in html and "× 未着手" in html
    assert "一次～二次" in html
    assert 'name="confirm"' in html
    # Nothing written yet.
    measure = Measure.objects.get(category__code="e-city", position=1)
    assert measure.status == Status.IMPLEMENTED

    done = planning_client.post(
        PREVIEW, {"confirm": "1", "digest": preview.context["digest"]}, follow=True
    )
    assert done.redirect_chain[-1][0] == CHANGELIST
    assert "2 件の施策を取り込みました" in done.content.decode()
    measure.refresh_from_db()
    assert measure.status == Status.NOT_STARTED
    entry = measure.history.first()
    assert entry.history_user == planning_client.user
    assert entry.history_change_reason == "Excel取込: 庁議資料.xlsx"
    assert "measures_excel_import" not in planning_client.session
    record = AccessRecord.objects.get(kind=AccessKind.IMPORT)
    assert (record.user, record.detail) == (planning_client.user, "庁議資料.xlsx: 2 件")


def test_import_confirm_is_refused_if_the_register_changed_after_the_preview(
    seeded, planning_client, edited_workbook
):
    _upload(planning_client, edited_workbook({"e-city": {"C5": None, "E5": "×"}}))
    digest = planning_client.get(PREVIEW).context["digest"]
    other = Measure.objects.get(category__code="e-city", position=1)
    other.status = Status.PARTIAL
    other.save()

    response = planning_client.post(PREVIEW, {"confirm": "1", "digest": digest}, follow=True)
    assert "確認した後に施策が変更された" in response.content.decode()
    other.refresh_from_db()
    assert other.status == Status.PARTIAL
    # The new preview shows what would change now.
    assert response.context["digest"] != digest


def test_import_cancel_changes_nothing(seeded, planning_client, edited_workbook):
    _upload(planning_client, edited_workbook({"e-city": {"C5": None, "E5": "×"}}))
    before = list(Measure.objects.values_list("pk", "status", "version"))
    response = planning_client.post(PREVIEW, {"cancel": "1"}, follow=True)
    assert "取り消しました" in response.content.decode()
    assert list(Measure.objects.values_list("pk", "status", "version")) == before
    assert "measures_excel_import" not in planning_client.session


def test_import_preview_without_an_upload_goes_back_to_the_form(seeded, planning_client):
    response = planning_client.get(PREVIEW)
    assert response.status_code == 302
    assert response["Location"] == IMPORT


def test_import_pages_keep_the_content_security_policy(seeded, planning_client, edited_workbook):
    _upload(planning_client, edited_workbook({"e-city": {"C5": None, "E5": "×"}}))
    for url in (IMPORT, PREVIEW):
        html = planning_client.get(url).content.decode()
        assert "<script>" not in html
        assert ' style="' not in html


def _edited_after_download(summary_bytes, *, cells: dict[str, object]) -> bytes:
    """Download the workbook, then let a colleague change e-city 1 in the register, then edit
    ``cells`` of the e-city sheet in the downloaded copy."""
    import io

    import openpyxl

    downloaded = summary_bytes()
    colleague = Measure.objects.get(category__code="e-city", position=1)
    colleague.status = Status.PARTIAL
    colleague.save()
    wb = openpyxl.load_workbook(io.BytesIO(downloaded))
    for ref, value in cells.items():
        wb["e-city"][ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_preview_shows_a_conflict_and_overwrites_only_when_ticked(
    seeded, planning_client, summary_bytes
):
    content = _edited_after_download(summary_bytes, cells={"C5": None, "E5": "×"})
    measure = Measure.objects.get(category__code="e-city", position=1)

    _upload(planning_client, content, "古い.xlsx")
    preview = planning_client.get(PREVIEW)
    html = preview.content.decode()
    assert "競合: ブックの作成後に変更された施策" in html
    assert "このブックの作成日時: 2026-11-27 10:15" in html
    assert f'name="overwrite" value="{measure.pk}"' in html
    assert "ブックの内容で上書きする" in html
    assert 'name="confirm"' in html

    # Not ticked: nothing changes.
    done = planning_client.post(
        PREVIEW, {"confirm": "1", "digest": preview.context["digest"]}, follow=True
    )
    text = done.content.decode()
    assert "上書きを選ばなかったため変更していません" in text
    assert "変更はありませんでした" in text
    measure.refresh_from_db()
    assert (measure.status, measure.version) == (Status.PARTIAL, 2)
    assert not AccessRecord.objects.filter(kind=AccessKind.IMPORT).exists()

    # Ticked: the workbook's × overwrites the colleague's ○.
    _upload(planning_client, content, "古い.xlsx")
    digest = planning_client.get(PREVIEW).context["digest"]
    done = planning_client.post(
        PREVIEW, {"confirm": "1", "digest": digest, "overwrite": [str(measure.pk)]}, follow=True
    )
    assert "1 件の施策を取り込みました" in done.content.decode()
    measure.refresh_from_db()
    assert (measure.status, measure.version) == (Status.NOT_STARTED, 3)
    assert measure.history.first().history_change_reason == "Excel取込: 古い.xlsx"


def test_import_preview_lists_measures_changed_since_but_not_edited_in_the_workbook(
    seeded, planning_client, summary_bytes
):
    content = _edited_after_download(summary_bytes, cells={"C6": None, "E6": "×"})
    _upload(planning_client, content)
    html = planning_client.get(PREVIEW).content.decode()
    assert "ブックでは編集されていないので、現在の内容のままにします" in html
    assert 'name="overwrite"' not in html


def test_import_of_two_sheets_of_one_category_stops_at_the_preview(
    seeded, planning_client, edited_workbook
):
    """It used to pass the preview, then fail on confirm and send the user back forever."""
    from tests.measures.imports.test_import_keys import two_city_sheets

    response = _upload(planning_client, two_city_sheets(edited_workbook))
    html = response.content.decode()
    assert response.status_code == 200
    assert "5 枚目のシート「e-city」は、4 枚目のシート「e-city」と同じ区分 e-city" in html
    assert 'name="confirm"' not in html
    assert "measures_excel_import" not in planning_client.session
    assert Measure.objects.get(category__code="e-city", position=1).status == Status.IMPLEMENTED


def test_import_of_a_workbook_without_keys_asks_for_a_new_download(
    seeded, planning_client, edited_workbook
):
    def drop_keys(wb):
        for ws in wb.worksheets[1:]:
            ws.delete_cols(7)

    response = _upload(planning_client, edited_workbook(before=drop_keys))
    html = response.content.decode()
    assert "照合キーがありません" in html
    assert "新しい集計ブックをダウンロード" in html
    assert "measures_excel_import" not in planning_client.session
