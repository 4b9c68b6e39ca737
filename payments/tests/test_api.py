"""The payments API (API.md "Payments"): start an online payment, list a dossier's payments,
the officers' counter payment, exemption and refund endpoints, and the fee fields of the
dossier detail APIs. Errors are ``{"code", "detail", "fields"?}``. Who may call what from the
outside: test_permissions.py."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from rest_framework.test import APIClient

from dossiers.constants import FeeState, Status
from payments import vnpay
from payments.constants import PaymentState, RefundState
from payments.models import FeeExemption, Payment, Refund
from payments.tests.factories import (
    VNPAY_SECRET,
    PaymentFactory,
    confirm,
    pay_online,
    start_online,
    withdraw_and_stop,
)
from procedures.constants import Channel
from procedures.tests.factories import ExemptGroupFactory, FeeItemFactory

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def payments_url(dossier) -> str:
    return f"/api/v1/dossiers/{dossier.pk}/payments/"


def counter_url(dossier) -> str:
    return f"/api/v1/officer/dossiers/{dossier.pk}/payments/"


def exemption_url(dossier) -> str:
    return f"/api/v1/officer/dossiers/{dossier.pk}/fee-exemption/"


def refund_url(refund) -> str:
    return f"/api/v1/officer/refunds/{refund.pk}/complete/"


# --- starting an online payment -------------------------------------------------------------------


def test_post_starts_a_payment_201_with_the_gateway_address(dossier, settings):
    response = api(dossier.applicant).post(payments_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 201
    body = response.json()
    assert body["redirect_url"].startswith(settings.VNPAY_PAYMENT_URL + "?")
    params = dict(parse_qsl(urlsplit(body["redirect_url"]).query))
    assert vnpay.signature_valid(params, VNPAY_SECRET)
    payment = Payment.objects.get()
    assert body["payment"]["id"] == str(payment.pk)
    assert body["payment"]["amount"] == 60_000
    assert body["payment"]["state"] == "pending" and body["payment"]["receipt"] is None


def test_post_through_the_sandbox_answers_an_absolute_address(dossier):
    response = api(dossier.applicant).post(payments_url(dossier), {"provider": "sandbox"})

    assert response.status_code == 201
    assert response.json()["redirect_url"].startswith("http://testserver/payments/sandbox/pay/?")


@pytest.mark.parametrize("provider", ["paypal", "cash", ""])
def test_post_with_a_wrong_provider_is_400_on_the_provider_field(dossier, provider):
    response = api(dossier.applicant).post(payments_url(dossier), {"provider": provider})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "provider" in body["fields"]
    assert not Payment.objects.exists()


def test_post_with_vnpay_not_configured_is_400_on_the_provider_field(dossier, settings):
    settings.VNPAY_TMN_CODE = ""

    response = api(dossier.applicant).post(payments_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 400 and "provider" in response.json()["fields"]


def test_post_on_another_citizens_dossier_is_404(dossier, other_citizen):
    response = api(other_citizen).post(payments_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_post_when_the_fee_is_paid_is_409_nothing_to_pay(dossier):
    pay_online(dossier)

    response = api(dossier.applicant).post(payments_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_pay"
    assert Payment.objects.count() == 1


# --- listing --------------------------------------------------------------------------------------


def test_get_lists_the_payments_newest_first_paginated(dossier):
    made = [PaymentFactory(dossier=dossier, failed=True) for _ in range(3)]
    Payment.objects.filter(pk=made[0].pk).update(created_at=made[0].created_at.replace(year=2025))

    response = api(dossier.applicant).get(payments_url(dossier), {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert str(made[0].pk) not in [p["id"] for p in body["results"]]  # the oldest: page 2
    second = api(dossier.applicant).get(payments_url(dossier), {"page_size": 2, "page": 2})
    assert [p["id"] for p in second.json()["results"]] == [str(made[0].pk)]


def test_get_shows_the_signed_receipt_and_the_refund(
    dossier, intake, django_capture_on_commit_callbacks
):
    duplicate = start_online(dossier)  # a second tab, paid after the first
    with django_capture_on_commit_callbacks(execute=True):
        paid = pay_online(dossier)
    confirm(duplicate)

    results = {
        p["id"]: p for p in api(dossier.applicant).get(payments_url(dossier)).json()["results"]
    }

    receipt = results[str(paid.pk)]["receipt"]
    assert receipt["code"] == f"{dossier.code}-BL1" and receipt["signed"] is True
    assert receipt["verify_url"].endswith(f"/verify/{receipt['code']}")
    assert receipt["url"].startswith("http://testserver/")
    refund = results[str(duplicate.pk)]["refund"]
    assert refund["reason"] == "duplicate" and refund["amount"] == 60_000
    assert refund["state"] == "pending"


def test_an_officer_serving_the_dossier_reads_its_payments(dossier, specialist):
    PaymentFactory(dossier=dossier)

    response = api(specialist).get(payments_url(dossier))

    assert response.status_code == 200 and response.json()["count"] == 1


# --- the counter ----------------------------------------------------------------------------------


def test_the_counter_endpoint_records_a_payment_201(
    awaiting, intake, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(intake).post(
            counter_url(awaiting), {"provider": "card", "payer_name": "Phan Văn Đức"}
        )

    assert response.status_code == 201
    body = response.json()
    assert (body["provider"], body["amount"], body["state"]) == ("card", 60_000, "succeeded")
    payment = Payment.objects.get()
    assert payment.recorded_by == intake and payment.payer_name == "Phan Văn Đức"
    assert payment.receipt is not None and payment.receipt.signed
    awaiting.refresh_from_db()
    assert awaiting.fee_state == FeeState.PAID and awaiting.status == Status.PROCESSING


def test_the_counter_endpoint_refuses_an_online_provider_400(dossier, intake):
    response = api(intake).post(counter_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 400 and "provider" in response.json()["fields"]
    assert not Payment.objects.exists()


def test_the_counter_endpoint_refuses_a_second_recording_409(dossier, intake):
    api(intake).post(counter_url(dossier), {"provider": "cash"})

    response = api(intake).post(counter_url(dossier), {"provider": "cash"})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "nothing_to_pay" and "nothing to pay" in body["detail"]
    assert Payment.objects.count() == 1


def test_the_counter_endpoint_refuses_a_specialist_403(dossier, specialist):
    response = api(specialist).post(counter_url(dossier), {"provider": "cash"})

    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Payment.objects.exists()


# --- exemptions -----------------------------------------------------------------------------------


@pytest.fixture
def exempt_group(procedure):
    group = ExemptGroupFactory(code="ho-ngheo", name="Hộ nghèo")
    FeeItemFactory(procedure=procedure, code="le-phi").exempt_groups.add(group)
    return group


def test_the_exemption_endpoint_waives_the_fee_201(dossier, leader, exempt_group):
    response = api(leader).post(
        exemption_url(dossier), {"group": "ho-ngheo", "reason": "Sổ hộ nghèo 2026"}
    )

    assert response.status_code == 201
    assert response.json() == {"group": "ho-ngheo", "amount": 60_000}
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.EXEMPT


def test_the_exemption_endpoint_needs_a_reason_400(dossier, leader, exempt_group):
    response = api(leader).post(exemption_url(dossier), {"group": "ho-ngheo", "reason": " "})

    assert response.status_code == 400 and "reason" in response.json()["fields"]
    assert not FeeExemption.objects.exists()


def test_the_exemption_endpoint_refuses_a_group_not_exempted_400(dossier, leader, exempt_group):
    ExemptGroupFactory(code="khac")

    response = api(leader).post(exemption_url(dossier), {"group": "khac", "reason": "Lý do"})

    assert response.status_code == 400 and "group" in response.json()["fields"]
    assert not FeeExemption.objects.exists()


def test_the_exemption_endpoint_refuses_a_specialist_403(dossier, specialist, exempt_group):
    response = api(specialist).post(
        exemption_url(dossier), {"group": "ho-ngheo", "reason": "Lý do"}
    )

    assert response.status_code == 403
    assert not FeeExemption.objects.exists()


# --- refunds --------------------------------------------------------------------------------------


@pytest.fixture
def refund(dossier, intake):
    pay_online(dossier)
    withdraw_and_stop(dossier, intake)
    return Refund.objects.get()


def test_the_refund_endpoint_records_the_refund_200(refund, dossier, intake):
    response = api(intake).post(refund_url(refund), {"reference": "VNP-RF-1", "note": "qua VNPay"})

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "done" and body["reference"] == "VNP-RF-1"
    assert body["completed_at"] and body["amount"] == 60_000
    assert Payment.objects.get(pk=refund.payment_id).state == PaymentState.REFUNDED
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.REFUNDED


def test_the_refund_endpoint_needs_a_reference_400(refund, intake):
    response = api(intake).post(refund_url(refund), {})

    assert response.status_code == 400 and "reference" in response.json()["fields"]
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING


def test_the_refund_endpoint_records_once_409(refund, intake):
    api(intake).post(refund_url(refund), {"reference": "A"})

    response = api(intake).post(refund_url(refund), {"reference": "B"})

    assert response.status_code == 409 and response.json()["code"] == "conflict"
    refund.refresh_from_db()
    assert refund.reference == "A"


def test_the_refund_endpoint_refuses_a_specialist_403(refund, specialist):
    assert api(specialist).post(refund_url(refund), {"reference": "A"}).status_code == 403
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING


def test_the_refund_endpoint_for_an_unknown_refund_is_404(intake):
    response = api(intake).post("/api/v1/officer/refunds/999999/complete/", {"reference": "A"})

    assert response.status_code == 404


# --- the dossier detail APIs ----------------------------------------------------------------------


def test_the_citizens_dossier_detail_shows_the_fee_owed(dossier):
    body = api(dossier.applicant).get(f"/api/v1/dossiers/{dossier.pk}/").json()

    assert body["fee_state"] == "due" and body["payment_status"] == "due"
    assert body["fee_paid_at"] is None and body["fee_paid_channel"] is None


def test_the_citizens_dossier_detail_shows_the_fee_paid(dossier):
    pay_online(dossier)

    body = api(dossier.applicant).get(f"/api/v1/dossiers/{dossier.pk}/").json()

    assert body["fee_state"] == "paid" and body["payment_status"] == "paid"
    assert body["fee_paid_at"] and body["fee_paid_channel"] == Channel.ONLINE


def test_the_citizens_dossier_detail_says_not_required_for_a_free_procedure(procedure):
    from dossiers.tests.factories import DossierFactory

    free = DossierFactory(received=True, procedure=procedure, fee_net=0)

    body = api(free.applicant).get(f"/api/v1/dossiers/{free.pk}/").json()

    assert body["payment_status"] == "not_required" and body["fee_state"] == "none"


def test_the_officers_dossier_detail_shows_the_fee_state(dossier, intake):
    api(intake).post(counter_url(dossier), {"provider": "cash"})

    body = api(intake).get(f"/api/v1/officer/dossiers/{dossier.pk}/").json()

    assert body["fee_state"] == "paid"
    assert body["fee_paid_at"] and body["fee_paid_channel"] == Channel.COUNTER
    assert body["fee_net"] == 60_000
