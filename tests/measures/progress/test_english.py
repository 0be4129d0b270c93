"""The progress pages in English: the states, the buttons and the messages read as English,
where one Japanese word means two things (「提出」 the state and the button, 「締切」 the state and
the date)."""

import pytest
from django.urls import reverse

from measures.progress.models import RoundState

from .builders import days, report_of, submit

pytestmark = pytest.mark.django_db


def _in_english(client, user):
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_leader_reads_my_reports_and_the_report_form_in_english(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN, closes_on=days(5))
    report = report_of(progress_round, register.own)
    _in_english(client, people.leader)

    mine = _page(client.get(reverse("measures:progress:mine")))
    form = _page(client.get(reverse("measures:progress:report", args=[report.pk])))

    assert "<h1>My reports</h1>" in mine
    assert "Progress as of 2026-03-31" in mine and "5 days left" in mine
    assert ">Not submitted<" in mine and "Submission status" in mine
    assert "Deadline" in form and "Reference date" in form
    assert ">Save draft</button>" in form and ">Submit</button>" in form
    assert "Submitted</button>" not in form


def test_the_round_pages_in_english_tell_states_from_actions(client, make_round, register, people):
    make_round(RoundState.CLOSED, title="締め切った調査", reference_date=days(-400))
    progress_round = make_round(RoundState.OPEN)
    submit(report_of(progress_round, register.own), people.leader)
    _in_english(client, people.policy)

    rounds = _page(client.get(reverse("measures:progress:rounds")))
    dashboard = _page(client.get(reverse("measures:progress:round", args=[progress_round.pk])))

    assert "<h1>Progress surveys</h1>" in rounds
    assert "Preparing → Open → Closed → Confirmed" in rounds
    assert ">Open</td>" in rounds and ">Closed</td>" in rounds
    assert ">Submitted<" in dashboard
    assert ">Approve<span" in dashboard and ">Return<span" in dashboard


def test_the_round_form_in_english_names_each_missing_date(client, people):
    _in_english(client, people.policy)

    page = _page(client.post(reverse("measures:progress:round_create"), {"title": "FY2026"}))

    for label in ("Reference date", "Opening date", "Deadline"):
        assert f"{label} is required." in page
    assert "を入力してください" not in page
