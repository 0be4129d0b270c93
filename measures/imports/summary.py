"""Bring an edited summary workbook back into the register.

Two steps, so that nothing changes before a person has seen what will change:

1. ``read_plan`` checks the file as a whole (size, zip structure, macros, declared sizes, XML
   declarations) before openpyxl parses it, then reads every category sheet and returns an
   ``ImportPlan``: each status and period change, conflicts, new measures, measures the
   workbook does not contain, and every problem by sheet and cell. It writes nothing.
2. ``apply_plan`` writes a plan without errors in one transaction, in bulk (a 10,000-row
   workbook must finish within a web worker's timeout), with one history entry per measure
   under the confirming user, exactly as a save would record it; it refuses if any measure
   changed after the plan was read.

Rows are matched to measures by the hidden key the summary workbook writes in column G (the
measure's number and the version the row was written from), never by name or position, so
re-sorting or deleting rows cannot land a row's marks on another measure. A row whose key is
older than the measure was changed after the workbook was made: it is a conflict, applied only
when the user chooses to overwrite that measure. A row without a key is a new measure, added
at the end of its table. A workbook without any key (written before keys existed) is refused.
"""

import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from measures.exports.summary import (
    CREATED_PROPERTY,
    FIRST_DATA_ROW,
    HEADER_ROW,
    KEY_COLUMN,
    KEY_HEADER,
    LAST_COLUMN,
    MARK_COLUMNS,
    OVERVIEW_TITLE,
    PERIODS_COLUMN,
    RELISTING_SUFFIX,
    TOTAL_LABEL,
    header_labels,
)
from measures.models import Category, Measure, PlanPeriod, Relisting, Status
from measures.periods import PeriodTextError, format_periods, parse_periods
from measures.text import search_key

from .files import CHOOSE_XLSX, WorkbookRefused, check_workbook_file

MAX_SHEETS = 50
MAX_DATA_ROWS = 10_000
MAX_ERRORS = 200
NAME_COLUMN = 2
NAME_MAX_LENGTH = Measure._meta.get_field("name").max_length
KEY_LETTER = get_column_letter(KEY_COLUMN)
# Keys as summary.measure_key / relisting_key write them; ten digits bound what int() parses.
MEASURE_KEY = re.compile(r"M([1-9][0-9]{0,9})V([1-9][0-9]{0,9})")
RELISTING_KEY = re.compile(r"R([1-9][0-9]{0,9})")
# Rows per bulk statement and ids per IN (...) list: well inside SQLite's and PostgreSQL's
# limits on query parameters (larger batches measured no faster).
BATCH = 500
# The reverse name of a history entry's periods (prefetchable, unlike its ``periods`` helper).
HISTORY_PERIODS = "historicalmeasure_periods_set"

RELISTING_SUFFIXES = (RELISTING_SUFFIX, "(再掲)")

# Marked for makemessages; translated where it is shown.
DOWNLOAD_AGAIN = gettext_noop(
    "ダッシュボードから新しい集計ブックをダウンロードし、編集し直してから取り込んでください。"
)


class ImportConflict(Exception):
    """The register changed after the plan was read; nothing was written."""


@dataclass(frozen=True)
class CellError:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}"


@dataclass(frozen=True)
class MeasureChange:
    """A keyed row whose status or periods differ from the measure as it stands.

    ``version`` is the measure's version when the plan was read (applying locks the row at
    it); ``key_version`` the version the workbook row was written from. When they differ the
    measure changed after the workbook was made, and the change is a conflict; ``exported_*``
    then hold what the row showed when it was written (None if the history cannot tell).
    """

    measure_pk: int
    version: int
    key_version: int
    category: str
    position: int
    name: str
    cell: str
    old_status: str
    new_status: str
    old_periods: tuple[int, ...]
    new_periods: tuple[int, ...]
    exported_status: str | None = None
    exported_periods: tuple[int, ...] | None = None

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status

    @property
    def periods_changed(self) -> bool:
        return self.old_periods != self.new_periods

    @property
    def is_conflict(self) -> bool:
        return self.version != self.key_version


@dataclass(frozen=True)
class NewMeasure:
    """A row without a key. ``position`` is where it would go now; applying takes the next
    free position under a lock, which differs only if another import or edit took it."""

    category: str
    position: int
    name: str
    cell: str
    status: str
    periods: tuple[int, ...]


