"""Progress rounds and approved results in the API, within each reader's scope."""

import pytest
from django.test import Client

from measures.progress.models import ReportState, RoundState

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(make_round, register):
    confirmed = make_round(RoundState.CONFIRMED, title="確定した調査")
    report = confirmed.reports.get(measure=register.own)
    report.state, report.status, report.activities = ReportState.APPROVED, "implemented", "済み"
    report.save()
    other = confirmed.reports.get(measure=register.other)
    other.state, other.status = ReportState.SUBMITTED, "partial"
    other.save()
    open_round = make_round(RoundState.OPEN, title="受付中の調査")
    return confirmed, open_round


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_public_reads_confirmed_rounds_and_their_approved_results_only(settings, rounds):
    settings.DASHBOARD_PUBLIC_READ = True
    confirmed, open_round = rounds
    titles = [r["title"] for r in Client().get("/api/v1/progress/rounds").json()]
    assert "確定した調査" in titles and "受付中の調査" not in titles
    body = Client().get(f"/api/v1/progress/rounds/{confirmed.pk}/results").json()
    assert [(r["measure_name"], r["status"]["mark"]) for r in body["results"]] == [
        ("市民課の施策", "◎")
    ]
    assert Client().get(f"/api/v1/progress/rounds/{open_round.pk}/results").status_code == 404


def test_policy_division_sees_every_round(people, rounds):
    titles = [r["title"] for r in _client_for(people.policy).get("/api/v1/progress/rounds").json()]
    assert {"確定した調査", "受付中の調査"} <= set(titles)


def test_reader_sees_confirmed_rounds(people, rounds):
    titles = [r["title"] for r in _client_for(people.reader).get("/api/v1/progress/rounds").json()]
    assert "受付中の調査" not in titles


def test_measure_timeline_shows_the_approved_report(settings, register, rounds):
    settings.DASHBOARD_PUBLIC_READ = True
    body = Client().get(f"/api/v1/measures/{register.own.pk}").json()
    assert [(e["round_title"], e["activities"]) for e in body["progress"]] == [
        ("確定した調査", "済み")
    ]
    assert body["responsible_division"]["name"] == "市民課"
