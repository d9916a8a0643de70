"""The per-city pointer is named for what it is: CityRanking becomes CityListPointer (rows kept).

Its permissions keep their ids under the new codenames, so the groups that held them (Reviewer, Publisher) keep them.
"""

import django.db.models.deletion
from django.db import migrations, models


def _permissions_rename(apps, old: str, new: str, title: str) -> None:
    permission_model = apps.get_model("auth", "Permission")
    for permission in permission_model.objects.filter(
        content_type__app_label="verification", codename__endswith=f"_{old}"
    ):
        action = permission.codename.removesuffix(f"_{old}")
        renamed = permission_model.objects.filter(content_type=permission.content_type, codename=f"{action}_{new}")
        if existing := renamed.first():  # already made from the current models: it takes over the grants
            existing.group_set.add(*permission.group_set.all())
            existing.user_set.add(*permission.user_set.all())
            permission.delete()
        else:
            permission.codename, permission.name = f"{action}_{new}", f"Can {action} {title}"
            permission.save(update_fields=["codename", "name"])


def permissions_forward(apps, schema_editor):
    _permissions_rename(apps, "cityranking", "citylistpointer", "city list pointer")


def permissions_backward(apps, schema_editor):
    _permissions_rename(apps, "citylistpointer", "cityranking", "city ranking")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("verification", "0014_license_spelling"),
    ]

    operations = [
        migrations.RenameModel(old_name="CityRanking", new_name="CityListPointer"),
        migrations.AlterField(
            model_name="citylistpointer",
            name="city",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE, related_name="list_pointer", to="directory.city"
            ),
        ),
        migrations.RunPython(permissions_forward, permissions_backward),
    ]
