from django.db import migrations


def install(apps, schema_editor):
    from verification.schedules import schedules_install

    schedules_install(apps.get_model("django_celery_beat", "CrontabSchedule"),
                      apps.get_model("django_celery_beat", "PeriodicTask"))


def remove(apps, schema_editor):
    from verification.schedules import schedules

    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[entry["name"] for entry in schedules()]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
