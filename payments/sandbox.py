"""The sandbox gateway's side of the protocol: what a gateway answers when the payer approves
or declines, signed, and its confirmation to the portal (the IPN handler, called in-process
the way VNPay calls it over HTTP). Used by the sandbox page, ``make run``'s demo and tests."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.utils import timezone

from payments import vnpay
from payments.constants import Provider
from payments.gateways import merchants


def expired(params: Mapping[str, str]) -> bool:
    """The request's payment window (``vnp_ExpireDate``) has passed."""
    expires = vnpay.parse_date(params.get("vnp_ExpireDate", ""))
    return expires is not None and expires < timezone.now()


def answer(params: Mapping[str, str], *, approve: bool) -> dict[str, str]:
    """The gateway's answer to a payment request (unsigned): paid, cancelled, or timed out
    when the request's payment window has passed."""
    if expired(params):
        code = vnpay.RESPONSE_TIMEOUT
    else:
        code = vnpay.RESPONSE_SUCCESS if approve else vnpay.RESPONSE_CANCELLED
    return {
        "vnp_Amount": params["vnp_Amount"],
        "vnp_BankCode": "SANDBOX",
        "vnp_BankTranNo": f"SB{secrets.randbelow(10**10):010d}",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
        "vnp_PayDate": vnpay.format_date(timezone.now()),
        "vnp_ResponseCode": code,
        "vnp_TmnCode": params["vnp_TmnCode"],
        "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}",
        "vnp_TransactionStatus": "00" if code == "00" else "02",
        "vnp_TxnRef": params["vnp_TxnRef"],
    }


def complete(params: Mapping[str, str], *, approve: bool, ip: str | None = None):
    """Decide a payment request as the payer would, confirm it to the portal (IPN) and return
    the signed query string the payer's browser brings back to the return page."""
    from payments.services import ipn_handle

    secret = merchants()[Provider.SANDBOX].secret
    reply = answer(params, approve=approve)
    ipn_handle({**reply, "vnp_SecureHash": vnpay.sign(reply, secret)}, ip=ip)
    return vnpay.signed_query(reply, secret)
