"""Create the role groups (閲覧, 情報化推進リーダー, 情報企画課, 管理者) with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from governance.roles import sync_roles


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    from governance.roles import ROLE_NAMES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("measures", "0005_measure_permissions"),
        ("governance", "0002_accessrecord"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
