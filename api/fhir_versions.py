"""Versions of FHIR resources: meta.versionId and meta.lastUpdated, vread and _history.

A resource is built fresh from the directory on every request; its content hash is compared with the last version
served. A new version is recorded when the content differs or the rows it is made of record a later change, so
versionId and lastUpdated move together whenever the content changes, including changes no row's timestamp shows
(a credential passing its expiry date). One query reads the current versions of a whole page; one writes the new ones.
"""

import hashlib
import json
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from rest_framework.exceptions import NotFound

from .models import FhirResourceVersion


def content_hash(resource: dict) -> str:
    content = {key: value for key, value in resource.items() if key != "meta"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _key(resource: dict) -> tuple[str, str]:
    return resource["resourceType"], resource["id"]


def _current(keys: set[tuple[str, str]]) -> dict[tuple[str, str], FhirResourceVersion]:
    if not keys:
        return {}
    latest = FhirResourceVersion.objects.filter(
        resource_type=OuterRef("resource_type"), resource_id=OuterRef("resource_id")
    ).order_by("-version")
    wanted = Q()
    for resource_type in {rtype for rtype, _ in keys}:
        wanted |= Q(resource_type=resource_type, resource_id__in=[rid for rtype, rid in keys if rtype == resource_type])
    rows = FhirResourceVersion.objects.filter(wanted, version=Subquery(latest.values("version")[:1])).defer("body")
    return {(row.resource_type, row.resource_id): row for row in rows}


def _stamp(resource: dict, version: int, last_updated: datetime) -> dict:
    resource["meta"] = {"versionId": str(version), "lastUpdated": last_updated.isoformat(), **resource["meta"]}
    return resource


def versions_stamp(resources: list[tuple[dict, datetime | None]]) -> list[dict]:
    """Adds meta.versionId and meta.lastUpdated to each (resource, when its rows last changed), recording new
    versions; resources are changed in place and returned."""
    current = _current({_key(resource) for resource, _ in resources})
    now, new = timezone.now(), {}
    for resource, rows_changed in resources:
        key, digest = _key(resource), content_hash(resource)
        known = new.get(key) or current.get(key)
        if known and known.content_hash == digest and (rows_changed is None or rows_changed <= known.last_updated):
            _stamp(resource, known.version, known.last_updated)
            continue
        later = rows_changed if rows_changed and (not known or rows_changed > known.last_updated) else now
        version = FhirResourceVersion(
            resource_type=key[0],
            resource_id=key[1],
            version=known.version + 1 if known else 1,
            content_hash=digest,
            last_updated=later,
        )
        version.body = _stamp(resource, version.version, later)
        new[key] = version
    if new:  # two requests recording the same version at once: the first one stays
        FhirResourceVersion.objects.bulk_create(new.values(), ignore_conflicts=True)
    return [resource for resource, _ in resources]


def version_get(resource_type: str, resource_id: str, version: str) -> dict:
    row = FhirResourceVersion.objects.filter(
        resource_type=resource_type,
        resource_id=resource_id,
        version=int(version) if version.isdigit() and len(version) < 10 else -1,
    ).first()
    if row is None:
        raise NotFound(f"{resource_type}/{resource_id} has no version {version!r}.")
    return row.body


def versions_list(resource_type: str, resource_id: str, *, limit: int = 100) -> list[dict]:
    rows = FhirResourceVersion.objects.filter(resource_type=resource_type, resource_id=resource_id)
    return [row.body for row in rows.order_by("-version")[:limit]]
