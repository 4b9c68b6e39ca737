"""The payment services (payments/services.py): opening an online payment, the expiry sweep,
payments taken at the counter and fee exemptions. The IPN and refunds have their own files."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from dossiers.constants import FeeState, Status
from dossiers.models import Dossier, DossierEvent
from dossiers.tests.factories import DossierFactory, sample_fee
from payments import services, tasks, vnpay
from payments.constants import CallKind, PaymentState, Provider
from payments.models import FeeExemption, GatewayCall, Payment
from payments.tests.factories import (
    VNPAY_SECRET,
    PaymentFactory,
    confirm,
    pay_online,
    start_online,
)
from portal.errors import DomainError
from procedures.constants import Channel
from procedures.tests.factories import ExemptGroupFactory, FeeItemFactory

pytestmark = pytest.mark.django_db


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


def nothing_written(dossier) -> None:
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.DUE
    assert not Payment.objects.filter(dossier=dossier).exists()
    assert not FeeExemption.objects.filter(dossier=dossier).exists()
    assert not DossierEvent.objects.filter(
        dossier=dossier, action__in=["fee_paid", "fee_exempt"]
    ).exists()


# --- opening an online payment --------------------------------------------------------------------


def test_payment_start_opens_a_pending_attempt_of_the_frozen_amount(dossier):
    before = timezone.now()

    payment = start_online(dossier)

    assert payment.state == PaymentState.PENDING
    assert payment.amount == dossier.fee_net == 60_000
    assert payment.provider == Provider.VNPAY
    assert payment.payer == dossier.applicant
    assert payment.payer_name == dossier.applicant.full_name
    assert before + dt.timedelta(minutes=15) <= payment.expires_at
    assert payment.expires_at <= timezone.now() + dt.timedelta(minutes=15)


def test_payment_start_charges_the_quote_frozen_at_submission_not_todays_schedule(procedure):
    dossier = DossierFactory(received=True, fee_due=True, procedure=procedure, fee_net=45_000)
    FeeItemFactory(procedure=procedure, code="le-phi", amount=500_000)  # the schedule changed

    assert start_online(dossier).amount == 45_000


def test_payment_start_references_are_dated_and_never_repeat(dossier):
    references = {start_online(dossier).reference for _ in range(5)}

    assert len(references) == 5
    today = timezone.localdate().strftime("%y%m%d")
    assert all(re.fullmatch(rf"{today}[0-9A-F]{{12}}", ref) for ref in references)


def test_payment_start_returns_the_gateways_address_with_a_valid_signature(dossier, settings):
    payment, url = services.payment_start(
        dossier=dossier,
        payer=dossier.applicant,
        provider=Provider.VNPAY,
        return_url="https://dichvucong.example.vn/payments/vnpay/return/",
        ip="203.0.113.7",
    )

    parts = urlsplit(url)
    assert url.startswith(settings.VNPAY_PAYMENT_URL + "?")
    params = dict(parse_qsl(parts.query))
    assert vnpay.signature_valid(params, VNPAY_SECRET)
    assert params["vnp_TxnRef"] == payment.reference
    assert params["vnp_Amount"] == "6000000"
    assert params["vnp_ReturnUrl"] == "https://dichvucong.example.vn/payments/vnpay/return/"
    assert params["vnp_IpAddr"] == "203.0.113.7"
    assert params["vnp_OrderInfo"].isascii()


def test_payment_start_dates_the_request_in_gmt7_with_the_expiry(dossier):
    payment = start_online(dossier)

    params = GatewayCall.objects.get(kind=CallKind.REQUEST, payment=payment).params
    created = vnpay.parse_date(params["vnp_CreateDate"])
    expires = vnpay.parse_date(params["vnp_ExpireDate"])
    assert expires - created == dt.timedelta(minutes=django_settings.PAYMENT_EXPIRY_MINUTES)
    assert params["vnp_ExpireDate"] == vnpay.format_date(payment.expires_at)
    assert abs(created - timezone.now()) < dt.timedelta(minutes=1)


def test_payment_start_asks_the_gateway_for_english_when_the_payer_reads_english(dossier):
    start_online(dossier, locale="en")

    assert GatewayCall.objects.get(kind=CallKind.REQUEST).params["vnp_Locale"] == "en"


def test_payment_start_through_the_sandbox_goes_to_the_portals_own_page(dossier):
    _payment, url = services.payment_start(
        dossier=dossier, payer=dossier.applicant, provider=Provider.SANDBOX, return_url="/r/"
    )

    assert url.startswith("/payments/sandbox/pay/?")


def test_payment_start_for_another_persons_dossier_is_404(dossier, other_citizen):
    error = refused(
        services.payment_start,
        dossier=dossier,
        payer=other_citizen,
        provider=Provider.VNPAY,
        return_url="/r/",
    )

    assert error.status == 404
    nothing_written(dossier)


@pytest.mark.parametrize("provider", [Provider.CASH, Provider.CARD, "paypal", ""])
def test_payment_start_refuses_a_gateway_not_offered(dossier, provider):
    error = refused(
        services.payment_start,
        dossier=dossier,
        payer=dossier.applicant,
        provider=provider,
        return_url="/r/",
    )

    assert error.status == 400 and "provider" in error.fields
    nothing_written(dossier)


def test_payment_start_refuses_vnpay_when_no_terminal_is_configured(dossier, settings):
    settings.VNPAY_TMN_CODE = ""

    error = refused(start_online, dossier, Provider.VNPAY)

    assert error.status == 400 and "provider" in error.fields


@pytest.mark.parametrize("fee_state", [FeeState.PAID, FeeState.EXEMPT, FeeState.NONE])
def test_payment_start_when_nothing_is_owed_is_409(dossier, fee_state):
    Dossier.objects.filter(pk=dossier.pk).update(fee_state=fee_state)

    error = refused(start_online, dossier)

    assert (error.status, error.code) == (409, "nothing_to_pay")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("status", [Status.WITHDRAWAL, Status.STOPPED, Status.REFUSED])
def test_payment_start_on_a_closed_or_withdrawing_dossier_is_409(dossier, status):
    Dossier.objects.filter(pk=dossier.pk).update(status=status)

    error = refused(start_online, dossier)

    assert (error.status, error.code) == (409, "not_payable")
    assert not Payment.objects.exists()


# --- expiry ---------------------------------------------------------------------------------------


def test_payments_expire_closes_pending_attempts_past_expiry_and_grace():
    now = timezone.now()
    old = PaymentFactory(expires_at=now - services.EXPIRY_GRACE - dt.timedelta(seconds=1))
    within_grace = PaymentFactory(expires_at=now - services.EXPIRY_GRACE + dt.timedelta(seconds=30))
    running = PaymentFactory(expires_at=now + dt.timedelta(minutes=10))

    assert services.payments_expire(now=now) == 1

    states = {p.pk: p.state for p in Payment.objects.all()}
    assert states[old.pk] == PaymentState.EXPIRED
    assert states[within_grace.pk] == PaymentState.PENDING
    assert states[running.pk] == PaymentState.PENDING


def test_payments_expire_leaves_settled_attempts_alone():
    past = timezone.now() - dt.timedelta(hours=2)
    succeeded = PaymentFactory(succeeded=True, expires_at=past)
    failed = PaymentFactory(failed=True, expires_at=past)
    counter = PaymentFactory(counter=True)

    assert services.payments_expire() == 0

    assert Payment.objects.get(pk=succeeded.pk).state == PaymentState.SUCCEEDED
    assert Payment.objects.get(pk=failed.pk).state == PaymentState.FAILED
    assert Payment.objects.get(pk=counter.pk).state == PaymentState.SUCCEEDED


def test_payments_expire_is_idempotent():
    PaymentFactory(expires_at=timezone.now() - dt.timedelta(hours=1))

    assert services.payments_expire() == 1
    assert services.payments_expire() == 0
    assert Payment.objects.get().state == PaymentState.EXPIRED


def test_a_late_success_on_an_expired_attempt_is_still_accepted(dossier):
    payment = start_online(dossier)
    services.payments_expire(now=timezone.now() + dt.timedelta(hours=1))
    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED

    assert confirm(payment) == "00"

    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert dossier.fee_state == FeeState.PAID


def test_a_late_failure_on_an_expired_attempt_answers_02(dossier):
    payment = start_online(dossier)
    services.payments_expire(now=timezone.now() + dt.timedelta(hours=1))

    assert confirm(payment, response="24") == "02"

    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED


def test_the_expiry_task_runs_the_sweep():
    PaymentFactory(expires_at=timezone.now() - dt.timedelta(hours=1))

    assert tasks.expire_payments.apply().get() == 1
    assert Payment.objects.get().state == PaymentState.EXPIRED


def test_the_expiry_task_is_on_celery_beats_schedule(settings):
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "payments.tasks.expire_payments"
    ]

    assert len(entries) == 1
    assert entries[0]["schedule"] <= 300
    assert tasks.expire_payments.name == "payments.tasks.expire_payments"


# --- at the counter -------------------------------------------------------------------------------


def record(dossier, actor, provider=Provider.CASH, **kwargs) -> Payment:
    return services.payment_record_counter(
        dossier=dossier, actor=actor, provider=provider, **kwargs
    )


@pytest.mark.parametrize("provider", [Provider.CASH, Provider.CARD])
def test_an_intake_officer_records_a_counter_payment_of_the_frozen_amount(
    dossier, intake, provider
):
    payment = record(dossier, intake, provider)

    assert payment.state == PaymentState.SUCCEEDED and payment.provider == provider
    assert payment.amount == 60_000 and isinstance(payment.amount, int)
    assert payment.recorded_by == intake and payment.confirmed_at is not None
    assert payment.payer_name == dossier.applicant.display_name
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
    assert dossier.fee_paid_channel == Channel.COUNTER
    event = DossierEvent.objects.get(dossier=dossier, action="fee_paid")
    assert event.actor == intake and event.data["provider"] == provider


def test_a_leader_records_a_counter_payment_with_the_payers_name_and_a_note(dossier, leader):
    payment = record(dossier, leader, payer_name="  Lê Văn Cường ", note=" Nộp thay ")

    assert payment.payer_name == "Lê Văn Cường" and payment.note == "Nộp thay"


def test_a_portal_admin_may_record_a_counter_payment(dossier, portal_admin):
    assert record(dossier, portal_admin).recorded_by == portal_admin


def test_a_counter_payment_resumes_processing_of_a_dossier_waiting_for_its_fee(awaiting, intake):
    record(awaiting, intake)

    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING and awaiting.fee_state == FeeState.PAID


def test_a_specialist_may_not_take_money_403(dossier, specialist):
    error = refused(record, dossier, specialist)

    assert (error.status, error.code) == (403, "permission_denied")
    nothing_written(dossier)


def test_an_officer_of_another_agency_does_not_see_the_dossier_404(dossier, stranger_officer):
    error = refused(record, dossier, stranger_officer)

    assert error.status == 404
    nothing_written(dossier)


def test_a_citizen_cannot_record_a_counter_payment_404(dossier):
    error = refused(record, dossier, dossier.applicant)

    assert error.status == 404
    nothing_written(dossier)


def test_a_counter_payment_must_be_cash_or_card(dossier, intake):
    error = refused(record, dossier, intake, Provider.VNPAY)

    assert error.status == 400 and "provider" in error.fields
    nothing_written(dossier)


def test_a_second_counter_recording_is_refused_409_with_a_clear_message(dossier, intake, leader):
    record(dossier, intake)

    with translation.override("en"):
        error = refused(record, dossier, leader)

    assert (error.status, error.code) == (409, "nothing_to_pay")
    assert "nothing to pay" in error.message and "Paid" in error.message
    assert Payment.objects.filter(dossier=dossier).count() == 1


def test_a_counter_payment_after_an_online_one_is_refused_409(dossier, intake):
    pay_online(dossier)

    assert refused(record, dossier, intake).status == 409


# --- exemptions -----------------------------------------------------------------------------------


@pytest.fixture
def poor_household(procedure):
    """An exempt group the procedure's only fee item (``le-phi``) names."""
    group = ExemptGroupFactory(code="ho-ngheo", name="Hộ nghèo")
    FeeItemFactory(procedure=procedure, code="le-phi").exempt_groups.add(group)
    return group


