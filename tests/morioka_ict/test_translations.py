"""The English catalogue is complete, compiled, and actually switches the pages to English.

The .mo is committed because a fresh machine running `make run` may have no gettext; these
tests keep it in step with the .po, and the .po in step with the sources."""

import ast
import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from governance.services import register_governance_seed
from measures.imports.files import WorkbookRefused
from measures.imports.summary import read_plan
from measures.models import Status

BASE_DIR = Path(settings.BASE_DIR)
LC_MESSAGES = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
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
        if keyword in {"msgctxt", "msgid"} and (entry is None or "msgid" in entry):
            entry = {"flags": set()}
            entries.append(entry)
        field = keyword
        entry[field] = _unquote(rest)
    return entries


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} (gettext) is missing; CI must check the catalogue")
        pytest.skip(f"{name} (gettext) is not installed")
    return path


def msgfmt() -> str:
    return gettext_tool("msgfmt")


def is_translated(entry: dict) -> bool:
    strings = [v for k, v in entry.items() if k.startswith("msgstr")]
    return "fuzzy" not in entry["flags"] and bool(strings) and all(s.strip() for s in strings)


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = [e for e in read_po(PO) if e.get("msgid")]
    assert len(entries) > 250
    for entry in entries:
        assert is_translated(entry), entry["msgid"]
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


# What the README's `makemessages -l en --ignore=… --no-obsolete` leaves out.
MAKEMESSAGES_IGNORE = [".venv", "staticfiles", "tests"]
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # makemessages' own, for the django domain


def _source_files():
    """Yield the files makemessages reads, relative to the project (dot-directories and the
    ignored ones left out, as it does)."""
    skipped = {*MAKEMESSAGES_IGNORE, "locale", "__pycache__"}
    for dirpath, dirnames, filenames in os.walk(BASE_DIR):
        relative = Path(dirpath).relative_to(BASE_DIR)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in skipped]
        for name in filenames:
            if Path(name).suffix in SOURCE_SUFFIXES and not name.startswith("."):
                yield relative / name


def test_every_message_in_the_sources_has_an_english_translation(tmp_path, settings, monkeypatch):
    """Run the README's makemessages on a copy of the sources and the committed catalogue: each
    message a page can show must already have a translation that is not fuzzy. (The checks
    above read only the committed .po, which says nothing of strings added since.)"""
    for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib"):
        gettext_tool(tool)
    for relative in _source_files():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BASE_DIR / relative, tmp_path / relative)
    shutil.copytree(BASE_DIR / "locale", tmp_path / "locale")
    # makemessages writes to the locale directory of the tree it runs in (and its templates'
    # temporary .py files beside them): the copy's, never the real one.
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command(
        "makemessages",
        locale=["en"],
        ignore_patterns=list(MAKEMESSAGES_IGNORE),
        no_obsolete=True,
        verbosity=0,
    )
    regenerated = read_po(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(regenerated) > 250
    missing = [
        (f"[{e['msgctxt']}] " if "msgctxt" in e else "") + e["msgid"]
        for e in regenerated
        if e.get("msgid") and not is_translated(e)
    ]
    assert not missing, (
        f"{len(missing)} message(s) have no English translation; run the README's makemessages, "
        "translate them, compilemessages, and commit django.po and django.mo:\n"
        + "\n".join(missing)
    )


GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def test_constants_translated_at_run_time_are_marked_for_makemessages():
    """``_(SOME_CONSTANT)`` translates at run time, but makemessages only extracts string
    literals in gettext calls: such a constant must be written ``gettext_noop("…")``, or it never
    reaches the catalogue and stays Japanese on English pages."""
    translated_names, plain_constants = set(), {}
    for relative in _source_files():
        if relative.suffix != ".py":
            continue
        tree = ast.parse((BASE_DIR / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in GETTEXT_FUNCTIONS
                and node.args
                and isinstance(node.args[-1], ast.Name)
            ):
                translated_names.add(node.args[-1].id)
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        plain_constants[target.id] = relative
    unmarked = sorted(
        f"{plain_constants[name]}: {name}" for name in translated_names & plain_constants.keys()
    )
    assert not unmarked, "wrap these in gettext_noop():\n" + "\n".join(unmarked)


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


def test_admin_in_english_names_the_site_the_apps_and_the_bulk_actions(admin_client, seeded):
    switch(admin_client, "en")
    html = admin_client.get(reverse("admin:measures_measure_changelist")).content.decode()
    assert "Morioka City ICT Plan: Measures Admin" in html
    assert ">Measures</a>" in html and "Promotion structure" in html
    for status in Status:
        assert f"Set the status of the selected measures to {status.mark} " in html
    assert "選択した施策の状況" not in html and "施策管理" not in html


def test_the_bad_request_page_in_english_is_marked_english(english):
    response = english.get(reverse("measures:home"), {"q": "\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Bad request" in html and "(NUL)" in html


def test_a_refused_workbook_is_explained_in_english(db):
    with translation.override("en"), pytest.raises(WorkbookRefused) as refused:
        read_plan(b"", filename="empty.xlsx")
    assert str(refused.value) == (
        "The file is empty. Choose an Excel workbook (.xlsx); CSV and other formats cannot be "
        "imported."
    )
