"""Payments of dossiers' fees: attempts through a gateway or at the counter, the gateway's
messages kept for audit, exemptions and refunds. Money is whole VND (``PositiveBigIntegerField``);
VNPay's ×100 exists only on the wire (payments/vnpay.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.constants import (
    COUNTER_PROVIDERS,
    CallKind,
    PaymentState,
    Provider,
    RefundReason,
    RefundState,
)


class Payment(models.Model):
    """One attempt to pay a dossier's fee. An online attempt starts ``pending`` and only the
    gateway's signed IPN call moves it; a counter payment is recorded ``succeeded``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
        help_text="The citizen who paid online.",
    )
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        help_text="vnp_TxnRef: unique (VNPay asks for unique per day; ours never repeat).",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # What the gateway said (IPN): its transaction number, the bank, the response code.
    transaction_no = models.CharField(_("gateway transaction"), max_length=40, blank=True)
    bank_code = models.CharField(_("bank"), max_length=20, blank=True)
    response_code = models.CharField(_("response code"), max_length=4, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The officer who took a counter payment.",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    form_token = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The pay form's one-time token: the same form sent twice opens one attempt.",
    )
    receipt = models.OneToOneField(
        "dossiers.IssuedDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment",
        help_text="The electronic receipt (biên lai điện tử), issued after commit.",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["dossier", "-created_at"], name="payment_dossier"),
            # The expiry sweep reads pending attempts past their time.
            models.Index(
                fields=["expires_at"],
                condition=Q(state=PaymentState.PENDING),
                name="payment_pending_expiry",
            ),
            # The daily reconciliation reads a provider's attempts of a day.
            models.Index(fields=["created_at", "provider"], name="payment_day_provider"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(provider__in=sorted(COUNTER_PROVIDERS)) | Q(recorded_by__isnull=False),
                name="payment_counter_has_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.state}"

    @property
    def online(self) -> bool:
        return self.provider not in COUNTER_PROVIDERS


class GatewayCall(models.Model):
    """A message to or from a gateway, as it was (audit): the signed request we built, every IPN
    call (forged and unknown ones too) with our answer, every return of the payer's browser."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    kind = models.CharField(max_length=10, choices=CallKind.choices)
    params = models.JSONField(help_text="The vnp_* parameters, as sent or received.")
    answer = models.JSONField(null=True, blank=True, help_text="Our IPN answer (RspCode).")
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gateway call")
        verbose_name_plural = _("gateway calls")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M:%S}"


class FeeExemption(models.Model):
    """An officer's record that the applicant belongs to a group the fee schedule exempts."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="fee_exemption"
    )
    group = models.ForeignKey(
        "procedures.ExemptGroup", verbose_name=_("exempt group"), on_delete=models.PROTECT
    )
    reason = models.TextField(_("reason and evidence"))
    amount = models.PositiveBigIntegerField(_("amount waived (VND)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fee exemption")
        verbose_name_plural = _("fee exemptions")

    def __str__(self) -> str:
        return f"{self.dossier} {self.group}"


class Refund(models.Model):
    """Money to give back for a succeeded payment: opened by the portal when a paid dossier is
    refused or stopped, or when it was paid twice; closed by an officer who records how."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="refund")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    reason = models.CharField(_("reason"), max_length=10, choices=RefundReason.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=RefundState.choices, default=RefundState.PENDING
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    completed_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(
        _("refund reference"),
        max_length=100,
        blank=True,
        help_text=_("The gateway's refund number, the bank transfer or the cash voucher."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="refund_state")]

    def __str__(self) -> str:
        return f"{self.payment.reference} {self.amount} {self.state}"
