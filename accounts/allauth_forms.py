"""allauth's forms with the portal's words and input attributes (``ACCOUNT_FORMS``).

Only presentation changes here: labels and help in plain words (our own msgids, translated in
``locale/``; allauth ships no Vietnamese), no placeholders standing in for labels, and the
``autocomplete``/``inputmode`` attributes that let phones and password managers help.
"""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import present

NEW_PASSWORD_HELP = _("At least 8 characters. Not only digits, and not an easy one like 12345678.")


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present(
            self.fields["login"],
            label=_("Phone number or email"),
            help_text=_("Use the phone number or email you signed up with."),
            autocomplete="username",
            autocapitalize="none",
            spellcheck="false",
        )
        present(
            self.fields["password"],
            label=_("Password"),
            help_text="",
            autocomplete="current-password",
        )


class SignupForm(allauth_forms.SignupForm):
    field_order = ["full_name", "phone", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            present(
                self.fields["phone"],
                label=_("Phone number"),
                help_text=_("A mobile number. We send you a code by SMS to check it."),
                inputmode="tel",
                autocomplete="tel",
            )
        present(
            self.fields["email"],
            label=_("Email"),
            help_text=_("If you have one. We send you a link to check it."),
            autocomplete="email",
        )
        present(
            self.fields["password1"],
            label=_("Choose a password"),
            help_text=NEW_PASSWORD_HELP,
            autocomplete="new-password",
        )
        if "password2" in self.fields:
            present(
                self.fields["password2"],
                label=_("Type the password again"),
                autocomplete="new-password",
            )


class AddEmailForm(allauth_forms.AddEmailForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present(
            self.fields["email"],
            label=_("New email"),
            help_text=_("We send a link to it. The change is made when you open the link."),
            autocomplete="email",
        )


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present(
            self.fields["email"],
            label=_("Email"),
            help_text=_("The email of your account. We send a link to it."),
            autocomplete="email",
        )


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present(
            self.fields["password1"],
            label=_("New password"),
            help_text=NEW_PASSWORD_HELP,
            autocomplete="new-password",
        )
        present(
            self.fields["password2"],
            label=_("Type the new password again"),
            autocomplete="new-password",
        )


class ReauthenticateForm(allauth_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present(
            self.fields["password"],
            label=_("Password"),
            help_text="",
            autocomplete="current-password",
        )


class VerifyPhoneForm(allauth_forms.VerifyPhoneForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present(
            self.fields["code"],
            label=_("Code from the SMS"),
            help_text=_("The code has 6 digits."),
            autocomplete="one-time-code",
            inputmode="numeric",
        )


class ChangePhoneForm(allauth_forms.ChangePhoneForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present(
            self.fields["phone"],
            label=_("Phone number"),
            help_text=_("A mobile number. We send you a code by SMS to check it."),
            inputmode="tel",
            autocomplete="tel",
        )
