from django.core.management.base import BaseCommand, CommandError

from governance.services import SampleError, load_governance_sample


class Command(BaseCommand):
    help = (
        "試用のための（サンプル）の課等・情報化推進リーダー・プロジェクトチームと、"
        "施策の担当課の割り当て（担当課が空の施策のみ）を登録します。本番では使わないでください。"
    )

    def handle(self, *args, **options):
        try:
            loaded = load_governance_sample()
        except SampleError as error:
            raise CommandError(str(error)) from error
        if loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    "（サンプル）の推進体制データを登録しました。名称に「（サンプル）」と付いた"
                    "架空のデータです。"
                )
            )
        else:
            self.stdout.write("（サンプル）のデータは登録済みです。何も変更しませんでした。")
