"""Restoring an old version through the history pages: only those who may change the record
as it is now, with a reason, under the edit guard; everyone else reads and gets 403."""

import datetime
import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from governance.models import Department, Division, PromotionLeader
from governance.roles import ADMINISTRATOR, LEADER, POLICY_DIVISION, READER
from measures.models import Measure, Relisting, Status
from morioka_ict.history_admin import HistoryAdmin

pytestmark = pytest.mark.django_db

REFUSED = ["reader", "ended_leader", "current_leader"]
ALLOWED = ["policy", "administrator"]
TARGETS = ["measure", "relisting", "division", "appointment"]


@pytest.fixture
def world(django_user_model, make_measure, make_category):
    """A measure, a re-listing, a division and an appointment, each with an older version;
    and an account for each role. The ended leader's old appointment had no end date."""
    accounts = {}
    for key, role in [
        ("reader", READER),
        ("ended_leader", LEADER),
        ("current_leader", LEADER),
        ("policy", POLICY_DIVISION),
        ("administrator", ADMINISTRATOR),
    ]:
        user = django_user_model.objects.create_user(key, password="unused")
        call_command("grant_role", key, role, stdout=io.StringIO())
        django_user_model.objects.filter(pk=user.pk).update(is_staff=True)
        accounts[key] = django_user_model.objects.get(pk=user.pk)

    department = Department.objects.create(name="（テスト）市民部")
    own = Division.objects.create(department=department, name="市民課")
    other = Division.objects.create(department=department, name="税務課")
    PromotionLeader.objects.create(
        division=own,
        person_name="現任 花子",
        appointed_by="市民課長",
        start_date=datetime.date(2020, 4, 1),
        user=accounts["current_leader"],
    )
    appointment = PromotionLeader.objects.create(
        division=other,
        person_name="前任 一郎",
        appointed_by="税務課長",
        start_date=datetime.date(2020, 4, 1),
        user=accounts["ended_leader"],
    )
    appointment.end_date = datetime.date(2021, 3, 31)
    appointment.save()

    own.name = "市民生活課"
    own.save()

    measure = make_measure("申請のオンライン化", status=Status.PARTIAL)
    measure.responsible_division = own
    measure.status = Status.IMPLEMENTED
    measure.save()

    elsewhere = make_category("e-other")
    relisting = Relisting.objects.create(
        measure=measure, category=elsewhere, position=1, label="旧表記"
    )
    relisting.label = "新表記"
    relisting.save()

    return {
        "accounts": accounts,
        "measure": measure,
        "relisting": relisting,
        "division": own,
        "appointment": appointment,
    }


def _previous(obj):
    """Return the version before the latest change."""
    return obj.history.order_by("-history_date", "-history_id")[1]


def _version_url(obj, record=None) -> str:
    meta = obj._meta
    return reverse(
        f"admin:{meta.app_label}_{meta.model_name}_simple_history",
        args=[obj.pk, (record or _previous(obj)).history_id],
    )


def _snapshot(obj) -> tuple:
    """What a restore could change: the row itself, its many-to-many rows, its history."""
    model = type(obj)
    row = list(model.objects.filter(pk=obj.pk).values())
    m2m = {
        field.name: sorted(getattr(obj, field.name).values_list("pk", flat=True))
        for field in model._meta.many_to_many
    }
    return row, m2m, obj.history.count()


def _forged_post(obj) -> dict:
    """A complete form of the old version with a visible change, as the attack posted it."""
    if isinstance(obj, Measure):
        return {
            "category": obj.category_id,
            "position": obj.position,
            "name": "改ざん",
            "status": Status.NOT_STARTED,
            "periods": [p.pk for p in obj.periods.all()],
            "notes": "",
            "expected_version": obj.version,
            "change_reason": "x",
            "shown": obj.version,
        }
    if isinstance(obj, Relisting):
        return {
            "measure": obj.measure_id,
            "category": obj.category_id,
            "position": obj.position,
            "label": "改ざん",
            "change_reason": "x",
            "shown": 0,
        }
    if isinstance(obj, Division):
        return {
            "department": obj.department_id,
            "name": "改ざん課",
            "head_title": "課長",
            "head_name": "",
            "order": 0,
            "change_reason": "x",
            "shown": 0,
        }
    return {
        "division": obj.division_id,
        "person_name": obj.person_name,
        "appointed_by": obj.appointed_by,
        "start_date": "2020-04-01",
        "end_date": "",
        "user": obj.user_id,
        "notes": "",
        "change_reason": "x",
        "shown": 0,
    }


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("who", REFUSED)
def test_version_page_is_read_only_and_refuses_a_post(client, world, who, target):
    obj = world[target]
    client.force_login(world["accounts"][who])
    before = _snapshot(obj)

    page = client.get(_version_url(obj))
    response = client.post(_version_url(obj), _forged_post(obj))

    assert page.status_code == 200
    text = page.content.decode()
    assert "閲覧のみです" in text
    assert "この版に戻す" not in text
    assert response.status_code == 403
    assert _snapshot(obj) == before


