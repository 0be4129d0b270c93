"""Writes to the register that span rows or need history: seeding, status changes."""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .history import measure_changes_since
from .models import (
    CATEGORY_HISTORY,
    MEASURE_HISTORY,
    PERIOD_HISTORY,
    PLAN_HISTORY,
    RELISTING_HISTORY,
    Category,
    Measure,
    Plan,
    PlanPeriod,
    Relisting,
    Status,
)
from .progress.services import progress_record_baseline

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan.json"
SEED_CHANGE_REASON = "計画書（第一次～第四次 施策一覧）からの初期登録"


@transaction.atomic
def register_seed(*, fixture: Path = SEED_FIXTURE) -> bool:
    """Load the plan's seed data into an empty register; return False if it already has data.

    Never overwrites: once 情報企画課 has edited records, re-running the setup must keep them.
    Each seeded row gets an initial history entry (loaddata saves raw, which history skips), so
    that "as it stood on" questions have a starting point.
    """
    if Measure.objects.exists():
        return False
    load_with_initial_history(
        fixture,
        {
            Plan: PLAN_HISTORY,
            PlanPeriod: PERIOD_HISTORY,
            Category: CATEGORY_HISTORY,
            Measure: MEASURE_HISTORY,
            Relisting: RELISTING_HISTORY,
        },
        SEED_CHANGE_REASON,
    )
    progress_record_baseline()
    return True


def load_with_initial_history(fixture: Path, recorders: dict, reason: str) -> None:
    """Load ``fixture`` and give each new row of the ``recorders``' models one "+" history
    entry: loaddata saves raw, which history skips, and its m2m writes would each record a "~"
    entry instead."""
    before = {model: set(model.objects.values_list("pk", flat=True)) for model in recorders}
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        call_command("loaddata", str(fixture), verbosity=0)
    now = timezone.now()
    for model, recorder in recorders.items():
        for obj in model.objects.exclude(pk__in=before[model]):
            obj._history_date = now
            obj._change_reason = reason
            recorder.create_historical_record(obj, "+")


def measure_set_status(
    *,
    measures: Iterable[Measure],
    status: Status,
    user=None,
    reason: str = "",
    expected_versions: Mapping[int, int | None] | None = None,
) -> int:
    """Set the status of each measure under a row lock, saving row by row so every change
    enters the history and counts a new version.

    ``expected_versions`` ({pk: version seen}) makes the change refuse, writing nothing, if any
    of those measures changed since it was shown (EditConflict). Return the number of measures
    whose status changed.
    """
    pks = [m.pk for m in measures]
    wanted = {pk: None for pk in pks} | dict(expected_versions or {})
    changed = 0
    with transaction.atomic():
        for measure in measures_lock_for_edit(expected_versions=wanted).values():
            if measure.status == status:
                continue
            measure.status = status
            if user is not None:
                measure._history_user = user
            if reason:
                measure._change_reason = reason
            measure.save(update_fields=["status"])
            changed += 1
    return changed


class EditConflict(Exception):
    """Someone saved the measure after the editor loaded it."""


def _require_transaction() -> None:
    # On SQLite select_for_update is a no-op, so a missing transaction would only fail on
    # PostgreSQL; failing everywhere keeps the mistake out of every test run.
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "measure locks need a transaction: use measure_edit() or transaction.atomic()"
        )


def measures_lock_for_edit(*, expected_versions: Mapping[int, int | None]) -> dict[int, Measure]:
    """Lock the measures' rows until the transaction ends and return them by pk.

    Rows are locked in primary-key order, so two callers locking overlapping sets cannot
    deadlock. A version of None only locks; any other version that differs from the row's
    (or a measure deleted meanwhile) raises EditConflict naming what changed, for every such
    measure at once.
    """
    _require_transaction()
    locked = {
        m.pk: m
        for m in Measure.objects.select_for_update().filter(pk__in=expected_versions).order_by("pk")
    }
    messages = []
    for pk, expected in expected_versions.items():
        current = locked.get(pk)
        if current is None:
            messages.append(_("施策（番号 %(pk)s）は削除されました。") % {"pk": pk})
        elif expected is not None and expected != current.version:
            messages.append(_conflict_message(current, expected))
    if messages:
        raise EditConflict(
            " ".join(messages)
            + _(
                "あなたの変更は保存していません。"
                "ページを開き直して最新の内容を確かめてから、もう一度変更してください。"
            )
        )
    return locked


def measure_lock_for_edit(*, measure_pk: int, expected_version: int | None) -> Measure:
    """Lock one measure's row until the transaction ends, refusing if it changed meanwhile.

    A second editor waits for the first to commit, then gets EditConflict describing what
    changed.
    """
    return measures_lock_for_edit(expected_versions={measure_pk: expected_version})[measure_pk]


@contextmanager
def measure_edit(*, measure_pk: int, expected_version: int | None) -> Iterator[Measure]:
    """Open a transaction with the measure locked at ``expected_version``; save inside it.

    The one guard every path that saves a measure goes through (admin form, restoring an old
    version, imports, bulk changes), so none of them can overwrite an edit it has not seen.
    """
    with transaction.atomic():
        yield measure_lock_for_edit(measure_pk=measure_pk, expected_version=expected_version)


def _conflict_message(current: Measure, expected_version: int) -> str:
    latest, changes = measure_changes_since(current, expected_version)
    who = (latest.history_user.get_username() if latest and latest.history_user else "") or _(
        "他の人"
    )
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else ""
    details = _("、").join(f"{c.label}: {c.old} → {c.new}" for c in changes)
    facts = {"who": who, "when": when, "details": details, "name": current.name}
    if details:
        message = _(
            "施策「%(name)s」は、あなたが開いた後に %(who)s さんが %(when)s に変更しました"
            "（%(details)s）。"
        )
    else:
        message = _(
            "施策「%(name)s」は、あなたが開いた後に %(who)s さんが %(when)s に変更しました。"
        )
    return message % facts
