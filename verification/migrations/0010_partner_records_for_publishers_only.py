from django.db import migrations


def install(apps, schema_editor):
    from verification.roles import roles_install

    roles_install(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    """Reviewers no longer see partner records (webhook secrets, keys); Publishers keep them."""

    dependencies = [
        ("verification", "0009_truth_between_cycles"),
        ("api", "0003_webhook_secret_generated"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
