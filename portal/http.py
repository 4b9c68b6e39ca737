"""Request and response helpers shared by the pages and the API: the client's address, the
public endpoints' rate limit, and private file responses."""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """``REMOTE_ADDR``: behind a proxy it must be the proxy's job to set it; a client-sent
    X-Forwarded-For would let anyone reset their own rate-limit counter."""
    return request.META.get("REMOTE_ADDR") or None


def lookup_rate() -> tuple[int, int]:
    """The public lookups' rate, shared with the API (``LOOKUP_THROTTLE_RATE``, "10/minute"):
    (requests, seconds)."""
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("lookup") or "10/minute"
    number, _sep, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period.strip()[:1].lower(), 60)
    return int(number), seconds


def over_rate(request, scope: str) -> int | None:
    """Count one request of ``scope`` for the client's address (fixed window); once over the
    lookup rate, the seconds to wait (for ``Retry-After``), else None."""
    limit, seconds = lookup_rate()
    key = f"{scope}-throttle:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return seconds if count > limit else None


def private_file_response(
    source, *, filename: str, content_type: str, inline: bool = False
) -> FileResponse:
    """A private file (a stored ``FieldFile`` or bytes): never cached, never sniffed into
    another type, sandboxed; 404 when the stored file is missing. ``inline`` shows it in the
    browser (only for types checked by content at upload)."""
    if isinstance(source, bytes):
        handle = io.BytesIO(source)
    else:
        try:
            handle = source.open("rb")
        except OSError:  # the row outlived its file: for the administrators to see
            logger.exception("Stored file %s is missing", source.name)
            raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if not (inline and content_type == "application/pdf"):
        # Not for PDFs shown inline: Chrome's and Safari's PDF viewers show a blank page in a
        # sandboxed document. A PDF's type is checked by content and ``nosniff`` keeps it one.
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
        )
    return response
