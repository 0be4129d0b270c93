"""Each role allowed and refused where it should be."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from governance.models import Department, Division, PromotionLeader
from governance.roles import (
    ADMINISTRATOR,
    LEADER,
    POLICY_DIVISION,
    READER,
    ROLE_NAMES,
    role_permissions,
)
from measures.models import Measure, Status
from tests.admin_forms import measure_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(django_user_model, client):
    """Log in a new account holding ``role``; staff when the role edits in admin."""

    def make(role: str | None, username: str = "member", *, is_staff: bool = True):
        user = django_user_model.objects.create_user(username, password="unused")
        if role:
            call_command("grant_role", username, role, stdout=io.StringIO())
        user.refresh_from_db()
        user.is_staff = is_staff or user.is_staff
        user.save()
        client.force_login(user)
        return user

    return make


@pytest.fixture
def divisions(db):
    department = Department.objects.create(name="（テスト）市民部")
    return (
        Division.objects.create(department=department, name="市民課"),
        Division.objects.create(department=department, name="税務課"),
    )


@pytest.fixture
def two_measures(make_measure, divisions):
    own, other = divisions
    mine = make_measure("市民課の施策", status=Status.PARTIAL)
    mine.responsible_division = own
    mine.save()
    theirs = make_measure("税務課の施策", status=Status.PARTIAL)
    theirs.responsible_division = other
    theirs.save()
    return mine, theirs


def _change_url(measure: Measure) -> str:
    return reverse("admin:measures_measure_change", args=[measure.pk])


def _edit(client, measure: Measure, **changes):
    measure.refresh_from_db()
    return client.post(_change_url(measure), measure_form_data(measure, **changes))


def test_migration_creates_every_role_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_NAMES)


def test_groups_hold_what_the_roles_say_even_for_models_added_later():
    """Fails when a model is added without a migration that calls sync_roles again."""
    wanted = role_permissions(Permission)
    for name, perms in wanted.items():
        held = {
            (p.content_type.app_label, p.codename)
            for p in Group.objects.get(name=name).permissions.select_related("content_type")
        }
        assert held == perms, name


def test_reader_reads_pages_but_cannot_edit_in_admin(member, client, two_measures):
    mine, _ = two_measures
    member(READER)

    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(_change_url(mine)).status_code == 200  # view only
    assert _edit(client, mine, status=Status.IMPLEMENTED).status_code == 403
    mine.refresh_from_db()
    assert mine.status == Status.PARTIAL


def test_staff_account_without_a_role_is_refused_in_admin(member, client, two_measures):
    mine, _ = two_measures
    member(None)
    assert client.get(_change_url(mine)).status_code == 403


def test_leader_changes_status_and_notes_of_own_division_only(
    member, client, two_measures, divisions
):
    mine, theirs = two_measures
    user = member(LEADER)
    PromotionLeader.objects.create(
        division=divisions[0],
        person_name="盛岡 花子",
        appointed_by="市民課長",
        start_date=datetime.date(2020, 4, 1),
        user=user,
    )

    response = _edit(client, mine, status=Status.IMPLEMENTED, notes="令和8年度に完了", name="改名")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.notes, mine.name) == (
        Status.IMPLEMENTED,
        "令和8年度に完了",
        "市民課の施策",
    )
    assert mine.history.first().history_user == user

    assert _edit(client, theirs, status=Status.IMPLEMENTED).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == Status.PARTIAL


def test_leader_whose_appointment_ended_can_no_longer_edit(member, client, two_measures, divisions):
    mine, _ = two_measures
    user = member(LEADER)
    PromotionLeader.objects.create(
        division=divisions[0],
        person_name="盛岡 花子",
        appointed_by="市民課長",
        start_date=datetime.date(2020, 4, 1),
        end_date=datetime.date(2021, 3, 31),
        user=user,
    )
    assert _edit(client, mine, status=Status.IMPLEMENTED).status_code == 403


def test_leader_gets_no_bulk_status_actions(member, client, two_measures):
    member(LEADER)
    page = client.get(reverse("admin:measures_measure_changelist"))
    assert page.status_code == 200
    assert "set_status_implemented" not in page.content.decode()


def test_policy_division_edits_everything_and_reads_the_access_record(member, client, two_measures):
    _, theirs = two_measures
    member(POLICY_DIVISION)

    assert _edit(client, theirs, name="新しい名称").status_code == 302
    theirs.refresh_from_db()
    assert theirs.name == "新しい名称"
    assert client.get(reverse("admin:governance_accessrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_administrator_manages_accounts(member, client):
    member(ADMINISTRATOR)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_reader_cannot_see_the_access_record(member, client):
    member(READER)
    assert client.get(reverse("admin:governance_accessrecord_changelist")).status_code == 403


def test_grant_role_makes_editing_roles_staff(django_user_model):
    user = django_user_model.objects.create_user("sato", password="unused")
    call_command("grant_role", "sato", POLICY_DIVISION, stdout=io.StringIO())
    user.refresh_from_db()
    assert user.is_staff
    assert user.has_perm("measures.import_measures")


@pytest.mark.django_db(transaction=True)
def test_roles_come_back_after_a_flush():
    """Browser tests flush the database between tests; the groups must not vanish with it."""
    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_NAMES)
    assert (
        Group.objects.get(name=POLICY_DIVISION)
        .permissions.filter(codename="import_measures")
        .exists()
    )


def test_leader_finds_their_own_measures_with_one_filter(member, client, two_measures, divisions):
    user = member(LEADER)
    PromotionLeader.objects.create(
        division=divisions[0],
        person_name="盛岡 花子",
        appointed_by="市民課長",
        start_date=datetime.date(2020, 4, 1),
        user=user,
    )
    changelist = reverse("admin:measures_measure_changelist")

    assert "自分がリーダーを務める課の施策" in client.get(changelist).content.decode()
    mine = client.get(changelist, {"led_by_me": "1"})
    assert [m.name for m in mine.context["cl"].result_list] == ["市民課の施策"]


def test_filter_is_not_offered_to_those_who_lead_nothing(member, client, two_measures):
    member(POLICY_DIVISION)
    page = client.get(reverse("admin:measures_measure_changelist")).content.decode()
    assert "自分がリーダーを務める課の施策" not in page


def _posted_inputs(page, prefix: str) -> dict:
    """Return the hidden and visible inputs a browser would post back for ``prefix``."""
    from html.parser import HTMLParser

    found = {}

    class Inputs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and (attrs.get("name") or "").startswith(prefix):
                found[attrs["name"]] = attrs.get("value") or ""

    Inputs().feed(page.content.decode())
    return found


@pytest.fixture
def leader_with_relisted_measure(member, two_measures, divisions, make_category, make_relisting):
    mine, _ = two_measures
    user = member(LEADER)
    PromotionLeader.objects.create(
        division=divisions[0],
        person_name="盛岡 花子",
        appointed_by="市民課長",
        start_date=datetime.date(2020, 4, 1),
        user=user,
    )
    make_relisting(mine, make_category("e-other"), position=7, label="再掲の表記")
    make_relisting(mine, make_category("e-third"), position=2, label="もう一つの再掲")
    return mine


def test_leader_saves_a_measure_that_has_relistings(client, leader_with_relisted_measure):
    mine = leader_with_relisted_measure
    relistings_before = list(mine.relistings.values())
    page = client.get(_change_url(mine))
    data = measure_form_data(mine, status=Status.IMPLEMENTED, notes="令和8年度に完了")
    data.update(_posted_inputs(page, "relistings-"))
    assert data["relistings-TOTAL_FORMS"] == "2"

    response = client.post(_change_url(mine), data)

    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.notes) == (Status.IMPLEMENTED, "令和8年度に完了")
    assert list(mine.relistings.values()) == relistings_before


def test_leader_form_asking_for_thousands_of_relisting_rows_is_still_refused(
    client, leader_with_relisted_measure
):
    mine = leader_with_relisted_measure
    page = client.get(_change_url(mine))
    data = measure_form_data(mine, status=Status.IMPLEMENTED)
    data.update(_posted_inputs(page, "relistings-"))
    data["relistings-TOTAL_FORMS"] = 5000

    response = client.post(_change_url(mine), data)

    assert response.status_code == 200
    assert response.content.decode().count('name="relistings-') < 200
    mine.refresh_from_db()
    assert mine.status == Status.PARTIAL


USER_AUTOCOMPLETE = reverse("admin:autocomplete")
LEADER_ACCOUNT_FIELD = {
    "app_label": "governance",
    "model_name": "promotionleader",
    "field_name": "user",
}


def test_policy_division_finds_accounts_to_link_a_leaders_appointment(
    member, client, django_user_model
):
    django_user_model.objects.create_user("sato.hanako", password="unused")
    member(POLICY_DIVISION)

    response = client.get(USER_AUTOCOMPLETE, {**LEADER_ACCOUNT_FIELD, "term": "sato"})

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["sato.hanako"]


def test_policy_division_views_accounts_but_cannot_change_them(member, client, django_user_model):
    other = django_user_model.objects.create_user("sato.hanako", password="unused")
    member(POLICY_DIVISION)
    change_url = reverse("admin:auth_user_change", args=[other.pk])

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {"username": "renamed", "is_superuser": "on"})
    assert response.status_code == 403
    assert client.get(reverse("admin:auth_user_add")).status_code == 403
    other.refresh_from_db()
    assert (other.username, other.is_superuser) == ("sato.hanako", False)


def test_reader_gets_no_account_autocomplete(member, client, django_user_model):
    django_user_model.objects.create_user("sato.hanako", password="unused")
    member(READER)
    response = client.get(USER_AUTOCOMPLETE, {**LEADER_ACCOUNT_FIELD, "term": "sato"})
    assert response.status_code == 403


def test_reader_made_by_grant_role_views_records_in_admin_but_changes_nothing(
    member, client, two_measures
):
    mine, _ = two_measures
    user = member(READER, is_staff=False)
    assert user.is_staff

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:measures_measure_changelist")).status_code == 200
    assert client.get(_change_url(mine)).status_code == 200
    assert client.get(reverse("admin:governance_division_changelist")).status_code == 200
    assert _edit(client, mine, status=Status.IMPLEMENTED).status_code == 403
    assert client.get(reverse("admin:measures_measure_add")).status_code == 403
    mine.refresh_from_db()
    assert mine.status == Status.PARTIAL
