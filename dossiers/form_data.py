"""Validation of what a citizen typed against the procedure version's form fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.identity import cccd_errors
from procedures.constants import FieldType

PHONE = re.compile(r"^(0|\+84)\d{9,10}$")
MAX_TEXT = 1000


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _clean(field: dict, value: Any) -> Any:
    """The cleaned value of one filled field; raises ValueError with a message for the citizen."""
    kind = field["field_type"]
    if kind == FieldType.CHECKBOX:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "on", "yes"}:
            return True
        if text in {"false", "0", "off", "no"}:
            return False
        raise ValueError(_("Tick the box or leave it empty."))
    text = str(value).strip()
    if kind == FieldType.NUMBER:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(_("Enter a number, using digits only.")) from None
        return int(number) if number.is_integer() else number
    if kind == FieldType.DATE:
        try:
            return _parse_date(text).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as day/month/year, e.g. 25/12/2024.")) from None
    if kind == FieldType.CHOICE:
        if text not in field.get("choices", []):
            raise ValueError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(field.get("choices", []))}
            )
        return text
    if kind == FieldType.CCCD:
        errors = cccd_errors(text)
        if errors:
            raise ValueError(" ".join(errors))
        return text
    if kind == FieldType.PHONE:
        compact = re.sub(r"[\s.\-]", "", text)
        if not PHONE.match(compact):
            raise ValueError(_("Enter a Vietnamese phone number, e.g. 0912345678."))
        return compact
    if kind == FieldType.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(_("Enter an email address such as ten@example.vn.")) from None
        return text.lower()
    if len(text) > MAX_TEXT:
        raise ValueError(_("Keep this under %(n)d characters.") % {"n": MAX_TEXT})
    return text


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_form_data(
    fields: list[dict], data: dict, *, require_all: bool = True
) -> tuple[dict, dict[str, list[str]]]:
    """Check ``data`` against a version's form ``fields`` (as in its snapshot).

    Returns the cleaned data and per-field error messages. With ``require_all=False`` (a draft
    being saved) missing required fields are not errors yet; a wrong value always is. Keys the
    form does not have are errors: the API says so instead of silently dropping them.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    known = {f["key"] for f in fields}
    for key in data:
        if key not in known:
            errors[key] = [_("This form has no such field.")]
    for field in fields:
        key = field["key"]
        value = data.get(key)
        if _is_empty(value) or (field["field_type"] == FieldType.CHECKBOX and value is False):
            if field["required"] and require_all:
                errors[key] = [
                    _("Tick this box to continue.")
                    if field["field_type"] == FieldType.CHECKBOX
                    else _("Fill in “%(label)s”.") % {"label": field["label"]}
                ]
            if field["field_type"] == FieldType.CHECKBOX and value is False:
                cleaned[key] = False
            continue
        try:
            cleaned[key] = _clean(field, value)
        except ValueError as error:
            errors[key] = [str(error)]
    return cleaned, errors
