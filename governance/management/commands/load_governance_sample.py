from django.core.management.base import BaseCommand, CommandError

from governance.services import SampleError, load_governance_sample, remove_governance_sample


class Command(BaseCommand):
    help = (
        "試用のための（サンプル）の課等・情報化推進リーダー・プロジェクトチームと、"
        "施策の担当課の割り当て（担当課が空の施策のみ）を登録します。本番では使わないでください。"
        "--remove で（サンプル）のデータだけを削除します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove",
            action="store_true",
            help="名称に「（サンプル）」と付いたデータを削除し、施策からサンプルの担当課を外します。",
        )

    def handle(self, *args, **options):
        if options["remove"]:
            removed = remove_governance_sample()
            self.stdout.write(f"（サンプル）のデータを {removed} 件削除しました。")
            return
        try:
            loaded = load_governance_sample()
        except SampleError as error:
            raise CommandError(str(error)) from error
        if loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    "（サンプル）の推進体制データを登録しました。名称に「（サンプル）」と付いた"
                    "架空のデータです。消すには --remove を付けて実行してください。"
                )
            )
        else:
            self.stdout.write("（サンプル）のデータは登録済みです。何も変更しませんでした。")
