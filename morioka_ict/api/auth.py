"""Who may read the API: the same rule as the pages.

- a personal API token (``Authorization: Bearer mict_…``) reads as its user, and each use is
  counted in the アクセス記録;
- a logged-in browser session reads as its user (the docs page's try-outs);
- with ``DASHBOARD_PUBLIC_READ=1`` anyone else reads what the public pages show.

A request that carries an Authorization header is never served as public: a wrong or revoked
token is 401, so a client notices at once.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer

from governance.audit import record_api_use
from governance.tokens import api_token_authenticate


class TokenAuth(HttpBearer):
    """Personal API token, sent as ``Authorization: Bearer <token>``."""

    openapi_description = (
        "個人の API トークン（ダッシュボードの「API トークン」で作成）。"
        "DASHBOARD_PUBLIC_READ=1 のときはトークンなしで公開ページと同じ範囲を読めます。"
    )

    def authenticate(self, request, token):
        found = api_token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found
        record_api_use(request, found)
        return found.user


def session_or_public(request):
    """A logged-in session, or anyone when the dashboard is public; never with a header."""
    if request.META.get("HTTP_AUTHORIZATION"):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    if settings.DASHBOARD_PUBLIC_READ:
        request.user = AnonymousUser()
        return "public"
    return None


API_AUTH = [TokenAuth(), session_or_public]
