"""The round dashboard's per-measure table comes one page at a time (10,000 measures stay
quick); counts and totals always cover the whole round."""

import pytest
from django.urls import reverse

from measures.progress import selectors
from measures.progress.models import RoundState

pytestmark = pytest.mark.django_db


def _rows(response) -> list[str]:
    return [row.report.measure.name for row in response.context["rows"]]


def test_dashboard_pages_the_reports_and_keeps_the_whole_counts(
    client, make_round, people, monkeypatch
):
    progress_round = make_round(RoundState.OPEN)
    monkeypatch.setattr(selectors, "DASHBOARD_PAGE_SIZE", 3)
    client.force_login(people.policy)
    url = reverse("measures:progress:round", args=[progress_round.pk])
    first = client.get(url)
    page = first.content.decode()
    assert len(_rows(first)) == 3 and 'rel="next"' in page
    assert "4 件" in page  # 対象の施策: the whole round
    second = client.get(url, {"page": 2})
    assert _rows(second) == ["担当課のない施策"]
    # The 担当課未設定 list is complete whatever page is shown.
    assert "担当課のない施策" in first.content.decode().split('id="unassigned-heading"')[1]
    for bad in ("abc", "-3", "999"):
        assert client.get(url, {"page": bad, "state": "nonsense"}).status_code == 200


def test_dashboard_names_the_first_unassigned_measures_and_counts_the_rest(
    client, make_round, people, monkeypatch
):
    progress_round = make_round(RoundState.OPEN)
    monkeypatch.setattr(selectors, "UNASSIGNED_SHOWN", 0)
    client.force_login(people.policy)
    page = client.get(reverse("measures:progress:round", args=[progress_round.pk]))
    section = page.content.decode().split('id="unassigned-heading"')[1].split("</section>")[0]
    assert "ほか 1 件" in section