def test_ended_leader_cannot_make_their_old_appointment_current_again(client, world):
    leader = world["accounts"]["ended_leader"]
    client.force_login(leader)
    client.post(_version_url(world["appointment"]), _forged_post(world["appointment"]))
    assert not PromotionLeader.objects.current().filter(user=leader).exists()


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("who", ALLOWED)
def test_those_who_may_change_everything_restore_with_a_reason(client, world, who, target):
    obj = world[target]
    user = world["accounts"][who]
    client.force_login(user)
    previous = _previous(obj)
    history_count = obj.history.count()

    page = client.get(_version_url(obj))
    assert page.status_code == 200
    text = page.content.decode()
    assert "この版に戻す" in text
    shown = page.context["form"]["shown"].value()
    default_reason = page.context["form"]["change_reason"].value()
    assert default_reason.endswith(" の版に戻す")

    response = client.post(
        _version_url(obj), {"change_reason": "誤って変更したため", "shown": shown}, follow=True
    )

    assert response.status_code == 200
    assert "の版（" in response.content.decode() and "に戻しました" in response.content.decode()
    obj.refresh_from_db()
    for field in ["name", "label", "status", "end_date"]:
        if hasattr(previous, field):
            assert getattr(obj, field) == getattr(previous, field), field
    assert obj.history.count() == history_count + 1
    latest = obj.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "誤って変更したため"
    assert latest.history_username == user.get_username()


def test_restoring_a_measure_counts_a_new_version_and_its_periods(client, world, periods):
    measure = world["measure"]
    before_status_change = _previous(measure)
    measure.periods.set(periods[:3])
    client.force_login(world["accounts"]["policy"])
    version = Measure.objects.get(pk=measure.pk).version

    response = client.post(
        _version_url(measure, before_status_change), {"change_reason": "元に戻す", "shown": version}
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.version) == (Status.PARTIAL, version + 1)
    assert measure.responsible_division is None
    assert measure.periods_display == "一次"


def test_restore_without_a_reason_is_refused(client, world):
    measure = world["measure"]
    client.force_login(world["accounts"]["policy"])
    before = _snapshot(measure)
    response = client.post(_version_url(measure), {"change_reason": "", "shown": measure.version})
    assert response.status_code == 200
    assert "変更理由を入力してください" in response.content.decode()
    assert _snapshot(measure) == before


def test_restore_of_a_measure_changed_meanwhile_gets_the_guards_message(
    client, world, django_user_model
):
    measure = world["measure"]
    client.force_login(world["accounts"]["policy"])
    page = client.get(_version_url(measure))
    shown = page.context["form"]["shown"].value()

    colleague = django_user_model.objects.create_user("yamada")
    fresh = Measure.objects.get(pk=measure.pk)
    fresh.notes = "同僚の編集"
    fresh._history_user = colleague
    fresh.save()
    before = _snapshot(measure)

    response = client.post(_version_url(measure), {"change_reason": "戻す", "shown": shown})

    assert response.status_code == 200
    text = response.content.decode()
    assert "施策「申請のオンライン化」は、あなたが開いた後に yamada さんが" in text
    assert "あなたの変更は保存していません" in text
    assert _snapshot(measure) == before


def test_restore_of_a_division_changed_meanwhile_is_refused(client, world, django_user_model):
    division = world["division"]
    client.force_login(world["accounts"]["policy"])
    page = client.get(_version_url(division))
    shown = page.context["form"]["shown"].value()

    division.head_name = "岩手 花子"
    division._history_user = django_user_model.objects.create_user("yamada")
    division.save()
    before = _snapshot(division)

    response = client.post(_version_url(division), {"change_reason": "戻す", "shown": shown})

    assert response.status_code == 200
    assert "あなたが開いた後に yamada さんが" in response.content.decode()
    assert _snapshot(division) == before


def test_restore_that_would_break_a_rule_is_refused_with_a_message(client, world, make_measure):
    measure = world["measure"]
    client.force_login(world["accounts"]["policy"])
    # The old version's row position is taken by another measure now.
    first_position = measure.position
    measure.position = 50
    measure.save()
    make_measure("後から入った施策", category=measure.category, position=first_position)
    before = _snapshot(measure)
    version = Measure.objects.get(pk=measure.pk).version

    response = client.post(_version_url(measure), {"change_reason": "戻す", "shown": version})

    assert response.status_code == 200
    assert "この版には戻せません" in response.content.decode()
    assert "この区分のこの位置には既に施策があります" in response.content.decode()
    assert _snapshot(measure) == before


def test_restore_of_a_measure_version_without_periods_is_refused(client, world):
    """An admin add writes its first entry before the periods; that entry cannot come back."""
    measure = world["measure"]
    client.force_login(world["accounts"]["policy"])
    first = measure.history.order_by("history_date", "history_id").first()
    before = _snapshot(measure)

    response = client.post(
        _version_url(measure, first), {"change_reason": "戻す", "shown": measure.version}
    )

    assert response.status_code == 200
    assert "この版には戻せません" in response.content.decode()
    assert "計画期間" in response.content.decode()
    assert _snapshot(measure) == before


@pytest.mark.django_db(transaction=True)
def test_restoring_a_measure_outside_a_test_transaction_is_no_server_error(
    client, django_user_model, make_measure
):
    """Runs as production does (no surrounding transaction), on SQLite and on PostgreSQL."""
    user = django_user_model.objects.create_superuser("kikaku", "k@example.jp", "x")
    client.force_login(user)
    measure = make_measure("施策A", status=Status.PARTIAL)
    measure.status = Status.IMPLEMENTED
    measure.save()

    response = client.post(
        _version_url(measure), {"change_reason": "戻す", "shown": measure.version}
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == Status.PARTIAL


def test_every_admin_with_a_history_uses_the_guarded_history_admin():
    with_history = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert len(with_history) >= 10
    assert all(isinstance(model_admin, HistoryAdmin) for model_admin in with_history)
