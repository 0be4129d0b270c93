"""Hostile-file checks every uploaded workbook passes before any XML is parsed: size, zip
structure, macros, encryption, declared (inflated) sizes and XML DOCTYPE/ENTITY declarations.

Each import reads a workbook only after ``check_workbook_file`` accepted it, so a zip bomb,
a macro workbook or an entity-expansion attack is refused with a message and never parsed.
"""

import io
import zipfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 500

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xlsb")

# Marked for makemessages; translated where it is shown.
CHOOSE_XLSX = gettext_noop(
    "Excel ブック (.xlsx) を選んでください（CSV やその他の形式は取り込めません）。"
)


class WorkbookRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


def check_workbook_file(content: bytes, filename: str) -> None:
    """Refuse what is not a plain .xlsx, before any XML is parsed.

    Declared sizes bound what zipfile will inflate, so refusing on them stops zip bombs
    without reading them.
    """
    name = (filename or "").lower()
    if not content:
        raise WorkbookRefused(_("ファイルが空です。") + _(CHOOSE_XLSX))
    if len(content) > MAX_UPLOAD_BYTES:
        raise WorkbookRefused(
            _("ファイルが大きすぎます（上限 %(mb)d MB）。") % {"mb": MAX_UPLOAD_BYTES // 2**20}
        )
    if name.endswith(MACRO_EXTENSIONS):
        raise WorkbookRefused(
            _("マクロ付きのブック（.xlsm など）は取り込めません。") + _(CHOOSE_XLSX)
        )
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
        raise WorkbookRefused(_("ファイルが壊れていて読み取れません。") + _(CHOOSE_XLSX)) from exc
    with archive:
        if len(members) > MAX_ZIP_MEMBERS:
            raise WorkbookRefused(_("ブックの中身の部品が多すぎます。"))
        total = 0
        for member in members:
            lower = member.filename.lower()
            if lower.endswith("vbaproject.bin") or "/vba" in lower:
                raise WorkbookRefused(_("マクロを含むブックは取り込めません。") + _(CHOOSE_XLSX))
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
            raise WorkbookRefused(_("Excel ブックではありません。") + _(CHOOSE_XLSX))
        content_types = archive.read("[Content_Types].xml")
        if b"macroEnabled" in content_types or b"vbaProject" in content_types:
            raise WorkbookRefused(_("マクロを含むブックは取り込めません。") + _(CHOOSE_XLSX))
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
