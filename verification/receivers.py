"""Eligibility events from edits of the directory: a saved or deleted record re-verifies its surgeon; a listed
surgeon's changed card renders their lists again.

Model signals, not admin hooks, so every path that saves a record (admin, shell, an importer saving one row) is
covered. Bulk writers send no signals and call `events.surgeons_changed` themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from directory.models import (
    BoardCertification,
    DEARegistration,
    DisciplinaryAction,
    EvidenceDocument,
    MalpracticePolicy,
    PracticeLocation,
    StateControlledSubstanceRegistration,
    StateLicense,
    Surgeon,
)

from .events import surgeons_changed
from .rendering import published_renders_refresh

# Procedure volumes and satisfaction scores come in bulk from importers, which record one event per import.
CREDENTIALS = (
    StateLicense,
    BoardCertification,
    DEARegistration,
    StateControlledSubstanceRegistration,
    MalpracticePolicy,
)
# Surgeon fields whose change alters eligibility: through the checks (names and birth date match exclusion
# rows; training sets experience) or through the directory itself (withdrawn, NPI deactivated).
RECHECKED_FIELDS = ("first_name", "last_name", "date_of_birth", "training_completed_on")
STATUS_FIELDS = ("is_active", "npi_deactivated_on")


def _cause(instance, created: bool | None = None) -> str:
    action = "deleted" if created is None else ("added" if created else "changed")
    return f"{instance._meta.verbose_name} {action}"


def credential_changed(sender, instance, created=None, raw=False, **kwargs):
    if not raw:
        surgeons_changed(surgeon_ids=[instance.surgeon_id], cause=_cause(instance, created))


for _model in CREDENTIALS:
    post_save.connect(credential_changed, sender=_model, dispatch_uid=f"eligibility-save-{_model.__name__}")
    post_delete.connect(credential_changed, sender=_model, dispatch_uid=f"eligibility-delete-{_model.__name__}")


@receiver([post_save, post_delete], sender=DisciplinaryAction)
def disciplinary_action_changed(sender, instance, created=None, raw=False, **kwargs):
    if not raw:
        surgeon_id = StateLicense.objects.filter(id=instance.license_id).values_list("surgeon_id", flat=True).first()
        if surgeon_id:
            surgeons_changed(surgeon_ids=[surgeon_id], cause=_cause(instance, created))


EVIDENCE_RECORDS = ("license", "board_certification", "dea_registration", "csr_registration", "malpractice_policy")


@receiver(post_save, sender=EvidenceDocument)
def evidence_uploaded(sender, instance, created, raw=False, **kwargs):
    """New evidence on file: the record it proves is checked again."""
    record = next((getattr(instance, name) for name in EVIDENCE_RECORDS if getattr(instance, f"{name}_id")), None)
    if created and not raw and record is not None:
        surgeons_changed(surgeon_ids=[record.surgeon_id], cause="evidence uploaded")


@receiver(pre_save, sender=PracticeLocation)
def _remember_city(sender, instance, raw=False, **kwargs):
    instance._city_before = (
        None
        if raw or instance.pk is None
        else sender.objects.filter(pk=instance.pk).values_list("city_id", flat=True).first()
    )


@receiver(post_save, sender=PracticeLocation)
def location_saved(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_city_before", None)
    if not raw and (created or before != instance.city_id):
        # A new practice state changes the license check; the city left behind is republished too.
        cities = [c for c in (before, instance.city_id) if c]
        surgeons_changed(surgeon_ids=[instance.surgeon_id], cause=_cause(instance, created), city_ids=cities)


@receiver(post_delete, sender=PracticeLocation)
def location_removed(sender, instance, **kwargs):
    surgeons_changed(surgeon_ids=[instance.surgeon_id], cause="practice location removed", city_ids=[instance.city_id])


@receiver(pre_save, sender=Surgeon)
def _remember_surgeon(sender, instance, raw=False, **kwargs):
    fields = (*RECHECKED_FIELDS, *STATUS_FIELDS)
    stored = None if raw or instance.pk is None else sender.objects.filter(pk=instance.pk).values(*fields).first()
    instance._changed_fields = {f for f in fields if stored is not None and stored[f] != getattr(instance, f)}


@receiver(post_save, sender=Surgeon)
def surgeon_saved(sender, instance, created, raw=False, **kwargs):
    changed = getattr(instance, "_changed_fields", set())
    if raw or created or not changed:
        return
    recheck = bool(changed & set(RECHECKED_FIELDS))
    surgeons_changed(surgeon_ids=[instance.pk], cause=f"surgeon {', '.join(sorted(changed))} changed", recheck=recheck)


@receiver(post_save, sender=Surgeon, dispatch_uid="list-card-surgeon")
@receiver([post_save, post_delete], sender=PracticeLocation, dispatch_uid="list-card-location")
def list_card_changed(sender, instance, raw=False, **kwargs):
    """A listed surgeon's card (name, photo, accepting patients, the practice and its phone) is rendered again."""
    if not raw:
        surgeon_id = instance.pk if sender is Surgeon else instance.surgeon_id
        published_renders_refresh(surgeon_ids=[surgeon_id])
