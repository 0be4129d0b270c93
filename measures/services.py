"""Writes to the register that span rows or need history: seeding, status changes."""

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import MEASURE_HISTORY, RELISTING_HISTORY, Measure, Relisting, Status
from .selectors import measure_changes_since

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
        fixture, {Measure: MEASURE_HISTORY, Relisting: RELISTING_HISTORY}, SEED_CHANGE_REASON
    )
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
    *, measures: Iterable[Measure], status: Status, user=None, reason: str = ""
) -> int:
    """Set the status of each measure, saving row by row so every change enters the history.

    Return the number of measures whose status changed.
    """
    changed = 0
    with transaction.atomic():
        for measure in measures:
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


def measure_lock_for_edit(*, measure_pk: int, expected_version: int | None) -> Measure:
    """Lock the measure's row until the transaction ends, refusing if it changed meanwhile.

    Call inside a transaction, before saving an edit made from ``expected_version``; a second
    editor waits for the first to commit, then gets EditConflict describing what changed.
    """
    current = Measure.objects.select_for_update().get(pk=measure_pk)
    if expected_version == current.version:
        return current
    latest, changes = measure_changes_since(current, expected_version or 0)
    who = (latest.history_user.get_username() if latest and latest.history_user else "") or _(
        "他の人"
    )
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else ""
    details = _("、").join(f"{c.label}: {c.old} → {c.new}" for c in changes)
    facts = {"who": who, "when": when, "details": details}
    if details:
        message = _(
            "この施策は、あなたが開いた後に %(who)s さんが %(when)s に変更しました（%(details)s）。"
        )
    else:
        message = _("この施策は、あなたが開いた後に %(who)s さんが %(when)s に変更しました。")
    message = (message % facts) + _(
        "あなたの変更は保存していません。"
        "ページを開き直して最新の内容を確かめてから、もう一度変更してください。"
    )
    raise EditConflict(message)
