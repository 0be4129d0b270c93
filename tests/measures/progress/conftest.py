"""Builders for the progress cycle: two divisions with measures, an account per role, rounds
in every state."""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from governance.models import Department, Division, PromotionLeader
from governance.roles import ADMINISTRATOR, LEADER, POLICY_DIVISION, READER
from measures.models import Measure, Status
from measures.progress import services
from measures.progress.models import ProgressRound, RoundState

from .builders import days


@pytest.fixture
def divisions(db):
    department = Department.objects.create(name="（テスト）市民部")
    return (
        Division.objects.create(department=department, name="市民課", order=1),
        Division.objects.create(department=department, name="税務課", order=2),
    )


@dataclass
class Register:
    own: Measure  # 市民課
    own_second: Measure  # 市民課
    other: Measure  # 税務課
    unassigned: Measure  # no 担当課


@pytest.fixture
def register(make_measure, make_category, make_relisting, divisions):
    own_division, other_division = divisions
    first = make_category("e-one", order=1)
    second = make_category("e-two", order=2)
    own = make_measure("市民課の施策", category=first, status=Status.PARTIAL)
    own_second = make_measure("市民課の二つ目の施策", category=first, status=Status.NOT_STARTED)
    other = make_measure("税務課の施策", category=second, status=Status.PARTIAL)
    unassigned = make_measure("担当課のない施策", category=second, status=Status.NOT_STARTED)
    Measure.objects.filter(pk__in=[own.pk, own_second.pk]).update(responsible_division=own_division)
    Measure.objects.filter(pk=other.pk).update(responsible_division=other_division)
    make_relisting(own, second, position=10, label="再掲された市民課の施策")
    for measure in (own, own_second, other, unassigned):
        measure.refresh_from_db()
    return Register(own, own_second, other, unassigned)


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, role: str | None = None, *, email: str = "", **fields):
        user = django_user_model.objects.create_user(
            username, email=email or f"{username}@example.jp", password="unused", **fields
        )
        if role:
            Group.objects.get(name=role).user_set.add(user)
        return user

    return make


def _appoint(user, division, *, start=None, end=None, name="盛岡 太郎"):
    return PromotionLeader.objects.create(
        division=division,
        person_name=name,
        appointed_by="課長",
        start_date=start or days(-365),
        end_date=end,
        user=user,
    )


@dataclass
class People:
    leader: object  # 市民課's current leader
    reporter: object  # listed as 市民課's reporter, no role
    former_leader: object  # 市民課's leader until last month
    other_leader: object  # 税務課's current leader
    reader: object  # 閲覧
    policy: object  # 情報企画課
    administrator: object  # 管理者


@pytest.fixture
def people(make_user, divisions):
    own_division, other_division = divisions
    leader = make_user("leader", LEADER, first_name="花子", last_name="盛岡")
    _appoint(leader, own_division, name="盛岡 花子")
    reporter = make_user("reporter")
    own_division.reporters.add(reporter)
    former = make_user("former", LEADER)
    _appoint(former, own_division, start=days(-800), end=days(-30), name="岩手 次郎")
    other_leader = make_user("other_leader", LEADER)
    _appoint(other_leader, other_division, name="紫波 三郎")
    return People(
        leader=leader,
        reporter=reporter,
        former_leader=former,
        other_leader=other_leader,
        reader=make_user("reader_role", READER),
        policy=make_user("kikaku", POLICY_DIVISION, is_staff=True),
        administrator=make_user("kanri", ADMINISTRATOR, is_staff=True),
    )


@pytest.fixture
def make_round(people, register):
    """A round in ``state``, created and moved there by 情報企画課 through the services."""

    def make(
        state: RoundState = RoundState.OPEN,
        *,
        title: str = "令和7年度 進捗調査",
        reference_date: datetime.date = datetime.date(2026, 3, 31),
        opens_on: datetime.date | None = None,
        closes_on: datetime.date | None = None,
    ) -> ProgressRound:
        progress_round = services.progress_round_create(
            title=title,
            reference_date=reference_date,
            opens_on=opens_on or days(-10),
            closes_on=closes_on or days(10),
            user=people.policy,
        )
        steps = {
            RoundState.OPEN: [services.progress_round_open],
            RoundState.CLOSED: [services.progress_round_open, services.progress_round_close],
            RoundState.CONFIRMED: [
                services.progress_round_open,
                services.progress_round_close,
                services.progress_round_confirm,
            ],
        }
        for step in steps.get(state, []):
            progress_round.refresh_from_db()
            step(
                round_pk=progress_round.pk,
                expected_version=progress_round.version,
                user=people.policy,
            )
        progress_round.refresh_from_db()
        return progress_round

    return make
