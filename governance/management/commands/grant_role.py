"""Give a staff account one of the roles (グループ), so nobody has to tick permissions by hand."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from governance.roles import ROLE_NAMES, STAFF_ROLES


class Command(BaseCommand):
    help = "ユーザーに役割（閲覧・情報化推進リーダー・情報企画課・管理者）を与えます。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="ユーザー名")
        parser.add_argument("role", choices=ROLE_NAMES, help="役割")
        parser.add_argument(
            "--only",
            action="store_true",
            help="他の役割を外し、この役割だけにします。",
        )

    def handle(self, *args, username, role, only, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist as missing:
            raise CommandError(
                f"ユーザー「{username}」はいません。"
                "先に createsuperuser か管理画面で作ってください。"
            ) from missing
        group = Group.objects.get(name=role)
        if only:
            user.groups.remove(*Group.objects.filter(name__in=ROLE_NAMES))
        user.groups.add(group)
        # Admin (where every role views or edits records) is open only to staff accounts.
        if role in STAFF_ROLES and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        roles = "・".join(user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True))
        self.stdout.write(self.style.SUCCESS(f"{username} の役割: {roles}"))
