"""The NinjaAPI instance: every app's router under /api/v1/, one auth rule, one rate limit,
JSON errors. Endpoints live beside their app's HTML views (``measures/api.py``,
``measures/progress/api.py``, ``governance/api.py``)."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from governance.api import router as governance_router
from measures.api import router as measures_router
from measures.progress.api import router as progress_router

from . import errors
from .auth import API_AUTH
from .throttling import ApiRateThrottle

DESCRIPTION = """盛岡市情報化基本計画の施策・集計・推進体制・進捗調査の読み取り専用 API です。

- 認証: `Authorization: Bearer <API トークン>`（ダッシュボードの「API トークン」で作成）。
  `DASHBOARD_PUBLIC_READ=1` のときはトークンなしで公開ページと同じ範囲を読めます
  （人名・アカウントは含みません）。
- 応答には `ETag` と `Last-Modified` が付きます。`If-None-Match` を送ると、変化がなければ
  `304` を返します。
- 回数制限: トークン（ログイン利用者）ごとに毎分 `API_RATE_PER_TOKEN` 回、トークンなしは
  接続元アドレスごとに毎分 `API_RATE_ANONYMOUS` 回（既定 120 回・60 回）。超えると `429` と
  `Retry-After`（秒）を返します。
- 誤りは JSON で、変わらない `code` と日本語の `message` を返します。
"""


class _Renderer(JSONRenderer):
    """Japanese text as it is (UTF-8), readable in curl's output."""

    json_dumps_params = {"ensure_ascii": False}


class _DashboardApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Mark the token as optional (an empty security requirement): with
        DASHBOARD_PUBLIC_READ=1 every operation also answers without one."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if operation.get("security") and {} not in operation["security"]:
                    operation["security"].append({})
        return schema


api = _DashboardApi(
    renderer=_Renderer(),
    title="盛岡市情報化基本計画 施策ダッシュボード API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,
    auth=API_AUTH,
    throttle=[ApiRateThrottle()],
)
errors.install(api)
api.add_router("/", measures_router)
api.add_router("/progress/", progress_router)
api.add_router("/governance/", governance_router)
