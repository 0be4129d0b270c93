"""Layout on a phone (390 px) and a desktop (1280 px): no page is wider than the screen (wide
tables scroll inside their own region), and measure names keep a readable width."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance.models import Division, ProjectTeam
from measures.models import Measure

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [390, 1280]

PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# Width of the column headed ``header`` in em of its own text, measured on its first body cell.
COLUMN_EM = """([table, header]) => {
  const table_ = document.querySelector(table);
  const headers = [...table_.querySelectorAll('thead th')];
  const index = headers.findIndex(th => th.textContent.trim() === header);
  const cell = table_.querySelector('tbody tr').children[index];
  return cell.getBoundingClientRect().width / parseFloat(getComputedStyle(cell).fontSize);
}"""
LINES_OF_HEADERS = """() => [...document.querySelectorAll('thead th')].map(th => {
  const range = document.createRange();
  range.selectNodeContents(th);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return [th.textContent.trim(), tops.size];
})"""

LINES_OF_LINK = """(text) => {
  const link = [...document.querySelectorAll('a')].find(a => a.textContent.trim() === text);
  return link.getClientRects().length;
}"""


@pytest.fixture
def sample(seeded):
    call_command("load_governance_sample", verbosity=0)


def _context(chromium, live_server, client, user, width):
    client.force_login(user)
    context = chromium.new_context(locale="ja-JP", viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def _pages():
    measure = Measure.objects.get(name="IT講習の推進")
    division = Division.objects.filter(responsible_measures__isnull=False).first()
    team = ProjectTeam.objects.first()
    return [
        reverse("measures:home"),
        reverse("measures:category", args=["e-citizen"]),
        reverse("measures:browser"),
        reverse("measures:browser") + "?relistings=on",
        reverse("measures:periods"),
        measure.get_absolute_url(),
        reverse("governance:structure"),
        reverse("governance:division_list"),
        division.get_absolute_url(),
        reverse("governance:team_list"),
        team.get_absolute_url(),
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_screen(chromium, live_server, client, reader, sample, width):
    pages = _pages()
    context = _context(chromium, live_server, client, reader, width)
    page = context.new_page()
    too_wide = {}
    for path in pages:
        page.goto(live_server.url + path)
        scroll_width, viewport = page.evaluate(PAGE_WIDTH)
        if scroll_width > viewport:
            too_wide[path] = scroll_width
    context.close()
    assert too_wide == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_browser_keeps_measure_names_readable(chromium, live_server, client, reader, seeded, width):
    context = _context(chromium, live_server, client, reader, width)
    page = context.new_page()
    page.goto(live_server.url + reverse("measures:browser"))
    name_em = page.evaluate(COLUMN_EM, ["table.measure-table", "施策名"])
    scroll_width, viewport = page.evaluate(PAGE_WIDTH)
    context.close()
    assert name_em >= 10
    assert scroll_width <= viewport


@pytest.mark.parametrize("width", WIDTHS)
def test_periods_page_prints_period_names_on_one_line(
    chromium, live_server, client, reader, seeded, width
):
    context = _context(chromium, live_server, client, reader, width)
    page = context.new_page()
    page.goto(live_server.url + reverse("measures:periods"))
    lines = {name: page.evaluate(LINES_OF_LINK, name) for name in ["第一次", "第四次"]}
    headers = dict(page.evaluate(LINES_OF_HEADERS))
    context.close()
    assert lines == {"第一次": 1, "第四次": 1}
    wrapped = {text: n for text, n in headers.items() if n != 1}
    assert not wrapped, f"column headers broken over lines: {wrapped}"


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_measure_list_keeps_measure_names_readable(
    chromium, live_server, client, admin_user, sample, width
):
    context = _context(chromium, live_server, client, admin_user, width)
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:measures_measure_changelist"))
    name_em = page.evaluate(COLUMN_EM, ["#result_list", "施策名"])
    scroll_width, viewport = page.evaluate(PAGE_WIDTH)
    context.close()
    assert name_em >= 10
    assert scroll_width <= viewport
