"""Keep derived columns in step: search keys, and the editor's name in history rows.

Search keys use pre_save rather than save(): loaddata saves raw and skips save(), but still
sends pre_save, so seeded rows get their keys too.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .models import Measure, Relisting
from .text import search_key


@receiver(pre_save, sender=Measure)
def _measure_search_text(sender, instance: Measure, **kwargs) -> None:
    instance.search_text = search_key(instance.name)


@receiver(pre_save, sender=Relisting)
def _relisting_search_text(sender, instance: Relisting, **kwargs) -> None:
    instance.search_text = search_key(instance.label)


@receiver(pre_create_historical_record)
def _history_username(sender, history_instance, history_user=None, **kwargs) -> None:
    if hasattr(history_instance, "history_username") and history_user is not None:
        history_instance.history_username = history_user.get_username()
