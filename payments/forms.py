"""Forms of the payment pages; the rules are the services' (payments/services.py)."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.constants import Provider


class PayForm(forms.Form):
    provider = forms.ChoiceField(label=_("Pay with"), widget=forms.RadioSelect)
    # One per page shown: a double tap sends it twice and opens one attempt.
    token = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    def __init__(self, *args, providers: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p, Provider(p).label) for p in providers]
        if len(providers) == 1:
            self.fields["provider"].initial = next(iter(providers))


class CounterPaymentForm(forms.Form):
    provider = forms.ChoiceField(
        label=_("Paid with"),
        choices=[(Provider.CASH, Provider.CASH.label), (Provider.CARD, Provider.CARD.label)],
        widget=forms.RadioSelect,
        initial=Provider.CASH,
    )
    payer_name = forms.CharField(
        label=_("Payer's name"),
        max_length=200,
        required=False,
        help_text=_("Leave empty when the applicant pays."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ExemptionForm(forms.Form):
    group = forms.ChoiceField(label=_("Exempt group"))
    reason = forms.CharField(
        label=_("Reason and evidence"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the poor-household certificate number and who issued it."),
    )

    def __init__(self, *args, groups: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—")] + [(g.code, g.name) for g in groups]


class RefundForm(forms.Form):
    refund = forms.IntegerField(widget=forms.HiddenInput)
    reference = forms.CharField(
        label=_("Refund reference"),
        max_length=100,
        help_text=_("The gateway's refund number, the bank transfer or the cash voucher."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if not dt.date(2020, 1, 1) <= day <= today + dt.timedelta(days=1):
            raise forms.ValidationError(
                _("Choose a day between 01/01/2020 and %(today)s.")
                % {"today": today.strftime("%d/%m/%Y")}
            )
        return day
