import api.models
from django.db import migrations, models


def secrets_fill(apps, schema_editor):
    # A partner without a secret would get deliveries signed with an empty key; rotate in the admin to see it.
    Partner = apps.get_model("api", "Partner")
    for partner in Partner.objects.filter(webhook_secret=""):
        partner.webhook_secret = api.models.webhook_secret_new()
        partner.save(update_fields=["webhook_secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_webhook_sweeper_schedule"),
    ]

    operations = [
        migrations.AlterField(
            model_name="partner",
            name="webhook_secret",
            field=models.CharField(
                default=api.models.webhook_secret_new,
                editable=False,
                help_text="Shared secret for HMAC-SHA256",
                max_length=128,
            ),
        ),
        migrations.RunPython(secrets_fill, migrations.RunPython.noop),
    ]
