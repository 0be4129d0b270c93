from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from measures.progress.models import ProgressRound
from measures.progress.services import ProgressError
from measures.progress.survey import reader, services

from .export_survey_workbooks import find_round


class Command(BaseCommand):
    help = (
        "返送された調査票（.xlsx、または zip）を受付中の進捗調査に取り込みます。まず全体を確かめ、"
        "問題が一つでもあればファイル・シート・セルごとに表示し、何も変更せずに終了コード 1 で"
        "終わります。記入された行は「提出」として記録します（承認はしません）。"
        "調査票の作成後にダッシュボードで変更された報告（競合）は、--overwrite で施策番号を"
        "指定したものだけ上書きします。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="取り込む .xlsx または .zip")
        parser.add_argument("--user", required=True, help="変更履歴に記録する利用者名")
        parser.add_argument("--round", help="進捗調査の番号または名称（省略すると受付中の調査）")
        parser.add_argument(
            "--dry-run", action="store_true", help="取り込む内容を表示するだけで何も変更しない"
        )
        parser.add_argument(
            "--overwrite",
            type=int,
            action="append",
            default=[],
            metavar="施策番号",
            help="競合した施策のうち、調査票の内容で上書きする施策の番号（繰り返し指定できる）",
        )

    def handle(self, *args, files, user, round=None, dry_run=False, overwrite=(), **options):
        try:
            account = get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"利用者「{user}」がいません。") from exc
        if round:
            progress_round = find_round(round)
        else:
            progress_round = ProgressRound.objects.open().first()
            if progress_round is None:
                raise CommandError("受付中の進捗調査がありません。--round で指定してください。")
        uploads = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"ファイル {path} がありません。")
            if path.stat().st_size > reader.MAX_TOTAL_BYTES:
                limit = reader.MAX_TOTAL_BYTES // 2**20
                raise CommandError(f"{path.name}: ファイルが大きすぎます（上限 {limit} MB）。")
            uploads.append((path.name, path.read_bytes()))
        plan = reader.read_survey_upload(uploads, progress_round=progress_round)
        if plan.has_errors:
            more = f"\n（ほかに {plan.more_problems} 件）" if plan.more_problems else ""
            raise CommandError(
                f"問題が {len(plan.problems) + plan.more_problems} 件あります。"
                "何も変更していません。\n" + "\n".join(str(p) for p in plan.problems) + more
            )
        self._print(plan)
        if dry_run:
            self.stdout.write("--dry-run のため何も変更していません。")
            return
        try:
            result = services.survey_import_apply(plan=plan, user=account, overwrite=set(overwrite))
        except ProgressError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.files} ファイルから {result.stored} 件の報告を「提出」として記録しました。"
        )
        if result.kept:
            self.stdout.write(f"競合のため上書きしなかった報告: {result.kept} 件")

    def _print(self, plan: reader.SurveyPlan) -> None:
        self.stdout.write(f"進捗調査: {plan.round_title}")
        for survey_file in plan.files:
            self.stdout.write(f"{survey_file.filename}（{survey_file.division}）")
            for answer in survey_file.to_store:
                percent = (
                    ""
                    if answer.content.progress_percent is None
                    else f" {answer.content.progress_percent}%"
                )
                self.stdout.write(
                    f"  提出: {answer.category} {answer.position} {answer.name}"
                    f" {answer.status_mark}{percent}"
                )
            for answer in survey_file.conflicts:
                self.stdout.write(
                    f"  競合（施策番号 {answer.measure_pk}）: {answer.name}"
                    f" — {answer.changed_by} {answer.changed_at} に変更（--overwrite で上書き）"
                )
            for answer in survey_file.settled:
                self.stdout.write(f"  承認済みのため変更しません: {answer.name}")
            if survey_file.unchanged:
                self.stdout.write(f"  変更なし: {len(survey_file.unchanged)} 件")
            if survey_file.blank_rows:
                self.stdout.write(f"  記入のない行: {survey_file.blank_rows} 件（取り込みません）")
            for row in survey_file.added_rows:
                self.stdout.write(f"  照合キーのない行（取り込みません）: {row.cell}「{row.text}」")