def two_item_fee() -> dict:
    fee = sample_fee()
    second = {**fee["items"][0], "code": "phi-ban-sao", "name": "Phí bản sao"}
    free = {**fee["items"][0], "code": "mien-phi", "gross": 0, "discount": 0, "net": 0}
    fee["items"] = [fee["items"][0], second, free]
    return fee


def test_exempt_groups_are_those_every_charged_fee_item_names(procedure):
    a, b, c = (ExemptGroupFactory(code=code) for code in ("nhom-a", "nhom-b", "nhom-c"))
    FeeItemFactory(procedure=procedure, code="le-phi").exempt_groups.add(a, b)
    FeeItemFactory(procedure=procedure, code="phi-ban-sao").exempt_groups.add(b, c)
    FeeItemFactory(procedure=procedure, code="mien-phi")  # charges nothing here: not counted
    dossier = DossierFactory(received=True, fee_due=True, fee=two_item_fee(), procedure=procedure)

    assert services.exempt_groups_for(dossier) == [b]


def test_exempt_groups_ignore_fee_items_of_other_procedures(dossier, procedure):
    group = ExemptGroupFactory()
    FeeItemFactory(code="le-phi").exempt_groups.add(group)  # another procedure's item

    assert services.exempt_groups_for(dossier) == []


