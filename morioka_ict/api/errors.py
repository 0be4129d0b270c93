"""Every API error as JSON: a stable ``code`` and a Japanese ``message``, never an HTML page.

Ninja's own errors (bad parameters, 404, failed authentication, throttling) and any other
exception go through ``install``'s handlers; what Django answers before Ninja runs (an unknown
address under /api/, a method not allowed) is rewritten by ``ApiMiddleware`` with ``payload``.
"""

import logging

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal an endpoint raises: ``status``, stable ``code``, Japanese ``message``."""

    def __init__(self, status: int, code: str, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or []


def _default_messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("invalid_parameter", _("指定された値が正しくありません。")),
        401: (
            "unauthorized",
            _("認証が必要です。Authorization: Bearer <API トークン> を付けてください。"),
        ),
        403: ("forbidden", _("この操作を行う権限がありません。")),
        404: ("not_found", _("指定されたものは見つかりません。アドレスを確かめてください。")),
        405: ("method_not_allowed", _("この API は読み取り専用です（GET のみ）。")),
        429: (
            "rate_limited",
            _("要求が多すぎます。Retry-After ヘッダーの秒数だけ待ってから再度お試しください。"),
        ),
        500: (
            "server_error",
            _("サーバーで問題が起きました。時間をおいて再度お試しください。"),
        ),
    }


def payload(status: int, message: str = "", details: list[str] | None = None, code: str = ""):
    """Return the JSON body of an error with ``status``."""
    default_code, default_message = _default_messages().get(
        status, ("error", _("要求を処理できませんでした。"))
    )
    return {
        "code": code or default_code,
        "message": message or default_message,
        "details": details or [],
    }


def error_response(status: int, **kwargs) -> JsonResponse:
    response = JsonResponse(
        payload(status, **kwargs), status=status, json_dumps_params={"ensure_ascii": False}
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _reason(error: dict) -> str:
    """Say in Japanese what was wrong with one value; pydantic's own ``msg`` is English."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    reasons = {
        "missing": _("指定が必要です"),
        "int_parsing": _("整数で指定してください"),
        "int_type": _("整数で指定してください"),
        "int_from_float": _("整数で指定してください"),
        "bool_parsing": _("true か false で指定してください"),
        "date_parsing": _("YYYY-MM-DD 形式の日付で指定してください"),
        "date_from_datetime_parsing": _("YYYY-MM-DD 形式の日付で指定してください"),
        "date_from_datetime_inexact": _("YYYY-MM-DD 形式の日付で指定してください"),
        "date_type": _("YYYY-MM-DD 形式の日付で指定してください"),
        "greater_than_equal": _("%(ge)s 以上で指定してください"),
        "greater_than": _("%(gt)s より大きい値で指定してください"),
        "less_than_equal": _("%(le)s 以下で指定してください"),
        "less_than": _("%(lt)s より小さい値で指定してください"),
        "string_too_long": _("%(max_length)s 文字以内で指定してください"),
        "string_too_short": _("%(min_length)s 文字以上で指定してください"),
        "enum": _("次のいずれかで指定してください: %(expected)s"),
        "literal_error": _("次のいずれかで指定してください: %(expected)s"),
    }
    try:
        return reasons[kind] % ctx
    except (KeyError, TypeError, ValueError):
        return _("値が正しくありません")


def _validation_details(errors) -> list[str]:
    details = []
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", [])[1:]) or "-"
        details.append(
            _("%(field)s: 値が正しくありません（%(reason)s）")
            % {"field": where, "reason": _reason(error)}
        )
    return details


def install(api) -> None:
    """Register the JSON error handlers on the NinjaAPI ``api``."""

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError):
        return error_response(exc.status, code=exc.code, message=exc.message, details=exc.details)

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError):
        return error_response(400, details=_validation_details(exc.errors))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc):
        return error_response(404)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc):
        if request.META.get("HTTP_AUTHORIZATION"):
            return error_response(
                401,
                code="invalid_token",
                message=_(
                    "API トークンが正しくないか、失効しています。ダッシュボードの"
                    "「API トークン」で新しいトークンを作成してください。"
                ),
            )
        return error_response(401)

    @api.exception_handler(AuthorizationError)
    def _forbidden(request: HttpRequest, exc):
        return error_response(403)

    @api.exception_handler(Throttled)
    def _throttled(request: HttpRequest, exc):
        return error_response(429)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError):
        return error_response(exc.status_code)

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception):
        logger.exception("API error on %s", request.path, exc_info=exc)
        return error_response(500)
