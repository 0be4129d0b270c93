"""The access record (アクセス記録): logins, failed logins, exports, imports and refused requests.

Changes to records are kept by django-simple-history; this log covers what history cannot see:
who came in, who was turned away, and who took data out or brought it in. Entries are only
ever added; admin shows them read-only.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from morioka_ict.network import client_address


class AccessKind(models.TextChoices):
    LOGIN = "login", _("ログイン")
    LOGIN_FAILED = "login_failed", _("ログイン失敗")
    LOGOUT = "logout", _("ログアウト")
    EXPORT = "export", _("書き出し")
    IMPORT = "import", _("取り込み")
    REFUSED = "refused", _("拒否")


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

    class Meta:
        verbose_name = _("アクセス記録")
        verbose_name_plural = _("アクセス記録")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


def _client_address(request) -> str | None:
    # The same function gives django-axes the address its lock-outs are keyed on.
    return client_address(request) if request is not None else None


def record_access(
    request, kind: AccessKind, *, detail: str = "", user=None, username: str = "", status_code=None
) -> AccessRecord:
    """Add one entry to the access record for ``request``."""
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    return AccessRecord.objects.create(
        kind=kind,
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        address=_client_address(request),
        method=(request.method or "")[:10] if request is not None else "",
        path=request.get_full_path()[:500] if request is not None else "",
        status_code=status_code,
        detail=detail[:500],
    )


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
