"""allauth adapters: phone numbers on ``User.phone``, SMS codes, accounts without email, VNeID.

Phone numbers are stored in the canonical ``+84…`` form (``accounts.phone``), so
``0912 345 678`` and ``+84912345678`` are one number, whatever the person typed.
"""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import PhoneNumberField
from accounts.models import User, is_placeholder_email
from accounts.phone import normalize_phone, try_normalize_phone
from accounts.sms import send_sms

logger = logging.getLogger(__name__)

_WRONG_LOGIN = _(
    "The phone number or email, or the password, is not right. Check them and try again."
)


class AccountAdapter(DefaultAccountAdapter):
    """Email or phone log-in for the portal's ``User``."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is switched off. Contact the help desk."),
        "email_password_mismatch": _WRONG_LOGIN,
        "phone_password_mismatch": _WRONG_LOGIN,
        "username_password_mismatch": _WRONG_LOGIN,
        "email_taken": _("This email is already used by another account."),
        "phone_taken": _("This phone number is already used by another account."),
        "incorrect_code": _("That code is not right. Check the message and try again."),
        "invalid_login": _("Enter your phone number or your email."),
        "invalid_password_reset": _("This link no longer works. Ask for a new one."),
        "too_many_login_attempts": _("Too many tries. Wait a few minutes and try again."),
        "rate_limited": _("Please wait a moment before trying again."),
        "same_as_current": _("This is already your number."),
    }

    # --- Phone numbers -------------------------------------------------------------------
    def phone_form_field(self, **kwargs) -> PhoneNumberField:
        return PhoneNumberField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return normalize_phone(phone)

    def get_phone(self, user) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = normalize_phone(phone)
        user.phone_verified = verified
        if user.pk:  # at sign-up the user is saved by save_user, after this
            user.save(update_fields=["phone", "phone_verified"])

    def set_phone_verified(self, user, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str) -> User | None:
        canonical = try_normalize_phone(phone)
        if canonical is None:
            return None
        return User.objects.filter(phone=canonical).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        send_sms(
            phone,
            gettext("Public Service Portal: your code is %(code)s. Never give it to anyone.")
            % {"code": code},
        )

    def send_account_already_exists_sms(self, phone: str) -> None:
        send_sms(
            phone,
            gettext(
                "Public Service Portal: someone tried to sign up with this number, but you "
                "already have an account. Log in with it, or ignore this message."
            ),
        )

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        send_sms(
            phone,
            gettext(
                "Public Service Portal: no account uses this number. "
                "Sign up, or ignore this message."
            ),
        )

    # --- Email ---------------------------------------------------------------------------
    def clean_email(self, email: str) -> str:
        if is_placeholder_email(email):
            raise ValidationError(_("Enter your own email address."), code="invalid")
        return super().clean_email(email)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        if is_placeholder_email(email):
            logger.info("Not mailing %s to an account without email", template_prefix)
            return
        super().send_mail(template_prefix, email, context)

    # --- Sign-up -------------------------------------------------------------------------
    def save_user(self, request, user, form, commit=True):
        """allauth's save, plus the full name. (``User.save`` gives a phone-only account its
        stand-in email.)"""
        user = super().save_user(request, user, form, commit=False)
        full_name = " ".join((form.cleaned_data.get("full_name") or "").split())
        if full_name:
            user.full_name = full_name
        user.language = _interface_language()  # the language of the messages it will get
        if commit:
            user.save()
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """VNeID (OpenID Connect): take the person's name; no email is needed."""

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("last_name"), data.get("first_name")) if part
        )
        user.full_name = " ".join((name or "").split())[:150]
        user.language = _interface_language()
        return user


def _interface_language() -> str:
    """The interface language of the request being served, as one of ``settings.LANGUAGES``."""
    code = (get_language() or settings.LANGUAGE_CODE)[:2]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
