"""Evidence uploads: the type is decided by the file's first bytes, not its name, and the size is capped."""

import hashlib
import math

from django.conf import settings
from django.core.exceptions import ValidationError

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_content_type(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


def size_text(size: int, *, round_up: bool) -> str:
    """ "10 MB", "10.5 MB", "900 KB": at most one decimal, rounded up for a file and down for a limit, so a file
    over the limit never reads as the same size as the limit."""
    for unit, name in ((1_048_576, "MB"), (1024, "KB")):
        if size >= unit:
            tenths = (math.ceil if round_up else math.floor)(size * 10 / unit)
            return f"{tenths // 10 if tenths % 10 == 0 else tenths / 10} {name}"
    return f"{size} bytes"


def evidence_file_inspect(upload) -> dict:
    """Content type, size and hash of an upload, or a ValidationError saying what is wrong."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {size_text(upload.size, round_up=True)}; the limit is {size_text(limit, round_up=False)}.",
            code="too_big",
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
