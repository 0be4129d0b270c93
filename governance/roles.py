"""Roles as Django groups: who may read, who may change what.

The groups are created by a data migration (and kept in step by later ones) through
``sync_roles``; their permissions are derived from the apps' models, so a new model is covered
by the role's rule rather than by an edited list.
"""

from dataclasses import dataclass

READER = "閲覧"
LEADER = "情報化推進リーダー"
POLICY_DIVISION = "情報企画課"
ADMINISTRATOR = "管理者"

ROLE_NAMES = (READER, LEADER, POLICY_DIVISION, ADMINISTRATOR)
# Roles that work in Django admin, which only staff accounts may enter: every role, since 閲覧
# views the records there too.
STAFF_ROLES = ROLE_NAMES
DOMAIN_APPS = ("measures", "governance")

# Leaders change only the status and notes of their own division's measures (see admin).
OWN_DIVISION_PERMISSION = ("measures", "change_own_division_measure")
IMPORT_PERMISSION = ("measures", "import_measures")
# 情報企画課 links a leader's appointment to a login account, which admin's account search
# (autocomplete) allows only to those who may view accounts; changing them stays with 管理者.
VIEW_ACCOUNTS_PERMISSION = ("auth", "view_user")
# Leaders (and a division's other reporters) write their division's progress reports;
# 情報企画課 runs the rounds and reviews the reports.
OWN_REPORT_PERMISSION = ("measures", "write_own_division_report")
MANAGE_PROGRESS_PERMISSION = ("measures", "manage_progress")
ACCESS_RECORD_MODEL = "accessrecord"


@dataclass(frozen=True)
class _Perm:
    app_label: str
    codename: str
    model: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.codename)


def role_permissions(Permission) -> dict[str, set[tuple[str, str]]]:
    """Return {role name: {(app_label, codename)}} from the permissions that exist now."""
    every = [
        _Perm(*row)
        for row in Permission.objects.values_list(
            "content_type__app_label", "codename", "content_type__model"
        )
    ]
    domain = [p for p in every if p.app_label in DOMAIN_APPS]
    # History tables and the access record are written by the system only: nobody edits them.
    system_written = {
        p for p in domain if p.model.startswith("historical") or p.model == ACCESS_RECORD_MODEL
    }
    views = {p for p in domain if p.codename.startswith("view_")}
    view_records = {p.key for p in views if p.model == ACCESS_RECORD_MODEL}
    reader = {p.key for p in views} - view_records
    edit_everything = {
        p.key
        for p in domain
        if p not in system_written and p.codename.split("_", 1)[0] in {"add", "change", "delete"}
    }
    policy = (
        reader
        | edit_everything
        | view_records
        | {IMPORT_PERMISSION, VIEW_ACCOUNTS_PERMISSION, MANAGE_PROGRESS_PERMISSION}
    )
    accounts = {p.key for p in every if p.app_label in {"auth", "axes"}}
    return {
        READER: reader,
        LEADER: reader | {OWN_DIVISION_PERMISSION, OWN_REPORT_PERMISSION},
        POLICY_DIVISION: policy,
        ADMINISTRATOR: policy | accounts,
    }


def sync_roles(Group, Permission) -> None:
    """Create the role groups and set exactly their permissions (idempotent).

    Takes the model classes so that a migration can pass its historical models.
    """
    wanted = role_permissions(Permission)
    by_key = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type")
    }
    for name, perms in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([by_key[key] for key in sorted(perms) if key in by_key])


def led_division_ids(user) -> set[int]:
    """Return the divisions whose measures ``user`` may change as their current leader."""
    if not user.is_authenticated:
        return set()
    # Admin asks several times per request (permissions, filters); like Django's own permission
    # cache, the answer is kept on the user object, which lives for one request.
    if not hasattr(user, "_led_division_ids"):
        from governance.models import PromotionLeader

        user._led_division_ids = set(
            PromotionLeader.objects.current()
            .filter(user=user)
            .values_list("division_id", flat=True)
        )
    return user._led_division_ids


def may_change_everything(user) -> bool:
    return user.has_perm("measures.change_measure")


def may_change_as_leader(user, measure=None) -> bool:
    """Whether ``user`` may change the status and notes of ``measure`` (any, if None) as the
    情報化推進リーダー of its responsible division."""
    app_label, codename = OWN_DIVISION_PERMISSION
    if not user.has_perm(f"{app_label}.{codename}"):
        return False
    if measure is None:
        return True
    return measure.responsible_division_id in led_division_ids(user)
