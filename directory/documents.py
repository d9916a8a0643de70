"""Evidence uploads: the type is decided by the file's first bytes, not its name, and the size is capped."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_content_type(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


def evidence_file_inspect(upload) -> dict:
    """Content type, size and hash of an upload, or a ValidationError saying what is wrong."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.", code="too_big"
        )
    upload.seek(0)
    head = upload.read(16)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(
            "Only PDF, PNG or JPEG files are accepted (checked by content, not by name).", code="bad_type"
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"content_type": content_type, "size": upload.size, "sha256": digest.hexdigest()}
