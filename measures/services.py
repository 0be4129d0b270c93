"""Writes to the register that span rows or need history: seeding, status changes."""

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from .models import MEASURE_HISTORY, RELISTING_HISTORY, Measure, Relisting, Status

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
    # loaddata's m2m writes would each record a "~" entry; the seed gets one "+" entry instead.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        call_command("loaddata", str(fixture), verbosity=0)
    now = timezone.now()
    for model, recorder in ((Measure, MEASURE_HISTORY), (Relisting, RELISTING_HISTORY)):
        for obj in model.objects.all():
            obj._history_date = now
            obj._change_reason = SEED_CHANGE_REASON
            recorder.create_historical_record(obj, "+")
    return True


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
