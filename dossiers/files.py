"""Checks on uploaded papers: type by content, size, and a safe display name."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from portal.errors import DomainError
from procedures.constants import FILE_TYPES

# Leading bytes of each accepted format. The name and the browser's Content-Type are ignored.
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
CHUNK = 64 * 1024


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    sha256: str
    filename: str


def sniff_type(head: bytes) -> str | None:
    """The accepted format whose signature starts ``head``, or None."""
    for extension, signatures in _SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return extension
    return None


def safe_filename(name: str, extension: str) -> str:
    """A display name with no path, no odd characters, and the extension of the real content."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    stem = get_valid_filename(os.path.splitext(base)[0] or "") if base else ""
    stem = stem.strip("._-")[:100] or "tai-lieu"
    return f"{stem}.{extension}"


def check_upload(upload, *, accepted: list[str], max_size_mb: int) -> CheckedFile:
    """Validate an uploaded file in chunks (memory stays flat); raise ``DomainError`` if refused."""
    size = upload.size or 0
    if size == 0:
        raise DomainError(_("The file is empty. Choose the file again."), code="empty_file")
    if size > max_size_mb * 1024 * 1024:
        raise DomainError(
            _("The file is %(size).1f MB; this paper accepts at most %(max)d MB.")
            % {"size": size / 1024 / 1024, "max": max_size_mb},
            code="file_too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    extension = sniff_type(head)
    if extension is None or extension not in accepted:
        raise DomainError(
            _("This file is not a %(types)s document. Scan or photograph the paper again.")
            % {"types": ", ".join(t.upper() for t in accepted)},
            code="file_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        extension=extension,
        content_type=FILE_TYPES[extension],
        size=size,
        sha256=digest.hexdigest(),
        filename=safe_filename(upload.name, extension),
    )
