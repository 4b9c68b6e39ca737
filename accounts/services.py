"""Writes to accounts. The profile page and ``PATCH /api/v1/me/`` both call ``profile_update``."""

from __future__ import annotations

import datetime as dt
import enum
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Sex
from accounts.identity import cccd_errors
from accounts.models import User
from accounts.phone import normalize_phone
from portal.errors import DomainError


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # "leave this field as it is" (a PATCH sends only what changes)

PROFILE_FIELDS = ("full_name", "id_number", "birth_date", "sex", "phone", "address")
_CCCD_SEPARATORS = re.compile(r"[\s.\-]")
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _words(value: str | None) -> str:
    return " ".join((value or "").split())


def profile_update(
    *,
    user: User,
    full_name: str | _Keep = KEEP,
    id_number: str | None | _Keep = KEEP,
    birth_date: dt.date | None | _Keep = KEEP,
    sex: str | _Keep = KEEP,
    phone: str | None | _Keep = KEEP,
    address: str | _Keep = KEEP,
) -> User:
    """Change the person's own profile; fields left at ``KEEP`` are not touched.

    Rules: the CCCD is 12 digits with a real province code and agrees with the date of birth
    and sex (``cccd_errors``); one account per CCCD, and per phone number (stored as
    ``+84…``); the date of birth is not in the future. A new phone number is unconfirmed until
    the person types the code sent to it (asked at the next log-in, or from the profile page).
    Raises ``DomainError`` with a message per field; nothing is saved then.
    """
    errors: dict[str, list[str]] = {}
    changes: dict[str, object] = {}

    if full_name is not KEEP:
        changes["full_name"] = _words(full_name)
        if len(changes["full_name"]) > 150:
            errors["full_name"] = [_("Keep the name under 150 characters.")]
    if id_number is not KEEP:
        changes["id_number"] = _CCCD_SEPARATORS.sub("", id_number or "") or None
    if birth_date is not KEEP:
        changes["birth_date"] = birth_date
        if birth_date and birth_date > timezone.localdate():
            errors["birth_date"] = [_("The date of birth cannot be in the future.")]
        elif birth_date and birth_date < _EARLIEST_BIRTH:
            errors["birth_date"] = [_("Check the year of birth.")]
    if sex is not KEEP:
        changes["sex"] = sex or ""
        if changes["sex"] not in ("", *Sex.values):
            errors["sex"] = [_("Choose male or female, or leave it empty.")]
    if phone is not KEEP:
        changes["phone"] = None
        if _words(phone):
            try:
                changes["phone"] = normalize_phone(phone)
            except ValidationError as error:
                errors["phone"] = list(error.messages)
    if address is not KEEP:
        changes["address"] = _words(address)
        if len(changes["address"]) > 300:
            errors["address"] = [_("Keep the address under 300 characters.")]

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        merged = {name: changes.get(name, getattr(locked, name)) for name in PROFILE_FIELDS}
        others = User.objects.exclude(pk=locked.pk)

        number = merged["id_number"]
        identity_changed = bool(changes.keys() & {"id_number", "birth_date", "sex"})
        if number and identity_changed and "id_number" not in errors:
            problems = cccd_errors(
                number,
                birth_date=None if "birth_date" in errors else merged["birth_date"],
                sex=merged["sex"] or None,
            )
            if problems:
                errors["id_number"] = problems
            elif number != locked.id_number and others.filter(id_number=number).exists():
                errors["id_number"] = [_id_taken()]
        new_phone = merged["phone"]
        if (
            new_phone
            and new_phone != locked.phone
            and "phone" not in errors
            and others.filter(phone=new_phone).exists()
        ):
            errors["phone"] = [_phone_taken()]
        if errors:
            raise DomainError(
                _("Some details are not right. Correct them and try again."), fields=errors
            )

        if "phone" in changes and changes["phone"] != locked.phone:
            changes["phone_verified"] = False
        for name, value in changes.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save(update_fields=list(changes))
        except IntegrityError:
            # Another account took the number between the check and the save.
            fields: dict[str, list[str]] = {}
            if locked.id_number and others.filter(id_number=locked.id_number).exists():
                fields["id_number"] = [_id_taken()]
            if locked.phone and others.filter(phone=locked.phone).exists():
                fields["phone"] = [_phone_taken()]
            if not fields:
                raise
            raise DomainError(
                _("Some details are not right. Correct them and try again."), fields=fields
            ) from None

    for name, value in changes.items():
        setattr(user, name, value)
    return locked


def _id_taken() -> str:
    return _(
        "Another account already uses this CCCD number. One person has one account: log in "
        "with that account, or ask the help desk if the number is yours."
    )


def _phone_taken() -> str:
    return _("Another account already uses this phone number.")


def citizen_for_counter(
    *, full_name: str, id_number: str, phone: str = "", email: str = ""
) -> tuple[User, bool]:
    """The citizen an officer files for at the counter, found by CCCD or created (no password:
    the person sets one later through "forgot password" with the email or phone given here).

    Returns ``(user, created)``. Raises ``DomainError`` with a message per field for an invalid
    CCCD, phone or email, a phone or email of another account, or a staff account's CCCD.
    """
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}
    number = _CCCD_SEPARATORS.sub("", id_number or "")
    name = _words(full_name)
    problems = cccd_errors(number) if number else [_("Enter the 12-digit CCCD number.")]
    if problems:
        errors["id_number"] = problems
    existing = User.objects.filter(id_number=number).first() if not problems else None
    if existing is not None:
        if existing.role != "citizen":
            errors["id_number"] = [_("This CCCD belongs to a staff account.")]
        if errors:
            raise DomainError(_("Check the applicant's details."), fields=errors)
        return existing, False
    if not name:
        errors["full_name"] = [_("Enter the applicant's full name as on the CCCD.")]
    canonical_phone = None
    if _words(phone):
        try:
            canonical_phone = normalize_phone(phone)
        except ValidationError as error:
            errors["phone"] = list(error.messages)
        else:
            if User.objects.filter(phone=canonical_phone).exists():
                errors["phone"] = [_phone_taken()]
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address, or leave it empty.")]
        else:
            if User.objects.filter(email=email).exists():
                errors["email"] = [_("Another account already uses this email address.")]
    if errors:
        raise DomainError(_("Check the applicant's details."), fields=errors)
    user = User(full_name=name[:150], id_number=number, phone=canonical_phone, email=email)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same person registered meanwhile
        raise DomainError(
            _("This person's account was created a moment ago; send the form again."),
            code="conflict",
            status=409,
        ) from None
    return user, True