def test_exempt_groups_of_a_dossier_without_charged_items_are_none(awaiting, poor_household):
    awaiting.fee = {"items": [], "gross": 0, "discount": 0, "net": 0}

    assert services.exempt_groups_for(awaiting) == []


def test_an_exemption_waives_the_fee(dossier, intake, poor_household):
    exemption = services.fee_exemption_record(
        dossier=dossier, actor=intake, group_code="ho-ngheo", reason=" Sổ hộ nghèo số 12/2026 "
    )

    assert exemption.group == poor_household and exemption.amount == 60_000
    assert exemption.reason == "Sổ hộ nghèo số 12/2026" and exemption.recorded_by == intake
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.EXEMPT and dossier.fee_paid_at is None
    event = DossierEvent.objects.get(dossier=dossier, action="fee_exempt")
    assert event.actor == intake and event.data["group"] == "ho-ngheo"
    assert not Payment.objects.exists()


def test_an_exemption_resumes_processing_of_a_dossier_waiting_for_its_fee(
    awaiting, leader, poor_household
):
    services.fee_exemption_record(
        dossier=awaiting, actor=leader, group_code="ho-ngheo", reason="Giấy xác nhận hộ nghèo"
    )

    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING and awaiting.fee_state == FeeState.EXEMPT


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_exemption_needs_a_reason(dossier, intake, poor_household, reason):
    error = refused(
        services.fee_exemption_record,
        dossier=dossier,
        actor=intake,
        group_code="ho-ngheo",
        reason=reason,
    )

    assert error.status == 400 and "reason" in error.fields
    nothing_written(dossier)


