"""One spelling: the license check's stored key and evidence key move from "licence" to "license".

Fingerprints are recomputed from the renamed evidence, so a reviewer's decision is still carried by the next run
when nothing else changed.
"""

import hashlib
import json

from django.db import migrations

RENAMES = {"forward": ("licence_sanctions", "license_sanctions", "licences", "licenses"),
           "backward": ("license_sanctions", "licence_sanctions", "licenses", "licences")}


def _fingerprint(outcome, evidence):
    evidence = {k: v for k, v in evidence.items() if k != "decision_carried_from"}
    payload = f"[{json.dumps(outcome)}, {json.dumps(evidence, sort_keys=True)}]"
    return hashlib.sha256(payload.encode()).hexdigest()


def _rename(apps, direction):
    old_key, new_key, old_field, new_field = RENAMES[direction]
    CheckResult = apps.get_model("verification", "CheckResult")
    VerificationRun = apps.get_model("verification", "VerificationRun")
    HistoricalCheckResult = apps.get_model("verification", "HistoricalCheckResult")

    batch = []
    for result in CheckResult.objects.filter(check_key=old_key).iterator(chunk_size=2000):
        result.check_key = new_key
        if old_field in result.evidence:
            result.evidence[new_field] = result.evidence.pop(old_field)
            result.fingerprint = _fingerprint(result.outcome, result.evidence)
        batch.append(result)
        if len(batch) == 2000:
            CheckResult.objects.bulk_update(batch, ["check_key", "evidence", "fingerprint"])
            batch = []
    CheckResult.objects.bulk_update(batch, ["check_key", "evidence", "fingerprint"])
    HistoricalCheckResult.objects.filter(check_key=old_key).update(check_key=new_key)

    for run in VerificationRun.objects.all().only("checks", "counts"):
        checks = [new_key if key == old_key else key for key in run.checks]
        counts = {new_key if key == old_key else key: value for key, value in run.counts.items()}
        if checks != run.checks or counts != run.counts:
            run.checks, run.counts = checks, counts
            run.save(update_fields=["checks", "counts"])


def forward(apps, schema_editor):
    _rename(apps, "forward")


def backward(apps, schema_editor):
    _rename(apps, "backward")


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0013_public_notes_and_eligible_counts"),
    ]

    operations = [migrations.RunPython(forward, backward)]
