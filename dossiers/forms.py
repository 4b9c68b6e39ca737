"""Forms of the citizen's dossier pages.

The procedure's own form is built at run time from the version snapshot (``form_fields``). Its
Django fields only *carry* what was typed: every value is kept as typed so a draft can be saved
even when a value is wrong; ``dossiers.form_data.validate_form_data`` (called by the services)
is the one judge of what is valid, and its messages are attached to the fields here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from dossiers.constants import Delivery
from procedures.constants import FieldType

# Choice fields with at most this many options are radio buttons (all visible, one tap);
# longer lists become a drop-down.
RADIO_MAX = 4

# --- Pre-filling from the profile -----------------------------------------------------------
#
# A field is filled from the profile only when its key names the applicant: the bare key
# ("ho_ten", "cccd", "dia_chi", "noi_cu_tru") or the key followed by a suffix that means "the
# person filing" ("ho_ten_nguoi_yeu_cau", "cccd_nguoi_di_khai"). A key naming someone else —
# "ho_ten_tre" (the child), "cccd_me" (the mother), "noi_cu_tru_vo" (the bride) — is left
# empty: a wrong pre-filled value is worse than an empty box. Phone and email fields are always
# contact details of the person filing, so they are filled whatever their key.
APPLICANT_SUFFIXES = {"", "nguoi_yeu_cau", "nguoi_di_khai", "nguoi_di_dang_ky", "nguoi_nop"}
NAME_PREFIXES = ("ho_ten", "ten")
ID_PREFIXES = ("cccd", "so_dinh_danh", "so_cccd")
ADDRESS_PREFIXES = ("dia_chi", "noi_cu_tru", "dia_chi_thuong_tru", "dia_chi_lien_he")


def _names_applicant(key: str, prefixes: tuple[str, ...]) -> bool:
    for prefix in prefixes:
        if key == prefix:
            return True
        if key.startswith(prefix + "_") and key[len(prefix) + 1 :] in APPLICANT_SUFFIXES:
            return True
    return False


def prefill_from_profile(fields: list[dict], user) -> dict[str, str]:
    """Initial form values taken from the user's profile (see the rules above)."""
    data: dict[str, str] = {}
    for field in fields:
        key, kind = field["key"], field["field_type"]
        value = ""
        if kind == FieldType.CCCD and _names_applicant(key, ID_PREFIXES):
            value = user.id_number or ""
        elif kind == FieldType.PHONE:
            value = user.phone or ""
        elif kind == FieldType.EMAIL:
            value = user.email or ""
        elif kind == FieldType.TEXT and _names_applicant(key, NAME_PREFIXES):
            value = user.full_name or ""
        elif kind in (FieldType.ADDRESS, FieldType.TEXT) and _names_applicant(
            key, ADDRESS_PREFIXES
        ):
            value = user.address or ""
        if value:
            data[key] = value
    return data


# --- The procedure's own form ---------------------------------------------------------------


def _text(attrs: dict | None = None) -> forms.TextInput:
    return forms.TextInput(attrs=attrs or {})


def _field_for(spec: dict) -> forms.Field:
    """A Django field carrying one form field of the snapshot, with a phone-friendly widget."""
    kind = spec["field_type"]
    common = {"label": spec["label"], "required": False, "help_text": spec.get("help_text", "")}
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if kind == FieldType.CHOICE:
        # A CharField with a choice widget: the services judge the value, not Django.
        options = [(c, c) for c in spec.get("choices", [])]
        if len(options) <= RADIO_MAX:
            return forms.CharField(widget=forms.RadioSelect(choices=options), **common)
        return forms.CharField(
            widget=forms.Select(choices=[("", _("— Choose —")), *options]), **common
        )
    if kind == FieldType.NUMBER:
        # A text box with the numeric keyboard, not <input type=number>: a number input drops
        # what it cannot parse ("1,5" in some browsers), and nothing typed may be lost.
        widget = _text({"inputmode": "decimal"})
    elif kind == FieldType.DATE:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    elif kind == FieldType.CCCD:
        widget = _text(
            {
                "inputmode": "numeric",
                "maxlength": "12",
                "pattern": "[0-9]{12}",
                "autocomplete": "off",
                "class": "input-short",
            }
        )
    elif kind == FieldType.PHONE:
        widget = forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "input-short"}
        )
    elif kind == FieldType.EMAIL:
        widget = forms.EmailInput(attrs={"autocomplete": "email"})
    elif kind == FieldType.ADDRESS:
        widget = forms.Textarea(attrs={"rows": 2})
    else:
        widget = _text()
    return forms.CharField(widget=widget, strip=False, **common)


def _date_text(value: Any) -> Any:
    """A stored date as YYYY-MM-DD for <input type=date>; other text as it is."""
    if isinstance(value, str):
        try:
            return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date().isoformat()
        except ValueError:
            return value
    return value


