"""The register's change history: what changed between versions, each measure's history as
people read it, and the register "as it stood" at the end of a past day."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from morioka_ict import visibility

from .models import Category, Measure, PlanPeriod, Status
from .periods import format_periods

# The reverse name of a history record's periods, which (unlike its ``periods`` helper) can be
# prefetched.
HISTORY_PERIODS = "historicalmeasure_periods_set"


class NoHistoryBefore(Exception):
    """The register has no record as early as the date asked for."""


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


def _history_value(record, field: str, periods_by_pk: dict[int, str]) -> str:
    if field == "status":
        return str(Status(record.status).label)
    if field == "category":
        return str(record.category)
    if field == "periods":
        numbers = sorted(
            (periods_by_pk[row.planperiod_id] for row in record.periods.all()),
            key=lambda p: p.number,
        )
        return format_periods(numbers) or str(_("なし"))
    if field == "responsible_division":
        return str(record.responsible_division or _("なし"))
    if field == "cooperating_divisions":
        rows = record.cooperating_divisions.select_related("division__department")
        return str(_("、")).join(sorted(str(row.division) for row in rows)) or str(_("なし"))
    return str(getattr(record, field) or "")


def measure_changes_since(measure: Measure, version: int) -> tuple[object, list[FieldChange]]:
    """Return the latest history entry and what changed in the measure after ``version``.

    Used to tell an editor whose form is out of date what someone else saved meanwhile.
    """
    latest = measure.history.select_related("history_user").first()
    seen = measure.history.filter(version=version).first()
    if latest is None or seen is None:
        return latest, []
    periods_by_pk = {p.pk: p for p in PlanPeriod.objects.all()}
    delta = latest.diff_against(seen, excluded_fields=["version"])
    changes = [
        FieldChange(
            label=str(Measure._meta.get_field(change.field).verbose_name),
            old=_history_value(seen, change.field, periods_by_pk),
            new=_history_value(latest, change.field, periods_by_pk),
        )
        for change in delta.changes
    ]
    return latest, changes


def end_of_day(day: date) -> datetime:
    """Return the last moment of ``day`` in the site's time zone (Asia/Tokyo)."""
    return timezone.make_aware(datetime.combine(day, time.max), timezone.get_default_timezone())


def latest_records(history, moment: datetime):
    """Return the last history record of each row at ``moment``, deletions dropped.

    Like simple-history's ``as_of``, but ties on history_date (possible when a caller sets
    ``_history_date``, and usual for rows loaded together) go to the later record, so that no
    row is ever counted twice. Over a whole table PostgreSQL answers this with one hash anti
    join once it has table statistics; for a few rows, the history's index on (row,
    history_date, history_id) (see ``models.IndexedHistory``) serves each row in one step.
    """
    records = history.filter(history_date__lte=moment)
    later = records.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return records.filter(~Exists(later)).exclude(history_type="-").order_by()


def measure_history_as_of(day: date):
    """Return the latest history record of each measure that existed at the end of ``day``.

    Raise NoHistoryBefore when the history starts after that day, so that an empty register
    is never passed off as a past state.
    """
    moment = end_of_day(day)
    if not Measure.history.filter(history_date__lte=moment).exists():
        raise NoHistoryBefore(day)
    return latest_records(Measure.history.all(), moment)


def first_history_date() -> date | None:
    """Return the local date of the register's first recorded change, if any."""
    first = Measure.history.order_by("history_date").values_list("history_date", flat=True)[:1]
    return timezone.localdate(first[0]) if first else None


_HISTORY_KINDS = {"+": _("登録"), "~": _("変更"), "-": _("削除")}
# The reverse name of a history record's cooperating divisions (see HISTORY_PERIODS).
_HISTORY_COOPERATING = "historicalmeasure_cooperating_divisions_set"


def _division_text(divisions_by_pk: dict, pk: int | None) -> str:
    if pk is None:
        return str(_("なし"))
    division = divisions_by_pk.get(pk)
    return str(division) if division else str(_("（削除された課等）"))


def measure_history(measure: Measure, *, viewer) -> list[dict]:
    """Return the measure's history entries, newest first, with the values at each entry and
    which of them changed from the entry before; queries do not grow with the entries.

    Who made each change and why are shown as ``viewer`` may see them
    (``morioka_ict.visibility``); the history rows themselves are not handed out, so a page
    cannot show more than this.
    """
    periods_by_pk = {p.pk: p for p in PlanPeriod.objects.all()}
    categories = {c.pk: c for c in Category.objects.all()}
    records = list(
        measure.history.select_related("history_user")
        .prefetch_related(HISTORY_PERIODS, _HISTORY_COOPERATING)
        .order_by("history_date", "history_id")
    )
    division_ids = {r.responsible_division_id for r in records} | {
        row.division_id for r in records for row in getattr(r, _HISTORY_COOPERATING).all()
    }
    division_model = Measure._meta.get_field("responsible_division").related_model
    divisions = division_model.objects.select_related("department").in_bulk(division_ids - {None})
    entries, previous = [], None
    for record in records:
        cooperating = sorted(
            _division_text(divisions, row.division_id)
            for row in getattr(record, _HISTORY_COOPERATING).all()
        )
        values = {
            "name": record.name,
            "category": categories.get(record.category_id),
            "status": Status(record.status),
            "periods": format_periods(
                periods_by_pk[p.planperiod_id] for p in getattr(record, HISTORY_PERIODS).all()
            ),
            "position": record.position,
            "responsible_division": _division_text(divisions, record.responsible_division_id),
            "cooperating_divisions": str(_("、")).join(cooperating) or str(_("なし")),
            "notes": record.notes,
        }
        changed = (
            set(values)
            if previous is None
            else {key for key, value in values.items() if previous[key] != value}
        )
        user = record.history_username or (
            record.history_user.get_username() if record.history_user else ""
        )
        entries.append(
            {
                "date": record.history_date,
                "values": values,
                "changed": changed,
                "user": visibility.person_name(user, viewer),
                "reason": visibility.change_reason(record.history_change_reason or "", viewer),
                "kind": _HISTORY_KINDS.get(record.history_type, record.history_type),
            }
        )
        previous = values
    entries.reverse()
    return entries
