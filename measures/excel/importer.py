"""Bring an edited summary workbook back into the register.

Two steps, so that nothing changes before a person has seen what will change:

1. ``read_plan`` checks the file as a whole (size, zip structure, macros, declared sizes, XML
   declarations) before openpyxl parses it, then reads every category sheet and returns an
   ``ImportPlan``: each status and period change, new measures, measures the workbook does
   not contain, and every problem by sheet and cell. It writes nothing.
2. ``apply_plan`` writes a plan without errors in one transaction, row by row, so that each
   change enters the history under the confirming user; it refuses if any measure changed
   after the plan was read.

Rows are matched to measures by name within their category (names are not unique: the n-th
row with a name matches the n-th measure with that name, in table order). A name the category
does not have is a new measure, added at the end of its table.
"""

import hashlib
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import openpyxl
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from measures.models import MEASURE_HISTORY, Category, Measure, PlanPeriod, Relisting, Status
from measures.periods import PeriodTextError, format_periods, parse_periods
from measures.text import search_key

from .summary import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    LAST_COLUMN,
    MARK_COLUMNS,
    OVERVIEW_TITLE,
    PERIODS_COLUMN,
    RELISTING_SUFFIX,
    TOTAL_LABEL,
    header_labels,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 500
MAX_SHEETS = 50
MAX_DATA_ROWS = 10_000
MAX_ERRORS = 200
NAME_COLUMN = 2
NAME_MAX_LENGTH = Measure._meta.get_field("name").max_length

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xlsb")
RELISTING_SUFFIXES = (RELISTING_SUFFIX, "(再掲)")

CHOOSE_XLSX = "Excel ブック (.xlsx) を選んでください（CSV やその他の形式は取り込めません）。"


class WorkbookRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


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
    """A matched measure whose status or periods differ in the workbook."""

    measure_pk: int
    version: int
    category: str
    position: int
    name: str
    cell: str
    old_status: str
    new_status: str
    old_periods: tuple[int, ...]
    new_periods: tuple[int, ...]

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status

    @property
    def periods_changed(self) -> bool:
        return self.old_periods != self.new_periods


