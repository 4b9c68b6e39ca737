"""The payment pages through the test client: the citizen's pay page, the return from the
gateway, the sandbox gateway, and the officers' fee page (counter payment, exemption, refund).
Pages are asked for in English (the msgids). Who may open them: test_permissions.py."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.constants import FeeState, Status
from dossiers.models import Dossier
from dossiers.tests.factories import DossierFactory
from payments import vnpay
from payments.constants import CallKind, PaymentState, Provider, RefundState
from payments.models import FeeExemption, GatewayCall, Payment, Refund
from payments.tests.conftest import login
from payments.tests.factories import (
    RETURN_URL,
    VNPAY_SECRET,
    PaymentFactory,
    confirm,
    gateway_answer,
    pay_online,
    start_online,
    withdraw_and_stop,
)
from procedures.tests.factories import ExemptGroupFactory, FeeItemFactory

pytestmark = pytest.mark.django_db


def pay_url(dossier) -> str:
    return reverse("payments:pay", args=[dossier.pk])


def officer_url(dossier) -> str:
    return reverse("payments:officer", args=[dossier.pk])


def text(response) -> str:
    return response.content.decode()


# --- the pay page ---------------------------------------------------------------------------------


def test_the_pay_page_shows_the_online_amount_the_counter_price_and_the_legal_basis(
    client, dossier
):
    login(client, dossier.applicant)

    response = client.get(pay_url(dossier))

    assert response.status_code == 200
    html = text(response)
    assert "60.000 đ" in html  # online, 40% off
    assert "100.000 đ" in html  # at the counter
    assert "40.000 đ" in html  # the saving
    assert "NQ 18/2023" in html and "Giảm 40% lệ phí nộp trực tuyến" in html
    assert 'name="provider" value="vnpay"' in html
    assert 'name="provider" value="sandbox"' in html


def test_a_post_without_a_provider_is_400_with_an_error_summary_and_creates_nothing(
    client, dossier
):
    login(client, dossier.applicant)

    response = client.post(pay_url(dossier), {})

    assert response.status_code == 400
    assert 'class="error-summary"' in text(response)
    assert not Payment.objects.exists() and not GatewayCall.objects.exists()


@pytest.mark.parametrize("provider", ["paypal", Provider.CASH])
def test_a_post_with_an_unknown_provider_is_400_and_creates_nothing(client, dossier, provider):
    login(client, dossier.applicant)

    response = client.post(pay_url(dossier), {"provider": provider})

    assert response.status_code == 400
    assert 'class="error-summary"' in text(response)
    assert not Payment.objects.exists()


def test_a_post_sends_the_payer_to_the_gateway_with_a_signed_request(client, dossier, settings):
    login(client, dossier.applicant)

    response = client.post(pay_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(settings.VNPAY_PAYMENT_URL + "?")
    params = dict(parse_qsl(urlsplit(location).query))
    assert vnpay.signature_valid(params, VNPAY_SECRET)
    assert params["vnp_ReturnUrl"] == "http://testserver" + RETURN_URL
    payment = Payment.objects.get()
    assert payment.state == PaymentState.PENDING and params["vnp_TxnRef"] == payment.reference


def test_a_post_on_a_paid_dossier_is_409_with_the_reason(client, dossier):
    pay_online(dossier)
    login(client, dossier.applicant)

    response = client.post(pay_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 409
    html = text(response)
    assert 'class="error-summary"' in html
    assert "There is nothing to pay for this dossier" in html
    assert Payment.objects.count() == 1


def test_a_post_on_a_stopped_dossier_is_409(client, dossier):
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.STOPPED)
    login(client, dossier.applicant)

    response = client.post(pay_url(dossier), {"provider": "vnpay"})

    assert response.status_code == 409
    assert "cannot be paid" in text(response)
    assert not Payment.objects.exists()


def test_a_paid_dossiers_page_shows_the_state_and_the_receipt_and_no_form(
    client, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_online(dossier)
    payment.refresh_from_db()
    login(client, dossier.applicant)

    html = text(client.get(pay_url(dossier)))

    assert 'name="provider"' not in html
    assert "fee-paid" in html
    assert payment.receipt.code in html
    assert reverse("dossiers:issued_document", args=[dossier.pk, payment.receipt.pk]) in html


def test_after_a_declined_payment_the_pay_page_offers_a_retry(client, dossier):
    confirm(start_online(dossier), response="51")
    login(client, dossier.applicant)

    html = text(client.get(pay_url(dossier)))

    assert "Your last payment did not go through" in html
    assert 'name="provider" value="vnpay"' in html


def test_the_dossier_page_offers_to_pay_an_owed_fee(client, dossier):
    login(client, dossier.applicant)

    response = client.get(reverse("dossiers:detail", args=[dossier.pk]))

    assert response.status_code == 200
    assert response.context["can_pay"] is True
    assert f'href="{pay_url(dossier)}"' in text(response)


def test_the_dossier_page_of_a_paid_dossier_shows_the_payment_and_no_pay_button(client, dossier):
    pay_online(dossier)
    login(client, dossier.applicant)

    response = client.get(reverse("dossiers:detail", args=[dossier.pk]))

    assert response.status_code == 200
    assert response.context["can_pay"] is False
    assert "fee-paid" in text(response)
    assert "Pay 60.000 đ online" not in text(response)


# --- the return page ------------------------------------------------------------------------------


def test_the_return_page_with_a_tampered_signature_is_400_and_changes_nothing(client, dossier):
    payment = start_online(dossier)
    params = {**gateway_answer(payment), "vnp_Amount": "100"}
    login(client, dossier.applicant)

    response = client.get(RETURN_URL, params)

    assert response.status_code == 400
    assert response.context["outcome"] == "invalid"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert not GatewayCall.objects.filter(kind=CallKind.RETURN).exists()


def test_the_return_page_never_confirms_a_payment_itself(client, dossier):
    payment = start_online(dossier)
    login(client, dossier.applicant)

    response = client.get(RETURN_URL, gateway_answer(payment))

    assert response.status_code == 200
    assert response.context["outcome"] == "confirming"  # the IPN has not arrived yet
    assert '<meta http-equiv="refresh"' in text(response)
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.PENDING and dossier.fee_state == FeeState.DUE
    assert GatewayCall.objects.get(kind=CallKind.RETURN).payment == payment


def test_the_return_page_after_the_ipn_says_paid(client, dossier):
    payment = start_online(dossier)
    confirm(payment)
    login(client, dossier.applicant)

    response = client.get(RETURN_URL, gateway_answer(payment))

    assert response.status_code == 200
    assert response.context["outcome"] == "paid"
    assert "Payment received" in text(response) and dossier.code in text(response)


@pytest.mark.parametrize(
    ("code", "outcome"), [("24", "cancelled"), ("11", "timeout"), ("51", "failed")]
)
def test_the_return_page_after_a_failure_offers_to_try_again(client, dossier, code, outcome):
    payment = start_online(dossier)
    confirm(payment, response=code)
    login(client, dossier.applicant)

    response = client.get(RETURN_URL, gateway_answer(payment, response=code))

    assert response.status_code == 200
    assert response.context["outcome"] == outcome
    assert pay_url(dossier) in text(response)


def test_the_return_page_for_an_unknown_payment_is_404(client, dossier):
    login(client, dossier.applicant)
    params = gateway_answer(Payment(reference="261123000000000000", amount=60_000))

    response = client.get(RETURN_URL, params)

    assert response.status_code == 404
    assert response.context["outcome"] == "unknown"


def test_the_return_page_shows_the_payment_to_its_payer_only(client, dossier, other_citizen):
    payment = start_online(dossier)
    confirm(payment)
    login(client, other_citizen)

    response = client.get(RETURN_URL, gateway_answer(payment))

    assert response.status_code == 200
    assert response.context["payment"] is None
    assert dossier.code not in text(response)


# --- the sandbox gateway --------------------------------------------------------------------------


def sandbox_request(client, dossier) -> dict:
    """The citizen chooses the sandbox: the signed request the browser takes to it."""
    login(client, dossier.applicant)
    response = client.post(pay_url(dossier), {"provider": "sandbox"})
    assert response.status_code == 302
    return dict(parse_qsl(urlsplit(response["Location"]).query))


def test_the_sandbox_shows_a_genuine_request(client, dossier):
    params = sandbox_request(client, dossier)

    response = client.get(reverse("payments:sandbox"), params)

    assert response.status_code == 200
    assert "60.000 đ" in text(response)
    assert params["vnp_TxnRef"] in text(response)


def test_the_sandbox_refuses_a_request_with_a_bad_signature(client, dossier):
    params = {**sandbox_request(client, dossier), "vnp_Amount": "100"}

    for response in (
        client.get(reverse("payments:sandbox"), params),
        client.post(reverse("payments:sandbox"), {**params, "decision": "approve"}),
    ):
        assert response.status_code == 400
        assert response.context["invalid"] is True
    assert Payment.objects.get().state == PaymentState.PENDING


def test_the_sandbox_is_404_when_switched_off(client, dossier, settings):
    params = sandbox_request(client, dossier)
    settings.PAYMENT_SANDBOX = False

    assert client.get(reverse("payments:sandbox"), params).status_code == 404


def test_the_sandbox_approval_pays_and_returns_the_payer(
    client, dossier, django_capture_on_commit_callbacks
):
    params = sandbox_request(client, dossier)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payments:sandbox"), {**params, "decision": "approve"})

    assert response.status_code == 302
    assert response["Location"].startswith("http://testserver" + RETURN_URL + "?")
    payment = Payment.objects.get()
    assert payment.state == PaymentState.SUCCEEDED and payment.receipt is not None
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
    back = client.get(response["Location"])
    assert back.status_code == 200 and back.context["outcome"] == "paid"


def test_the_sandbox_decline_fails_the_payment_and_the_pay_page_offers_a_retry(client, dossier):
    params = sandbox_request(client, dossier)

    response = client.post(reverse("payments:sandbox"), {**params, "decision": "decline"})

    payment = Payment.objects.get()
    assert payment.state == PaymentState.FAILED and payment.response_code == "24"
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.DUE
    back = client.get(response["Location"])
    assert back.context["outcome"] == "cancelled"
    page = text(client.get(pay_url(dossier)))
    assert "Your last payment did not go through" in page
    assert client.post(pay_url(dossier), {"provider": "sandbox"}).status_code == 302
    assert Payment.objects.count() == 2


def test_the_sandbox_times_out_an_expired_request(client, dossier):
    params = sandbox_request(client, dossier)
    params["vnp_ExpireDate"] = vnpay.format_date(timezone.now() - dt.timedelta(minutes=1))
    params["vnp_SecureHash"] = vnpay.sign(params, "sandbox-secret-for-tests")

    response = client.post(reverse("payments:sandbox"), {**params, "decision": "approve"})

    assert response.status_code == 302
    assert Payment.objects.get().response_code == "11"
    assert Payment.objects.get().state == PaymentState.FAILED


# --- the officers' fee page -----------------------------------------------------------------------


def test_the_fee_page_shows_counter_officers_what_is_owed_and_the_forms(client, dossier, intake):
    login(client, intake)

    response = client.get(officer_url(dossier))

    assert response.status_code == 200
    html = text(response)
    assert "60.000 đ" in html
    assert 'name="action" value="counter"' in html
    assert response.context["can_take"] is True


def test_the_fee_page_offers_no_counter_form_to_a_specialist(client, dossier, specialist):
    login(client, specialist)

    response = client.get(officer_url(dossier))

    assert response.status_code == 200
    assert 'name="action" value="counter"' not in text(response)


def test_recording_a_cash_payment_on_the_page(
    client, awaiting, intake, django_capture_on_commit_callbacks
):
    login(client, intake)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            officer_url(awaiting),
            {"action": "counter", "counter-provider": "cash", "counter-payer_name": "Lê Thị Hoa"},
        )

    assert response.status_code == 302 and response["Location"] == officer_url(awaiting)
    payment = Payment.objects.get()
    assert (payment.provider, payment.amount, payment.recorded_by) == ("cash", 60_000, intake)
    assert payment.payer_name == "Lê Thị Hoa"
    assert payment.receipt is not None and payment.receipt.signed
    awaiting.refresh_from_db()
    assert awaiting.fee_state == FeeState.PAID and awaiting.status == Status.PROCESSING
    page = text(client.get(officer_url(awaiting)))
    assert "The payment of 60.000 đ is recorded" in page
    assert payment.receipt.code in page


def test_a_counter_form_with_a_bad_provider_is_400_with_its_errors(client, dossier, intake):
    login(client, intake)

    response = client.post(officer_url(dossier), {"action": "counter", "counter-provider": "gold"})

    assert response.status_code == 400
    assert 'class="error-summary"' in text(response)
    assert not Payment.objects.exists()


def test_a_second_counter_recording_on_the_page_is_409(client, dossier, intake):
    login(client, intake)
    client.post(officer_url(dossier), {"action": "counter", "counter-provider": "cash"})

    response = client.post(officer_url(dossier), {"action": "counter", "counter-provider": "card"})

    assert response.status_code == 409
    assert Payment.objects.count() == 1


def test_a_specialists_counter_recording_on_the_page_is_403(client, dossier, specialist):
    login(client, specialist)

    response = client.post(officer_url(dossier), {"action": "counter", "counter-provider": "cash"})

    assert response.status_code == 403
    assert not Payment.objects.exists()


@pytest.fixture
def exempt_group(procedure):
    group = ExemptGroupFactory(code="khuyet-tat", name="Người khuyết tật")
    FeeItemFactory(procedure=procedure, code="le-phi").exempt_groups.add(group)
    return group


def test_recording_an_exemption_on_the_page_resumes_processing(
    client, awaiting, intake, exempt_group
):
    login(client, intake)
    assert "Người khuyết tật" in text(client.get(officer_url(awaiting)))

    response = client.post(
        officer_url(awaiting),
        {"action": "exempt", "exempt-group": "khuyet-tat", "exempt-reason": "Giấy xác nhận số 5"},
    )

    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.fee_state == FeeState.EXEMPT and awaiting.status == Status.PROCESSING
    assert FeeExemption.objects.get().group == exempt_group


def test_an_exemption_without_a_reason_is_400_with_its_errors(
    client, dossier, intake, exempt_group
):
    login(client, intake)

    response = client.post(officer_url(dossier), {"action": "exempt", "exempt-group": "khuyet-tat"})

    assert response.status_code == 400
    assert 'class="error-summary"' in text(response)
    assert not FeeExemption.objects.exists()


def test_an_exemption_for_a_group_not_offered_is_400(client, dossier, intake, exempt_group):
    ExemptGroupFactory(code="nguoi-cao-tuoi")
    login(client, intake)

    response = client.post(
        officer_url(dossier),
        {"action": "exempt", "exempt-group": "nguoi-cao-tuoi", "exempt-reason": "Trên 80 tuổi"},
    )

    assert response.status_code == 400
    assert not FeeExemption.objects.exists()


@pytest.fixture
def pending_refund(dossier, intake):
    pay_online(dossier)
    withdraw_and_stop(dossier, intake)
    return Refund.objects.get()


def test_completing_a_refund_on_the_page(client, dossier, intake, pending_refund):
    login(client, intake)
    assert 'name="refund-reference"' in text(client.get(officer_url(dossier)))

    response = client.post(
        officer_url(dossier),
        {"action": "refund", "refund-refund": pending_refund.pk, "refund-reference": "RF-12"},
    )

    assert response.status_code == 302
    pending_refund.refresh_from_db()
    assert pending_refund.state == RefundState.DONE and pending_refund.reference == "RF-12"
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.REFUNDED


def test_a_refund_without_its_reference_is_400_with_its_errors(
    client, dossier, intake, pending_refund
):
    login(client, intake)

    response = client.post(
        officer_url(dossier), {"action": "refund", "refund-refund": pending_refund.pk}
    )

    assert response.status_code == 400
    assert 'class="error-summary"' in text(response)
    pending_refund.refresh_from_db()
    assert pending_refund.state == RefundState.PENDING


def test_a_refund_completed_twice_on_the_page_is_409_with_the_reason(
    client, dossier, intake, pending_refund
):
    login(client, intake)
    data = {"action": "refund", "refund-refund": pending_refund.pk, "refund-reference": "RF-1"}
    client.post(officer_url(dossier), data)

    response = client.post(officer_url(dossier), {**data, "refund-reference": "RF-2"})

    assert response.status_code == 409
    assert "This refund was already recorded" in text(response)
    pending_refund.refresh_from_db()
    assert pending_refund.reference == "RF-1"


def test_a_refund_of_another_dossier_is_404_on_the_page(client, dossier, intake, pending_refund):
    other = DossierFactory(received=True, fee_due=True, procedure=dossier.procedure)
    login(client, intake)

    response = client.post(
        officer_url(other),
        {"action": "refund", "refund-refund": pending_refund.pk, "refund-reference": "RF"},
    )

    assert response.status_code == 404
    pending_refund.refresh_from_db()
    assert pending_refund.state == RefundState.PENDING


def test_an_unknown_action_is_400(client, dossier, intake):
    login(client, intake)

    assert client.post(officer_url(dossier), {"action": "steal"}).status_code == 400
    assert client.post(officer_url(dossier), {}).status_code == 200  # no action: the page


# --- queries --------------------------------------------------------------------------------------


def ten_payments(dossier, capture):
    """A paid dossier with a receipt, a duplicate payment being refunded and 8 declined tries."""
    for i in range(8):
        PaymentFactory(dossier=dossier, failed=True, reference=f"FAILED{i:012d}")
    duplicate = start_online(dossier)
    with capture(execute=True):
        pay_online(dossier)
    assert confirm(duplicate) == "00"
    assert Payment.objects.filter(dossier=dossier).count() == 10
    assert Refund.objects.filter(payment=duplicate).exists()


def test_the_pay_page_reads_a_fixed_number_of_queries(
    client, dossier, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    ten_payments(dossier, django_capture_on_commit_callbacks)
    login(client, dossier.applicant)

    with django_assert_max_num_queries(6):
        response = client.get(pay_url(dossier))

    assert len(response.context["payments"]) == 10


def test_the_officer_fee_page_reads_a_fixed_number_of_queries(
    client, dossier, intake, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    ten_payments(dossier, django_capture_on_commit_callbacks)
    login(client, intake)

    with django_assert_max_num_queries(10):
        response = client.get(officer_url(dossier))

    assert len(response.context["payments"]) == 10
