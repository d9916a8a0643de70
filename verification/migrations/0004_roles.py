from django.contrib.auth.management import create_permissions
from django.db import migrations


def install(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    from verification.roles import roles_install

    roles_install(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Reviewer", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0003_alter_checkresult_options_historicalcheckresult_and_more"),
        ("directory", "0002_historicalboardcertification_and_more"),
        ("api", "0002_webhook_sweeper_schedule"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(install, remove)]
