"""Personal API tokens (API トークン): how staff reach the JSON API from other systems.

A user creates a token on the dashboard (「API トークン」) and sees it once; only its SHA-256
hash is stored, with the first characters for recognising it in lists. Tokens are random
(256 bits), so a plain hash is enough: there is nothing to guess that a slow hash would
protect. Revoking is final; a revoked token answers 401. Each use is counted in the アクセス記録
(``governance.audit.record_api_use``), one row per token per 10 minutes.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "mict_"
MAX_ACTIVE_TOKENS = 10


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    label = models.CharField(_("用途"), max_length=100, help_text=_("例: 市ホームページの集計表示"))
    key_hash = models.CharField(_("トークンのハッシュ"), max_length=64, unique=True, editable=False)
    key_start = models.CharField(_("トークンの先頭"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API トークン")
        verbose_name_plural = _("API トークン")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.key_start}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TokenLimitReached(Exception):
    """The user already has MAX_ACTIVE_TOKENS active tokens."""


def api_token_create(*, user, label: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and the secret, which is never stored."""
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise TokenLimitReached
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        label=label.strip(),
        key_hash=_digest(raw),
        key_start=raw[: len(TOKEN_PREFIX) + 4],
    )
    return token, raw


def api_token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of ``user``'s own active tokens; return whether one was revoked."""
    return bool(
        ApiToken.objects.active().filter(user=user, pk=token_id).update(revoked_at=timezone.now())
    )


def may_revoke_any_token(user) -> bool:
    """Whether ``user`` manages accounts (管理者, superusers), and so may see every user's
    tokens and revoke them, e.g. one that leaked."""
    return user.is_active and user.has_perm("auth.change_user")


def api_tokens_revoke(tokens) -> int:
    """Revoke the active ones of ``tokens`` (a queryset); return how many were revoked."""
    return tokens.active().update(revoked_at=timezone.now())


def api_token_authenticate(raw: str) -> ApiToken | None:
    """Return the active token whose secret is ``raw`` (with its active user), or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=_digest(raw), user__is_active=True)
        .first()
    )
    return token


def user_api_tokens(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))
