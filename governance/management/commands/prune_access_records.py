"""Remove old entries from the access record (アクセス記録); meant for a daily cron job."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.audit import AccessKind, prune_access_records

DEFAULT_DAYS = 400


class Command(BaseCommand):
    help = (
        "指定した日数より古いアクセス記録を削除します（既定 400 日: 前年度の監査に足りる期間）。"
        "削除した件数を種別ごとに表示します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"この日数より古い記録を削除します（既定 {DEFAULT_DAYS}）",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="削除せず、削除する件数だけを表示します"
        )

    def handle(self, *args, older_than_days: int, dry_run: bool, **options):
        if older_than_days < 1:
            raise CommandError("--older-than-days には 1 以上の日数を指定してください。")
        before = timezone.now() - timedelta(days=older_than_days)
        counts = prune_access_records(before=before, dry_run=dry_run)
        total = sum(counts.values())
        by_kind = "、".join(
            f"{AccessKind(kind).label} {n} 件" for kind, n in sorted(counts.items())
        )
        cutoff = timezone.localtime(before).strftime("%Y-%m-%d %H:%M")
        summary = f"{cutoff} より前の {total} 件のアクセス記録を"
        if dry_run:
            summary += "削除します（--dry-run のため削除していません）"
        else:
            summary += "削除しました"
        self.stdout.write(f"{summary}。" + (f"（{by_kind}）" if by_kind else ""))
