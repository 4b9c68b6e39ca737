"""Account forms that do not depend on allauth's forms: the phone field, the sign-up extras and
the profile form.

Do not import ``allauth.account.forms`` here: allauth builds its sign-up form on top of
``SignupExtraForm`` (``ACCOUNT_SIGNUP_FORM_CLASS``), so this module is imported while allauth's
forms module is still loading. The presentation of allauth's own forms is in
``accounts.allauth_forms``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.constants import Sex
from accounts.phone import format_phone, normalize_phone

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


def present(field: forms.Field, *, label=None, help_text=None, **attrs) -> forms.Field:
    """Give ``field`` our label, help and input attributes; no placeholder (the label is shown)."""
    if label is not None:
        field.label = label
    if help_text is not None:
        field.help_text = help_text
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update(attrs)
    return field


class PhoneNumberField(forms.CharField):
    """A Vietnamese mobile number, cleaned to the canonical ``+84…`` form (``accounts.phone``).

    The input opens the phone keypad (``type="tel"``, ``inputmode="tel"``) and lets the browser
    offer the person's own number (``autocomplete="tel"``).
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Phone number"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value


class SignupExtraForm(forms.Form):
    """What our sign-up adds to allauth's (web page and headless API alike).

    The full name is asked for, and a phone number or an email is required: at least one of
    the two, since people without email must be able to sign up with their phone.
    """

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_("As written on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean(self):
        cleaned_data = super().clean()
        has_phone = bool(cleaned_data.get("phone")) or "phone" in self.errors
        has_email = bool(cleaned_data.get("email")) or "email" in self.errors
        if not has_phone and not has_email:
            target = "phone" if "phone" in self.fields else None
            self.add_error(target, _("Enter your phone number or your email (at least one)."))
        return cleaned_data

    def signup(self, request, user) -> None:
        """Nothing to do: ``AccountAdapter.save_user`` stores the full name."""


class ProfileForm(forms.Form):
    """The profile page: formats only; the rules are in ``accounts.services.profile_update``."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_("As written on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("CCCD number"),
        max_length=20,
        required=False,
        help_text=_("The 12 digits on your citizen ID card (CCCD)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("Day/month/year, e.g. 25/12/1960."),
        error_messages={"invalid": _("Enter a date as day/month/year, e.g. 25/12/1960.")},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "bday"}),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("Not given")), *Sex.choices],
        help_text=_("As written on your ID card."),
    )
    phone = forms.CharField(  # checked and normalised by the service, with the other rules
        label=_("Phone number"),
        max_length=30,
        required=False,
        help_text=_("A mobile number. We send codes to it by SMS."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("Where you live: house number, street, ward or commune, province."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    @classmethod
    def initial_for(cls, user) -> dict:
        """The form's first values: what is stored, the phone as people write it."""
        initial = {name: getattr(user, name) or "" for name in cls.base_fields}
        initial["phone"] = format_phone(user.phone)
        return initial
