from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequiredUnlessPublicMiddleware(LoginRequiredMiddleware):
    """Every page needs a login, unless DASHBOARD_PUBLIC_READ opens the read-only pages.

    Public reading publishes the plan's progress as open data; admin and every write still
    need a login.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            settings.DASHBOARD_PUBLIC_READ
            and request.method in _SAFE_METHODS
            and not request.path_info.startswith("/admin/")
        ):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
