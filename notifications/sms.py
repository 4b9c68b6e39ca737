"""SMS gateway backends for ``accounts.sms.send_sms`` (``SMS_BACKEND`` names one).

``HttpBackend`` posts each message to an SMS brandname gateway configured by environment
variables (``SMS_GATEWAY_URL``, ``SMS_GATEWAY_TOKEN``, ``SMS_GATEWAY_SENDER``); it raises on any
answer but 2xx, so the outbox retries. ``LoggingBackend`` writes messages to the log (a laptop or
a staging server has no gateway). Gateways in Vietnam bill a Unicode SMS as a 70-character one,
so texts go without diacritics unless ``SMS_UNICODE`` is set.
"""

from __future__ import annotations

import json
import logging
import unicodedata
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.phone import mask_phone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not take the message (it may be tried again later)."""


def without_diacritics(text: str) -> str:
    """ "Hồ sơ đã được tiếp nhận" → "Ho so da duoc tiep nhan" (đ is mapped by hand: Unicode has
    no base letter for it)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sms_text(text: str) -> str:
    """The text as it is sent: without diacritics unless the gateway is paid for Unicode."""
    return text if settings.SMS_UNICODE else without_diacritics(text)


class HttpBackend:
    """POST ``{"to", "from", "text"}`` as JSON to ``SMS_GATEWAY_URL`` with a bearer token.

    The shape most Vietnamese brandname gateways accept through a small adapter; one of another
    shape subclasses this and overrides ``payload``."""

    def __init__(self) -> None:
        self.url = settings.SMS_GATEWAY_URL
        if not self.url:
            raise ImproperlyConfigured("Set SMS_GATEWAY_URL to use the HTTP SMS gateway.")
        self.token = settings.SMS_GATEWAY_TOKEN
        self.sender = settings.SMS_GATEWAY_SENDER
        self.timeout = settings.SMS_GATEWAY_TIMEOUT

    def payload(self, phone: str, message: str) -> dict:
        return {"to": phone, "from": self.sender, "text": message}

    def send(self, phone: str, message: str) -> None:
        body = json.dumps(self.payload(phone, message)).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:  # 3xx included: see _NoRedirects
            raise SmsError(f"SMS gateway answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"SMS gateway unreachable: {error}") from error
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered {status}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a redirect of the POST as a GET without the message, and a 200 from
    there would count as sent: a redirect is an error to retry (and to fix the URL)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx


_OPENER = urllib.request.build_opener(_NoRedirects)


class LoggingBackend:
    """Development and staging: log the message (the number masked) instead of sending it."""

    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), message)
