"""Choices of the payments app, each with its meaning."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    """Who moved the money: an online gateway (VNPay's protocol) or the counter."""

    VNPAY = "vnpay", _("VNPay")
    SANDBOX = "sandbox", _("Test gateway (sandbox)")  # inside the portal; never in production
    CASH = "cash", _("Cash at the counter")
    CARD = "card", _("Card at the counter")


ONLINE_PROVIDERS = {Provider.VNPAY, Provider.SANDBOX}
COUNTER_PROVIDERS = {Provider.CASH, Provider.CARD}


class PaymentState(models.TextChoices):
    """Where one payment attempt stands. Only the gateway's IPN call moves an online payment."""

    PENDING = "pending", _("Waiting for the gateway")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Not paid (declined or cancelled)")
    EXPIRED = "expired", _("Expired without payment")
    REFUNDED = "refunded", _("Refunded")


# Attempts a gateway's late success still settles: the money has left the payer's account, and
# the gateway's last word on it wins (after the expiry sweep, or after a decline).
OPEN_TO_SUCCESS = {PaymentState.PENDING, PaymentState.EXPIRED, PaymentState.FAILED}


class RefundState(models.TextChoices):
    PENDING = "pending", _("To refund")
    DONE = "done", _("Refunded")


class RefundReason(models.TextChoices):
    REFUSED = "refused", _("The dossier was not accepted")
    STOPPED = "stopped", _("Processing was stopped (withdrawn)")
    DUPLICATE = "duplicate", _("Paid twice")


class CallKind(models.TextChoices):
    """A message exchanged with a gateway, kept for audit."""

    REQUEST = "request", _("Payment URL sent to the gateway")
    IPN = "ipn", _("Server-to-server confirmation (IPN)")
    RETURN = "return", _("Payer's browser back from the gateway")
