"""E-mail the divisions that still owe reports in the open 進捗調査 (for cron)."""

from django.core.management.base import BaseCommand

from measures.progress.reminders import send_progress_reminders


class Command(BaseCommand):
    help = (
        "受付中の進捗調査で未提出（未提出・下書き・差戻し）の報告がある課等の"
        "情報化推進リーダーと進捗報告の入力者にメールで督促します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="送らずに、誰に送るかだけを表示します（督促日時も記録しません）。",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        run = send_progress_reminders(dry_run=dry_run)
        if run.progress_round is None:
            self.stdout.write("受付中の進捗調査はありません。督促は送りませんでした。")
            return
        verb = "送信予定" if dry_run else "送信"
        self.stdout.write(
            f"進捗調査「{run.progress_round.title}」（締切 {run.progress_round.closes_on}）"
        )
        if not run.sent:
            self.stdout.write("未提出の報告がある課等はありません。督促は不要です。")
        for item in run.sent:
            if item.recipients:
                self.stdout.write(
                    f"{verb}: {item.division}（未提出 {item.report_count} 件）→ "
                    + "、".join(item.recipients)
                )
            else:
                self.stdout.write(
                    self.style.WARNING(
                        f"宛先なし: {item.division}（未提出 {item.report_count} 件）: "
                        "メールアドレスのあるリーダー・入力者が登録されていません。"
                    )
                )
            if item.unreachable:
                self.stdout.write(
                    f"  メールが届かない人: {'、'.join(item.unreachable)}"
                    "（利用者アカウントまたはメールアドレスが未登録）"
                )
        if run.unassigned:
            self.stdout.write(
                self.style.WARNING(
                    f"担当課未設定の施策の未提出報告が {run.unassigned} 件あります"
                    "（情報企画課が報告するか、担当課を設定してください）。"
                )
            )
        if dry_run:
            self.stdout.write("--dry-run のため、メールは送らず、督促日時も記録していません。")
