from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "施策"

    def ready(self) -> None:
        from . import signals  # noqa: F401
