"""Shapes shared by every app's endpoints: a status, an error, a category reference."""

from typing import Literal

from ninja import Field
from pydantic import BaseModel

from measures.models import Category, Status

StatusCode = Literal["implemented", "partial", "not_started"]


class Out(BaseModel):
    """Base of every answer's shape: plain pydantic, since endpoints hand over dicts already
    shaped (Ninja's Schema would look each field up through its ORM-aware getter, which costs
    more than the queries for a page of a hundred rows)."""


class StatusOut(Out):
    code: StatusCode = Field(
        description="状況のコード（implemented ◎ 実施 / partial ○ 一部着手 / not_started × 未着手）"
    )
    mark: str = Field(description="状況の記号（◎ ○ ×）")
    label: str = Field(description="状況の名称（実施・一部着手・未着手）")


def status_out(status: Status | str) -> dict:
    status = Status(status)
    return {"code": status.value, "mark": status.mark, "label": str(status.label)}


class CategoryRef(Out):
    code: str = Field(description="区分のコード（例: e-city）")
    label: str = Field(description="見出し記号（ア・イ・ウ）")
    name: str = Field(description="区分の名称（例: e-cityづくり）")


def category_ref(category: Category) -> dict:
    return {"code": category.code, "label": category.label, "name": category.name}


class ErrorOut(Out):
    code: str = Field(
        description="誤りの種類（変わらない英字のコード）: invalid_parameter, "
        "not_found, unauthorized, forbidden, method_not_allowed, rate_limited, "
        "server_error"
    )
    message: str = Field(description="誤りの説明（日本語）")
    details: list[str] = Field(default_factory=list, description="個々の誤り（項目ごとの説明）")


# Every operation may answer these (documented so that clients and schemathesis expect them).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}
