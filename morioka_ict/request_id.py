"""A request id on every log line of a request, on its response and on the error page.

When a user reports an error, the id on the 500 page (and in the ``X-Request-ID`` response
header) finds every line the request logged, its traceback included, in gunicorn's log. Behind
trusted proxies (``TRUSTED_PROXY_COUNT`` > 0) the proxy's ``X-Request-ID`` is kept if well
formed, so the proxy's log and ours share the id; otherwise a new one is made. A client's own
header is never taken when no proxy is trusted.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings

HEADER = "X-Request-ID"
NO_REQUEST = "-"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """Return the id of the request being served, or "-" outside a request."""
    return _current.get()


def _request_id(request) -> str:
    given = request.headers.get(HEADER, "")
    if settings.TRUSTED_PROXY_COUNT > 0 and _WELL_FORMED.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request its id for as long as it is served. First in MIDDLEWARE, so that
    every layer's log lines, and the error page, carry it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _request_id(request)
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every log record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class RequestIdFormatter(logging.Formatter):
    """One record may span many lines (a traceback); each gets the request id, so that one grep
    finds them all even when several workers write to the same log at once."""

    def format(self, record: logging.LogRecord) -> str:
        first, *rest = super().format(record).split("\n")
        prefix = f"[{getattr(record, 'request_id', NO_REQUEST)}]   "
        return "\n".join([first, *(prefix + line for line in rest)])
