"""The notification settings form; the rules are the services' (notifications/services.py)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.constants import DigestMode


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("By email"), required=False)
    sms = forms.BooleanField(label=_("By text message (SMS)"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the messages"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
    digest = forms.ChoiceField(
        label=_("When to tell me about work for me"),
        choices=DigestMode.choices,
        widget=forms.RadioSelect,
        help_text=_("Messages to citizens are never held back; this is only for officers."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A channel without its address is shown off and greyed, with what to do about it.
        if not user.contact_email:
            self.fields["email"].disabled = True
            self.initial["email"] = False
            self.fields["email"].help_text = _("Add an email address to your account first.")
        if not user.phone:
            self.fields["sms"].disabled = True
            self.initial["sms"] = False
            self.fields["sms"].help_text = _("Add a phone number to your profile first.")
        if not (user.is_officer or user.is_portal_admin):
            del self.fields["digest"]
