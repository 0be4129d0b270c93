"""Shared builders for the test suite."""

from collections.abc import Callable

import pytest
from django.utils import translation

from measures.models import Category, Measure, Plan, PlanPeriod, Relisting, Status
from measures.services import register_seed
from tests.seed_snapshot import SeedSnapshot

_snapshots: dict[str, SeedSnapshot] = {}


def load_seed_once(name: str, loader: Callable[[], bool], is_empty: Callable[[], bool]) -> bool:
    """Run the seed ``loader`` in the first test of this process and copy its rows into the
    later ones (see ``tests/seed_snapshot.py``); False, as the loader says, when the tables
    already hold data."""
    if name not in _snapshots:
        _snapshots[name], loaded = SeedSnapshot.take(loader)
        return loaded
    if not is_empty():
        return False
    _snapshots[name].replay()
    return True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashes passwords slowly on purpose; tests log in too often for that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language: a request in English leaves English active on
    the thread (LocaleMiddleware activates, nothing deactivates), and the next test on the same
    worker would otherwise read English labels."""
    translation.deactivate()


@pytest.fixture
def seeded(db):
    """The plan's own seed data, loaded as `make run` loads it."""
    assert load_seed_once("plan", register_seed, lambda: not Measure.objects.exists())


@pytest.fixture
def plan(db):
    """The plan already loaded (with ``seeded``), or a small test plan."""
    return Plan.objects.first() or Plan.objects.create(name="テスト計画")


@pytest.fixture
def periods(plan):
    if existing := list(PlanPeriod.objects.order_by("number")):
        return existing
    names = ["一次", "二次", "三次", "四次"]
    return [
        PlanPeriod.objects.create(plan=plan, number=n, name=f"第{name}", short_name=name)
        for n, name in enumerate(names, 1)
    ]


@pytest.fixture
def make_category(plan):
    def make(code: str = "e-test", order: int | None = None) -> Category:
        order = order if order is not None else Category.objects.count() + 1
        return Category.objects.create(
            plan=plan, code=code, label="ア", name=f"{code}づくり", short_name=code, order=order
        )

    return make


@pytest.fixture
def make_measure(periods, make_category):
    def make(
        name: str = "施策",
        *,
        category: Category | None = None,
        position: int | None = None,
        status: Status = Status.IMPLEMENTED,
        period_numbers=(1,),
    ) -> Measure:
        category = category or Category.objects.first() or make_category()
        if position is None:
            position = (
                max(
                    [m.position for m in category.measures.all()]
                    + [r.position for r in category.relistings.all()]
                    + [0]
                )
                + 1
            )
        measure = Measure.objects.create(
            category=category, position=position, name=name, status=status
        )
        measure.periods.set([p for p in periods if p.number in period_numbers])
        return measure

    return make


@pytest.fixture
def make_relisting():
    def make(measure: Measure, category: Category, position: int, label: str = "") -> Relisting:
        return Relisting.objects.create(
            measure=measure, category=category, position=position, label=label or measure.name
        )

    return make


@pytest.fixture
def reader(django_user_model):
    """A logged-in member of staff with no special rights (reading needs a login)."""
    return django_user_model.objects.create_user("reader", password="unused-in-tests")


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client