class DossierInfoForm(forms.Form):
    """Step 1: the procedure's own fields, then how the result is delivered.

    ``field_specs`` are the version snapshot's ``form_fields``. Nothing is required at this
    level: the page saves whatever was typed and shows the services' messages next to each field
    (``add_service_errors``).
    """

    delivery = forms.CharField(
        label=_("How do you want to receive the result?"),
        widget=forms.RadioSelect(choices=Delivery.choices),
        required=False,
    )
    postal_address = forms.CharField(
        label=_("Address for the post office"),
        help_text=_("Only if you chose “By post”: house number, street, ward, city."),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        required=False,
        max_length=500,
    )

    def __init__(self, *args, field_specs: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.field_specs = field_specs
        delivery, postal = self.fields.pop("delivery"), self.fields.pop("postal_address")
        for spec in field_specs:
            field = _field_for(spec)
            field.spec = spec
            field.optional = not spec["required"]  # templates mark optional fields
            self.fields[spec["key"]] = field
        self.fields["delivery"] = delivery
        self.fields["postal_address"] = postal

    @classmethod
    def from_dossier(cls, dossier, *, default_postal: str = "") -> DossierInfoForm:
        """A form bound to what the dossier holds, so saved errors can be shown next to fields."""
        specs = dossier.version.snapshot["form_fields"]
        data: dict[str, Any] = {}
        for spec in specs:
            value = dossier.form_data.get(spec["key"])
            if spec["field_type"] == FieldType.CHECKBOX:
                if value is True or str(value).lower() in {"true", "1", "on", "yes"}:
                    data[spec["key"]] = "on"
            elif value is not None:
                value = _date_text(value) if spec["field_type"] == FieldType.DATE else value
                data[spec["key"]] = str(value)
        data["delivery"] = dossier.delivery
        data["postal_address"] = dossier.postal_address or default_postal
        return cls(data, field_specs=specs)

    # The procedure's fields, for templates that show them apart from the delivery choice.
    def procedure_fields(self):
        return [self[spec["key"]] for spec in self.field_specs]

    def typed_form_data(self) -> dict[str, Any]:
        """What was typed, key by key, exactly as sent (an unticked box is False)."""
        data: dict[str, Any] = {}
        for spec in self.field_specs:
            key = spec["key"]
            if spec["field_type"] == FieldType.CHECKBOX:
                data[key] = self[key].value() in (True, "on", "true", "1", "True")
            else:
                value = self.data.get(self.add_prefix(key), "")
                data[key] = value.strip() if isinstance(value, str) else value
        return data

    def typed_delivery(self) -> tuple[str, str]:
        return (
            self.data.get(self.add_prefix("delivery"), "") or Delivery.ONLINE,
            (self.data.get(self.add_prefix("postal_address"), "") or "").strip(),
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Show the services' per-field messages next to the fields they concern."""
        if not hasattr(self, "cleaned_data"):
            self.full_clean()
        for key, messages in errors.items():
            target = key if key in self.fields else None
            for message in messages:
                if target and message not in self.errors.get(target, []):
                    self.add_error(target, message)
                elif target is None:
                    self.add_error(None, message)


class DeclarationForm(forms.Form):
    """Step 4: the applicant declares the information is true before submitting."""

    declaration = forms.BooleanField(
        label=_("I declare that the information I gave is true and the papers are genuine."),
        error_messages={"required": _("Tick the box to declare the information is true.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw this dossier?"),
        help_text=_("A short sentence is enough, e.g. “I filed it by mistake”."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why you withdraw the dossier.")},
    )


class LookupForm(forms.Form):
    """Public lookup: the code printed on the receipt and the applicant's CCCD."""

    code = forms.CharField(
        label=_("Dossier code"),
        help_text=_("As printed on your receipt, e.g. 000.21.30.H57-250915-0007."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the dossier code.")},
    )
    id_number = forms.CharField(
        label=_("CCCD number of the applicant"),
        help_text=_("12 digits, as on the citizen ID card."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]{12}",
                "maxlength": "12",
                "autocomplete": "off",
                "class": "input-short",
            }
        ),
        error_messages={"required": _("Enter the 12-digit CCCD number.")},
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_id_number(self) -> str:
        number = "".join(self.cleaned_data["id_number"].split())
        if len(number) != 12 or not number.isdigit():
            raise forms.ValidationError(_("A CCCD number has exactly 12 digits."))
        return number


class VerifyForm(forms.Form):
    """Public verification: a document code, or a PDF someone was given, or both."""

    code = forms.CharField(
        label=_("Document code"),
        help_text=_("As printed beside the QR code, e.g. 000.21.30.H57-250915-0007-KQ1."),
        max_length=60,
        required=False,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z.\-]+$",
                _("A document code has only digits, letters, dots and dashes. Check it."),
            )
        ],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    file = forms.FileField(
        label=_("The PDF file you were given"),
        help_text=_("At most 20 MB. The file is checked and then forgotten: it is not kept."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean(self):
        data = super().clean()
        nothing = not data.get("code") and not data.get("file")
        if nothing and not self.errors:  # a wrong code already says what to do
            raise forms.ValidationError(_("Enter the document code or choose the PDF file."))
        return data
