"""Vietnamese mobile numbers: one canonical form, so one person cannot register twice.

The canonical form is E.164, ``+84`` and the nine digits after the leading 0:
``0912 345 678``, ``0912.345.678``, ``84912345678``, ``+84 912 345 678`` and ``0084912345678``
are all stored as ``+84912345678``. E.164 is what allauth's headless API expects for phone
log-in and what SMS gateways send to. Pages show the national form, ``0912 345 678``.

Only mobile numbers are accepted (they start 03, 05, 07, 08 or 09 since the 2018 renumbering):
an account's phone receives the SMS codes, and a landline cannot.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

COUNTRY_CODE = "84"
# The nine digits after the trunk 0 of a mobile number.
_MOBILE = re.compile(r"^[35789]\d{8}$")
# What people type between digits: spaces (also non-breaking), dots, dashes, brackets.
_SEPARATORS = re.compile(r"[\s.\-()\u00a0]")

INVALID_PHONE = _("Enter a Vietnamese mobile number of 10 digits, e.g. 0912 345 678.")


def normalize_phone(raw: str) -> str:
    """The canonical ``+84…`` form of a Vietnamese mobile number; ``ValidationError`` if not one."""
    text = _SEPARATORS.sub("", str(raw or ""))
    if text.startswith("+"):
        text = text[1:]
        if not text.startswith(COUNTRY_CODE):
            raise ValidationError(INVALID_PHONE, code="invalid_phone")
        national = text[len(COUNTRY_CODE) :]
    elif text.startswith("00" + COUNTRY_CODE):
        national = text[2 + len(COUNTRY_CODE) :]
    elif text.startswith("0"):
        national = text[1:]
    elif text.startswith(COUNTRY_CODE) and len(text) == len(COUNTRY_CODE) + 9:
        national = text[len(COUNTRY_CODE) :]
    else:
        national = text
    if national.startswith("0"):  # "+84 0912…": the trunk 0 typed after the country code
        national = national[1:]
    if not _MOBILE.match(national):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return f"+{COUNTRY_CODE}{national}"


def try_normalize_phone(raw: str) -> str | None:
    """``normalize_phone`` or ``None`` for something that is not a Vietnamese mobile number."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


def format_phone(phone: str | None) -> str:
    """The national form people read and dial: ``+84912345678`` → ``0912 345 678``."""
    if not phone:
        return ""
    if phone.startswith("+" + COUNTRY_CODE) and len(phone) == 12:
        national = "0" + phone[3:]
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return phone


def mask_phone(phone: str) -> str:
    """For logs: ``+84912345678`` → ``+84*****5678``."""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "***"
