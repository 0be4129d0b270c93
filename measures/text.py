"""Text normalisation shared by storage and queries.

The plan's text comes from a PDF: full-width and half-width forms are mixed (「ＩＴ」/「IT」,
「･」/「・」, 「ｼｽﾃﾑ」/「システム」) and spaces are scattered between scripts (「IT 講習」).
Both the stored search key and the user's query go through the same function, in Python, so
that search behaves identically on SQLite and PostgreSQL.
"""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def search_key(text: str) -> str:
    """Return the form of ``text`` that search compares: NFKC, case-folded, no whitespace."""
    normalised = unicodedata.normalize("NFKC", text or "")
    return _WHITESPACE.sub("", normalised).casefold()


MAX_SEARCH_WORDS = 10


def search_words(query: str) -> list[str]:
    """Return the distinct search keys of the words of ``query``, split at any whitespace,
    half- or full-width. Searches use at most MAX_SEARCH_WORDS of them: each word adds a
    condition, and SQLite refuses a query of some hundreds."""
    keys = (search_key(word) for word in (query or "").split())
    return list(dict.fromkeys(key for key in keys if key))
