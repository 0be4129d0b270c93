"""Keep the stored search keys in step with the text they index.

A pre_save receiver rather than save(): loaddata saves raw and skips save(), but still sends
pre_save, so seeded rows get their keys too.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Measure, Relisting
from .text import search_key


@receiver(pre_save, sender=Measure)
def _measure_search_text(sender, instance: Measure, **kwargs) -> None:
    instance.search_text = search_key(instance.name)


@receiver(pre_save, sender=Relisting)
def _relisting_search_text(sender, instance: Relisting, **kwargs) -> None:
    instance.search_text = search_key(instance.label)
