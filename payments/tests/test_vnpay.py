"""VNPay's protocol (payments/vnpay.py) checked against an independent computation: the text
to sign is written out by hand from VNPay's rules (sorted ``vnp_*`` keys, values form-encoded:
space as ``+``, ``:`` and ``/`` percent-encoded) and its HMAC-SHA512 is computed by the
``openssl`` command, not by Python's ``hmac``. Also: the payment request's parameters (×100 on
the wire, GMT+7 dates, ASCII order info), the amount read back, the success test and the
configured gateways."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from payments import gateways, vnpay
from payments.constants import Provider
from payments.vnpay import Merchant

SECRET = "SECRETKEY0123456789ABCDEFGHIJKLMN"
MERCHANT = Merchant(
    provider=Provider.VNPAY,
    tmn_code="DEMOTMN1",
    secret=SECRET,
    pay_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
)

# A payment request, its keys deliberately out of order.
PARAMS = {
    "vnp_TxnRef": "261123A1B2C3D4E5F6",
    "vnp_ReturnUrl": "https://dichvucong.example.vn/payments/vnpay/return/",
    "vnp_Amount": "6000000",
    "vnp_Version": "2.1.0",
    "vnp_OrderInfo": "Thanh toan le phi ho so 000 00 00 H57 261123 0001",
    "vnp_CreateDate": "20261123093000",
    "vnp_Command": "pay",
    "vnp_TmnCode": "DEMOTMN1",
    "vnp_ExpireDate": "20261123094500",
    "vnp_CurrCode": "VND",
    "vnp_Locale": "vn",
    "vnp_OrderType": "billpayment",
    "vnp_IpAddr": "203.0.113.7",
    "vnp_BankCode": "NCB",
}
# The same, written by hand the way VNPay's documentation builds it.
HAND_WRITTEN = (
    "vnp_Amount=6000000"
    "&vnp_BankCode=NCB"
    "&vnp_Command=pay"
    "&vnp_CreateDate=20261123093000"
    "&vnp_CurrCode=VND"
    "&vnp_ExpireDate=20261123094500"
    "&vnp_IpAddr=203.0.113.7"
    "&vnp_Locale=vn"
    "&vnp_OrderInfo=Thanh+toan+le+phi+ho+so+000+00+00+H57+261123+0001"
    "&vnp_OrderType=billpayment"
    "&vnp_ReturnUrl=https%3A%2F%2Fdichvucong.example.vn%2Fpayments%2Fvnpay%2Freturn%2F"
    "&vnp_TmnCode=DEMOTMN1"
    "&vnp_TxnRef=261123A1B2C3D4E5F6"
    "&vnp_Version=2.1.0"
)


def openssl_hmac_sha512(text: str, secret: str) -> str:
    """HMAC-SHA512 in hex, by the openssl command (independent of Python's hmac)."""
    binary = shutil.which("openssl")
    assert binary, "openssl is not installed"
    result = subprocess.run(
        [binary, "dgst", "-sha512", "-hmac", secret],
        input=text.encode(),
        capture_output=True,
        check=True,
        timeout=30,
    )
    return result.stdout.decode().strip().rsplit(" ", 1)[-1]


def signed(params: dict, secret: str = SECRET) -> dict:
    return {**params, "vnp_SecureHash": vnpay.sign(params, secret)}


# --- the signature --------------------------------------------------------------------------------


def test_hash_data_is_the_sorted_form_encoded_text_vnpay_signs():
    assert vnpay.hash_data(PARAMS) == HAND_WRITTEN


def test_sign_equals_openssls_hmac_sha512_of_the_hand_written_text():
    expected = openssl_hmac_sha512(HAND_WRITTEN, SECRET)

    assert len(expected) == 128
    assert vnpay.sign(PARAMS, SECRET) == expected


def test_signed_query_carries_the_hand_written_text_and_openssls_hash():
    query = vnpay.signed_query(PARAMS, SECRET)

    assert query == f"{HAND_WRITTEN}&vnp_SecureHash={openssl_hmac_sha512(HAND_WRITTEN, SECRET)}"


def test_utf8_values_are_percent_encoded_byte_by_byte():
    assert vnpay.hash_data({"vnp_OrderInfo": "Lệ phí"}) == "vnp_OrderInfo=L%E1%BB%87+ph%C3%AD"


def test_the_hash_parameters_and_foreign_parameters_are_not_signed():
    extra = {
        **PARAMS,
        "vnp_SecureHash": "ab" * 64,
        "vnp_SecureHashType": "HmacSHA512",
        "decision": "approve",
        "csrfmiddlewaretoken": "x",
    }

    assert vnpay.hash_data(extra) == HAND_WRITTEN
    assert vnpay.sign(extra, SECRET) == openssl_hmac_sha512(HAND_WRITTEN, SECRET)


def test_signature_valid_accepts_the_genuine_signature():
    assert vnpay.signature_valid(signed(PARAMS), SECRET)


@pytest.mark.parametrize("key", sorted(PARAMS))
def test_signature_valid_refuses_any_tampered_value(key):
    tampered = signed(PARAMS)
    tampered[key] = tampered[key] + "1"

    assert not vnpay.signature_valid(tampered, SECRET)


def test_signature_valid_refuses_an_added_vnp_parameter():
    tampered = {**signed(PARAMS), "vnp_BankTranNo": "VNP123"}

    assert not vnpay.signature_valid(tampered, SECRET)


def test_signature_valid_refuses_another_secret_and_a_missing_hash():
    assert not vnpay.signature_valid(signed(PARAMS), SECRET + "x")
    assert not vnpay.signature_valid(PARAMS, SECRET)
    assert not vnpay.signature_valid({**PARAMS, "vnp_SecureHash": ""}, SECRET)


def test_the_hash_is_compared_without_regard_to_case():
    upper = {**PARAMS, "vnp_SecureHash": vnpay.sign(PARAMS, SECRET).upper()}

    assert vnpay.signature_valid(upper, SECRET)


def test_vnp_secure_hash_type_is_ignored_whatever_its_value():
    for hash_type in ("HmacSHA512", "SHA256", "anything"):
        params = {**signed(PARAMS), "vnp_SecureHashType": hash_type}
        assert vnpay.signature_valid(params, SECRET)


# --- the payment request --------------------------------------------------------------------------

CREATED = dt.datetime(2026, 11, 23, 2, 30, 0, tzinfo=dt.UTC)  # 09:30 in Hà Nội / Huế


def request_params(**overrides) -> dict[str, str]:
    arguments = {
        "merchant": MERCHANT,
        "reference": "261123A1B2C3D4E5F6",
        "amount": 60_000,
        "order_info": "Thanh toán lệ phí hồ sơ Đăng ký khai sinh",
        "return_url": "https://dichvucong.example.vn/payments/vnpay/return/",
        "ip": "203.0.113.7",
        "created": CREATED,
        "expires": CREATED + dt.timedelta(minutes=15),
    }
    return vnpay.payment_params(**{**arguments, **overrides})


def test_payment_params_put_the_amount_times_100_as_whole_digits():
    params = request_params(amount=60_000)

    assert params["vnp_Amount"] == "6000000"
    assert all(isinstance(value, str) for value in params.values())
    assert "." not in params["vnp_Amount"] and "e" not in params["vnp_Amount"].lower()


def test_payment_params_dates_are_gmt7_yyyymmddhhmmss():
    params = request_params()

    assert params["vnp_CreateDate"] == "20261123093000"
    assert params["vnp_ExpireDate"] == "20261123094500"


def test_payment_params_date_crossing_midnight_in_gmt7():
    late = dt.datetime(2026, 11, 23, 17, 5, 9, tzinfo=dt.UTC)  # 00:05:09 the next day in GMT+7

    assert request_params(created=late)["vnp_CreateDate"] == "20261124000509"


def test_payment_params_order_info_is_ascii_without_diacritics():
    info = request_params(order_info="Thanh toán lệ phí: hồ sơ Đăng ký khai sinh (bản sao)!")[
        "vnp_OrderInfo"
    ]

    assert info == "Thanh toan le phi ho so Dang ky khai sinh ban sao"
    assert info.isascii()


def test_payment_params_order_info_is_at_most_255_characters():
    assert len(request_params(order_info="ạ" * 400)["vnp_OrderInfo"]) == 255


def test_payment_params_carry_the_terminal_version_command_and_currency():
    params = request_params()

    assert params["vnp_TmnCode"] == "DEMOTMN1"
    assert params["vnp_Version"] == "2.1.0"
    assert params["vnp_Command"] == "pay"
    assert params["vnp_CurrCode"] == "VND"
    assert params["vnp_Locale"] == "vn"
    assert request_params(locale="en")["vnp_Locale"] == "en"


@pytest.mark.parametrize("amount", [0, -1, 60_000.5])
def test_payment_params_refuse_an_amount_that_is_not_a_positive_whole_number(amount):
    with pytest.raises(ValueError):
        request_params(amount=amount)


def test_payment_url_is_the_gateway_address_with_the_signed_query():
    params = request_params()

    url = vnpay.payment_url(MERCHANT, params)

    assert url == f"{MERCHANT.pay_url}?{vnpay.signed_query(params, SECRET)}"


# --- the answer -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "amount"),
    [("6000000", 60_000), ("100", 1), ("123456700", 1_234_567)],
)
def test_amount_of_divides_the_wire_amount_by_100(wire, amount):
    assert vnpay.amount_of({"vnp_Amount": wire}) == amount
    assert isinstance(vnpay.amount_of({"vnp_Amount": wire}), int)


