"""Plan-period view, measure page, error pages and access."""

import re

import pytest
from django.test import Client
from django.test.utils import override_script_prefix
from django.urls import reverse

from measures.models import Measure, PlanPeriod, Status
from measures.services import measure_set_status

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("measures:home"),
    reverse("measures:category", args=["e-citizen"]),
    reverse("measures:browser"),
    reverse("measures:periods"),
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_a_login_unless_public(client, settings, seeded, url):
    assert client.get(url).status_code == 302
    settings.DASHBOARD_PUBLIC_READ = True
    assert client.get(url).status_code == 200


def test_periods_view_counts_each_period_by_status(reader_client, seeded):
    response = reader_client.get(reverse("measures:periods"))
    assert response.status_code == 200
    columns = response.context["columns"]
    assert [c.period.number for c in columns] == [1, 2, 3, 4]
    fourth = columns[3]
    for status in Status:
        assert (
            fourth.breakdown.count_of(status)
            == Measure.objects.filter(periods__number=4, status=status).count()
        )
    text = response.content.decode()
    assert text.count('class="in-period"') == sum(
        PlanPeriod.objects.get(number=n).measures.count() for n in (1, 2, 3, 4)
    )


def test_measure_page_shows_status_periods_relistings_and_history(reader_client, seeded, reader):
    measure = Measure.objects.get(category__code="e-citizen", position=20)
    measure_set_status(
        measures=[measure], status=Status.IMPLEMENTED, user=reader, reason="庁議で報告"
    )
    response = reader_client.get(measure.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "◎" in text and "実施" in text
    assert measure.periods_display in text
    assert reverse("measures:category", args=["e-business"]) in text
    history = response.context["history"]
    assert len(history) == 2
    assert history[0]["changed"] == {"status"}
    assert history[0]["user"] == "reader"
    assert "庁議で報告" in text
    assert "計画書（第一次～第四次 施策一覧）からの初期登録" in text


def test_unknown_measure_is_a_friendly_404(reader_client, seeded, settings):
    settings.DEBUG = False
    response = reader_client.get("/measures/999999/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "ページが見つかりません" in text
    assert reverse("measures:home") in text


def test_500_page_renders_without_database_or_context(settings):
    from django.template.loader import render_to_string

    text = render_to_string("500.html")
    assert "エラーが発生しました" in text


def test_server_error_uses_the_site_page(settings, seeded, reader, monkeypatch):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(reader)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("measures.selectors.status_overview", broken)
    response = client.get(reverse("measures:home"))
    assert response.status_code == 500
    assert "エラーが発生しました" in response.content.decode()


def test_language_switch_shows_english_option_and_posts_to_set_language(reader_client, seeded):
    text = reader_client.get(reverse("measures:home")).content.decode()
    assert f'action="{reverse("set_language")}"' in text
    assert 'value="en"' in text


def test_status_colours_in_css_come_from_status(settings):
    from pathlib import Path

    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    for status in Status:
        assert f".{status.css_class} {{ color: #{status.colour}; }}" in css


def test_measure_page_shows_responsible_division_and_current_leader(reader_client, seeded):
    import datetime

    from governance.models import Department, Division, PromotionLeader

    department = Department.objects.create(name="総務部")
    division = Division.objects.create(department=department, name="情報企画課")
    PromotionLeader.objects.create(
        division=division,
        person_name="盛岡 一郎",
        appointed_by="情報企画課長",
        start_date=datetime.date(2020, 4, 1),
    )
    measure = Measure.objects.get(name="IT講習の推進")
    measure.responsible_division = division
    measure.save()

    page = reader_client.get(measure.get_absolute_url()).content.decode()
    assert "担当課" in page
    assert division.get_absolute_url() in page
    assert "盛岡 一郎" in page


@pytest.mark.parametrize("url", ["/categories/e-city/", "/periods/", "/measures/"])
def test_every_row_links_to_its_measure_page_under_any_script_prefix(reader_client, seeded, url):
    measure_pks = set(Measure.objects.values_list("pk", flat=True))
    for prefix in ("", "/ict"):
        with override_script_prefix(f"{prefix}/"):
            html = reader_client.get(url).content.decode()
        linked = {int(pk) for pk in re.findall(rf'href="{prefix}/measures/(\d+)/"', html)}
        assert len(linked) > 10
        assert linked <= measure_pks
        assert linked == {int(pk) for pk in re.findall(r'href="[^"]*/measures/(\d+)/"', html)}, (
            "every measure link carries the prefix"
        )


@pytest.mark.parametrize(
    "name,args",
    [
        ("measures:detail", [5]),
        ("measures:progress:survey_download", [3, 17]),
        ("admin:measures_measure_change", [12]),
    ],
)
def test_row_url_writes_what_reverse_gives(name, args):
    from measures.templatetags.measure_tables import row_url

    for prefix in ("/", "/ict/"):
        with override_script_prefix(prefix):
            assert row_url(name, *args) == reverse(name, args=args)
