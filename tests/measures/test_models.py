"""Invariants of the register, held by validation and by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.models import Measure, Relisting, Status

pytestmark = pytest.mark.django_db


def test_relisting_in_its_own_category_is_refused(make_measure, make_category):
    measure = make_measure("施策A")
    relisting = Relisting(measure=measure, category=measure.category, position=5, label="施策A")
    with pytest.raises(ValidationError) as error:
        relisting.full_clean()
    assert "それ自身の区分には再掲できません" in str(error.value)


def test_relisting_position_clash_with_a_measure_is_refused(make_measure, make_category):
    measure = make_measure("施策A")
    other = make_category("e-other")
    make_measure("施策B", category=other, position=1)
    relisting = Relisting(measure=measure, category=other, position=1, label="施策A")
    with pytest.raises(ValidationError) as error:
        relisting.full_clean()
    assert "施策「施策B」が使っています" in str(error.value)


def test_measure_position_clash_with_a_relisting_is_refused(
    make_measure, make_category, make_relisting
):
    measure = make_measure("施策A")
    other = make_category("e-other")
    make_relisting(measure, other, 1)
    newcomer = Measure(category=other, position=1, name="施策C", status=Status.PARTIAL)
    with pytest.raises(ValidationError) as error:
        newcomer.full_clean()
    assert "再掲「施策A」が使っています" in str(error.value)


def test_measure_positions_are_unique_in_the_database(make_measure):
    first = make_measure("施策A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(category=first.category, position=first.position, name="施策B")


def test_measure_status_is_checked_by_the_database(make_measure):
    measure = make_measure("施策A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(status="done")


def test_measure_unknown_status_is_refused_by_validation(make_measure):
    measure = make_measure("施策A")
    measure.status = "done"
    with pytest.raises(ValidationError):
        measure.full_clean()


def test_measure_names_need_not_be_unique(make_measure):
    make_measure("同じ名前")
    make_measure("同じ名前")
    assert Measure.objects.filter(name="同じ名前").count() == 2


def test_status_defines_mark_label_and_colour_once():
    assert [(s.mark, str(s.label)) for s in Status] == [
        ("◎", "実施"),
        ("○", "一部着手"),
        ("×", "未着手"),
    ]
    assert Status.from_mark("○") is Status.PARTIAL
    assert all(len(s.colour) == 6 for s in Status)


def test_status_totals_count_zeros_too(make_measure):
    make_measure("施策A", status=Status.PARTIAL)
    assert Measure.objects.status_totals() == {
        "implemented": 0,
        "partial": 1,
        "not_started": 0,
    }