@pytest.mark.parametrize("wire", ["6000050", "1", "99", "60000.00", "-6000000", "6e6", "", None])
def test_amount_of_rejects_what_is_not_a_whole_multiple_of_100(wire):
    assert vnpay.amount_of({"vnp_Amount": wire}) is None


def test_amount_of_a_missing_amount_is_none():
    assert vnpay.amount_of({}) is None


@pytest.mark.parametrize(
    ("response", "status", "paid"),
    [
        ("00", "00", True),
        ("00", None, False),  # an answer without its transaction status is not a payment
        ("00", "02", False),
        ("24", "02", False),
        ("11", "02", False),
        ("51", "02", False),
    ],
)
def test_succeeded_needs_both_codes_00(response, status, paid):
    params = {"vnp_ResponseCode": response}
    if status is not None:
        params["vnp_TransactionStatus"] = status

    assert vnpay.succeeded(params) is paid


def test_parse_date_reads_gmt7_and_refuses_garbage():
    assert vnpay.parse_date("20261123093000") == CREATED
    assert vnpay.parse_date("2026-11-23") is None
    assert vnpay.parse_date(None) is None


def test_ipn_answer_codes_are_vnpays():
    assert vnpay.CONFIRMED[0] == "00"
    assert vnpay.ORDER_NOT_FOUND[0] == "01"
    assert vnpay.ALREADY_CONFIRMED[0] == "02"
    assert vnpay.INVALID_AMOUNT[0] == "04"
    assert vnpay.INVALID_SIGNATURE[0] == "97"
    assert vnpay.UNKNOWN_ERROR[0] == "99"


