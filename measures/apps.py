from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class MeasuresConfig(AppConfig):
    name = "measures"
    # 「施策」 alone is one measure in English; the app holds them all.
    verbose_name = pgettext_lazy("アプリ名", "施策")

    def ready(self) -> None:
        from . import signals  # noqa: F401
