"""Downloads need a login; they return the files as attachments."""

import csv
import io

import pytest
from django.urls import reverse

from measures.excel.summary import OVERVIEW_TITLE

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
    wb = open_workbook(response.content)
    assert wb.sheetnames[0] == OVERVIEW_TITLE


def test_opendata_download_is_utf8_without_bom(seeded, reader_client):
    response = reader_client.get(OPENDATA)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0][0] == "区分コード"
    assert len(rows) == 76


def test_opendata_bom_download_opens_in_japanese_excel(seeded, reader_client):
    response = reader_client.get(OPENDATA_BOM)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert (
        "Excel" in response["Content-Disposition"] or "%E7%94%A8" in response["Content-Disposition"]
    )
    assert response.content.decode("utf-8-sig").startswith("区分コード,")


def test_downloads_refuse_post(reader_client):
    assert reader_client.post(SUMMARY).status_code == 405


def test_downloads_are_public_when_public_read_is_on(seeded, client, settings):
    settings.DASHBOARD_PUBLIC_READ = True
    assert client.get(OPENDATA).status_code == 200


def test_downloads_partial_links_every_file(rf):
    from django.template.loader import render_to_string

    html = render_to_string("measures/excel/_downloads.html")
    for url in (SUMMARY, OPENDATA, OPENDATA_BOM):
        assert f'href="{url}"' in html
