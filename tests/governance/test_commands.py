"""The labelled sample data set: loaded only on request, never over real data."""

import pytest
from django.core.management import call_command

from governance.models import Department, Division, ProjectTeam, PromotionLeader
from governance.services import SAMPLE_CHANGE_REASON, SAMPLE_MARK
from measures.models import Measure

pytestmark = pytest.mark.django_db


def test_sample_command_loads_labelled_sample_data(db, capsys):
    call_command("load_governance_sample")
    assert "（サンプル）の推進体制データを登録しました" in capsys.readouterr().out
    samples = Division.objects.filter(name__startswith=SAMPLE_MARK)
    assert samples.count() == 3
    assert all(d.department.name.startswith(SAMPLE_MARK) for d in samples)
    assert all(p.person_name.startswith(SAMPLE_MARK) for p in PromotionLeader.objects.all())
    assert all(t.name.startswith(SAMPLE_MARK) for t in ProjectTeam.objects.all())
    assert PromotionLeader.objects.filter(end_date__isnull=False).exists()
    assert ProjectTeam.objects.filter(dissolved_on__isnull=False).exists()
    online = Measure.objects.get(name="申請・届出のオンライン化の促進")
    assert online.responsible_division.name == "（サンプル）市民登録課"
    assert online.history.latest().history_change_reason == SAMPLE_CHANGE_REASON
    leader = PromotionLeader.objects.first()
    assert leader.history.get().history_change_reason == SAMPLE_CHANGE_REASON


def test_sample_command_loads_once_and_keeps_real_assignments(db, capsys):
    call_command("seed_plan")
    real = Division.objects.get(name="情報企画課")
    online = Measure.objects.get(name="申請・届出のオンライン化の促進")
    online.responsible_division = real
    online.save()
    call_command("load_governance_sample")
    call_command("load_governance_sample")
    assert "登録済み" in capsys.readouterr().out
    online.refresh_from_db()
    assert online.responsible_division == real
    assert Department.objects.filter(name__startswith=SAMPLE_MARK).count() == 2
    assert ProjectTeam.objects.count() == 2
    assert real.head_name == ""


def test_seed_does_not_load_the_sample(db):
    call_command("seed_plan")
    assert not Department.objects.filter(name__startswith=SAMPLE_MARK).exists()
    assert not Measure.objects.exclude(responsible_division=None).exists()


def test_sample_can_be_removed_leaving_the_plan_and_real_data(db, capsys, make_leader):
    call_command("load_governance_sample")
    real = Division.objects.get(name="情報企画課")
    make_leader("実在 リーダー", division=real)
    call_command("load_governance_sample", "--remove")
    assert "削除しました" in capsys.readouterr().out
    assert not Department.objects.filter(name__startswith=SAMPLE_MARK).exists()
    assert not ProjectTeam.objects.exists()
    assert list(PromotionLeader.objects.values_list("person_name", flat=True)) == ["実在 リーダー"]
    assert list(Division.objects.all()) == [real]
    assert not Measure.objects.exclude(responsible_division=None).exists()
    assert not real.cooperating_measures.exists()
    assert Measure.objects.count() == 75
    online = Measure.objects.get(name="申請・届出のオンライン化の促進")
    assert online.history.latest().history_change_reason == "サンプルデータの削除"
