"""The seed fixture against the plan document itself.

The document is text extracted from a PDF (shared/seeds); its only known artefacts are stray
spaces and half-width marks, so rows are compared after search normalisation.
"""

import re
from pathlib import Path

import pytest

from measures.models import Category, Status
from measures.rows import category_table_rows
from measures.text import search_key

SEED_DOCUMENT = (
    Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_3cf166d67478313d.txt"
)
_ROW = re.compile(r"^(?P<name>.+?)\s*(?P<mark>[◎○×])\s+(?P<periods>\S+)\s*$")
_RELISTED = re.compile(r"^(?P<name>.+?)（再掲）\s*$")
_ANNOTATION = re.compile(r"（[^）]*に再掲）")


def _document_rows() -> dict[str, list[tuple]]:
    tables: dict[str, list[tuple]] = {}
    current = None
    for raw in SEED_DOCUMENT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line in {"e-citizen", "e-business", "e-city"}:
            current = tables.setdefault(line, [])
            continue
        if current is None or not line:
            continue
        if re.fullmatch(r"[\d\s]+", line):
            current = None
            continue
        if match := _ROW.match(line):
            name = _ANNOTATION.sub("", match["name"])
            current.append((search_key(name), match["mark"], match["periods"]))
        elif match := _RELISTED.match(line):
            current.append((search_key(match["name"]), "再掲", ""))
    return tables


@pytest.mark.skipif(not SEED_DOCUMENT.exists(), reason="shared/seeds is not beside the repo")
@pytest.mark.django_db
def test_seed_fixture_matches_the_plan_document_row_by_row(seeded):
    document = _document_rows()
    assert [len(rows) for rows in document.values()] == [34, 13, 36]
    for category in Category.objects.all():
        stored = [
            (search_key(row.label), "再掲", "")
            if row.is_relisting
            else (search_key(row.name), row.status.mark, row.periods)
            for row in category_table_rows(category)
        ]
        assert stored == document[category.code], category.code


@pytest.mark.skipif(not SEED_DOCUMENT.exists(), reason="shared/seeds is not beside the repo")
def test_seed_document_marks_are_the_status_marks():
    marks = {mark for rows in _document_rows().values() for _, mark, _ in rows} - {"再掲"}
    assert marks == {status.mark for status in Status}
