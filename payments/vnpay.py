"""VNPay's payment protocol (version 2.1.0), without Django: build a signed payment URL, check a
signed answer. The sandbox gateway (payments/sandbox.py) speaks the same protocol.

The signature: every ``vnp_*`` parameter but ``vnp_SecureHash``/``vnp_SecureHashType``, sorted
by name, each value URL-encoded as a form value (``quote_plus``: space is ``+``), joined as
``k=v&k=v``; HMAC-SHA512 of that text with the merchant's secret, in hex.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VERSION = "2.1.0"
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")  # VNPay's dates are yyyyMMddHHmmss in GMT+7
DATE_FORMAT = "%Y%m%d%H%M%S"
HASH_PARAMS = {"vnp_SecureHash", "vnp_SecureHashType"}

# The IPN answers VNPay expects (RspCode, Message).
CONFIRMED = ("00", "Confirm Success")
ORDER_NOT_FOUND = ("01", "Order not found")
ALREADY_CONFIRMED = ("02", "Order already confirmed")
INVALID_AMOUNT = ("04", "Invalid amount")
INVALID_SIGNATURE = ("97", "Invalid signature")
UNKNOWN_ERROR = ("99", "Unknown error")

# vnp_ResponseCode values the portal names to the payer (others: "not completed").
RESPONSE_SUCCESS = "00"
RESPONSE_CANCELLED = "24"  # the payer cancelled
RESPONSE_TIMEOUT = "11"  # the payment window expired


@dataclass(frozen=True)
class Merchant:
    """A terminal: its code, shared secret and the gateway's payment page."""

    provider: str
    tmn_code: str
    secret: str
    pay_url: str


def hash_data(params: Mapping[str, object]) -> str:
    """The text that is signed: sorted ``vnp_*`` parameters, values form-encoded."""
    pairs = sorted(
        (key, str(value))
        for key, value in params.items()
        if key.startswith("vnp_") and key not in HASH_PARAMS
    )
    return "&".join(f"{key}={quote_plus(value)}" for key, value in pairs)


def sign(params: Mapping[str, object], secret: str) -> str:
    return hmac.new(secret.encode(), hash_data(params).encode(), hashlib.sha512).hexdigest()


def signature_valid(params: Mapping[str, object], secret: str) -> bool:
    """Whether ``vnp_SecureHash`` is the HMAC of the other ``vnp_*`` parameters (hex compared
    without regard to case, in constant time)."""
    given = str(params.get("vnp_SecureHash") or "").lower()
    if not given.isascii():  # compare_digest refuses non-ASCII text: it is no hex digest anyway
        return False
    return bool(given) and hmac.compare_digest(given, sign(params, secret))


# A gateway's answer (IPN or return) has these; a payment request has none of them. The request
# and the answer are signed with the same secret, so without this check the request URL a payer
# sees could be replayed to the IPN as if it were an answer.
ANSWER_FIELDS = ("vnp_ResponseCode", "vnp_TransactionNo", "vnp_TxnRef", "vnp_Amount")


def is_answer(params: Mapping[str, object]) -> bool:
    return all(params.get(name) for name in ANSWER_FIELDS) and "vnp_Command" not in params


def signed_query(params: Mapping[str, object], secret: str) -> str:
    """``params`` as a query string, with ``vnp_SecureHash`` appended."""
    return f"{hash_data(params)}&vnp_SecureHash={sign(params, secret)}"


def format_date(moment: dt.datetime) -> str:
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_date(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)
    except (TypeError, ValueError):
        return None


def ascii_text(text: str, limit: int = 255) -> str:
    """VNPay's order info: Vietnamese without diacritics, letters, digits and spaces only."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = re.sub(r"[^A-Za-z0-9 ]+", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()[:limit]


def payment_params(
    *,
    merchant: Merchant,
    reference: str,
    amount: int,
    order_info: str,
    return_url: str,
    ip: str,
    created: dt.datetime,
    expires: dt.datetime,
    locale: str = "vn",
) -> dict[str, str]:
    """The ``vnp_*`` parameters of a payment request (unsigned). ``amount`` is whole VND; VNPay
    wants it ×100 (no decimals on the wire)."""
    if amount <= 0 or int(amount) != amount:
        raise ValueError("amount must be a positive whole number of VND")
    return {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": merchant.tmn_code,
        "vnp_Amount": str(int(amount) * 100),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": reference,
        "vnp_OrderInfo": ascii_text(order_info),
        "vnp_OrderType": "billpayment",
        "vnp_Locale": "en" if locale == "en" else "vn",
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip or "127.0.0.1",
        "vnp_CreateDate": format_date(created),
        "vnp_ExpireDate": format_date(expires),
    }


def payment_url(merchant: Merchant, params: Mapping[str, object]) -> str:
    return f"{merchant.pay_url}?{signed_query(params, merchant.secret)}"


def amount_of(params: Mapping[str, object]) -> int | None:
    """Whole VND from ``vnp_Amount`` (×100 on the wire), or None when it is not that."""
    text = str(params.get("vnp_Amount") or "")
    if not text.isdigit() or int(text) % 100:
        return None
    return int(text) // 100


def succeeded(params: Mapping[str, object]) -> bool:
    """The payer paid: both the response and the transaction status are 00."""
    return (
        params.get("vnp_ResponseCode") == RESPONSE_SUCCESS
        and params.get("vnp_TransactionStatus") == RESPONSE_SUCCESS
    )
