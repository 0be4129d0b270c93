from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import render
from django.utils.translation import gettext as _

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequiredUnlessPublicMiddleware(LoginRequiredMiddleware):
    """Every page needs a login, unless DASHBOARD_PUBLIC_READ opens the read-only pages.

    Public reading publishes the plan's progress as open data; admin and every write still
    need a login. The JSON API under /api/ is never redirected to the login page: it has its
    own rule (tokens) and answers 401 in JSON.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None  # the API answers 401 in JSON itself (morioka_ict/api/auth.py)
        if (
            settings.DASHBOARD_PUBLIC_READ
            and request.method in _SAFE_METHODS
            and not request.path_info.startswith("/admin/")
        ):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


_REFUSED_STATUS_CODES = frozenset({401, 403, 405, 429})


class RefusedRequestRecordMiddleware:
    """Add every refused request (no permission, CSRF failure, lock-out) to the access record.

    Sits near the top of the stack so it sees the final answer of every layer below it,
    including the CSRF check and django-axes' lock-out page. Anonymous repeats are counted on
    one row (``governance.audit``), so refusals cannot fill the table.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in _REFUSED_STATUS_CODES:
            from governance.audit import AccessKind, record_access

            record_access(
                request,
                AccessKind.REFUSED,
                status_code=response.status_code,
                detail=getattr(response, "reason_phrase", "") or "",
            )
        return response


class RefuseNulInQueryMiddleware:
    """Answer 400, with a Japanese page, to a query string that carries a NUL byte (``%00``).

    No page or filter has a use for NUL, and PostgreSQL refuses it in text, so a NUL that
    reached a lookup (an admin list filter, say) would end in a server error. Refusing it here
    covers every page, admin included, whatever reads the parameter.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()):
            reason = _("アドレス（URL）に使えない文字（NUL 文字）が含まれています。")
            response = render(request, "400.html", {"reason": reason}, status=400)
            response.refusal_reason = reason  # the API answers JSON with it (ApiMiddleware)
            return response
        return self.get_response(request)