@dataclass(frozen=True)
class Unmatched:
    """A measure of the register that no row of the workbook matched; it is left as it is."""

    category: str
    position: int
    name: str


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    created_at: datetime | None = None
    changes: list[MeasureChange] = field(default_factory=list)
    conflicts: list[MeasureChange] = field(default_factory=list)
    newer_in_register: list[MeasureChange] = field(default_factory=list)
    new_measures: list[NewMeasure] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    missing_sheets: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    rows_read: int = 0

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.new_measures or self.conflicts)

    @property
    def status_changes(self) -> list[MeasureChange]:
        return [c for c in self.changes if c.status_changed]

    @property
    def period_changes(self) -> list[MeasureChange]:
        return [c for c in self.changes if c.periods_changed]

    @property
    def digest(self) -> str:
        """Fingerprint of what applying would do: the confirm step must see the same.

        New measures' positions are left out: they are taken at apply time.
        """
        payload = {
            "sha256": self.sha256,
            "changes": [asdict(c) for c in self.changes],
            "conflicts": [asdict(c) for c in self.conflicts],
            "new": [{**asdict(n), "position": None} for n in self.new_measures],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def status_text(value: str) -> str:
    status = Status(value)
    return f"{status.mark} {status.label}"


def periods_text(numbers, periods_by_number) -> str:
    return format_periods(periods_by_number[n] for n in numbers) or "なし"


def _state_text(status: str, numbers, periods_by_number) -> str:
    return f"{status_text(status)}　{periods_text(numbers, periods_by_number)}"


def _change_row(change: MeasureChange, periods) -> dict:
    return {
        "pk": change.measure_pk,
        "cell": change.cell,
        "category": change.category,
        "position": change.position,
        "name": change.name,
        "workbook": _state_text(change.new_status, change.new_periods, periods),
        "current": _state_text(change.old_status, change.old_periods, periods),
        "exported": (
            _state_text(change.exported_status, change.exported_periods, periods)
            if change.exported_status is not None
            else _("不明")
        ),
    }


def _latest_edits(pks: Sequence[int]) -> dict[int, tuple[str, datetime]]:
    """Return who last changed each measure and when, from its history."""
    latest: dict[int, tuple[str, datetime]] = {}
    for chunk in chunks(pks):
        records = (
            Measure.history.filter(id__in=chunk)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        for record in records:
            user = record.history_username or (
                record.history_user.get_username() if record.history_user else ""
            )
            latest[record.id] = (user, record.history_date)
    return latest


def plan_rows(plan: ImportPlan) -> dict:
    """Return the plan as rows a template prints without logic."""
    periods = {p.number: p for p in PlanPeriod.objects.all()}
    edits = _latest_edits([c.measure_pk for c in plan.conflicts])
    conflicts = []
    for change in plan.conflicts:
        who, when = edits.get(change.measure_pk, ("", None))
        conflicts.append(
            {
                **_change_row(change, periods),
                "changed_by": who or _("不明"),
                "changed_at": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "",
            }
        )
    return {
        "created_at": (
            timezone.localtime(plan.created_at).strftime("%Y-%m-%d %H:%M")
            if plan.created_at
            else _("不明")
        ),
        "status_changes": [
            {
                "cell": c.cell,
                "category": c.category,
                "position": c.position,
                "name": c.name,
                "old": status_text(c.old_status),
                "new": status_text(c.new_status),
            }
            for c in plan.status_changes
        ],
        "period_changes": [
            {
                "cell": c.cell,
                "category": c.category,
                "position": c.position,
                "name": c.name,
                "old": periods_text(c.old_periods, periods),
                "new": periods_text(c.new_periods, periods),
            }
            for c in plan.period_changes
        ],
        "conflicts": conflicts,
        "newer_in_register": [_change_row(c, periods) for c in plan.newer_in_register],
        "new_measures": [
            {
                "cell": n.cell,
                "category": n.category,
                "position": n.position,
                "name": n.name,
                "status": status_text(n.status),
                "periods": periods_text(n.periods, periods),
            }
            for n in plan.new_measures
        ],
        "unmatched": plan.unmatched,
        "missing_sheets": plan.missing_sheets,
        "errors": [str(e) for e in plan.errors],
    }


def chunks(items: Sequence, size: int = BATCH) -> Iterable[Sequence]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- reading the sheets -----------------------------------------------------------------------


@dataclass
class _Register:
    """The register as it stands, read once for matching."""

    categories: dict[str, Category]
    measures: dict[int, Measure]
    periods_of: dict[int, tuple[int, ...]]
    names: dict[int, dict[str, list[Measure]]]
    relistings: dict[int, dict[str, list[Relisting]]]
    relistings_by_pk: dict[int, Relisting]
    periods: list[PlanPeriod]
    next_position: dict[int, int]

    @classmethod
    def load(cls) -> "_Register":
        categories = {c.code: c for c in Category.objects.order_by("order")}
        measures: dict[int, Measure] = {}
        names: dict[int, dict[str, list[Measure]]] = defaultdict(lambda: defaultdict(list))
        relistings: dict[int, dict[str, list[Relisting]]] = defaultdict(lambda: defaultdict(list))
        relistings_by_pk: dict[int, Relisting] = {}
        next_position: dict[int, int] = defaultdict(lambda: 1)
        # Period numbers straight from the link table: building a PlanPeriod object for every
        # link (prefetch_related) took most of the preview's time for thousands of measures.
        links = Measure.periods.through.objects.values_list("measure_id", "planperiod__number")
        numbers: dict[int, list[int]] = defaultdict(list)
        for measure_id, number in links:
            numbers[measure_id].append(number)
        periods_of = {pk: tuple(sorted(found)) for pk, found in numbers.items()}
        for m in Measure.objects.order_by("category_id", "position"):
            measures[m.pk] = m
            names[m.category_id][search_key(m.name)].append(m)
            next_position[m.category_id] = max(next_position[m.category_id], m.position + 1)
        for r in Relisting.objects.order_by("category_id", "position"):
            relistings[r.category_id][search_key(r.label)].append(r)
            relistings_by_pk[r.pk] = r
            next_position[r.category_id] = max(next_position[r.category_id], r.position + 1)
        return cls(
            categories=categories,
            measures=measures,
            periods_of=periods_of,
            names=names,
            relistings=relistings,
            relistings_by_pk=relistings_by_pk,
            periods=list(PlanPeriod.objects.order_by("number")),
            next_position=next_position,
        )


@dataclass
class _StaleRow:
    """A keyed row written from an older version of its measure, decided once the history of
    every such row has been read (one query for the whole workbook)."""

    sheet: str
    category: str
    number: int
    name: str
    status: Status | None
    periods: tuple[int, ...]
    measure: Measure
    key_version: int


@dataclass
class _Book:
    """What the sheets of one workbook share: keys already seen, rows left to decide."""

    plan: ImportPlan
    register: _Register
    measure_rows: dict[int, str] = field(default_factory=dict)
    relisting_rows: dict[int, str] = field(default_factory=dict)
    stale: list[_StaleRow] = field(default_factory=list)


def _text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    return str(value).strip()


def _mark_error(status: Status, text: str) -> str:
    for other in Status:
        if text == other.mark:
            return _("「%(text)s」は%(other)sの印です。%(label)sの欄の印は「%(mark)s」です。") % {
                "text": text,
                "other": other.label,
                "label": status.label,
                "mark": status.mark,
            }
    return _("「%(text)s」は印として使えません（%(label)sの欄の印は「%(mark)s」）。") % {
        "text": text,
        "label": status.label,
        "mark": status.mark,
    }


def _two_marks(statuses: list[Status]) -> str:
    labels = [str(s.label) for s in statuses]
    if len(labels) == 2:
        return _("%(a)sと%(b)sの両方に印があります") % {"a": labels[0], "b": labels[1]}
    return _("%(labels)sのすべてに印があります") % {"labels": "・".join(labels)}


class _SheetReader:
    def __init__(self, book: _Book, ws, category: Category):
        self.book = book
        self.plan = book.plan
        self.register = book.register
        self.ws = ws
        self.sheet = ws.title
        self.category = category
        self.seen_relistings: dict[str, int] = {}
        self.matched: set[int] = set()
        # Every measure row's name (row number → search key), and the rows without a key.
        self.row_names: dict[int, str] = {}
        self.keyless: list[tuple[int, str, Status | None, tuple[int, ...]]] = []
        # True when the header has no key column: a workbook written before keys existed.
        self.without_keys = False

    def error(self, cell: str, message: str) -> None:
        self.plan.errors.append(CellError(self.sheet, cell, message))

    def read(self) -> None:
        ws = self.ws
        declared = ws.max_row or 0
        if declared > FIRST_DATA_ROW + MAX_DATA_ROWS:
            self.error(
                "A1",
                _("行が多すぎます（%(rows)s 行。上限は施策 %(max)s 行）。")
                % {"rows": f"{declared:,}", "max": f"{MAX_DATA_ROWS:,}"},
            )
            return
        last_row = FIRST_DATA_ROW + MAX_DATA_ROWS
        rows = ws.iter_rows(min_row=HEADER_ROW, max_row=last_row, max_col=KEY_COLUMN)
        header = tuple(next(rows, ())) + (None,) * KEY_COLUMN
        expected = header_labels()
        if [_text(c) for c in header[:LAST_COLUMN] if c is not None] != expected:
            self.error(
                f"A{HEADER_ROW}",
                _("見出し行が書き出した形式（%(header)s）と違います。")
                % {"header": "・".join(expected)},
            )
            return
        key_header = _text(header[KEY_COLUMN - 1]) if header[KEY_COLUMN - 1] is not None else ""
        if not key_header:
            self.without_keys = True
            return
        if key_header != KEY_HEADER:
            self.error(
                f"{KEY_LETTER}{HEADER_ROW}",
                _("照合キーの列（%(column)s 列、非表示）の見出しが書き出した形式と違います。")
                % {"column": KEY_LETTER},
            )
            return
        total_seen = False
        for number, cells in enumerate(rows, FIRST_DATA_ROW):
            cells = tuple(cells) + (None,) * (KEY_COLUMN - len(cells))
            if _text(cells[0]) == TOTAL_LABEL:
                # Checked before the limit: a sheet of exactly the limit has its 「計」 row
                # just past it.
                total_seen = True
                continue
            if number > FIRST_DATA_ROW + MAX_DATA_ROWS - 1:
                self.error(
                    f"A{number}",
                    _("行が多すぎます（上限は施策 %(max)s 行）。") % {"max": f"{MAX_DATA_ROWS:,}"},
                )
                return
            if len(self.plan.errors) >= MAX_ERRORS:
                return
            # A row whose visible cells were all cleared counts as deleted, even though its
            # hidden key is still there.
            content = [
                col for col, c in enumerate(cells[1:LAST_COLUMN], 2) if c is not None and _text(c)
            ]
            if not content:
                continue
            if total_seen:
                self.error(
                    f"{get_column_letter(content[0])}{number}",
                    _("「%(total)s」の行より下には施策を書けません。") % {"total": TOTAL_LABEL},
                )
                continue
            self.plan.rows_read += 1
            self.read_row(number, cells)

    def _formula_error(self, cell, ref: str, what: str) -> bool:
        if cell is not None and cell.data_type == "f":
            self.error(
                ref,
                _("%(what)sに数式があります。式ではなく値を入力してください。") % {"what": what},
            )
            return True
        return False

    def read_row(self, number: int, cells) -> None:
        name_cell = cells[NAME_COLUMN - 1]
        name_ref = f"{get_column_letter(NAME_COLUMN)}{number}"
        bad = self._formula_error(name_cell, name_ref, _("施策名の欄"))
        marks: list[Status] = []
        first_mark_ref = None
        for status in Status:
            cell = cells[MARK_COLUMNS[status] - 1]
            ref = f"{get_column_letter(MARK_COLUMNS[status])}{number}"
            if self._formula_error(cell, ref, _("%(label)sの欄") % {"label": status.label}):
                bad = True
                continue
            text = _text(cell) if cell is not None else ""
            if not text:
                continue
            if text != status.mark:
                self.error(ref, _mark_error(status, text))
                bad = True
                continue
            marks.append(status)
            first_mark_ref = first_mark_ref or ref
        periods_cell = cells[PERIODS_COLUMN - 1]
        periods_ref = f"{get_column_letter(PERIODS_COLUMN)}{number}"
        bad = self._formula_error(periods_cell, periods_ref, _("計画期間の欄")) or bad
        name = _text(name_cell) if name_cell is not None else ""
        if not name:
            self.error(name_ref, _("施策名がありません。"))
            return
        if len(name) > NAME_MAX_LENGTH:
            self.error(
                name_ref,
                _("施策名が長すぎます（%(length)d 文字）。%(limit)d 文字以内にしてください。")
                % {"length": len(name), "limit": NAME_MAX_LENGTH},
            )
            return
        if name.endswith(RELISTING_SUFFIXES):
            self.read_relisting(number, name, marks, first_mark_ref, cells[KEY_COLUMN - 1])
            return
        if len(marks) > 1:
            self.error(first_mark_ref, _two_marks(marks))
            bad = True
        elif not marks and not bad:
            self.error(
                f"{get_column_letter(min(MARK_COLUMNS.values()))}{number}",
                _("実施・一部着手・未着手のどれにも印がありません。"),
            )
            bad = True
        periods: tuple[int, ...] = ()
        periods_text_value = _text(periods_cell) if periods_cell is not None else ""
        if periods_cell is not None and periods_cell.data_type == "f":
            pass
        elif not periods_text_value:
            self.error(periods_ref, _("計画期間が空です（例: 一次～四次）。"))
            bad = True
        else:
            try:
                parsed = parse_periods(periods_text_value, self.register.periods)
                periods = tuple(p.number for p in parsed)
            except PeriodTextError as exc:
                self.error(periods_ref, str(exc))
                bad = True
        name_known = name_cell is None or name_cell.data_type != "f"
        self.match(
            number,
            name if name_known else None,
            None if bad else marks[0],
            periods,
            cells[KEY_COLUMN - 1],
        )

    def read_relisting(self, number, name, marks, first_mark_ref, key_cell) -> None:
        label = name
        for suffix in RELISTING_SUFFIXES:
            label = label.removesuffix(suffix)
        key = search_key(label)
        if marks:
            self.error(
                first_mark_ref,
                _("再掲の行には印を付けません。元の施策の行で状況を変更してください。"),
            )
        if not self.check_relisting_key(number, key_cell):
            return
        if key in self.seen_relistings:
            self.error(
                f"{get_column_letter(NAME_COLUMN)}{number}",
                _("再掲「%(label)s」は %(row)s 行目と重複しています。")
                % {"label": label, "row": self.seen_relistings[key]},
            )
            return
        self.seen_relistings[key] = number
        if not self.register.relistings[self.category.pk].get(key):
            self.error(
                f"{get_column_letter(NAME_COLUMN)}{number}",
                _(
                    "再掲「%(label)s」の元の施策が見つかりません（この区分に登録された再掲と"
                    "表記が違います。再掲は管理画面で登録してください）。"
                )
                % {"label": label},
            )

    # --- keys ---------------------------------------------------------------------------

    def _key(self, number: int, key_cell) -> str | None:
        """Return the row's key text ("" if none), or None after reporting a formula."""
        if key_cell is not None and key_cell.data_type == "f":
            self._formula_error(key_cell, f"{KEY_LETTER}{number}", _("照合キーの欄"))
            return None
        return _text(key_cell) if key_cell is not None else ""

    def _key_error(self, number: int, message: str) -> None:
        self.error(f"{KEY_LETTER}{number}", message)

    def _unreadable_key(self, number: int, key: str) -> None:
        self._key_error(
            number,
            _(
                "照合キー「%(key)s」を読み取れません（%(column)s 列は非表示の照合用の列です。"
                "書き換えないでください）。"
            )
            % {"key": key[:40], "column": KEY_LETTER},
        )

    def _duplicate_key(self, number: int, key: str, first: str) -> None:
        self._key_error(
            number,
            _(
                "照合キー「%(key)s」は %(first)s と同じ施策を指しています。行をコピーしたときは、"
                "コピーした行の %(column)s 列（非表示）の照合キーを消してください。"
            )
            % {"key": key, "first": first, "column": KEY_LETTER},
        )

    def _moved_key(self, number: int, name: str, keyed_name: str) -> None:
        self.error(
            f"{get_column_letter(NAME_COLUMN)}{number}", _moved_key_message(name, keyed_name)
        )

    def check_relisting_key(self, number: int, key_cell) -> bool:
        """Check a re-listing row's key, if it has one; return False if the row is wrong."""
        key = self._key(number, key_cell)
        if key is None:
            return False
        if not key:
            return True
        found = RELISTING_KEY.fullmatch(key)
        if found is None:
            if MEASURE_KEY.fullmatch(key):
                self._key_error(
                    number,
                    _(
                        "再掲の行に施策の照合キー「%(key)s」があります。行を並べ替えたときは、"
                        "%(column)s 列（非表示）も含めて行全体を並べ替えてください。"
                    )
                    % {"key": key, "column": KEY_LETTER},
                )
            else:
                self._unreadable_key(number, key)
            return False
        pk = int(found.group(1))
        relisting = self.register.relistings_by_pk.get(pk)
        if relisting is None or relisting.category_id != self.category.pk:
            self._key_error(
                number,
                _(
                    "照合キー「%(key)s」の再掲はこの区分にありません（削除されたか、別の区分の"
                    "再掲です）。%(again)s"
                )
                % {"key": key, "again": _(DOWNLOAD_AGAIN)},
            )
            return False
        # Its label is checked as a row without a key is: a re-listing row carries no data,
        # so which re-listing it is matters less than that it is one.
        ref = f"{self.sheet}!{KEY_LETTER}{number}"
        if pk in self.book.relisting_rows:
            self._duplicate_key(number, key, self.book.relisting_rows[pk])
            return False
        self.book.relisting_rows[pk] = ref
        return True

    def match(
        self, number: int, name: str | None, status: Status | None, periods, key_cell
    ) -> None:
        """Match a measure row by its key; a row without a key is a new measure.

        ``name`` is None when the name cell held a formula (already reported).
        """
        if name is not None:
            self.row_names[number] = search_key(name)
        key = self._key(number, key_cell)
        if key is None:
            return
        if not key:
            if name is not None:
                self.keyless.append((number, name, status, periods))
            return
        found = MEASURE_KEY.fullmatch(key)
        if found is None:
            if RELISTING_KEY.fullmatch(key):
                self._key_error(
                    number,
                    _(
                        "施策の行に再掲の照合キー「%(key)s」があります。行を並べ替えたときは、"
                        "%(column)s 列（非表示）も含めて行全体を並べ替えてください。"
                    )
                    % {"key": key, "column": KEY_LETTER},
                )
            else:
                self._unreadable_key(number, key)
            return
        pk, key_version = int(found.group(1)), int(found.group(2))
        measure = self.register.measures.get(pk)
        if measure is None:
            self._key_error(
                number,
                _(
                    "照合キー「%(key)s」の施策（番号 %(pk)s）は削除されています。この行を消すか、"
                    "%(again)s"
                )
                % {"key": key, "pk": pk, "again": _(DOWNLOAD_AGAIN)},
            )
            return
        if measure.category_id != self.category.pk:
            other = next(
                code for code, c in self.register.categories.items() if c.pk == measure.category_id
            )
            self._key_error(
                number,
                _(
                    "照合キー「%(key)s」は %(other)s の施策「%(name)s」の行です。施策の区分は"
                    "取り込みでは変更できません（管理画面で変更してください）。"
                )
                % {"key": key, "other": other, "name": measure.name},
            )
            return
        if key_version > measure.version:
            self._unreadable_key(number, key)
            return
        ref = f"{self.sheet}!{KEY_LETTER}{number}"
        if pk in self.book.measure_rows:
            self._duplicate_key(number, key, self.book.measure_rows[pk])
            return
        self.book.measure_rows[pk] = ref
        self.matched.add(pk)
        if name is None:
            return
        if key_version != measure.version:
            self.book.stale.append(
                _StaleRow(
                    self.sheet,
                    self.category.code,
                    number,
                    name,
                    status,
                    periods,
                    measure,
                    key_version,
                )
            )
            return
        if search_key(name) != search_key(measure.name):
            self._moved_key(number, name, measure.name)
            return
        if status is None:
            return
        change = _change(
            measure,
            current_periods=self.register.periods_of.get(measure.pk, ()),
            category=self.category.code,
            cell=f"{self.sheet}!B{number}",
            status=status,
            periods=periods,
            key_version=key_version,
        )
        if change.status_changed or change.periods_changed:
            self.plan.changes.append(change)

    def add_new_measures(self) -> None:
        """Turn the rows without a key into new measures, once every row's name is known."""
        register_names = self.register.names[self.category.pk]
        rows_by_name: dict[str, list[int]] = defaultdict(list)
        for row, key in self.row_names.items():
            rows_by_name[key].append(row)
        keyless_rows = {number for number, *_rest in self.keyless}
        for number, name, status, periods in self.keyless:
            key = search_key(name)
            # Another row with this name: any row with a key, or an earlier one without.
            same = [
                n
                for n in rows_by_name[key]
                if n != number and (n < number or n not in keyless_rows)
            ]
            if same:
                self.error(
                    f"{get_column_letter(NAME_COLUMN)}{number}",
                    _("「%(name)s」は %(row)s 行目と重複しています。")
                    % {"name": name, "row": min(same)},
                )
                continue
            if key in register_names:
                self.error(
                    f"{get_column_letter(NAME_COLUMN)}{number}",
                    _(
                        "「%(name)s」には照合キーがありませんが、この区分には同じ名前の施策"
                        "（表内の位置 %(position)s）が既にあります。同じ名前の施策を加えるときは"
                        "管理画面で追加してください。%(again)s"
                    )
                    % {
                        "name": name,
                        "position": register_names[key][0].position,
                        "again": _(DOWNLOAD_AGAIN),
                    },
                )
                continue
            if status is None:
                continue
            position = self.register.next_position[self.category.pk]
            self.register.next_position[self.category.pk] = position + 1
            self.plan.new_measures.append(
                NewMeasure(
                    category=self.category.code,
                    position=position,
                    name=name,
                    cell=f"{self.sheet}!B{number}",
                    status=status.value,
                    periods=periods,
                )
            )

    def unmatched(self) -> list[Unmatched]:
        return [
            Unmatched(self.category.code, m.position, m.name)
            for group in self.register.names[self.category.pk].values()
            for m in group
            if m.pk not in self.matched
        ]


def _moved_key_message(name: str, keyed_name: str) -> str:
    """The row's name is not its key's: the key column was left behind when the rows were
    sorted, or the name was edited; either way the row must not be applied to that measure."""
    return _(
        "施策名「%(name)s」が照合キーの施策「%(keyed)s」と違います。名称は取り込みでは"
        "変更できません（管理画面で変更してください）。行を並べ替えたときは、"
        "%(column)s 列（非表示）も含めて行全体を並べ替えてください。"
    ) % {"name": name, "keyed": keyed_name, "column": KEY_LETTER}


def _change(
    measure: Measure,
    *,
    current_periods: tuple[int, ...],
    category: str,
    cell: str,
    status: Status,
    periods,
    key_version: int,
    exported: tuple[str, tuple[int, ...]] | None = None,
) -> MeasureChange:
    return MeasureChange(
        measure_pk=measure.pk,
        version=measure.version,
        key_version=key_version,
        category=category,
        position=measure.position,
        name=measure.name,
        cell=cell,
        old_status=measure.status,
        new_status=status.value,
        old_periods=current_periods,
        new_periods=tuple(periods),
        exported_status=exported[0] if exported else None,
        exported_periods=exported[1] if exported else None,
    )


def read_plan(content: bytes, *, filename: str) -> ImportPlan:
    """Check and read a workbook in the summary's layout; write nothing.

    Raises WorkbookRefused when the file as a whole cannot be read; problems inside the
    sheets are collected in ``plan.errors`` by sheet and cell.
    """
    check_workbook_file(content, filename)
    plan = ImportPlan(filename=filename, sha256=hashlib.sha256(content).hexdigest())
    try:
        wb = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:
        raise WorkbookRefused(
            _("ブックを読み取れませんでした（壊れているか、形式が違います）。") + _(CHOOSE_XLSX)
        ) from exc
    try:
        plan.created_at = _created_at(wb)
        _read_sheets(plan, wb)
    except WorkbookRefused:
        raise
    except Exception as exc:
        raise WorkbookRefused(
            _("ブックを読み取れませんでした（壊れているか、形式が違います）。") + _(CHOOSE_XLSX)
        ) from exc
    finally:
        wb.close()
    return plan


def _created_at(wb) -> datetime | None:
    """Return when the summary workbook was written, from its document property."""
    for prop in wb.custom_doc_props.props:
        if prop.name == CREATED_PROPERTY:
            try:
                moment = datetime.fromisoformat(str(prop.value))
            except ValueError:
                return None
            return moment if timezone.is_aware(moment) else None
    return None


def _read_sheets(plan: ImportPlan, wb) -> None:
    if len(wb.sheetnames) > MAX_SHEETS:
        raise WorkbookRefused(_("シートが多すぎます。"))
    book = _Book(plan=plan, register=_Register.load())
    register = book.register
    seen: dict[str, int] = {}
    readers: list[_SheetReader] = []
    for index, ws in enumerate(wb.worksheets, 1):
        if ws.title == OVERVIEW_TITLE:
            continue
        category = register.categories.get(ws.title)
        if category is None:
            plan.errors.append(
                CellError(
                    ws.title,
                    "A1",
                    _("シート「%(title)s」に当たる区分がありません（区分のシート名は %(codes)s）。")
                    % {"title": ws.title, "codes": "・".join(register.categories)},
                )
            )
            continue
        if category.code in seen:
            # Only a hand-made file can have two sheets of one name; reading both would match
            # the same measures twice.
            plan.errors.append(
                CellError(
                    ws.title,
                    "A1",
                    _(
                        "%(index)s 枚目のシート「%(title)s」は、%(first)s 枚目のシート"
                        "「%(title)s」と同じ区分 %(code)s のシートです。"
                        "一つの区分のシートは一枚にしてください。"
                    )
                    % {
                        "index": index,
                        "first": seen[category.code],
                        "title": ws.title,
                        "code": category.code,
                    },
                )
            )
            continue
        seen[category.code] = index
        reader = _SheetReader(book, ws, category)
        reader.read()
        readers.append(reader)
    if readers and all(r.without_keys for r in readers):
        raise WorkbookRefused(
            _(
                "このブックには行ごとの照合キーがありません（照合キーを書き出すようになる前の"
                "集計ブックです）。施策の取り違えや、ダウンロード後の変更の上書きを防ぐため、"
                "照合キーのないブックは取り込めません。"
            )
            + _(DOWNLOAD_AGAIN)
        )
    for reader in readers:
        if reader.without_keys:
            reader.error(
                f"{KEY_LETTER}{HEADER_ROW}",
                _("このシートには照合キーの列（%(column)s 列、非表示）がありません。")
                % {"column": KEY_LETTER}
                + _(DOWNLOAD_AGAIN),
            )
            continue
        reader.add_new_measures()
        plan.unmatched.extend(reader.unmatched())
    _decide_stale_rows(book)
    plan.missing_sheets = [code for code in register.categories if code not in seen]
    if not seen and not plan.errors:
        plan.errors.append(
            CellError(
                wb.sheetnames[0] if wb.sheetnames else "?",
                "A1",
                _("区分のシート（%(codes)s）が一つもありません。")
                % {"codes": "・".join(register.categories)},
            )
        )
    order = {title: i for i, title in reversed(list(enumerate(wb.sheetnames)))}
    plan.errors.sort(key=lambda e: (order.get(e.sheet, len(order)), *_cell_order(e.cell)))
    plan.errors[MAX_ERRORS:] = []


def _cell_order(ref: str) -> tuple[int, int]:
    try:
        column, row = coordinate_from_string(ref)
        return row, column_index_from_string(column)
    except ValueError:
        return 0, 0


def _decide_stale_rows(book: _Book) -> None:
    """Decide the rows written from an older version of their measure.

    What the row showed when the workbook was written comes from the measure's history entry
    of that version. A row that still shows it was not edited in the workbook: the register's
    newer state stays, and the row is only listed. A row edited in the workbook is a conflict,
    written only if the user chooses to overwrite. A row equal to the register changes
    nothing.
    """
    if not book.stale:
        return
    periods_by_pk = {p.pk: p.number for p in book.register.periods}
    wanted = {(row.measure.pk, row.key_version) for row in book.stale}
    exported: dict[tuple[int, int], object] = {}
    for chunk in chunks(sorted({pk for pk, _version in wanted})):
        records = (
            Measure.history.filter(id__in=chunk, version__in={version for _pk, version in wanted})
            .prefetch_related(HISTORY_PERIODS)
            .order_by("history_date", "history_id")
        )
        for record in records:
            if (record.id, record.version) in wanted:
                exported[(record.id, record.version)] = record  # the last one of that version
    plan = book.plan
    for row in book.stale:
        measure = row.measure
        record = exported.get((measure.pk, row.key_version))
        name_then = record.name if record is not None else measure.name
        if search_key(row.name) != search_key(name_then):
            plan.errors.append(
                CellError(
                    row.sheet,
                    f"{get_column_letter(NAME_COLUMN)}{row.number}",
                    _moved_key_message(row.name, name_then),
                )
            )
            continue
        if row.status is None:
            continue
        then = None
        if record is not None:
            then = (
                record.status,
                tuple(
                    sorted(
                        periods_by_pk[p.planperiod_id]
                        for p in getattr(record, HISTORY_PERIODS).all()
                    )
                ),
            )
        change = _change(
            measure,
            current_periods=book.register.periods_of.get(measure.pk, ()),
            category=row.category,
            cell=f"{row.sheet}!B{row.number}",
            status=row.status,
            periods=row.periods,
            key_version=row.key_version,
            exported=then,
        )
        if not (change.status_changed or change.periods_changed):
            continue
        if then == (change.new_status, change.new_periods):
            plan.newer_in_register.append(change)
        else:
            plan.conflicts.append(change)
