from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from governance.audit import AccessKind, record_access
from measures.imports.apply import apply_plan
from measures.imports.files import MAX_UPLOAD_BYTES, WorkbookRefused
from measures.imports.summary import ImportConflict, plan_rows, read_plan


class Command(BaseCommand):
    help = (
        "編集した集計ブック（.xlsx）を取り込みます。まず全体を確かめて変わる点を表示し、"
        "問題が一つでもあれば何も変更せずに終了コード 1 で終わります。"
        "--dry-run では表示だけして何も変更しません。変更は --user の名前で履歴に残ります。"
        "ブックの作成後に変更された施策（競合）は、--overwrite で施策番号を指定したものだけを"
        "ブックの内容で上書きします。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="取り込む .xlsx ファイル")
        parser.add_argument("--user", required=True, help="変更履歴に記録する利用者名")
        parser.add_argument(
            "--dry-run", action="store_true", help="変わる点を表示するだけで何も変更しない"
        )
        parser.add_argument(
            "--overwrite",
            type=int,
            action="append",
            default=[],
            metavar="施策番号",
            help="競合した施策のうち、ブックの内容で上書きする施策の番号（繰り返し指定できる）",
        )

    def handle(self, *args, file, user, dry_run=False, overwrite=(), **options):
        try:
            account = get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"利用者「{user}」がいません。") from exc
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"ファイル {path} がありません。")
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise CommandError(f"ファイルが大きすぎます（上限 {MAX_UPLOAD_BYTES // 2**20} MB）。")
        try:
            plan = read_plan(path.read_bytes(), filename=path.name)
        except WorkbookRefused as exc:
            raise CommandError(str(exc)) from exc
        self._print(plan)
        if plan.has_errors:
            raise CommandError(
                f"問題が {len(plan.errors)} 件あります。何も変更していません。\n"
                + "\n".join(str(e) for e in plan.errors)
            )
        if dry_run:
            self.stdout.write("--dry-run のため何も変更していません。")
            return
        if not plan.has_changes:
            self.stdout.write("変更はありませんでした。")
            return
        unknown = sorted(set(overwrite) - {c.measure_pk for c in plan.conflicts})
        if unknown:
            raise CommandError(
                "--overwrite の施策番号 "
                + "・".join(map(str, unknown))
                + " は競合した施策ではありません。何も変更していません。"
            )
        try:
            written = apply_plan(plan, user=account, overwrite=overwrite)
        except ImportConflict as exc:
            raise CommandError(str(exc)) from exc
        kept = len(plan.conflicts) - len(set(overwrite))
        if kept:
            self.stdout.write(f"競合した {kept} 件の施策は上書きしていません。")
        record_access(
            None,
            AccessKind.IMPORT,
            user=account,
            detail=f"{plan.filename}: {written} 件（コマンド）",
        )
        self.stdout.write(self.style.SUCCESS(f"{written} 件の施策を取り込みました。"))

    def _print(self, plan) -> None:
        rows = plan_rows(plan)
        out = self.stdout
        out.write(f"「{plan.filename}」: {plan.rows_read} 行を読み取りました。")
        out.write(f"ブックの作成日時: {rows['created_at']}")
        if rows["conflicts"]:
            out.write(
                f"競合（ブックの作成後に変更され、ブックでも編集された施策）: "
                f"{len(rows['conflicts'])} 件。--overwrite 施策番号 で上書きします"
            )
            for item in rows["conflicts"]:
                out.write(
                    "  施策番号 {pk} {cell} {name}: ブック {workbook} / 作成時 {exported} / "
                    "現在 {current}（{changed_by} {changed_at}）".format(**item)
                )
        sections = [
            ("状況の変更", rows["status_changes"], "{cell} {name}: {old} → {new}"),
            ("計画期間の変更", rows["period_changes"], "{cell} {name}: {old} → {new}"),
            (
                "新しい施策（表の末尾に追加）",
                rows["new_measures"],
                "{cell} {category} {position} {name}: {status} {periods}",
            ),
        ]
        for title, items, template in sections:
            out.write(f"{title}: {len(items)} 件")
            for item in items:
                out.write("  " + template.format(**item))
        if rows["newer_in_register"]:
            out.write(
                "ブックの作成後に変更された施策（ブックでは編集なし、現在のまま）: "
                f"{len(rows['newer_in_register'])} 件"
            )
            for item in rows["newer_in_register"]:
                out.write("  {cell} {name}: 現在 {current}".format(**item))
        out.write(f"ブックにない施策（変更しません）: {len(rows['unmatched'])} 件")
        for sheet in rows["missing_sheets"]:
            out.write(f"  シート「{sheet}」がありません（この区分は変更しません）")
        for item in rows["unmatched"]:
            out.write(f"  {item.category} {item.position} {item.name}")
