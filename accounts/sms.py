"""Sending a text message (SMS): one function, a backend chosen by ``settings.SMS_BACKEND``.

The account pages send verification codes through ``send_sms``. The default backend prints the
message to the console (a laptop has no SMS gateway), like Django's console mail backend. The
notifications app will provide the real gateway backend; set ``SMS_BACKEND`` to its dotted path.
Tests use ``LocmemBackend`` and read ``accounts.sms.outbox``.

A backend is a class whose instances have ``send(phone: str, message: str) -> None``.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from accounts.phone import mask_phone

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "accounts.sms.ConsoleBackend"


@dataclass(frozen=True)
class Message:
    phone: str
    text: str


# Messages "sent" by LocmemBackend, oldest first (tests empty it).
outbox: list[Message] = []


def send_sms(phone: str, message: str) -> None:
    """Send ``message`` to ``phone`` (canonical ``+84…`` form) with the configured backend."""
    backend = import_string(getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND)()
    backend.send(phone, message)
    logger.info("SMS sent to %s by %s", mask_phone(phone), type(backend).__name__)


class ConsoleBackend:
    """Development: write the message to standard output (codes included)."""

    def send(self, phone: str, message: str) -> None:
        sys.stdout.write(f"----- SMS to {phone} -----\n{message}\n{'-' * 30}\n")
        sys.stdout.flush()


class LocmemBackend:
    """Tests: keep the message in ``accounts.sms.outbox``."""

    def send(self, phone: str, message: str) -> None:
        outbox.append(Message(phone=phone, text=message))
