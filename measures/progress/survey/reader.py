"""Read returned 調査票 and plan what they would store; nothing is written here.

``read_survey_upload`` takes every uploaded file at once (workbooks, or zips of workbooks),
checks each with the hostile-file checks of every import (``measures.imports.files``), then
reads the workbooks with openpyxl in read-only mode and returns a ``SurveyPlan``: per
division and measure the answer that would be stored, the answers that conflict with a change
made on the dashboard after the workbook was written, rows added by hand (ignored), and every
problem by file, sheet and cell. A plan with any problem stores nothing.

Rows are matched by their signed key only (see ``keys``): a re-sorted sheet or a deleted row
cannot move an answer onto another measure, a key edited by hand is refused, and a workbook
or row of another round or division is refused.
"""

import contextlib
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum

import openpyxl
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from governance.models import Division
from measures.imports.files import (
    CHOOSE_XLSX,
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    WorkbookRefused,
    check_workbook_file,
)
from measures.models import Status

from ..models import ProgressReport, ProgressRound, ReportState, RoundState
from ..services import ReportContent
from . import keys
from .writer import (
    ACTIVITIES_COL,
    ANSWER_COLS,
    ANSWER_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    ISSUES_COL,
    KEY_COL,
    META_SHEET,
    NEXT_STEPS_COL,
    PERCENT_COL,
    STATUS_COL,
)

# One upload: at most this many workbooks, and this many bytes in all, inflated (every
# division's workbook of a 10,000-measure register stays well inside: see benchmarks).
MAX_FILES = 200
MAX_TOTAL_BYTES = MAX_UNCOMPRESSED_BYTES
MAX_ROWS = 10_000
MAX_PROBLEMS = 200
MAX_TEXT = 10_000


@dataclass(frozen=True)
class SurveyProblem:
    file: str
    message: str
    sheet: str = ""
    cell: str = ""

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def __str__(self) -> str:
        where = f" {self.where}" if self.where else ""
        return f"{self.file}{where}: {self.message}"


class AnswerKind(StrEnum):
    STORE = "store"  # stored as submitted
    UNCHANGED = "unchanged"  # the report already holds this answer
    CONFLICT = "conflict"  # changed on the dashboard after the workbook was made
    SETTLED = "settled"  # approved meanwhile: never overwritten


@dataclass(frozen=True)
class SurveyAnswer:
    report_pk: int
    measure_pk: int
    version: int  # the report's version when the plan was read (storing locks it at that)
    key_version: int  # the version the workbook row was written from
    category: str
    position: int
    name: str
    cell: str
    kind: AnswerKind
    content: ReportContent
    current: ReportContent
    current_state: str
    changed_by: str = ""
    changed_at: str = ""

    @property
    def status_label(self) -> str:
        return str(Status(self.content.status).label) if self.content.status else ""

    @property
    def status_mark(self) -> str:
        return Status(self.content.status).mark if self.content.status else ""

    @property
    def current_status_mark(self) -> str:
        return Status(self.current.status).mark if self.current.status else ""

    @property
    def current_state_label(self) -> str:
        return str(ReportState(self.current_state).label)


@dataclass(frozen=True)
class AddedRow:
    cell: str
    text: str


@dataclass
class SurveyFile:
    filename: str
    sha256: str
    division: Division | None = None
    created_at: object = None
    answers: list[SurveyAnswer] = field(default_factory=list)
    added_rows: list[AddedRow] = field(default_factory=list)
    blank_rows: int = 0

    def of_kind(self, kind: AnswerKind) -> list[SurveyAnswer]:
        return [a for a in self.answers if a.kind == kind]

    @property
    def to_store(self) -> list[SurveyAnswer]:
        return self.of_kind(AnswerKind.STORE)

    @property
    def conflicts(self) -> list[SurveyAnswer]:
        return self.of_kind(AnswerKind.CONFLICT)

    @property
    def unchanged(self) -> list[SurveyAnswer]:
        return self.of_kind(AnswerKind.UNCHANGED)

    @property
    def settled(self) -> list[SurveyAnswer]:
        return self.of_kind(AnswerKind.SETTLED)


