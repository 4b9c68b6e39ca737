"""VNPay's IPN through the real address (GET /payments/vnpay/ipn/): always HTTP 200 with
``{"RspCode", "Message"}``; only a genuine, known, right-amount, not-yet-confirmed call changes
anything (VNPay's order of checks: 97, 01, 04, 02, then 00); 99 and nothing half-written when
something breaks inside; every call kept with its answer."""

from __future__ import annotations

from unittest import mock

import pytest

from dossiers.constants import DocumentKind, FeeState, Status
from dossiers.models import DossierEvent
from payments import services, vnpay
from payments.constants import CallKind, PaymentState
from payments.gateways import SANDBOX_TMN_CODE
from payments.models import GatewayCall, Payment, Refund
from payments.tests.factories import IPN_URL, VNPAY_SECRET, ipn_params, start_online
from procedures.constants import Channel

pytestmark = pytest.mark.django_db


def deliver(client, params: dict) -> dict:
    response = client.get(IPN_URL, params, REMOTE_ADDR="113.160.92.202")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"RspCode", "Message"}
    return body


def assert_untouched(payment: Payment, dossier) -> None:
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert payment.confirmed_at is None and payment.transaction_no == ""
    assert dossier.fee_state == FeeState.DUE and dossier.fee_paid_at is None
    assert not DossierEvent.objects.filter(dossier=dossier, action="fee_paid").exists()


# --- success --------------------------------------------------------------------------------------


def test_a_genuine_success_is_confirmed_00(client, dossier):
    payment = start_online(dossier)

    body = deliver(client, ipn_params(payment, transaction_no="14999888"))

    assert body == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert payment.transaction_no == "14999888"
    assert payment.bank_code == "NCB" and payment.response_code == "00"
    assert payment.confirmed_at is not None


def test_a_genuine_success_marks_the_dossier_paid_online(client, dossier):
    payment = start_online(dossier)

    deliver(client, ipn_params(payment))

    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
    assert dossier.fee_paid_channel == Channel.ONLINE
    assert dossier.fee_paid_at is not None
    event = DossierEvent.objects.get(dossier=dossier, action="fee_paid")
    assert event.actor is None and event.actor_role == "system"
    assert event.data["payment"] == str(payment.pk) and event.data["amount"] == 60_000


def test_a_success_resumes_processing_of_a_dossier_waiting_for_its_fee(client, awaiting):
    payment = start_online(awaiting)

    deliver(client, ipn_params(payment))

    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    event = DossierEvent.objects.get(dossier=awaiting, action="fee_paid")
    assert (event.from_status, event.to_status) == (Status.AWAITING_PAYMENT, Status.PROCESSING)


def test_a_success_leaves_the_status_of_a_dossier_not_waiting_for_its_fee(client, dossier):
    payment = start_online(dossier)

    deliver(client, ipn_params(payment))

    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_the_receipt_is_issued_only_after_commit(
    client, dossier, django_capture_on_commit_callbacks
):
    payment = start_online(dossier)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver(client, ipn_params(payment))

    payment.refresh_from_db()
    assert payment.receipt is None and callbacks  # the receipt, and the notifications' delivery
    for callback in callbacks:
        callback()
    payment.refresh_from_db()
    assert payment.receipt is not None


def test_a_success_issues_the_signed_receipt(client, dossier, django_capture_on_commit_callbacks):
    payment = start_online(dossier)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, ipn_params(payment))

    payment.refresh_from_db()
    receipt = payment.receipt
    assert receipt.kind == DocumentKind.FEE_RECEIPT
    assert receipt.code == f"{dossier.code}-BL1"
    assert receipt.signed


# --- failure --------------------------------------------------------------------------------------


