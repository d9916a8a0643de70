from django.contrib.auth.management import create_permissions
from django.db import migrations

SWEEPER = "Delete consultation requests past retention"


def install(apps, schema_editor):
    app_config = apps.get_app_config("directory")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    from directory.roles import patient_liaison_install

    patient_liaison_install(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="4", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    apps.get_model("django_celery_beat", "PeriodicTask").objects.update_or_create(
        name=SWEEPER, defaults={"task": "directory.tasks.consultation_requests_purge", "crontab": daily}
    )


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Patient liaison").delete()
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEPER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_name_search_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(install, remove)]
