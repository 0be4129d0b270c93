"""The plan's chapter 5 as seed data: exactly the bodies, roles and relations it states."""

import pytest
from django.core.management import call_command

from governance.models import (
    BodyRelation,
    BodyRole,
    Department,
    Division,
    GovernanceBody,
    LeaderDuty,
    ProjectTeam,
    PromotionLeader,
)
from governance.services import SEED_CHANGE_REASON, register_governance_seed

pytestmark = pytest.mark.django_db

PLAN_BODIES = ["庁議", "ＩＣＴ利活用実施部門", "情報政策部門", "プロジェクトチーム"]
PLAN_ROLES = {
    "庁議": ["基本施策の策定，市政運営の総合調整及び重要事項の審議"],
    "ＩＣＴ利活用実施部門": [
        "各課等におけるＩＣＴ利活用",
        "「各課等の長」及び「情報化推進リーダー」が中心となって取組を推進",
    ],
    "情報政策部門": [
        "全庁的なＩＣＴ利活用の企画・立案・調整",
        "各課等のＩＣＴ利活用の支援・調整",
        "情報システム等の全体最適化",
        "情報化推進リーダーの育成支援",
    ],
    "プロジェクトチーム": ["組織横断的なプロジェクトチームによる，特定目的に応じた検討・提案"],
}
PLAN_RELATIONS = [
    ("情報政策部門", "庁議", "報告・提案"),
    ("情報政策部門", "ＩＣＴ利活用実施部門", "働きかけ"),
    ("情報政策部門", "ＩＣＴ利活用実施部門", "支援・調整"),
    ("ＩＣＴ利活用実施部門", "プロジェクトチーム", "参画・検討"),
    ("情報政策部門", "プロジェクトチーム", "招集・検討"),
    ("プロジェクトチーム", "情報政策部門", "報告・提案"),
]
PLAN_LEADER_DUTIES = [
    "ＩＣＴを利活用した市民サービスの向上，事務の効率化等の推進",
    "端末等の操作・運用管理の指導・助言",
    "情報セキュリティの維持・啓発",
]


def test_seed_holds_exactly_the_plans_bodies_roles_and_relations(governance_seeded):
    assert list(GovernanceBody.objects.values_list("name", flat=True)) == PLAN_BODIES
    roles = {
        body.name: [role.text for role in body.roles.all()] for body in GovernanceBody.objects.all()
    }
    assert roles == PLAN_ROLES
    relations = [
        (r.source.name, r.target.name, r.label)
        for r in BodyRelation.objects.select_related("source", "target")
    ]
    assert relations == PLAN_RELATIONS
    assert list(LeaderDuty.objects.values_list("text", flat=True)) == PLAN_LEADER_DUTIES


def test_seed_names_only_the_policy_division_and_no_people(governance_seeded):
    policy = GovernanceBody.objects.get(name="情報政策部門")
    assert str(policy.division) == "総務部 情報企画課"
    assert [str(d) for d in Division.objects.all()] == ["総務部 情報企画課"]
    assert list(Department.objects.values_list("name", flat=True)) == ["総務部"]
    assert Division.objects.get().head_name == ""
    assert not PromotionLeader.objects.exists()
    assert not ProjectTeam.objects.exists()
    assert GovernanceBody.objects.get(name="プロジェクトチーム").note == "設置した場合"


def test_seed_rows_get_an_initial_history_entry(governance_seeded):
    entry = GovernanceBody.history.get(name="庁議")
    assert entry.history_type == "+"
    assert entry.history_change_reason == SEED_CHANGE_REASON
    assert BodyRelation.history.count() == 6
    assert BodyRole.history.count() == 8
    assert Division.history.count() == 1


def test_seed_never_overwrites_edits(governance_seeded):
    body = GovernanceBody.objects.get(name="庁議")
    body.note = "情報企画課による追記"
    body.save()
    assert register_governance_seed() is False
    body.refresh_from_db()
    assert body.note == "情報企画課による追記"
    assert GovernanceBody.objects.count() == 4


def test_seed_plan_command_loads_the_structure_but_not_the_sample(db, capsys):
    call_command("seed_plan")
    assert "推進体制（第５章）を登録しました" in capsys.readouterr().out
    assert GovernanceBody.objects.count() == 4
    assert not Division.objects.filter(name__contains="サンプル").exists()
    assert not PromotionLeader.objects.exists()
    call_command("seed_plan")
    assert "推進体制は登録済み" in capsys.readouterr().out