@pytest.mark.parametrize("response", ["24", "11", "51"])
def test_a_declined_or_cancelled_payment_is_recorded_failed_00(client, dossier, response):
    payment = start_online(dossier)

    body = deliver(client, ipn_params(payment, response=response))

    assert body["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED and payment.response_code == response
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.DUE and dossier.status == Status.RECEIVED
    assert payment.receipt is None


def test_response_00_with_a_failed_transaction_status_is_a_failure(client, dossier):
    payment = start_online(dossier)

    deliver(client, ipn_params(payment, response="00", status="02"))

    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    assert dossier.fee_state == FeeState.DUE


def test_after_a_failure_the_citizen_can_pay_again(client, dossier):
    first = start_online(dossier)
    deliver(client, ipn_params(first, response="24"))

    second = start_online(dossier)
    body = deliver(client, ipn_params(second))

    assert second.pk != first.pk and body["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
    assert Payment.objects.get(pk=first.pk).state == PaymentState.FAILED


# --- refusals -------------------------------------------------------------------------------------


def test_a_forged_signature_is_refused_97_and_changes_nothing(client, dossier):
    payment = start_online(dossier)
    params = ipn_params(payment)
    params["vnp_Amount"] = "100"  # changed after signing

    body = deliver(client, params)

    assert body == {"RspCode": "97", "Message": "Invalid signature"}
    assert_untouched(payment, dossier)


def test_a_call_signed_with_another_secret_is_refused_97(client, dossier):
    payment = start_online(dossier)

    body = deliver(client, ipn_params(payment, secret="not-the-secret"))

    assert body["RspCode"] == "97"
    assert_untouched(payment, dossier)


def test_a_call_without_signature_is_refused_97(client, dossier):
    payment = start_online(dossier)
    params = ipn_params(payment)
    del params["vnp_SecureHash"]

    assert deliver(client, params)["RspCode"] == "97"
    assert_untouched(payment, dossier)


def test_an_unknown_terminal_is_refused_97(client, dossier):
    payment = start_online(dossier)

    body = deliver(client, ipn_params(payment, tmn="UNKNOWN1", secret="whatever"))

    assert body["RspCode"] == "97"
    assert_untouched(payment, dossier)


def test_another_terminal_cannot_confirm_a_vnpay_payment(client, dossier, settings):
    payment = start_online(dossier)  # a VNPay attempt
    sandbox = ipn_params(payment, tmn=SANDBOX_TMN_CODE, secret=settings.PAYMENT_SANDBOX_SECRET)

    assert deliver(client, sandbox)["RspCode"] == "01"
    assert_untouched(payment, dossier)


def test_an_unknown_order_answers_01(client, dossier):
    payment = start_online(dossier)
    params = ipn_params(Payment(reference="261123FFFFFFFFFFFF", amount=60_000))

    body = deliver(client, params)

    assert body == {"RspCode": "01", "Message": "Order not found"}
    assert_untouched(payment, dossier)


@pytest.mark.parametrize("amount", [59_999, 60_001, 6_000])
def test_a_wrong_amount_answers_04_and_changes_nothing(client, dossier, amount):
    payment = start_online(dossier)

    body = deliver(client, ipn_params(payment, amount=amount))

    assert body == {"RspCode": "04", "Message": "Invalid amount"}
    assert_untouched(payment, dossier)


def test_an_amount_that_is_not_a_multiple_of_100_on_the_wire_answers_04(client, dossier):
    payment = start_online(dossier)
    params = ipn_params(payment)
    params["vnp_Amount"] = "6000050"  # 60,000.50 đ: no such amount in VND
    params["vnp_SecureHash"] = vnpay.sign(params, VNPAY_SECRET)

    assert deliver(client, params)["RspCode"] == "04"
    assert_untouched(payment, dossier)


def test_a_replayed_success_answers_02_and_settles_once(client, dossier):
    payment = start_online(dossier)
    params = ipn_params(payment)
    deliver(client, params)

    body = deliver(client, params)

    assert body == {"RspCode": "02", "Message": "Order already confirmed"}
    assert DossierEvent.objects.filter(dossier=dossier, action="fee_paid").count() == 1
    assert not Refund.objects.exists()


def test_a_failure_after_a_success_answers_02_and_keeps_the_payment(client, dossier):
    payment = start_online(dossier)
    deliver(client, ipn_params(payment, transaction_no="14000001"))

    body = deliver(client, ipn_params(payment, response="24", transaction_no="14000002"))

    assert body["RspCode"] == "02"
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and payment.transaction_no == "14000001"


def test_a_success_after_a_failure_is_taken(client, dossier):
    """The gateway's last word on money that left the payer's account wins."""
    payment = start_online(dossier)
    deliver(client, ipn_params(payment, response="24"))

    assert deliver(client, ipn_params(payment))["RspCode"] == "00"
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and dossier.fee_state == FeeState.PAID


def test_our_own_signed_request_replayed_as_an_ipn_is_refused(client, dossier):
    from urllib.parse import parse_qsl, urlsplit

    _payment, url = services.payment_start(
        dossier=dossier,
        payer=dossier.applicant,
        provider="vnpay",
        return_url="http://testserver/payments/vnpay/return/",
    )
    request_params = dict(parse_qsl(urlsplit(url).query))

    assert deliver(client, request_params)["RspCode"] == "97"
    assert Payment.objects.get().state == PaymentState.PENDING


def test_an_unexpected_error_answers_99_and_writes_nothing_half(client, dossier):
    payment = start_online(dossier)
    params = ipn_params(payment)

    with mock.patch.object(services, "dossier_fee_settle", side_effect=RuntimeError("db down")):
        body = deliver(client, params)

    assert body == {"RspCode": "99", "Message": "Unknown error"}
    assert_untouched(payment, dossier)  # the payment's own change was rolled back too
    call = GatewayCall.objects.filter(kind=CallKind.IPN).get()
    assert call.answer == {"RspCode": "99", "Message": "Unknown error"}


def test_after_a_99_the_gateways_retry_is_confirmed(client, dossier):
    payment = start_online(dossier)
    params = ipn_params(payment)
    with mock.patch.object(services, "dossier_fee_settle", side_effect=RuntimeError("db down")):
        deliver(client, params)

    assert deliver(client, params)["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID


def test_the_ipn_answers_get_only(client, dossier):
    payment = start_online(dossier)

    response = client.post(IPN_URL, ipn_params(payment))

    assert response.status_code == 405
    assert_untouched(payment, dossier)


# --- audit ----------------------------------------------------------------------------------------


def test_every_ipn_call_is_kept_with_its_answer(client, dossier):
    payment = start_online(dossier)
    forged = {**ipn_params(payment), "vnp_Amount": "100"}
    unknown = ipn_params(Payment(reference="NOPE", amount=60_000))
    genuine = ipn_params(payment)

    for params in (forged, unknown, genuine, genuine):
        deliver(client, params)

    calls = list(GatewayCall.objects.filter(kind=CallKind.IPN).order_by("at", "id"))
    assert [c.answer["RspCode"] for c in calls] == ["97", "01", "00", "02"]
    assert [c.payment_id for c in calls] == [None, None, payment.pk, payment.pk]
    assert calls[0].params["vnp_Amount"] == "100"  # kept as received, forged or not
    assert calls[2].params == genuine
    assert all(c.ip == "113.160.92.202" for c in calls)


def test_the_payment_request_is_kept_too(dossier):
    payment = start_online(dossier)

    call = GatewayCall.objects.get(kind=CallKind.REQUEST)
    assert call.payment == payment
    assert call.params["vnp_TxnRef"] == payment.reference
    assert call.params["vnp_Amount"] == "6000000"
    assert call.ip == "203.0.113.7"