# --- the configured gateways ----------------------------------------------------------------------


def test_merchants_offer_vnpay_first_when_its_terminal_is_set(settings):
    settings.VNPAY_TMN_CODE = "TMNVNPAY"
    settings.VNPAY_HASH_SECRET = "s1"
    settings.PAYMENT_SANDBOX = True

    offered = gateways.merchants()

    assert list(offered) == [Provider.VNPAY, Provider.SANDBOX]
    assert offered[Provider.VNPAY].tmn_code == "TMNVNPAY"
    assert offered[Provider.VNPAY].secret == "s1"
    assert offered[Provider.SANDBOX].tmn_code == gateways.SANDBOX_TMN_CODE


def test_merchants_leave_out_vnpay_without_a_terminal_and_the_sandbox_when_off(settings):
    settings.VNPAY_TMN_CODE = ""
    settings.PAYMENT_SANDBOX = True
    assert list(gateways.merchants()) == [Provider.SANDBOX]

    settings.PAYMENT_SANDBOX = False
    assert gateways.merchants() == {}


def test_merchant_for_terminal_finds_the_configured_terminal_only(settings):
    settings.VNPAY_TMN_CODE = "TMNVNPAY"
    settings.VNPAY_HASH_SECRET = "s1"

    assert gateways.merchant_for_terminal("TMNVNPAY").provider == Provider.VNPAY
    assert gateways.merchant_for_terminal(gateways.SANDBOX_TMN_CODE).provider == Provider.SANDBOX
    assert gateways.merchant_for_terminal("OTHER123") is None
    assert gateways.merchant_for_terminal(None) is None
