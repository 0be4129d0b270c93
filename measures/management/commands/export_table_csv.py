import csv

from django.core.management.base import BaseCommand

from measures.exports.cells import safe_row
from measures.rows import table_rows

HEADER = ["category", "position", "name", "status", "plan_periods", "relisting_of"]


class Command(BaseCommand):
    help = (
        "施策一覧の全行（施策と再掲、計画書の順）を UTF-8 の CSV で書き出します。"
        "再掲行は状況・計画期間を空にし、relisting_of に元の施策（区分:位置）を入れます。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="書き出すファイル（省略時は標準出力）", default=None
        )

    def handle(self, *args, output=None, **options):
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = self._write(stream)
            self.stderr.write(f"{count} 行を {output} に書き出しました。")
        else:
            self._write(self.stdout)

    def _write(self, stream) -> int:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        count = 0
        for row in table_rows().iterator():
            if row.is_relisting:
                origin = f"{row.original_category.code}:{row.original_position}"
                values = [row.category.code, row.position, row.name, "", "", origin]
            else:
                values = [
                    row.category.code,
                    row.position,
                    row.name,
                    row.status.mark,
                    row.periods,
                    "",
                ]
            writer.writerow(safe_row(values))
            count += 1
        return count
