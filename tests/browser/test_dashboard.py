"""A member of staff uses the dashboard in a real browser."""

import csv
import io
import re

import pytest
from django.urls import reverse

from measures.models import Measure, Status

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_category_browser_and_export(page, live_server, seeded):
    page.goto(live_server.url + reverse("measures:home"))
    assert page.locator("h1").inner_text() == "施策の進捗状況"
    overall = page.locator("tfoot tr")
    assert str(Measure.objects.count()) in overall.inner_text()

    page.get_by_role("link", name="イ e-businessづくり").first.click()
    page.wait_for_url("**/categories/e-business/")
    relisting = page.locator("tr.relisting")
    assert relisting.count() == 1
    assert "再掲" in relisting.inner_text()
    relisting.get_by_role("link").click()
    page.wait_for_url("**/measures/*/")
    assert page.locator("h1").inner_text() == "申請・届出のオンライン化の促進"

    page.get_by_role("link", name="施策一覧").click()
    page.get_by_label("施策名").fill("ＩＴ講習")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_url("**/measures/?*q=*")
    assert page.locator("tbody tr").count() == 1
    assert "IT講習の推進" in page.locator("tbody").inner_text()

    page.get_by_label("状況").select_option(Status.PARTIAL.value)
    page.get_by_label("施策名").fill("")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_url("**status=partial*")
    page.get_by_role("link", name="施策名").click()
    page.wait_for_url("**sort=name*")
    assert "status=partial" in page.url

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV 形式（Excel で開けます）").click()
    body = download_info.value.path().read_bytes().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))[1:]
    assert len(rows) == Measure.objects.filter(status=Status.PARTIAL).count()
    assert {row[4] for row in rows} == {Status.PARTIAL.mark}


def test_category_summary_prints_on_one_a4_landscape_page(page, live_server, seeded):
    page.goto(live_server.url + reverse("measures:category", args=["e-citizen"]))
    assert page.get_by_role("button", name="この表を印刷（A4 横）").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    width, height = map(float, re.search(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert round(width) == 842 and round(height) == 595


def test_as_of_field_and_print_layout(page, live_server, seeded):
    page.goto(live_server.url + reverse("measures:category", args=["e-city"]))
    page.get_by_label("時点（この日の終わり）").fill("2001-03-31")
    page.get_by_role("button", name="この時点の集計を表示").click()
    assert "この日付より前の記録はありません" in page.locator("[role=alert]").inner_text()

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("table.summary-table").is_visible()


def test_english_switch(page, live_server, seeded):
    page.goto(live_server.url + reverse("measures:home"))
    assert page.locator("html").get_attribute("lang") == "ja"
    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="切替").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_keyboard_reaches_the_content_first(page, live_server, seeded):
    page.goto(live_server.url + reverse("measures:home"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "本文へ移動"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
