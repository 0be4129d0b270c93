"""Applying an import in bulk: the history records what a save records (user, reason,
periods, cooperating divisions), the "as of" view agrees, the number of queries does not grow
with the rows, and new measures take the next free position under a lock."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Department, Division
from measures.imports.apply import apply_plan
from measures.imports.summary import ImportConflict, read_plan
from measures.models import Category, Measure, Status
from measures.selectors import category_summary, status_overview

pytestmark = pytest.mark.django_db


def _measure(code: str, position: int) -> Measure:
    return Measure.objects.get(category__code=code, position=position)


def _insert_new_rows(names: list[str], sheet: str = "e-business", row: int = 18):
    """Return a ``before`` hook that inserts rows without a key (new measures)."""

    def insert(wb):
        ws = wb[sheet]
        ws.insert_rows(row, len(names))
        for offset, name in enumerate(names):
            ws[f"B{row + offset}"] = name
            ws[f"D{row + offset}"] = "○"
            ws[f"F{row + offset}"] = "三次～四次"

    return insert


def _edits(count: int) -> dict:
    """Turn the first ``count`` measure rows of e-citizen to × and change their periods."""
    ws_rows = [r for r in range(5, 39)]
    # Rows 5..38 of e-citizen; re-listing rows (no marks) are skipped by position below.
    relisting_rows = {
        4 + m.position for m in Category.objects.get(code="e-citizen").relistings.all()
    }
    cells = {}
    for row in [r for r in ws_rows if r not in relisting_rows][:count]:
        cells.update({f"C{row}": None, f"D{row}": None, f"E{row}": "×", f"F{row}": "四次"})
    return {"e-citizen": cells}


def test_bulk_import_history_is_what_a_save_records(seeded, edited_workbook, admin_user):
    division = Division.objects.create(
        department=Department.objects.create(name="総務部"), name="情報企画課"
    )
    changed = _measure("e-citizen", 1)
    changed.cooperating_divisions.set([division])
    content = edited_workbook(_edits(1), before=_insert_new_rows(["オープンデータの推進（試行）"]))
    plan = read_plan(content, filename="庁議用.xlsx")
    assert plan.errors == []
    entries_before = changed.history.count()

    assert apply_plan(plan, user=admin_user) == 2

    changed.refresh_from_db()
    assert (changed.status, changed.version) == (Status.NOT_STARTED, 2)
    assert [p.number for p in changed.periods.all()] == [4]
    assert changed.history.count() == entries_before + 1
    entry = changed.history.first()
    assert entry.history_type == "~"
    assert entry.history_user == admin_user
    assert entry.history_username == admin_user.get_username()
    assert entry.history_change_reason == "Excel取込: 庁議用.xlsx"
    assert (entry.status, entry.version) == (Status.NOT_STARTED, 2)
    assert [r.planperiod.number for r in entry.periods.all()] == [4]
    assert [r.division for r in entry.cooperating_divisions.all()] == [division]
    # The entry before it still holds the old periods: nothing was rewritten.
    previous = changed.history.all()[1]
    assert [r.planperiod.number for r in previous.periods.all()] == [1, 2, 3, 4]

    created = Measure.objects.get(name="オープンデータの推進（試行）")
    assert (created.category.code, created.position, created.version) == ("e-business", 14, 1)
    assert [p.number for p in created.periods.all()] == [3, 4]
    (entry,) = created.history.all()
    assert (entry.history_type, entry.history_user, entry.history_username) == (
        "+",
        admin_user,
        admin_user.get_username(),
    )
    assert entry.history_change_reason == "Excel取込: 庁議用.xlsx"
    assert [r.planperiod.number for r in entry.periods.all()] == [3, 4]
    assert list(Measure.objects.search("オープンデータの推進")) == [created]


def test_as_of_totals_after_a_bulk_import_equal_the_current_totals(
    seeded, edited_workbook, admin_user
):
    content = edited_workbook(
        _edits(10), before=_insert_new_rows([f"新しい施策{i}" for i in range(5)])
    )
    apply_plan(read_plan(content, filename="x.xlsx"), user=admin_user)
    today = timezone.localdate()

    def counts(overview):
        return [[c.count for c in row.breakdown.counts] for row in overview.categories] + [
            [c.count for c in overview.overall.counts]
        ]

    assert counts(status_overview(as_of=today)) == counts(status_overview())
    for category in Category.objects.all():
        now_rows, now_totals = category_summary(category)
        then_rows, then_totals = category_summary(category, as_of=today)
        assert then_totals == now_totals
        assert [(r.position, r.label, r.status, r.periods) for r in then_rows] == [
            (r.position, r.label, r.status, r.periods) for r in now_rows
        ]


def test_measure_page_shows_the_import_entry(seeded, edited_workbook, admin_user, admin_client):
    apply_plan(read_plan(edited_workbook(_edits(1)), filename="庁議用.xlsx"), user=admin_user)
    measure = _measure("e-citizen", 1)
    html = admin_client.get(reverse("measures:detail", args=[measure.pk])).content.decode()
    assert "Excel取込: 庁議用.xlsx" in html
    assert admin_user.get_username() in html


def _apply_queries(plan, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        apply_plan(plan, user=user)
    return len(queries)


def test_apply_takes_the_same_number_of_queries_for_few_rows_and_many(
    seeded, edited_workbook, admin_user, django_user_model
):
    """Row by row, 3,000 new measures took 17.8 s; in bulk the queries do not grow."""
    few = read_plan(
        edited_workbook(_edits(2), before=_insert_new_rows(["少ない1", "少ない2"])),
        filename="few.xlsx",
    )
    many = read_plan(
        edited_workbook(_edits(20), before=_insert_new_rows([f"多い{i}" for i in range(20)])),
        filename="many.xlsx",
    )
    assert (len(few.changes), len(few.new_measures)) == (2, 2)
    assert (len(many.changes), len(many.new_measures)) == (20, 20)
    with transaction.atomic():
        few_queries = _apply_queries(few, admin_user)
        transaction.set_rollback(True)
    assert _apply_queries(many, admin_user) == few_queries


def test_a_new_measure_takes_the_next_free_position_if_its_place_was_taken(
    seeded, edited_workbook, admin_user, make_measure
):
    """The preview's position is a forecast: another import or an edit in admin may take it
    first, and the new measure then goes after it (still at the end of the table)."""
    plan = read_plan(
        edited_workbook(before=_insert_new_rows(["オープンデータの推進"])), filename="x.xlsx"
    )
    assert [n.position for n in plan.new_measures] == [14]
    make_measure("管理画面で先に追加", category=Category.objects.get(code="e-business"))
    assert _measure("e-business", 14).name == "管理画面で先に追加"

    apply_plan(plan, user=admin_user)
    assert _measure("e-business", 15).name == "オープンデータの推進"


def test_a_new_measure_whose_name_was_added_after_the_preview_is_refused(
    seeded, edited_workbook, admin_user, make_measure
):
    """The same workbook imported twice at once must not add its new row twice."""
    plan = read_plan(
        edited_workbook(_edits(1), before=_insert_new_rows(["オープンデータの推進"])),
        filename="x.xlsx",
    )
    make_measure("オープンデータの推進", category=Category.objects.get(code="e-business"))
    before = list(Measure.objects.values_list("pk", "status", "version"))

    with pytest.raises(ImportConflict, match="「オープンデータの推進」は、プレビューの後に"):
        apply_plan(plan, user=admin_user)
    assert list(Measure.objects.values_list("pk", "status", "version")) == before


def test_a_constraint_broken_meanwhile_gives_a_message_not_a_server_error(
    seeded, edited_workbook, admin_user, monkeypatch
):
    from django.db import IntegrityError

    from measures.imports import apply as importer

    plan = read_plan(
        edited_workbook(_edits(1), before=_insert_new_rows(["オープンデータの推進"])),
        filename="x.xlsx",
    )

    def clash(*args, **kwargs):
        raise IntegrityError('duplicate key value violates "measure_unique_position_in_category"')

    monkeypatch.setattr(importer, "bulk_create_with_history", clash)
    before = list(Measure.objects.values_list("pk", "status", "version"))
    with pytest.raises(ImportConflict, match="他の変更と重なったため、何も変更していません"):
        apply_plan(plan, user=admin_user)
    assert list(Measure.objects.values_list("pk", "status", "version")) == before


@pytest.mark.django_db(transaction=True)
def test_two_imports_adding_measures_at_once_take_turns(edited_workbook, admin_user):
    """Two connections apply imports that both planned e-business 14: the second waits for
    the first one's lock on the category and takes 15. Never an IntegrityError."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this suite on PostgreSQL too")
    from measures.services import register_seed

    register_seed()
    first_plan = read_plan(
        edited_workbook(before=_insert_new_rows(["一つ目の取り込み"])), filename="a.xlsx"
    )
    second_plan = read_plan(
        edited_workbook(before=_insert_new_rows(["二つ目の取り込み"])), filename="b.xlsx"
    )
    assert [n.position for n in first_plan.new_measures] == [14]
    assert [n.position for n in second_plan.new_measures] == [14]
    first_applied = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, object] = {}

    def first_import():
        try:
            with transaction.atomic():
                apply_plan(first_plan, user=admin_user)
                first_applied.set()
                release_first.wait(timeout=30)
            outcome["first"] = "applied"
        except Exception as exc:  # reported by the assertions below
            outcome["first"] = exc
        finally:
            first_applied.set()
            connection.close()

    def second_import():
        try:
            first_applied.wait(timeout=30)
            apply_plan(second_plan, user=admin_user)
            outcome["second"] = "applied"
        except Exception as exc:  # reported by the assertions below
            outcome["second"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=first_import)
    second = threading.Thread(target=second_import)
    first.start()
    second.start()
    second.join(timeout=2)
    assert second.is_alive(), "the second import should wait for the first one's lock"
    release_first.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcome == {"first": "applied", "second": "applied"}
    assert _measure("e-business", 14).name == "一つ目の取り込み"
    assert _measure("e-business", 15).name == "二つ目の取り込み"
