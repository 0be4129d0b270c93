from pathlib import Path

from django.core.management.base import BaseCommand

from measures.exports.opendata import write_opendata


class Command(BaseCommand):
    help = (
        "全施策のオープンデータ CSV（総務省の機械判読ルールに沿う、UTF-8）を書き出します。"
        "--bom を付けると日本語版 Excel でそのまま開ける BOM 付きにします。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="書き出すファイル（省略時は標準出力）", default=None
        )
        parser.add_argument("--bom", action="store_true", help="先頭に BOM を付ける（Excel 用）")

    def handle(self, *args, output=None, bom=False, **options):
        encoding = "utf-8-sig" if bom else "utf-8"
        if output:
            path = Path(output)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding=encoding, newline="") as stream:
                count = write_opendata(stream)
            self.stderr.write(f"{count} 件を {path} に書き出しました。")
        else:
            if bom:
                self.stdout.write("\ufeff", ending="")
            write_opendata(_Unbuffered(self.stdout))


class _Unbuffered:
    """Let csv write to the command's stdout without adding Django's line endings."""

    def __init__(self, out):
        self._out = out

    def write(self, text):
        self._out.write(text, ending="")
