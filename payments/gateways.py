"""The gateways the portal is configured with (settings → ``vnpay.Merchant``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from payments.constants import Provider
from payments.vnpay import Merchant

# The sandbox's terminal code; its secret is PAYMENT_SANDBOX_SECRET.
SANDBOX_TMN_CODE = "DVCSANDB"


def merchants() -> dict[str, Merchant]:
    """The online gateways offered now, VNPay first."""
    offered: dict[str, Merchant] = {}
    if settings.VNPAY_TMN_CODE:
        offered[Provider.VNPAY] = Merchant(
            provider=Provider.VNPAY,
            tmn_code=settings.VNPAY_TMN_CODE,
            secret=settings.VNPAY_HASH_SECRET,
            pay_url=settings.VNPAY_PAYMENT_URL,
        )
    if settings.PAYMENT_SANDBOX:
        offered[Provider.SANDBOX] = Merchant(
            provider=Provider.SANDBOX,
            tmn_code=SANDBOX_TMN_CODE,
            secret=settings.PAYMENT_SANDBOX_SECRET,
            pay_url=reverse("payments:sandbox"),  # on this very site
        )
    return offered


def merchant_for_terminal(tmn_code: object) -> Merchant | None:
    """The gateway a signed answer claims to come from (by ``vnp_TmnCode``), if we know it."""
    for merchant in merchants().values():
        if merchant.tmn_code == tmn_code:
            return merchant
    return None
