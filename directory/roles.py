"""The patient liaison role: sees and deletes consultation requests; installed by a data migration."""

PATIENT_LIAISON = "Patient liaison"
PATIENT_LIAISON_PERMISSIONS = ("see_consultationrequest", "delete_consultationrequest")


def patient_liaison_install(group_model, permission_model) -> None:
    group, _ = group_model.objects.get_or_create(name=PATIENT_LIAISON)
    group.permissions.set(
        permission_model.objects.filter(content_type__app_label="directory", codename__in=PATIENT_LIAISON_PERMISSIONS)
    )
