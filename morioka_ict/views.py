"""Project-level views: the throttled password change and the server-error page."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseServerError
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from governance.audit import AccessKind, password_change_failures, record_access

from .request_id import current_request_id

logger = logging.getLogger(__name__)


@requires_csrf_token
def server_error(request):
    """The 500 page, with the request's id for the user to quote to 情報企画課.

    Like Django's own handler it renders without the request's context processors, which may
    be what failed; if even the template fails, a plain page still gives the id.
    """
    request_id = current_request_id()
    try:
        content = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:
        logger.exception("The error page could not be rendered")
        content = (
            "<!DOCTYPE html><title>Server Error (500)</title><h1>Server Error (500)</h1>"
            f"<p>Request ID: {escape(request_id)}</p>"
        )
    return HttpResponseServerError(content)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with wrong old passwords recorded and throttled.

    Whoever holds a logged-in session could otherwise try old passwords without limit. After
    ``AXES_FAILURE_LIMIT`` wrong ones within ``AXES_COOLOFF_TIME`` the form refuses every
    attempt, the right password included, until the cool-off has passed (as the login's
    lock-out does); each wrong one is entered in the access record, which keeps the count.
    """

    def _locked(self) -> bool:
        failures = password_change_failures(self.request.user, within=settings.AXES_COOLOFF_TIME)
        return failures >= settings.AXES_FAILURE_LIMIT

    def _lock_message(self) -> str:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return _(
            "古いパスワードの誤りが続いたため、パスワードの変更を一時停止しています。"
            "%(minutes)d 分ほどたってから、もう一度お試しください。"
        ) % {"minutes": minutes}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["locked_message"] = self._lock_message() if self._locked() else ""
        return context

    def post(self, request, *args, **kwargs):
        if self._locked():
            form = self.get_form_class()(user=request.user)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            record_access(self.request, AccessKind.PASSWORD_FAILED)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        record_access(self.request, AccessKind.PASSWORD_CHANGED)
        return response
