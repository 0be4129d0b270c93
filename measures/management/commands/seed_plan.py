from django.core.management.base import BaseCommand

from governance.services import register_governance_seed
from measures.services import register_seed


class Command(BaseCommand):
    help = (
        "計画書の施策一覧（fixtures/plan.json）と推進体制（fixtures/governance.json）を"
        "空のデータベースに登録します。"
        "既存データは変更しません。"
    )

    def handle(self, *args, **options):
        if register_seed():
            self.stdout.write(self.style.SUCCESS("計画書の施策一覧を登録しました。"))
        else:
            self.stdout.write("施策は登録済みです。既存のデータはそのままにしました。")
        if register_governance_seed():
            self.stdout.write(self.style.SUCCESS("計画書の推進体制（第５章）を登録しました。"))
        else:
            self.stdout.write("推進体制は登録済みです。既存のデータはそのままにしました。")
