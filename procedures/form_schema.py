"""The procedure's own form as JSON Schema, and the checks that keep a form definition sound."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from procedures.constants import FieldType

CCCD_PATTERN = r"^\d{12}$"
PHONE_PATTERN = r"^(0|\+84)\d{9,10}$"


def field_schema(*, field_type: str, label: str, help_text: str, choices: list[str]) -> dict:
    """JSON Schema of one form field."""
    schema: dict[str, Any] = {"title": label}
    if help_text:
        schema["description"] = help_text
    if field_type == FieldType.NUMBER:
        schema["type"] = "number"
    elif field_type == FieldType.CHECKBOX:
        schema["type"] = "boolean"
    elif field_type == FieldType.DATE:
        schema.update(type="string", format="date")
    elif field_type == FieldType.CHOICE:
        schema.update(type="string", enum=choices)
    elif field_type == FieldType.CCCD:
        schema.update(type="string", pattern=CCCD_PATTERN)
    elif field_type == FieldType.PHONE:
        schema.update(type="string", pattern=PHONE_PATTERN)
    elif field_type == FieldType.EMAIL:
        schema.update(type="string", format="email", maxLength=254)
    else:  # text, address
        schema.update(type="string", minLength=1, maxLength=1000)
    schema["x-field-type"] = field_type
    return schema


def form_schema(fields: Iterable[dict]) -> dict:
    """JSON Schema (draft 2020-12) of a form given its fields as dicts, in display order.

    Each dict has ``key, label, field_type, required, choices (list), help_text``.
    """
    properties: dict[str, dict] = {}
    required: list[str] = []
    for field in fields:
        properties[field["key"]] = field_schema(
            field_type=field["field_type"],
            label=field["label"],
            help_text=field.get("help_text", ""),
            choices=field.get("choices", []),
        )
        if field["required"]:
            required.append(field["key"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def form_definition_errors(fields: Iterable[dict]) -> list[str]:
    """Every reason a form definition is malformed, in plain words; empty when it is sound."""
    errors: list[str] = []
    seen: set[str] = set()
    valid_types = set(FieldType.values)
    for field in fields:
        key = field.get("key", "")
        if key in seen:
            errors.append(
                _("The key “%(key)s” is used by two fields; keys must differ.") % {"key": key}
            )
        seen.add(key)
        if field.get("field_type") not in valid_types:
            errors.append(_("Field “%(key)s” has an unknown type.") % {"key": key})
        choices = field.get("choices") or []
        if field.get("field_type") == FieldType.CHOICE:
            if len(choices) < 2:
                errors.append(
                    _("Choice field “%(key)s” needs at least two options, one per line.")
                    % {"key": key}
                )
            elif len(set(choices)) != len(choices):
                errors.append(_("Choice field “%(key)s” lists an option twice.") % {"key": key})
        elif choices:
            errors.append(
                _(
                    "Field “%(key)s” has options but is not a choice field: "
                    "clear them or change the type."
                )
                % {"key": key}
            )
    return errors
