"""Apply a checked summary-workbook plan: one transaction, in bulk (a 10,000-row workbook must
finish within a web worker's timeout), with one history entry per measure under the confirming
user, exactly as a save would record it; refused if any measure changed after the plan was read.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from measures.models import MEASURE_HISTORY, Category, Measure, PlanPeriod, Relisting
from measures.services import EditConflict, measures_lock_for_edit
from measures.text import search_key

from .summary import BATCH, ImportConflict, ImportPlan, MeasureChange, NewMeasure, chunks


def import_reason(filename: str) -> str:
    return f"Excel取込: {filename}"[:100]


def apply_plan(plan: ImportPlan, *, user, overwrite: Iterable[int] = ()) -> int:
    """Write the plan's changes in one transaction; return how many measures were written.

    Conflicts are written only for the measures in ``overwrite`` (the user's choice). Every
    measure gets one history entry under ``user`` with the reason 「Excel取込: ファイル名」 and
    its periods, as a save records them. Raises ImportConflict, writing nothing, if a measure
    changed after the plan was read.
    """
    if plan.has_errors:
        raise ValueError("a plan with errors cannot be applied")
    chosen = set(overwrite)
    changes = plan.changes + [c for c in plan.conflicts if c.measure_pk in chosen]
    if not changes and not plan.new_measures:
        return 0
    history = {
        "default_user": user,
        "default_change_reason": import_reason(plan.filename),
        "default_date": timezone.now(),
        "custom_historical_attrs": {"history_username": user.get_username() if user else ""},
    }
    try:
        with transaction.atomic():
            _write_changes(changes, history)
            _write_new_measures(plan.new_measures, history)
    except EditConflict as exc:
        raise ImportConflict(str(exc)) from exc
    except IntegrityError as exc:
        # Positions are taken under a lock; this is only reached if something outside the
        # import broke a constraint meanwhile. The user gets a message, never a server error.
        raise ImportConflict(
            _(
                "取り込みの途中で他の変更と重なったため、何も変更していません。"
                "もう一度取り込んで確認してください。"
            )
        ) from exc
    return len(changes) + len(plan.new_measures)


def _write_changes(changes: list[MeasureChange], history: dict) -> None:
    """Update the changed measures in bulk, each at the version the plan was read from."""
    if not changes:
        return
    locked = measures_lock_for_edit(expected_versions={c.measure_pk: c.version for c in changes})
    period_pks = {p.number: p.pk for p in PlanPeriod.objects.all()}
    measures = []
    by_status: dict[str, list[int]] = defaultdict(list)
    for change in changes:
        measure = locked[change.measure_pk]
        measure.status = change.new_status
        measure.version += 1  # as Measure.save counts every save
        measures.append(measure)
        by_status[change.new_status].append(measure.pk)
    # One UPDATE per status (and per batch of rows): bulk_update's CASE expressions cost
    # seconds of Python for thousands of rows. The rows are locked at the versions read, so
    # version + 1 is the version set on each measure above.
    for status, pks in by_status.items():
        for chunk in chunks(pks):
            Measure.objects.filter(pk__in=chunk).update(status=status, version=F("version") + 1)
    through = Measure.periods.through
    moved = [c for c in changes if c.periods_changed]
    for chunk in chunks([c.measure_pk for c in moved]):
        through.objects.filter(measure_id__in=chunk).delete()
    through.objects.bulk_create(
        [
            through(measure_id=c.measure_pk, planperiod_id=period_pks[n])
            for c in moved
            for n in c.new_periods
        ],
        batch_size=BATCH,
    )
    # With no fields, simple-history's helper writes only the history entries.
    bulk_update_with_history(measures, Measure, [], batch_size=BATCH, **history)
    _write_m2m_history(measures, history["default_date"])


def _write_new_measures(news: list[NewMeasure], history: dict) -> None:
    """Add the new measures at the end of their tables, in bulk.

    The categories' rows are locked first, so two imports adding measures to one table at
    the same time take turns: the second sees the first one's rows and takes the positions
    after them.
    """
    if not news:
        return
    codes = sorted({n.category for n in news})
    categories = {
        c.code: c
        for c in Category.objects.select_for_update().filter(code__in=codes).order_by("pk")
    }
    missing = [code for code in codes if code not in categories]
    if missing:
        raise ImportConflict(
            _("区分 %(codes)s はプレビューの後に削除されました。何も変更していません。")
            % {"codes": "・".join(missing)}
        )
    _refuse_names_added_meanwhile(news, categories)
    next_position = {}
    for category in categories.values():
        taken = [
            model.objects.filter(category=category).aggregate(top=Max("position"))["top"] or 0
            for model in (Measure, Relisting)
        ]
        next_position[category.code] = max(taken) + 1
    period_pks = {p.number: p.pk for p in PlanPeriod.objects.all()}
    measures = []
    for new in news:
        measures.append(
            Measure(
                category=categories[new.category],
                position=next_position[new.category],
                name=new.name,
                search_text=search_key(new.name),  # pre_save does not run for bulk_create
                status=new.status,
            )
        )
        next_position[new.category] += 1
    measures = bulk_create_with_history(measures, Measure, batch_size=BATCH, **history)
    through = Measure.periods.through
    through.objects.bulk_create(
        [
            through(measure_id=measure.pk, planperiod_id=period_pks[n])
            for measure, new in zip(measures, news, strict=True)
            for n in new.periods
        ],
        batch_size=BATCH,
    )
    _write_m2m_history(measures, history["default_date"])


def _refuse_names_added_meanwhile(news: list[NewMeasure], categories: dict[str, Category]):
    """Refuse, under the categories' lock, new measures whose name their category gained
    after the preview: the same workbook imported twice at once must not add its new rows
    twice (the preview refuses such names; this closes the gap between the two steps)."""
    wanted = {(categories[n.category].pk, search_key(n.name)): n for n in news}
    clashes = []
    for chunk in chunks(sorted({key for _category, key in wanted})):
        found = Measure.objects.filter(
            category__in=categories.values(), search_text__in=chunk
        ).values_list("category_id", "search_text")
        clashes += [wanted[pair] for pair in found if pair in wanted]
    if clashes:
        raise ImportConflict(
            _(
                "%(names)sは、プレビューの後に同じ区分に同じ名前の施策が追加されました"
                "（同じブックが同時に取り込まれた可能性があります）。何も変更していません。"
                "もう一度取り込んで確認してください。"
            )
            % {"names": "・".join(f"「{n.name}」" for n in clashes)}
        )


def _write_m2m_history(measures: list[Measure], when: datetime) -> None:
    """Record the periods and cooperating divisions in the history entries just written.

    simple-history's bulk helpers write the entries without their many-to-many state; a save
    records it, and the measure page and the "as of" totals read it, so it is added here
    from the links as they now stand.
    """
    pks = [m.pk for m in measures]
    entries: dict[int, int] = {}
    for chunk in chunks(pks):
        entries.update(
            Measure.history.filter(id__in=chunk, history_date=when).values_list("id", "history_id")
        )
    for m2m_field, recorded in MEASURE_HISTORY.m2m_models.items():
        through = m2m_field.remote_field.through
        source = m2m_field.m2m_field_name()
        target = m2m_field.m2m_reverse_field_name()
        rows = []
        for chunk in chunks(pks):
            links = through.objects.filter(**{f"{source}_id__in": chunk}).values_list(
                "id", f"{source}_id", f"{target}_id"
            )
            for link_id, owner, other in links:
                rows.append(
                    recorded(
                        id=link_id,
                        history_id=entries[owner],
                        **{f"{source}_id": owner, f"{target}_id": other},
                    )
                )
        recorded.objects.bulk_create(rows, batch_size=BATCH)
