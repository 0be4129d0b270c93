"""Builders for the promotion structure (推進体制)."""

import datetime

import pytest
from django.utils import timezone

from governance.models import Department, Division, GovernanceBody, ProjectTeam, PromotionLeader
from governance.services import register_governance_seed
from tests.conftest import load_seed_once


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def governance_seeded(db):
    """The plan's chapter 5, loaded as `seed_plan` loads it."""
    assert load_seed_once(
        "governance",
        register_governance_seed,
        lambda: not (GovernanceBody.objects.exists() or Department.objects.exists()),
    )


@pytest.fixture
def make_division(db):
    def make(name: str = "テスト課", *, department: str = "テスト部", **fields) -> Division:
        dept, _ = Department.objects.get_or_create(name=department)
        return Division.objects.create(department=dept, name=name, **fields)

    return make


@pytest.fixture
def make_leader(make_division):
    def make(
        person_name: str = "盛岡 太郎",
        *,
        division: Division | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        **fields,
    ) -> PromotionLeader:
        return PromotionLeader.objects.create(
            division=division or make_division(),
            person_name=person_name,
            appointed_by=fields.pop("appointed_by", "テスト課長 岩手 花子"),
            start_date=start or days_ago(365),
            end_date=end,
            **fields,
        )

    return make


@pytest.fixture
def make_team(db):
    def make(
        name: str = "テストプロジェクトチーム",
        *,
        formed_on: datetime.date | None = None,
        dissolved_on: datetime.date | None = None,
        divisions=(),
        measures=(),
    ) -> ProjectTeam:
        team = ProjectTeam.objects.create(
            name=name,
            purpose="横断的な検討",
            formed_on=formed_on or days_ago(200),
            dissolved_on=dissolved_on,
        )
        team.divisions.set(divisions)
        team.measures.set(measures)
        return team

    return make
