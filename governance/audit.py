"""The access record (アクセス記録): logins, failed logins, exports, imports and refused requests.

Changes to records are kept by django-simple-history; this log covers what history cannot see:
who came in, who was turned away, and who took data out or brought it in. Entries are only
ever added; admin shows them read-only, and ``prune_access_records`` removes old ones.

Anyone can send refused requests and failed logins, so those without a logged-in user are
counted rather than listed: a repeat (same kind, address, method, path without its query, status
and typed user name) within ``AGGREGATION_WINDOW`` of the row's first occurrence adds one to
its ``repeat_count`` and moves ``last_at``. Once ``ANONYMOUS_ROWS_PER_WINDOW`` such rows were
started within the window, further ones share one row per kind and status without address or
path, so a flood over many addresses and paths still adds only a bounded number of rows. What
logged-in users do is always recorded entry by entry.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from morioka_ict.network import client_address


class AccessKind(models.TextChoices):
    LOGIN = "login", _("ログイン")
    LOGIN_FAILED = "login_failed", _("ログイン失敗")
    LOGOUT = "logout", _("ログアウト")
    EXPORT = "export", _("書き出し")
    IMPORT = "import", _("取り込み")
    REFUSED = "refused", _("拒否")
    PASSWORD_CHANGED = "password_changed", _("パスワード変更")
    PASSWORD_FAILED = "password_failed", _("パスワード変更失敗")
    API = "api", _("API 利用")


class AccessRecord(models.Model):
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("種別"), max_length=20, choices=AccessKind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ユーザー"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so the record still names the account after it is deleted, and names the
    # user name typed in a failed login, which matches no account.
    username = models.CharField(_("ユーザー名"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("接続元アドレス"), null=True, blank=True)
    method = models.CharField(_("メソッド"), max_length=10, blank=True)
    path = models.CharField(_("パス"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("応答コード"), null=True, blank=True)
    detail = models.CharField(_("内容"), max_length=500, blank=True)
    repeat_count = models.PositiveIntegerField(_("回数"), default=1)
    last_at = models.DateTimeField(_("最終日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("アクセス記録")
        verbose_name_plural = _("アクセス記録")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


def _client_address(request) -> str | None:
    # The same function gives django-axes the address its lock-outs are keyed on.
    return client_address(request) if request is not None else None


AGGREGATION_WINDOW = timedelta(minutes=10)
ANONYMOUS_ROWS_PER_WINDOW = 200
_COUNTED_KINDS = (AccessKind.REFUSED, AccessKind.LOGIN_FAILED)


def record_access(
    request, kind: AccessKind, *, detail: str = "", user=None, username: str = "", status_code=None
) -> AccessRecord:
    """Add an entry to the access record for ``request``, or count a repeat of an anonymous
    refusal or failed login on its row (see the module's docstring)."""
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    fields = {
        "kind": kind,
        "user": user,
        "username": (user.get_username() if user is not None else username)[:150],
        "address": _client_address(request),
        "method": (request.method or "")[:10] if request is not None else "",
        "path": request.get_full_path()[:500] if request is not None else "",
        "status_code": status_code,
    }
    if user is None and request is not None and kind in _COUNTED_KINDS:
        fields["path"] = request.path[:500]
        return _count_anonymous(fields, detail=detail[:500])
    if request is not None and kind in _COUNTED_KINDS and request.path.startswith("/api/"):
        # A program with an API token can be refused hundreds of times a minute (429): its
        # refusals are counted on one row per path and status too, still under its account.
        fields["path"] = request.path[:500]
        return _count_repeat(fields, detail=detail[:500])
    return AccessRecord.objects.create(**fields, detail=detail[:500])


def _count_repeat(fields: dict, *, detail: str) -> AccessRecord:
    now = timezone.now()
    row = (
        AccessRecord.objects.filter(at__gte=now - AGGREGATION_WINDOW, **fields)
        .order_by("-at", "-pk")
        .first()
    )
    if row is None:
        return AccessRecord.objects.create(**fields, detail=detail)
    AccessRecord.objects.filter(pk=row.pk).update(repeat_count=F("repeat_count") + 1, last_at=now)
    row.refresh_from_db()
    return row


def _count_anonymous(fields: dict, *, detail: str) -> AccessRecord:
    now = timezone.now()
    recent = AccessRecord.objects.filter(at__gte=now - AGGREGATION_WINDOW, user=None)
    row = recent.filter(**fields).order_by("-at", "-pk").first()
    if row is None:
        started = recent.filter(kind__in=_COUNTED_KINDS).exclude(path="").count()
        if started < ANONYMOUS_ROWS_PER_WINDOW:
            return AccessRecord.objects.create(**fields, detail=detail)
        fields = {
            **fields,
            "username": "",
            "address": None,
            "method": "",
            "path": "",
        }
        detail = str(_("上限を超えたため、接続元とパスを記録せずに回数だけを数えています"))
        row = recent.filter(**fields).order_by("-at", "-pk").first()
        if row is None:
            return AccessRecord.objects.create(**fields, detail=detail)
    AccessRecord.objects.filter(pk=row.pk).update(repeat_count=F("repeat_count") + 1, last_at=now)
    row.refresh_from_db()
    return row


def record_api_use(request, token) -> None:
    """Count a use of the API ``token`` on its row of the last ``AGGREGATION_WINDOW``, or start
    one (and note the token's last use): a client polling every few seconds adds one row per
    10 minutes, not one per request."""
    now = timezone.now()
    detail = str(_("API トークン「%(label)s」（%(start)s…）")) % {
        "label": token.label,
        "start": token.key_start,
    }
    counted = AccessRecord.objects.filter(
        kind=AccessKind.API, user=token.user, detail=detail[:500], at__gte=now - AGGREGATION_WINDOW
    ).update(repeat_count=F("repeat_count") + 1, last_at=now)
    if not counted:
        AccessRecord.objects.create(
            kind=AccessKind.API,
            user=token.user,
            username=token.user.get_username()[:150],
            address=_client_address(request),
            method="GET",
            path="/api/v1/",
            detail=detail[:500],
        )
        type(token).objects.filter(pk=token.pk).update(last_used_at=now)


def password_change_failures(user, *, within: timedelta) -> int:
    """Return how many wrong old passwords ``user`` typed on the password-change page within
    ``within`` and since their last successful change; the record is the throttle's counter, so
    every worker process sees the same count."""
    since = timezone.now() - within
    mine = AccessRecord.objects.filter(user=user, at__gte=since)
    changed = mine.filter(kind=AccessKind.PASSWORD_CHANGED).aggregate(last=models.Max("at"))
    if changed["last"] is not None:
        mine = mine.filter(at__gt=changed["last"])
    return mine.filter(kind=AccessKind.PASSWORD_FAILED).count()


def prune_access_records(*, before: datetime, dry_run: bool = False) -> dict[str, int]:
    """Remove the entries whose last occurrence is before ``before``; return how many of each
    kind were (or, with ``dry_run``, would be) removed."""
    old = AccessRecord.objects.filter(at__lt=before).exclude(last_at__gte=before)
    counts = dict(
        old.order_by().values_list("kind").annotate(n=models.Count("pk")).values_list("kind", "n")
    )
    if not dry_run:
        old.delete()
    return counts


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs) -> None:
    record_access(request, AccessKind.LOGIN, user=user)


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_access(request, AccessKind.LOGOUT, user=user)


@receiver(user_login_failed)
def _record_login_failure(sender, credentials, request=None, **kwargs) -> None:
    record_access(
        request,
        AccessKind.LOGIN_FAILED,
        username=str(credentials.get("username", "")),
    )
