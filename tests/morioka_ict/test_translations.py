"""The English catalogue is complete, compiled, and actually switches the pages to English.

The .mo is committed because a fresh machine running `make run` may have no gettext; these
tests keep it in step with the .po."""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from governance.services import register_governance_seed
from measures.models import Status

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


def _unquote(line: str) -> str:
    return line[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def read_po(path: Path) -> list[dict]:
    """A small .po reader: enough for gettext's own output (one field per line, continuation
    lines in quotes), so the test needs no extra package."""
    entries, entry, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            field = None
            continue
        if line.startswith("#"):
            if entry is None or "msgid" in entry:
                entry = {"flags": set()}
                entries.append(entry)
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            entry[field] += _unquote(line)
            continue
        if keyword == "msgid" and (entry is None or "msgid" in entry):
            entry = {"flags": set()}
            entries.append(entry)
        field = keyword
        entry[field] = _unquote(rest)
    return entries


def msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (gettext) is missing; CI must check the catalogue")
        pytest.skip("msgfmt (gettext) is not installed")
    return path


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = [e for e in read_po(PO) if e.get("msgid")]
    assert len(entries) > 250
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        strings = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert strings and all(s.strip() for s in strings), entry["msgid"]
        if "msgid_plural" in entry:
            assert {"msgstr[0]", "msgstr[1]"} <= entry.keys(), entry["msgid"]
    header = next(e for e in read_po(PO) if e.get("msgid") == "")
    assert "fuzzy" not in header["flags"]


def test_msgfmt_counts_every_message_as_translated():
    result = subprocess.run(
        [msgfmt(), "--check", "--statistics", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


def test_committed_mo_matches_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt(), "--check", "-o", str(fresh), str(PO)], check=True)
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)._catalog
    with MO.open("rb") as f:
        committed = gettext.GNUTranslations(f)._catalog
    assert committed == expected, "run `manage.py compilemessages -l en` and commit django.mo"


def switch(client, language: str, next_url: str = "/"):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302


@pytest.fixture
def english(reader_client, seeded):
    register_governance_seed()
    switch(reader_client, "en")
    return reader_client


PAGES = {
    "home": (
        lambda: reverse("measures:home"),
        ["Progress of measures", "Totals by category and overall", "Implemented"],
    ),
    "category": (
        lambda: reverse("measures:category", args=["e-city"]),
        ["Morioka City ICT Plan: status of measures", "Print this table", "Partly started"],
    ),
    "browser": (
        lambda: reverse("measures:browser"),
        ["Measure list", "Filter", "Clear all filters", "Not started"],
    ),
    "periods": (
        lambda: reverse("measures:periods"),
        ["Status by plan period", "Measures and plan periods", "Implemented"],
    ),
    "structure": (
        lambda: reverse("governance:structure"),
        ["Promotion structure", "Role of each body", "Role of ICT promotion leaders"],
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_english_switch_translates_the_pages(english, page):
    url, phrases = PAGES[page]
    html = english.get(url()).content.decode()
    assert '<html lang="en">' in html
    assert "Morioka City ICT Plan Measures Dashboard" in html
    for phrase in phrases:
        assert phrase in html
    assert "施策の進捗状況" not in html
    if page != "structure":
        for status in Status:
            assert status.mark in html


def test_category_page_in_english_keeps_the_marks_in_the_table(english):
    html = english.get(reverse("measures:category", args=["e-city"])).content.decode()
    assert "Key:" in html
    for status in Status:
        assert f">{status.mark}</span>" in html


def test_switching_back_shows_japanese(english):
    switch(english, "ja")
    html = english.get(reverse("measures:home")).content.decode()
    assert '<html lang="ja">' in html
    assert "施策の進捗状況" in html
    assert "Progress of measures" not in html
    html = english.get(reverse("governance:structure")).content.decode()
    assert "各機関の役割" in html
