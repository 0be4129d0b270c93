"""Leader appointments and project teams: dates, current leaders, validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import BodyRelation, GovernanceBody, PromotionLeader

from .conftest import days_ago

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def test_leader_is_current_between_start_and_end_dates(make_leader):
    leader = make_leader(start=datetime.date(2025, 4, 1), end=datetime.date(2026, 3, 31))
    assert leader.is_current_on(datetime.date(2025, 4, 1))
    assert leader.is_current_on(datetime.date(2026, 3, 31))
    assert not leader.is_current_on(datetime.date(2026, 4, 1))
    assert not leader.is_current_on(datetime.date(2025, 3, 31))


def test_leader_without_end_date_stays_current(make_leader):
    leader = make_leader(start=days_ago(10))
    assert leader.is_current
    assert not make_leader("次期 リーダー", division=leader.division, start=days_ago(-5)).is_current


def test_past_appointments_stay_on_record_and_current_is_computed(make_division, make_leader):
    division = make_division()
    first = make_leader(
        "前任 一郎",
        division=division,
        start=datetime.date(2024, 4, 1),
        end=datetime.date(2025, 3, 31),
    )
    second = make_leader("後任 桜", division=division, start=datetime.date(2025, 4, 1))
    assert list(division.leaders.current(DAY)) == [second]
    assert list(division.leaders.past(DAY)) == [first]
    assert list(division.leaders.current(datetime.date(2024, 10, 1))) == [first]
    assert division.leaders.count() == 2


def test_leader_ending_before_starting_is_refused_in_japanese(make_division):
    leader = PromotionLeader(
        division=make_division(),
        person_name="盛岡 太郎",
        appointed_by="テスト課長",
        start_date=datetime.date(2026, 4, 1),
        end_date=datetime.date(2026, 3, 31),
    )
    with pytest.raises(ValidationError) as error:
        leader.full_clean()
    assert "任期の終了日（2026-03-31）が開始日（2026-04-01）より前です" in str(
        error.value.message_dict["end_date"]
    )


def test_leader_date_order_is_also_a_database_constraint(make_division):
    with pytest.raises(IntegrityError), transaction.atomic():
        PromotionLeader.objects.create(
            division=make_division(),
            person_name="盛岡 太郎",
            appointed_by="テスト課長",
            start_date=datetime.date(2026, 4, 1),
            end_date=datetime.date(2026, 3, 1),
        )


def test_team_dissolved_before_formed_is_refused_in_japanese(make_team):
    team = make_team(formed_on=datetime.date(2025, 6, 1))
    team.dissolved_on = datetime.date(2025, 5, 31)
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "解散日（2025-05-31）が設置日（2025-06-01）より前です" in str(
        error.value.message_dict["dissolved_on"]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        team.save()


def test_team_is_active_until_dissolved(make_team):
    team = make_team(formed_on=datetime.date(2025, 6, 1), dissolved_on=datetime.date(2026, 3, 31))
    assert team.is_active_on(datetime.date(2026, 3, 31))
    assert not team.is_active_on(datetime.date(2026, 4, 1))
    assert not team.is_active_on(datetime.date(2025, 5, 31))


def test_relation_to_itself_is_refused(governance_seeded):
    council = GovernanceBody.objects.get(code="council")
    relation = BodyRelation(source=council, target=council, label="報告・提案")
    with pytest.raises(ValidationError) as error:
        relation.full_clean()
    assert "矢印の元と先には別の機関を選んでください" in str(error.value)


def test_measure_links_to_divisions_in_both_directions(make_measure, make_division, make_team):
    measure = make_measure("申請のオンライン化")
    responsible = make_division("市民課")
    helper = make_division("情報企画課", department="総務部")
    measure.responsible_division = responsible
    measure.save()
    measure.cooperating_divisions.add(helper)
    team = make_team(measures=[measure], divisions=[responsible, helper])
    assert list(responsible.responsible_measures.all()) == [measure]
    assert list(helper.cooperating_measures.all()) == [measure]
    assert list(measure.project_teams.all()) == [team]
    assert list(responsible.project_teams.all()) == [team]
