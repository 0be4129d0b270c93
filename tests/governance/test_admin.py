"""情報企画課 keeps the structure current in admin; every edit enters the history."""

import datetime

import pytest
from django.urls import reverse

from governance.models import (
    BodyRelation,
    Department,
    Division,
    GovernanceBody,
    LeaderDuty,
    ProjectTeam,
    PromotionLeader,
)
from measures.models import Measure

pytestmark = pytest.mark.django_db


def _inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


@pytest.mark.parametrize(
    "model",
    [Department, Division, GovernanceBody, BodyRelation, LeaderDuty, PromotionLeader, ProjectTeam],
)
def test_admin_lists_and_add_forms_open(admin_client, governance_seeded, model):
    name = model._meta.model_name
    assert admin_client.get(reverse(f"admin:governance_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:governance_{name}_add")).status_code == 200


def test_admin_records_a_new_leader_with_history(admin_client, admin_user, make_division):
    division = make_division("市民課")
    response = admin_client.post(
        reverse("admin:governance_promotionleader_add"),
        {
            "division": division.pk,
            "person_name": "滝沢 桜",
            "appointed_by": "市民課長 岩手 花子",
            "start_date": "2026-04-01",
            "end_date": "",
            "notes": "",
            "change_reason": "令和8年4月の人事異動",
        },
    )
    assert response.status_code == 302
    leader = PromotionLeader.objects.get()
    entry = leader.history.get()
    assert entry.history_type == "+"
    assert entry.history_user == admin_user
    assert entry.history_username == admin_user.get_username()
    assert entry.history_change_reason == "令和8年4月の人事異動"


def test_admin_ending_an_appointment_keeps_it_and_its_history(admin_client, make_leader):
    leader = make_leader("前任 一郎", start=datetime.date(2024, 4, 1))
    url = reverse("admin:governance_promotionleader_change", args=[leader.pk])
    response = admin_client.post(
        url,
        {
            "division": leader.division_id,
            "person_name": leader.person_name,
            "appointed_by": leader.appointed_by,
            "start_date": "2024-04-01",
            "end_date": "2025-03-31",
            "notes": "",
        },
    )
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.end_date == datetime.date(2025, 3, 31)
    assert [h.end_date for h in leader.history.order_by("history_date")] == [
        None,
        datetime.date(2025, 3, 31),
    ]


def test_admin_refuses_an_end_date_before_the_start(admin_client, make_division):
    division = make_division("市民課")
    response = admin_client.post(
        reverse("admin:governance_promotionleader_add"),
        {
            "division": division.pk,
            "person_name": "滝沢 桜",
            "appointed_by": "市民課長",
            "start_date": "2026-04-01",
            "end_date": "2026-03-31",
        },
    )
    assert response.status_code == 200
    assert "任期の終了日（2026-03-31）が開始日（2026-04-01）より前です" in response.content.decode()
    assert not PromotionLeader.objects.exists()


def test_admin_division_page_records_leaders_inline(admin_client, make_division):
    division = make_division("市民課")
    data = {
        "department": division.department_id,
        "name": division.name,
        "head_title": "課長",
        "head_name": "岩手 花子",
        "order": 0,
        **_inline_management("leaders", total=1),
        "leaders-0-person_name": "滝沢 桜",
        "leaders-0-appointed_by": "市民課長 岩手 花子",
        "leaders-0-start_date": "2026-04-01",
        "leaders-0-end_date": "",
    }
    response = admin_client.post(
        reverse("admin:governance_division_change", args=[division.pk]), data
    )
    assert response.status_code == 302
    assert division.leaders.get().person_name == "滝沢 桜"
    assert division.history.latest().head_name == "岩手 花子"


def test_admin_records_a_new_team_with_members_and_measures(
    admin_client, admin_user, make_division, make_measure
):
    division = make_division("市民課")
    measure = make_measure("申請・届出のオンライン化の促進")
    response = admin_client.post(
        reverse("admin:governance_projectteam_add"),
        {
            "name": "オンライン化PT",
            "purpose": "申請のオンライン化を横断的に検討する",
            "divisions": [division.pk],
            "measures": [measure.pk],
            "formed_on": "2026-04-01",
            "dissolved_on": "",
            "notes": "",
            **_inline_management("members", total=1),
            "members-0-person_name": "上田 実",
            "members-0-division": division.pk,
            "members-0-role": "リーダー",
            "members-0-order": 1,
        },
    )
    assert response.status_code == 302
    team = ProjectTeam.objects.get()
    assert list(team.measures.all()) == [measure]
    assert team.members.get().role == "リーダー"
    entry = team.history.latest()
    assert entry.history_username == admin_user.get_username()
    assert [row.measure_id for row in entry.measures.all()] == [measure.pk]


def test_admin_refuses_a_team_dissolved_before_it_was_formed(admin_client):
    response = admin_client.post(
        reverse("admin:governance_projectteam_add"),
        {
            "name": "PT",
            "purpose": "検討",
            "formed_on": "2026-04-01",
            "dissolved_on": "2026-01-01",
            **_inline_management("members"),
        },
    )
    assert response.status_code == 200
    assert "解散日（2026-01-01）が設置日（2026-04-01）より前です" in response.content.decode()
    assert not ProjectTeam.objects.exists()


def test_admin_measure_form_sets_responsible_and_cooperating_divisions(
    seeded, governance_seeded, admin_client, make_division
):
    measure = Measure.objects.get(name="IT講習の推進")
    policy = Division.objects.get(name="情報企画課")
    other = make_division("生涯学習課", department="教育委員会事務局")
    data = {
        "category": measure.category_id,
        "position": measure.position,
        "name": measure.name,
        "status": measure.status,
        "periods": [p.pk for p in measure.periods.all()],
        "notes": measure.notes,
        "responsible_division": other.pk,
        "cooperating_divisions": [policy.pk],
        "expected_version": measure.version,
        **_inline_management("relistings"),
    }
    response = admin_client.post(reverse("admin:measures_measure_change", args=[measure.pk]), data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.responsible_division == other
    assert list(measure.cooperating_divisions.all()) == [policy]
    latest = measure.history.latest()
    assert latest.responsible_division_id == other.pk
    assert [row.division_id for row in latest.cooperating_divisions.all()] == [policy.pk]


def test_a_division_with_measures_cannot_be_deleted_by_accident(make_division, make_measure):
    from django.db.models import ProtectedError

    division = make_division("市民課")
    measure = make_measure()
    measure.responsible_division = division
    measure.save()
    with pytest.raises(ProtectedError):
        division.delete()


def test_admin_history_pages_show_the_editor(admin_client, admin_user, make_leader, make_team):
    leader = make_leader()
    leader.notes = "交代予定"
    leader._history_user = admin_user
    leader.save()
    response = admin_client.get(
        reverse("admin:governance_promotionleader_history", args=[leader.pk])
    )
    assert response.status_code == 200
    assert admin_user.get_username() in response.content.decode()
    team = make_team()
    response = admin_client.get(reverse("admin:governance_projectteam_history", args=[team.pk]))
    assert response.status_code == 200
