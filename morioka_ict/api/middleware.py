"""What every answer under /api/ gets, whichever layer produced it."""

from django.http import Http404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import errors
from .conditional import body_etag, last_modified_or_now

_PREFIX = "/api/"


class ApiMiddleware:
    """For /api/: JSON errors instead of HTML or empty bodies (unknown address, method not
    allowed, a server error below), and ``ETag`` / ``Last-Modified`` with ``304 Not
    Modified`` on a matching ``If-None-Match`` / ``If-Modified-Since``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(_PREFIX):
            return self.get_response(request)
        # HEAD is GET without the body (the server drops it): cheap checks of ETag and
        # Last-Modified. Ninja routes GET only, so it sees a GET.
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code >= 400 and not _is_json(response):
            response = _as_json_error(response)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not getattr(response, "streaming", False)
        ):
            return _conditional(request, response)
        return response

    def process_exception(self, request, exception):
        if request.path_info.startswith(_PREFIX) and isinstance(exception, Http404):
            return errors.error_response(404)  # Ninja's root view (/api/v1/) raises it
        if request.path_info.startswith(_PREFIX):
            errors.logger.exception("API error on %s", request.path, exc_info=exception)
            return errors.error_response(500)
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _as_json_error(response):
    reason = getattr(response, "refusal_reason", None)
    replacement = errors.error_response(
        response.status_code, details=[str(reason)] if reason else None
    )
    for header in ("Allow", "Retry-After", "X-Request-ID"):
        if header in response:
            replacement[header] = response[header]
    return replacement


def _conditional(request, response):
    etag = body_etag(response.content)
    last_modified = last_modified_or_now()
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    # Clients may keep answers but must ask again (cheaply, with the tags) before reusing them.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Cookie"))
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp()), response=response
    )
    return conditional