@dataclass
class SurveyPlan:
    round_pk: int
    round_title: str
    files: list[SurveyFile] = field(default_factory=list)
    problems: list[SurveyProblem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    @property
    def to_store(self) -> int:
        return sum(len(f.to_store) for f in self.files)

    @property
    def conflicts(self) -> int:
        return sum(len(f.conflicts) for f in self.files)

    @property
    def digest(self) -> str:
        """What storing would write, as it stands; confirm compares it with what was shown."""
        facts = [
            [f.sha256, a.report_pk, a.version, a.kind.value, asdict(a.content)]
            for f in self.files
            for a in f.answers
        ]
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


class _Problems:
    def __init__(self, plan: SurveyPlan):
        self.plan = plan

    def add(self, file: str, message: str, sheet: str = "", cell: str = "") -> None:
        if len(self.plan.problems) >= MAX_PROBLEMS:
            self.plan.more_problems += 1
            return
        self.plan.problems.append(SurveyProblem(file, message, sheet, cell))


# --- Unpacking the upload ---------------------------------------------------------------------


def _is_zip_upload(filename: str) -> bool:
    return filename.lower().endswith(".zip")


def _member_name(member: zipfile.ZipInfo) -> str:
    """Return a zip member's file name; Windows' 「送る → 圧縮」 writes Japanese names in
    Shift_JIS without saying so (zipfile then reads them as cp437)."""
    name = member.filename
    if not member.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("cp932")
    return name.rsplit("/", 1)[-1]


def _unpack(uploads: Iterable[tuple[str, bytes]], problems: _Problems) -> list[tuple[str, bytes]]:
    """Return (name, content) of every workbook, taking zips apart with the same bounds as a
    workbook's own parts: declared sizes are checked before anything is inflated."""
    workbooks: list[tuple[str, bytes]] = []
    total = 0
    for filename, content in uploads:
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            problems.add(
                filename,
                _("アップロード全体が大きすぎます（上限 %(mb)d MB）。分けて取り込んでください。")
                % {"mb": MAX_TOTAL_BYTES // 2**20},
            )
            return workbooks
        if not _is_zip_upload(filename):
            workbooks.append((filename, content))
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            members = [m for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError):
            problems.add(filename, _("zip ファイルが壊れていて読み取れません。"))
            continue
        with archive:
            members = [
                m
                for m in members
                if not m.filename.startswith("__MACOSX/")
                and not m.filename.rsplit("/", 1)[-1].startswith(".")
            ]
            if len(members) > MAX_FILES:
                problems.add(
                    filename, _("zip の中のファイルが多すぎます（上限 %(n)d）。") % {"n": MAX_FILES}
                )
                continue
            inflated = 0
            for member in members:
                name = _member_name(member)
                where = f"{filename}/{name}"
                inflated += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if (
                    member.file_size > MAX_UPLOAD_BYTES
                    or inflated > MAX_TOTAL_BYTES
                    or (member.file_size > 2**20 and ratio > MAX_COMPRESSION_RATIO)
                ):
                    problems.add(
                        where,
                        _(
                            "展開すると大きくなりすぎるファイルです（圧縮爆弾の疑い、"
                            "1 ファイルの上限 %(mb)d MB）。"
                        )
                        % {"mb": MAX_UPLOAD_BYTES // 2**20},
                    )
                    break
                if member.flag_bits & 0x1:
                    problems.add(where, _("暗号化された zip は取り込めません。"))
                    break
                with archive.open(member) as part:
                    workbooks.append((name, part.read(MAX_UPLOAD_BYTES + 1)))
    if len(workbooks) > MAX_FILES:
        problems.add("", _("ブックが多すぎます（上限 %(n)d）。") % {"n": MAX_FILES})
        return []
    return workbooks


# --- One workbook -----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    key: keys.RowKey
    values: tuple


def _cell(col: int, row: int) -> str:
    return f"{get_column_letter(col + 1)}{row}"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()


def _first_row(ws, row: int, columns: int) -> tuple:
    for values in ws.iter_rows(min_row=row, max_row=row, max_col=columns, values_only=True):
        return values
    return ()


def _read_book_key(wb, name: str, round_obj: ProgressRound, problems: _Problems):
    if META_SHEET not in wb.sheetnames or ANSWER_SHEET not in wb.sheetnames:
        problems.add(
            name,
            _(
                "ダッシュボードの調査票ではありません（「%(sheet)s」シートまたは照合情報が"
                "ありません）。ダッシュボードからダウンロードした調査票に記入してください。"
            )
            % {"sheet": ANSWER_SHEET},
        )
        return None
    values = _first_row(wb[META_SHEET], 1, 2)
    try:
        book = keys.read_book(_text(values[1] if len(values) > 1 else ""))
    except keys.KeyRefused:
        problems.add(
            name,
            _(
                "調査票の照合情報が変更されているため取り込めません。新しい調査票で回答してください。"
            ),
            META_SHEET,
            "B1",
        )
        return None
    if book.round_pk != round_obj.pk:
        other = ProgressRound.objects.filter(pk=book.round_pk).first()
        problems.add(
            name,
            _("別の進捗調査（%(other)s）の調査票です。「%(round)s」の調査票で回答してください。")
            % {"other": other.title if other else _("削除された調査"), "round": round_obj.title},
        )
        return None
    return book


def _read_rows(ws, name: str, problems: _Problems) -> list | None:
    header = _first_row(ws, HEADER_ROW + 1, len(HEADERS))
    for col, expected in enumerate(HEADERS[:KEY_COL]):
        got = _text(header[col] if col < len(header) else "")
        if got != expected:
            problems.add(
                name,
                _("見出しが「%(expected)s」ではありません（列を追加・削除しないでください）。")
                % {"expected": expected},
                ANSWER_SHEET,
                _cell(col, HEADER_ROW + 1),
            )
            return None
    rows = []
    for number, values in enumerate(
        ws.iter_rows(
            min_row=FIRST_DATA_ROW + 1,
            # The declared size says little: LibreOffice declares 1,048,576 rows once a row
            # is deleted. Reading stops one row past the limit, whatever the file declares.
            max_row=FIRST_DATA_ROW + MAX_ROWS + 1,
            max_col=KEY_COL + 1,
            values_only=True,
        ),
        start=FIRST_DATA_ROW + 1,
    ):
        values = tuple(values) + (None,) * (KEY_COL + 1 - len(values))
        if number > FIRST_DATA_ROW + MAX_ROWS:
            if any(_text(v) for v in values):
                problems.add(
                    name,
                    _("行が多すぎます（上限 %(n)d 行）。") % {"n": MAX_ROWS},
                    ANSWER_SHEET,
                    _cell(0, number),
                )
                return None
            break
        rows.append((number, values))
    return rows


def _status_by_text() -> dict[str, str]:
    """Marks, and labels as typed by hand (Japanese, and the active language's)."""
    by_text = {s.mark: s.value for s in Status} | {str(s.label): s.value for s in Status}
    with translation.override("ja"):
        return by_text | {str(s.label): s.value for s in Status}


def _parse_answer(
    values, number: int, name: str, problems: _Problems, by_text: dict[str, str]
) -> ReportContent | None:
    ok = True
    mark = _text(values[STATUS_COL])
    status = ""
    if mark:
        status = by_text.get(mark, "")
        if not status:
            problems.add(
                name,
                _("状況「%(mark)s」は使えません。◎ ○ × から選んでください。") % {"mark": mark[:20]},
                ANSWER_SHEET,
                _cell(STATUS_COL, number),
            )
            ok = False
    percent_value = values[PERCENT_COL]
    percent = None
    if _text(percent_value):
        try:
            number_value = float(_text(percent_value))
        except ValueError:
            number_value = -1.0
        if isinstance(percent_value, bool) or not (
            number_value.is_integer() and 0 <= number_value <= 100
        ):
            problems.add(
                name,
                _("進捗率「%(value)s」は 0～100 の整数で入力してください。")
                % {"value": _text(percent_value)[:20]},
                ANSWER_SHEET,
                _cell(PERCENT_COL, number),
            )
            ok = False
        else:
            percent = int(number_value)
    texts = {}
    for col, field_name in (
        (ACTIVITIES_COL, "activities"),
        (ISSUES_COL, "issues"),
        (NEXT_STEPS_COL, "next_steps"),
    ):
        texts[field_name] = _text(values[col])
        if len(texts[field_name]) > MAX_TEXT:
            problems.add(
                name,
                _("%(max)d 文字までにしてください。") % {"max": MAX_TEXT},
                ANSWER_SHEET,
                _cell(col, number),
            )
            ok = False
    content = ReportContent(status=status, progress_percent=percent, **texts)
    if ok and (not content.status or not content.activities):
        for label, col in ((_("状況"), STATUS_COL), (_("取組内容"), ACTIVITIES_COL)):
            if label in content.missing_for_submission():
                problems.add(
                    name,
                    _("%(label)s を記入してください（記入した行は提出として取り込みます）。")
                    % {"label": label},
                    ANSWER_SHEET,
                    _cell(col, number),
                )
                ok = False
    return content if ok else None


def _same(a: ReportContent, b: ReportContent) -> bool:
    return (a.status, a.progress_percent, a.activities, a.issues, a.next_steps) == (
        b.status,
        b.progress_percent,
        b.activities.strip(),
        b.issues.strip(),
        b.next_steps.strip(),
    )


def _read_workbook(
    name: str, content: bytes, round_obj: ProgressRound, problems: _Problems
) -> SurveyFile | None:
    survey_file = SurveyFile(filename=name, sha256=hashlib.sha256(content).hexdigest())
    try:
        check_workbook_file(content, name)
    except WorkbookRefused as exc:
        problems.add(name, str(exc))
        return None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # any parser failure means the same to the user
        problems.add(name, _("ファイルが壊れていて読み取れません。") + _(CHOOSE_XLSX))
        return None
    try:
        book = _read_book_key(wb, name, round_obj, problems)
        if book is None:
            return None
        division = Division.objects.select_related("department").filter(pk=book.division_pk).first()
        if division is None:
            problems.add(name, _("この調査票の課等は削除されています。"))
            return None
        survey_file.division = division
        survey_file.created_at = book.created_at
        rows = _read_rows(wb[ANSWER_SHEET], name, problems)
    except Exception:
        problems.add(name, _("ファイルが壊れていて読み取れません。") + _(CHOOSE_XLSX))
        return None
    finally:
        wb.close()
    if rows is None:
        return None
    keyed: list[_Row] = []
    seen: dict[int, int] = {}
    for number, values in rows:
        key_text = _text(values[KEY_COL])
        visible = [_text(v) for v in values[:KEY_COL]]
        if not key_text:
            if any(visible):
                text = visible[2] or next(v for v in visible if v)
                survey_file.added_rows.append(AddedRow(f"{ANSWER_SHEET}!{number}", text[:80]))
            continue
        try:
            key = keys.read_row(key_text)
        except keys.KeyRefused:
            problems.add(
                name,
                _(
                    "照合キーが正しくありません（手で変更されたか壊れています）。この行は取り込めません。"
                ),
                ANSWER_SHEET,
                _cell(KEY_COL, number),
            )
            continue
        if key.round_pk != book.round_pk or key.division_pk != book.division_pk:
            problems.add(
                name,
                _("別の課等または別の調査の調査票からコピーした行です。"),
                ANSWER_SHEET,
                _cell(KEY_COL, number),
            )
            continue
        if key.report_pk in seen:
            problems.add(
                name,
                _("%(row)d 行目と同じ施策の行です（行をコピーしないでください）。")
                % {"row": seen[key.report_pk]},
                ANSWER_SHEET,
                _cell(KEY_COL, number),
            )
            continue
        seen[key.report_pk] = number
        keyed.append(_Row(number, key, values))
    _match(survey_file, keyed, round_obj, problems)
    return survey_file


def _last_changes(report_pks: list[int]) -> dict[int, tuple[str, str]]:
    """Return who last changed each report and when, in one query."""
    result: dict[int, tuple[str, str]] = {}
    records = (
        ProgressReport.history.filter(id__in=report_pks)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    )
    for record in records:
        if record.id in result:
            continue
        who = record.history_username or (
            record.history_user.get_username() if record.history_user else ""
        )
        when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
        result[record.id] = (who, when)
    return result


def _match(survey_file: SurveyFile, keyed: list[_Row], round_obj, problems: _Problems) -> None:
    name = survey_file.filename
    reports = {
        r.pk: r
        for r in ProgressReport.objects.filter(
            round=round_obj, pk__in=[row.key.report_pk for row in keyed]
        ).select_related("measure__category", "measure__responsible_division")
    }
    answers: list[tuple[_Row, ProgressReport, ReportContent]] = []
    by_text = _status_by_text()
    for row in keyed:
        report = reports.get(row.key.report_pk)
        key_cell = _cell(KEY_COL, row.number)
        if report is None:
            problems.add(
                name,
                _("この行の施策は調査の対象から外されています。"),
                ANSWER_SHEET,
                key_cell,
            )
            continue
        if report.measure.responsible_division_id != survey_file.division.pk:
            division = report.measure.responsible_division
            problems.add(
                name,
                _("施策「%(measure)s」の担当課は現在「%(division)s」です。")
                % {"measure": report.measure.name, "division": division or _("未設定")},
                ANSWER_SHEET,
                key_cell,
            )
            continue
        if not any(_text(row.values[col]) for col in ANSWER_COLS):
            survey_file.blank_rows += 1
            continue
        content = _parse_answer(row.values, row.number, name, problems, by_text)
        if content is not None:
            answers.append((row, report, content))
    conflicts = [r.pk for row, r, _c in answers if r.version != row.key.version]
    changes = _last_changes(conflicts) if conflicts else {}
    for row, report, content in sorted(
        answers, key=lambda a: (a[1].measure.category.order, a[1].measure.position)
    ):
        content = ReportContent(**{**asdict(content), "links": report.links})
        current = ReportContent.of(report)
        if report.state == ReportState.APPROVED:
            kind = AnswerKind.SETTLED
        elif _same(content, current) and report.state == ReportState.SUBMITTED:
            kind = AnswerKind.UNCHANGED
        elif report.version != row.key.version:
            kind = AnswerKind.CONFLICT
        else:
            kind = AnswerKind.STORE
        who, when = changes.get(report.pk, ("", ""))
        survey_file.answers.append(
            SurveyAnswer(
                report_pk=report.pk,
                measure_pk=report.measure_id,
                version=report.version,
                key_version=row.key.version,
                category=report.measure.category.short_name,
                position=report.measure.position,
                name=report.measure.name,
                cell=f"{ANSWER_SHEET}!{row.number}",
                kind=kind,
                content=content,
                current=current,
                current_state=report.state,
                changed_by=who,
                changed_at=when,
            )
        )


# --- The whole upload -------------------------------------------------------------------------


def read_survey_upload(
    uploads: Iterable[tuple[str, bytes]], *, progress_round: ProgressRound
) -> SurveyPlan:
    """Check and read every uploaded file for ``progress_round``; write nothing."""
    plan = SurveyPlan(round_pk=progress_round.pk, round_title=progress_round.title)
    problems = _Problems(plan)
    uploads = list(uploads)
    if not uploads:
        problems.add("", _("ファイルを選んでください。"))
        return plan
    if progress_round.state != RoundState.OPEN:
        problems.add(
            "",
            _(
                "進捗調査「%(title)s」は受付中ではないため、調査票を取り込めません"
                "（締め切った後に届いた調査票は、受付を再開してから取り込みます）。"
            )
            % {"title": progress_round.title},
        )
        return plan
    by_division: dict[int, str] = {}
    for name, content in _unpack(uploads, problems):
        survey_file = _read_workbook(name, content, progress_round, problems)
        if survey_file is None:
            continue
        first = by_division.get(survey_file.division.pk)
        if first is not None:
            problems.add(
                name,
                _(
                    "「%(division)s」の調査票が二つあります（%(first)s と %(name)s）。"
                    "一つにしてください。"
                )
                % {"division": survey_file.division, "first": first, "name": name},
            )
            continue
        by_division[survey_file.division.pk] = name
        plan.files.append(survey_file)
    plan.files.sort(
        key=lambda f: (f.division.department.order, f.division.department.name, f.division.order)
    )
    return plan
