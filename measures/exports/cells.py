"""Cell values and widths that are safe and fit Japanese text.

The one formula guard of every export: CSV text goes through ``safe_text`` (or
``safe_row``), workbook text through ``set_text``; both ask ``starts_like_formula``.
"""

import unicodedata

# A cell that starts with one of these is taken as a formula by Excel and LibreOffice
# (spreadsheet / CSV injection). Tab and carriage return are listed by OWASP as well.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets and Japanese input methods turn full-width ＝＋－＠ into their ASCII forms (NFKC
# does the same), and some trim leading blanks before looking for a formula.
_LEADING_BLANKS = " \t\r\n\u3000"


def safe_text(value: object) -> str:
    """Return ``value`` as text that no spreadsheet will evaluate as a formula."""
    text = "" if value is None else str(value)
    if starts_like_formula(text):
        return "'" + text
    return text


def safe_row(values) -> list:
    """Return a CSV row with every text guarded by ``safe_text``; numbers stay numbers."""
    return [
        v
        if (v.__class__ is str and _SAFE_FIRST.get(v[:1])) or isinstance(v, int | float)
        else safe_text(v)
        for v in values
    ]


def display_width(text: str) -> int:
    """Return the width of ``text`` in half-width columns: full-width, wide and ambiguous
    characters (kanji, kana, ◎ ○ ×) count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FWA" else 1 for ch in str(text))


def column_width(values, *, minimum: int = 4, maximum: int = 80, padding: int = 2) -> int:
    """Return an openpyxl column width that fits the widest of ``values``."""
    widest = 0
    # Longest first: once no text can be wider than the widest found (two columns a
    # character at most), the rest need not be measured; this matters for 10,000 names.
    for text in sorted((str(v) for v in values if v is not None), key=len, reverse=True):
        if 2 * len(text) <= widest:
            break
        widest = max(widest, display_width(text))
    return max(minimum, min(maximum, widest + padding))


def starts_like_formula(text: str) -> bool:
    """Return True if a spreadsheet could read ``text`` typed into a cell as a formula: it
    starts with a trigger, or would after leading blanks and full-width forms are normalised."""
    text = str(text)
    first = text[:1]
    safe = _SAFE_FIRST.get(first)
    if safe is None:
        safe = _SAFE_FIRST[first] = _safe_first(first)
    if safe:
        return False
    if text.startswith(_FORMULA_TRIGGERS):
        return True
    first = text.lstrip(_LEADING_BLANKS)[:1]
    return unicodedata.normalize("NFKC", first).startswith(_FORMULA_TRIGGERS)


def _safe_first(first: str) -> bool:
    """Return True if no text starting with ``first`` (one character, or none) can be read as
    a formula; a leading blank is never enough to tell."""
    if first in _LEADING_BLANKS and first:
        return False
    return not unicodedata.normalize("NFKC", first).startswith(_FORMULA_TRIGGERS)


# First characters already judged by ``_safe_first``: most texts start with one of a few
# hundred, so the guard costs a dictionary look-up per cell.
_SAFE_FIRST: dict[str, bool] = {}


def set_text(cell, value: object) -> None:
    """Put ``value`` into an openpyxl cell as plain text, never as a formula.

    openpyxl takes any string starting with "=" as a formula; the cell is forced back to a
    string, and flagged with Excel's quote prefix so that editing it by hand keeps it text.
    The exact text is kept (no added apostrophe), so an import reads back the same name.
    """
    text = "" if value is None else str(value)
    cell.value = text
    cell.data_type = "s"
    if starts_like_formula(text):
        cell.quotePrefix = True