def test_an_exemption_for_a_group_not_named_by_every_item_is_refused(procedure, intake):
    a, b = ExemptGroupFactory(code="nhom-a"), ExemptGroupFactory(code="nhom-b")
    FeeItemFactory(procedure=procedure, code="le-phi").exempt_groups.add(a, b)
    FeeItemFactory(procedure=procedure, code="phi-ban-sao").exempt_groups.add(b)
    dossier = DossierFactory(received=True, fee_due=True, fee=two_item_fee(), procedure=procedure)

    error = refused(
        services.fee_exemption_record,
        dossier=dossier,
        actor=intake,
        group_code="nhom-a",
        reason="Có giấy tờ",
    )

    assert error.status == 400 and "group" in error.fields
    nothing_written(dossier)


def test_a_specialist_may_not_record_an_exemption(dossier, specialist, poor_household):
    error = refused(
        services.fee_exemption_record,
        dossier=dossier,
        actor=specialist,
        group_code="ho-ngheo",
        reason="x",
    )

    assert error.status == 403
    nothing_written(dossier)


def test_an_officer_of_another_agency_may_not_record_an_exemption(
    dossier, stranger_officer, poor_household
):
    error = refused(
        services.fee_exemption_record,
        dossier=dossier,
        actor=stranger_officer,
        group_code="ho-ngheo",
        reason="x",
    )

    assert error.status == 404
    nothing_written(dossier)


def test_an_exemption_of_a_paid_fee_is_refused_409(dossier, intake, poor_household):
    record(dossier, intake)

    error = refused(
        services.fee_exemption_record,
        dossier=dossier,
        actor=intake,
        group_code="ho-ngheo",
        reason="x",
    )

    assert error.status == 409
    assert not FeeExemption.objects.exists()


def test_a_citizen_cannot_record_an_exemption(dossier, poor_household):
    citizen = UserFactory()

    error = refused(
        services.fee_exemption_record,
        dossier=dossier,
        actor=citizen,
        group_code="ho-ngheo",
        reason="x",
    )

    assert error.status == 404
    nothing_written(dossier)
