from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _keep_roles_in_step(sender, apps=None, **kwargs) -> None:
    """Re-apply the role rules after every migrate, and after a flush (browser tests flush the
    database between tests, which empties the groups that the data migration created)."""
    from .roles import sync_roles

    apps = apps or global_apps  # flush sends the signal without a migration state
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("推進体制")

    def ready(self) -> None:
        post_migrate.connect(_keep_roles_in_step, sender=self)
