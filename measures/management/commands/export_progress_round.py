from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from measures.progress.exports import (
    results_filename,
    round_opendata_filename,
    write_round_opendata,
    write_round_results,
)
from measures.progress.models import ProgressRound, RoundState

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "exports"


class Command(BaseCommand):
    help = (
        "進捗調査の結果を書き出します: 庁議用の結果ブック（.xlsx、集計と区分ごとのシート、"
        "合計は式）"
        "またはオープンデータ CSV（.csv、総務省の機械判読ルールに沿う）。調査は番号か名称で指定し、"
        "省略すると最新の確定した調査です。-o を省略すると exports/ に両方を書き出します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "round", nargs="?", help="進捗調査の番号または名称（省略時: 最新の確定）"
        )
        parser.add_argument(
            "--output", "-o", help="書き出すファイル（.xlsx または .csv）", default=None
        )
        parser.add_argument(
            "--bom", action="store_true", help="CSV の先頭に BOM を付ける（Excel 用）"
        )
        parser.add_argument(
            "--include-unconfirmed",
            action="store_true",
            help="確定していない調査も書き出す（承認された報告だけ。庁内用、公開しないこと）",
        )

    def handle(self, *args, round=None, output=None, bom=False, **options):
        progress_round = self._round(round)
        if not progress_round.is_final and not options["include_unconfirmed"]:
            raise CommandError(
                f"「{progress_round.title}」はまだ確定していません（{progress_round.state_choice.label}）。"
                "庁内で確認するだけなら --include-unconfirmed を付けてください。"
            )
        if output:
            paths = [Path(output)]
        else:
            paths = [
                DEFAULT_DIRECTORY / results_filename(progress_round),
                DEFAULT_DIRECTORY / round_opendata_filename(progress_round, bom=bom),
            ]
        for path in paths:
            suffix = path.suffix.lower()
            if suffix not in {".xlsx", ".csv"}:
                raise CommandError(f"書き出し先は .xlsx か .csv にしてください: {path}")
            path.parent.mkdir(parents=True, exist_ok=True)
            if suffix == ".xlsx":
                with open(path, "wb") as stream:
                    write_round_results(stream, progress_round)
            else:
                encoding = "utf-8-sig" if bom else "utf-8"
                with open(path, "w", encoding=encoding, newline="") as stream:
                    write_round_opendata(stream, progress_round)
            self.stdout.write(f"「{progress_round.title}」の結果を {path} に書き出しました。")

    def _round(self, key: str | None) -> ProgressRound:
        rounds = ProgressRound.objects.all()
        if key is None:
            found = (
                rounds.filter(state=RoundState.CONFIRMED)
                .order_by("is_baseline", "-reference_date", "-pk")
                .first()
            )
            if found is None:
                raise CommandError(
                    "確定した進捗調査がありません。調査の番号か名称を指定してください。"
                )
            return found
        found = rounds.filter(pk=int(key)).first() if key.isdigit() else None
        found = found or rounds.filter(title=key).first()
        if found is None:
            raise CommandError(
                f"進捗調査「{key}」が見つかりません。番号か名称を確かめてください"
                "（進捗調査の一覧: /progress/rounds/）。"
            )
        return found
