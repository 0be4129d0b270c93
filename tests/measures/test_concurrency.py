"""Two editors at once: the second save is refused, never silently overwriting the first."""

import threading

import pytest
from django.db import connection, transaction

from measures.models import Measure, Status
from measures.services import (
    EditConflict,
    measure_edit,
    measure_lock_for_edit,
    measure_set_status,
)


@pytest.mark.django_db
def test_every_save_counts_a_new_version(make_measure):
    measure = make_measure("施策A", status=Status.PARTIAL)
    assert measure.version == 1
    measure.notes = "メモ"
    measure.save()
    measure_set_status(measures=Measure.objects.all(), status=Status.IMPLEMENTED)
    measure.refresh_from_db()
    assert measure.version == 3
    assert measure.history.first().version == 3


@pytest.mark.django_db
def test_lock_for_edit_accepts_the_current_version(make_measure):
    measure = make_measure("施策A")
    with transaction.atomic():
        assert measure_lock_for_edit(measure_pk=measure.pk, expected_version=1) == measure


@pytest.mark.django_db(transaction=True)
def test_second_connection_waits_for_the_first_and_is_refused(make_measure):
    """Runs on PostgreSQL with two real connections (SQLite has no row locks to wait on)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this suite on PostgreSQL too")
    measure = make_measure("施策A", status=Status.PARTIAL)
    first_saved = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, str] = {}

    def first_editor():
        try:
            with transaction.atomic():
                current = measure_lock_for_edit(measure_pk=measure.pk, expected_version=1)
                current.status = Status.IMPLEMENTED
                current.save()
                first_saved.set()
                release_first.wait(timeout=30)
            outcome["first"] = "saved"
        finally:
            connection.close()

    def second_editor():
        try:
            first_saved.wait(timeout=30)
            with transaction.atomic():
                measure_lock_for_edit(measure_pk=measure.pk, expected_version=1)
            outcome["second"] = "saved"
        except EditConflict as conflict:
            outcome["second"] = str(conflict)
        finally:
            connection.close()

    first = threading.Thread(target=first_editor)
    second = threading.Thread(target=second_editor)
    first.start()
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the second editor should wait for the first one's row lock"
    release_first.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcome["first"] == "saved"
    assert "状況: 一部着手 → 実施" in outcome["second"]
    measure.refresh_from_db()
    assert (measure.status, measure.version) == (Status.IMPLEMENTED, 2)


@pytest.mark.django_db(transaction=True)
def test_locking_a_measure_outside_a_transaction_is_refused_on_every_database(make_measure):
    measure = make_measure("施策A")
    with pytest.raises(transaction.TransactionManagementError):
        measure_lock_for_edit(measure_pk=measure.pk, expected_version=measure.version)


@pytest.mark.django_db
def test_measure_edit_opens_its_own_transaction_and_refuses_a_stale_version(make_measure):
    measure = make_measure("施策A", status=Status.PARTIAL)
    with measure_edit(measure_pk=measure.pk, expected_version=1) as current:
        current.status = Status.IMPLEMENTED
        current.save()
    stale = measure_edit(measure_pk=measure.pk, expected_version=1)
    with pytest.raises(EditConflict, match="施策「施策A」は、あなたが開いた後に"):
        stale.__enter__()


@pytest.mark.django_db
def test_bulk_status_change_refuses_all_when_one_measure_changed_since_it_was_shown(
    make_measure,
):
    first = make_measure("施策A", status=Status.PARTIAL)
    second = make_measure("施策B", status=Status.PARTIAL)
    shown = {first.pk: first.version, second.pk: second.version}
    second.notes = "同僚の編集"
    second.save()

    with pytest.raises(EditConflict, match="施策「施策B」"):
        measure_set_status(
            measures=[first, second], status=Status.IMPLEMENTED, expected_versions=shown
        )
    assert set(Measure.objects.values_list("status", flat=True)) == {Status.PARTIAL}
    assert Measure.objects.get(pk=first.pk).version == 1
