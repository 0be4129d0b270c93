"""The hidden keys tying a 調査票 to its round, division and reports.

Keys are signed with the project's secret key, so a key edited by hand, or made up, is
recognised and refused; each row key names its round and division as well as its report and
the version the row was written from, so a row copied from another workbook cannot land on
another division's report.
"""

import datetime
from dataclasses import dataclass

from django.core import signing

_ROW_SALT = "measures.progress.survey.row"
_BOOK_SALT = "measures.progress.survey.book"


@dataclass(frozen=True)
class RowKey:
    round_pk: int
    division_pk: int
    report_pk: int
    version: int


@dataclass(frozen=True)
class BookKey:
    round_pk: int
    division_pk: int
    created_at: datetime.datetime


class KeyRefused(ValueError):
    """The key was not made by this dashboard (edited by hand or damaged)."""


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=salt)


def sign_row(key: RowKey) -> str:
    return _signer(_ROW_SALT).sign(
        f"{key.round_pk}.{key.division_pk}.{key.report_pk}.{key.version}"
    )


def read_row(text: str) -> RowKey:
    try:
        value = _signer(_ROW_SALT).unsign(text.strip())
        numbers = [int(part) for part in value.split(".")]
        return RowKey(*numbers)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise KeyRefused(text) from exc


def sign_book(key: BookKey) -> str:
    return _signer(_BOOK_SALT).sign(
        f"{key.round_pk}.{key.division_pk}.{key.created_at.isoformat()}"
    )


def read_book(text: str) -> BookKey:
    try:
        value = _signer(_BOOK_SALT).unsign(text.strip())
        round_pk, division_pk, created = value.split(".", 2)
        return BookKey(int(round_pk), int(division_pk), datetime.datetime.fromisoformat(created))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise KeyRefused(text) from exc