@dataclass(frozen=True)
class NewMeasure:
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
    changes: list[MeasureChange] = field(default_factory=list)
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
        return bool(self.changes or self.new_measures)

    @property
    def status_changes(self) -> list[MeasureChange]:
        return [c for c in self.changes if c.status_changed]

    @property
    def period_changes(self) -> list[MeasureChange]:
        return [c for c in self.changes if c.periods_changed]

    @property
    def digest(self) -> str:
        """Fingerprint of what applying would do: the confirm step must see the same."""
        payload = {
            "sha256": self.sha256,
            "changes": [asdict(c) for c in self.changes],
            "new": [asdict(n) for n in self.new_measures],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def status_text(value: str) -> str:
    status = Status(value)
    return f"{status.mark} {status.label}"


def periods_text(numbers, periods_by_number) -> str:
    return format_periods(periods_by_number[n] for n in numbers) or "なし"


def plan_rows(plan: ImportPlan) -> dict:
    """Return the plan as rows a template prints without logic."""
    periods = {p.number: p for p in PlanPeriod.objects.all()}
    return {
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


# --- the file as a whole ----------------------------------------------------------------------


def check_workbook_file(content: bytes, filename: str) -> None:
    """Refuse what is not a plain .xlsx, before any XML is parsed.

    Declared sizes bound what zipfile will inflate, so refusing on them stops zip bombs
    without reading them.
    """
    name = (filename or "").lower()
    if not content:
        raise WorkbookRefused(_("ファイルが空です。") + CHOOSE_XLSX)
    if len(content) > MAX_UPLOAD_BYTES:
        raise WorkbookRefused(
            _("ファイルが大きすぎます（上限 %(mb)d MB）。") % {"mb": MAX_UPLOAD_BYTES // 2**20}
        )
    if name.endswith(MACRO_EXTENSIONS):
        raise WorkbookRefused(_("マクロ付きのブック（.xlsm など）は取り込めません。") + CHOOSE_XLSX)
    if content.startswith(OLE_MAGIC):
        raise WorkbookRefused(
            _(
                "古い形式（.xls）またはパスワード付きのブックは取り込めません。Excel で"
                "「Excel ブック (*.xlsx)」としてパスワードなしで保存し直してください。"
            )
        )
    if not name.endswith(".xlsx") or not content.startswith(ZIP_MAGIC):
        raise WorkbookRefused(_(CHOOSE_XLSX))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused(_("ファイルが壊れていて読み取れません。") + CHOOSE_XLSX) from exc
    with archive:
        if len(members) > MAX_ZIP_MEMBERS:
            raise WorkbookRefused(_("ブックの中身の部品が多すぎます。"))
        total = 0
        for member in members:
            lower = member.filename.lower()
            if lower.endswith("vbaproject.bin") or "/vba" in lower:
                raise WorkbookRefused(_("マクロを含むブックは取り込めません。") + CHOOSE_XLSX)
            if member.flag_bits & 0x1:
                raise WorkbookRefused(_("暗号化されたブックは取り込めません。"))
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if total > MAX_UNCOMPRESSED_BYTES or (
                member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
            ):
                raise WorkbookRefused(
                    _(
                        "展開すると大きくなりすぎるファイルです（圧縮爆弾の疑い）。"
                        "書き出した集計ブックを編集して取り込んでください。"
                    )
                )
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise WorkbookRefused(_("Excel ブックではありません。") + CHOOSE_XLSX)
        content_types = archive.read("[Content_Types].xml")
        if b"macroEnabled" in content_types or b"vbaProject" in content_types:
            raise WorkbookRefused(_("マクロを含むブックは取り込めません。") + CHOOSE_XLSX)
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                with archive.open(member) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise WorkbookRefused(
                        _(
                            "ブックに XML の文書型・実体宣言（DOCTYPE/ENTITY）が含まれているため"
                            "取り込めません。"
                        )
                    )


# --- reading the sheets -----------------------------------------------------------------------


@dataclass
class _Register:
    """The register as it stands, read once for matching."""

    categories: dict[str, Category]
    measures: dict[int, dict[str, list[Measure]]]
    relistings: dict[int, dict[str, list[Relisting]]]
    periods: list[PlanPeriod]
    next_position: dict[int, int]

    @classmethod
    def load(cls) -> "_Register":
        categories = {c.code: c for c in Category.objects.order_by("order")}
        measures: dict[int, dict[str, list[Measure]]] = defaultdict(lambda: defaultdict(list))
        relistings: dict[int, dict[str, list[Relisting]]] = defaultdict(lambda: defaultdict(list))
        next_position: dict[int, int] = defaultdict(lambda: 1)
        for m in Measure.objects.prefetch_related("periods").order_by("category_id", "position"):
            measures[m.category_id][search_key(m.name)].append(m)
            next_position[m.category_id] = max(next_position[m.category_id], m.position + 1)
        for r in Relisting.objects.order_by("category_id", "position"):
            relistings[r.category_id][search_key(r.label)].append(r)
            next_position[r.category_id] = max(next_position[r.category_id], r.position + 1)
        return cls(
            categories=categories,
            measures=measures,
            relistings=relistings,
            periods=list(PlanPeriod.objects.order_by("number")),
            next_position=next_position,
        )


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
    def __init__(self, plan: ImportPlan, register: _Register, ws, category: Category):
        self.plan = plan
        self.register = register
        self.ws = ws
        self.sheet = ws.title
        self.category = category
        self.seen_measures: dict[str, list[int]] = defaultdict(list)
        self.seen_relistings: dict[str, int] = {}
        self.matched: set[int] = set()

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
        rows = ws.iter_rows(min_row=HEADER_ROW, max_row=last_row, max_col=LAST_COLUMN)
        header = next(rows, ())
        expected = header_labels()
        if [_text(c) for c in header] != expected:
            self.error(
                f"A{HEADER_ROW}",
                _("見出し行が書き出した形式（%(header)s）と違います。")
                % {"header": "・".join(expected)},
            )
            return
        total_seen = False
        for number, cells in enumerate(rows, FIRST_DATA_ROW):
            if number > FIRST_DATA_ROW + MAX_DATA_ROWS - 1:
                self.error(
                    f"A{number}",
                    _("行が多すぎます（上限は施策 %(max)s 行）。") % {"max": f"{MAX_DATA_ROWS:,}"},
                )
                return
            if len(self.plan.errors) >= MAX_ERRORS:
                return
            cells = tuple(cells) + (None,) * (LAST_COLUMN - len(cells))
            if _text(cells[0]) == TOTAL_LABEL:
                total_seen = True
                continue
            content = [col for col, c in enumerate(cells[1:], 2) if c is not None and _text(c)]
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
            self.read_relisting(number, name, marks, first_mark_ref, periods_cell)
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
        self.match(number, name, None if bad else marks[0], periods)

    def read_relisting(self, number, name, marks, first_mark_ref, periods_cell) -> None:
        label = name
        for suffix in RELISTING_SUFFIXES:
            label = label.removesuffix(suffix)
        key = search_key(label)
        if marks:
            self.error(
                first_mark_ref,
                _("再掲の行には印を付けません。元の施策の行で状況を変更してください。"),
            )
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

    def match(self, number: int, name: str, status: Status | None, periods) -> None:
        key = search_key(name)
        occurrences = self.seen_measures[key]
        candidates = self.register.measures[self.category.pk].get(key, [])
        index = len(occurrences)
        occurrences.append(number)
        if index < len(candidates):
            measure = candidates[index]
            self.matched.add(measure.pk)
            if status is None:
                return
            old_periods = tuple(sorted(p.number for p in measure.periods.all()))
            if measure.status != status.value or old_periods != periods:
                self.plan.changes.append(
                    MeasureChange(
                        measure_pk=measure.pk,
                        version=measure.version,
                        category=self.category.code,
                        position=measure.position,
                        name=measure.name,
                        cell=f"{self.sheet}!B{number}",
                        old_status=measure.status,
                        new_status=status.value,
                        old_periods=old_periods,
                        new_periods=periods,
                    )
                )
            return
        if index > 0:
            self.error(
                f"{get_column_letter(NAME_COLUMN)}{number}",
                _("「%(name)s」は %(row)s 行目と重複しています。")
                % {"name": name, "row": occurrences[0]},
            )
            return
        if status is None:
            return
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
            for group in self.register.measures[self.category.pk].values()
            for m in group
            if m.pk not in self.matched
        ]


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
            _("ブックを読み取れませんでした（壊れているか、形式が違います）。") + CHOOSE_XLSX
        ) from exc
    try:
        _read_sheets(plan, wb)
    except WorkbookRefused:
        raise
    except Exception as exc:
        raise WorkbookRefused(
            _("ブックを読み取れませんでした（壊れているか、形式が違います）。") + CHOOSE_XLSX
        ) from exc
    finally:
        wb.close()
    return plan


def _read_sheets(plan: ImportPlan, wb) -> None:
    if len(wb.sheetnames) > MAX_SHEETS:
        raise WorkbookRefused(_("シートが多すぎます。"))
    register = _Register.load()
    seen: set[str] = set()
    for ws in wb.worksheets:
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
        seen.add(category.code)
        reader = _SheetReader(plan, register, ws, category)
        reader.read()
        plan.unmatched.extend(reader.unmatched())
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


# --- applying ---------------------------------------------------------------------------------


def import_reason(filename: str) -> str:
    return f"Excel取込: {filename}"[:100]


def apply_plan(plan: ImportPlan, *, user) -> int:
    """Write the plan's changes in one transaction; return how many measures were written.

    Each measure is saved once (status and periods together), so its history gains one entry
    under ``user`` with the reason 「Excel取込: ファイル名」. Raises ImportConflict, writing
    nothing, if a measure changed after the plan was read or a new row's place was taken.
    """
    if plan.has_errors:
        raise ValueError("a plan with errors cannot be applied")
    reason = import_reason(plan.filename)
    periods = {p.number: p for p in PlanPeriod.objects.all()}
    written = 0
    with transaction.atomic():
        locked = {
            m.pk: m
            for m in Measure.objects.select_for_update().filter(
                pk__in=[c.measure_pk for c in plan.changes]
            )
        }
        for change in plan.changes:
            measure = locked.get(change.measure_pk)
            if measure is None or measure.version != change.version:
                raise ImportConflict(
                    _(
                        "施策「%(name)s」はプレビューの後に変更（または削除）されました。"
                        "何も変更していません。もう一度取り込んで確認してください。"
                    )
                    % {"name": change.name}
                )
            measure.status = change.new_status
            if change.periods_changed:
                measure.skip_history_when_saving = True
                try:
                    measure.periods.set([periods[n] for n in change.new_periods])
                finally:
                    del measure.skip_history_when_saving
            measure._history_user = user
            measure._change_reason = reason
            measure.save()
            written += 1
        categories = {c.code: c for c in Category.objects.all()}
        for new in plan.new_measures:
            category = categories[new.category]
            taken = (
                Measure.objects.filter(category=category, position=new.position).exists()
                or Relisting.objects.filter(category=category, position=new.position).exists()
            )
            if taken:
                raise ImportConflict(
                    _(
                        "新しい施策「%(name)s」を入れる %(category)s の %(position)s 行目が"
                        "プレビューの後に使われました。何も変更していません。"
                    )
                    % {"name": new.name, "category": new.category, "position": new.position}
                )
            measure = Measure(
                category=category, position=new.position, name=new.name, status=new.status
            )
            measure.skip_history_when_saving = True
            try:
                measure.save()
                measure.periods.set([periods[n] for n in new.periods])
            finally:
                del measure.skip_history_when_saving
            measure._history_user = user
            measure._change_reason = reason
            MEASURE_HISTORY.create_historical_record(measure, "+")
            written += 1
    return written
