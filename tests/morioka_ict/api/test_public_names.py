"""Public API answers carry no person's name or account, whatever the records hold."""

import datetime
import json

import pytest
from django.test import Client

from governance.models import (
    Department,
    Division,
    ProjectTeam,
    ProjectTeamMember,
    PromotionLeader,
)
from measures.models import Measure
from measures.progress.models import ProgressReport, ProgressRound, ReportState, RoundState

pytestmark = pytest.mark.django_db

NAMES = ("盛岡 太郎", "岩手 次郎", "紫波 三郎", "leader-account", "reviewer-account")


@pytest.fixture
def named_records(seeded, django_user_model):
    leader_account = django_user_model.objects.create_user("leader-account")
    reviewer = django_user_model.objects.create_user("reviewer-account")
    department = Department.objects.create(name="市民部", order=9)
    division = Division.objects.create(department=department, name="市民課", head_name="岩手 次郎")
    PromotionLeader.objects.create(
        division=division,
        person_name="盛岡 太郎",
        appointed_by="市民課長 岩手 次郎",
        start_date=datetime.date(2020, 4, 1),
        user=leader_account,
    )
    measure = Measure.objects.first()
    measure.responsible_division = division
    measure.save()
    measure.cooperating_divisions.add(division)
    team = ProjectTeam.objects.create(
        name="窓口チーム", purpose="窓口の電子化", formed_on=datetime.date(2021, 4, 1)
    )
    team.divisions.add(division)
    team.measures.add(measure)
    ProjectTeamMember.objects.create(team=team, person_name="紫波 三郎", division=division)
    progress_round = ProgressRound.objects.create(
        title="令和7年度 進捗調査",
        reference_date=datetime.date(2026, 3, 31),
        opens_on=datetime.date(2026, 4, 1),
        closes_on=datetime.date(2026, 4, 30),
        state=RoundState.CONFIRMED,
    )
    ProgressReport.objects.create(
        round=progress_round,
        measure=measure,
        state=ReportState.APPROVED,
        status=measure.status,
        activities="窓口を電子化した",
        written_by=leader_account,
        submitted_by=leader_account,
        reviewed_by=reviewer,
    )
    return measure, progress_round


def _public_urls(measure, progress_round) -> list[str]:
    return [
        "/api/v1/plan",
        "/api/v1/periods",
        "/api/v1/categories",
        "/api/v1/measures?relistings=true&page_size=100",
        f"/api/v1/measures/{measure.pk}",
        "/api/v1/totals",
        "/api/v1/governance/structure",
        "/api/v1/progress/rounds",
        f"/api/v1/progress/rounds/{progress_round.pk}/results",
        "/api/v1/openapi.json",
    ]


def test_public_api_answers_name_no_person_or_account(public, named_records):
    measure, progress_round = named_records
    client = Client()
    for url in _public_urls(measure, progress_round):
        response = client.get(url)
        assert response.status_code == 200, url
        text = json.dumps(response.json(), ensure_ascii=False)
        for name in NAMES:
            assert name not in text, (url, name)
    detail = client.get(f"/api/v1/measures/{measure.pk}").json()
    assert detail["responsible_division"]["name"] == "市民課"
    assert detail["progress"][0]["activities"] == "窓口を電子化した"


def test_token_answers_name_no_person_either(token_client, named_records):
    measure, progress_round = named_records
    for url in _public_urls(measure, progress_round):
        text = json.dumps(token_client.get(url).json(), ensure_ascii=False)
        for name in NAMES:
            assert name not in text, (url, name)
