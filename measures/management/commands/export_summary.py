from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures.exports.summary import summary_filename, write_summary

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "exports"


class Command(BaseCommand):
    help = (
        "集計ブック（集計シートと区分ごとのシート、合計は式）を書き出します。"
        "定期実行用。-o を省略すると exports/ に日付入りの名前で書き出します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="書き出す .xlsx ファイル", default=None)

    def handle(self, *args, output=None, **options):
        today = timezone.localdate()
        path = Path(output) if output else DEFAULT_DIRECTORY / summary_filename(today)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"書き出し先は .xlsx にしてください: {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as stream:
            write_summary(stream, today=today)
        self.stdout.write(f"集計ブックを {path} に書き出しました。")
