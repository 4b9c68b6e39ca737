"""Refunds: opened by the portal when a paid dossier is refused or stopped, when a payment
arrives for a dossier already refused or stopped, and when the fee is paid twice; closed by a
counter officer of the agency with the refund's reference, once."""

from __future__ import annotations

import pytest
from django.utils import translation

from dossiers import workflow
from dossiers.constants import FeeState, Status
from dossiers.models import DossierEvent
from dossiers.tests.factories import DossierFactory
from payments import services
from payments.constants import PaymentState, Provider, RefundReason, RefundState
from payments.models import Payment, Refund
from payments.tests.factories import confirm, pay_online, start_online, withdraw_and_stop
from portal.errors import DomainError
from procedures.constants import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(procedure):
    """Submitted online, fee due: intake has not decided yet."""
    return DossierFactory(submitted=True, fee_due=True, procedure=procedure)


def refuse(dossier, actor):
    return workflow.dossier_refuse(dossier=dossier, actor=actor, reason="Không thuộc thẩm quyền")


def stop(dossier, actor):
    return withdraw_and_stop(dossier, actor)


def complete(refund, actor, reference="VNP-RF-0001", note=""):
    return services.refund_complete(refund=refund, actor=actor, reference=reference, note=note)


# --- opened by the portal -------------------------------------------------------------------------


def test_refusing_a_paid_dossier_opens_a_refund(submitted, intake):
    payment = pay_online(submitted)

    refuse(submitted, intake)

    refund = Refund.objects.get()
    assert refund.payment == payment and refund.amount == 60_000
    assert (refund.reason, refund.state) == (RefundReason.REFUSED, RefundState.PENDING)
    submitted.refresh_from_db()
    assert submitted.status == Status.REFUSED
    assert submitted.fee_state == FeeState.REFUNDING
    event = DossierEvent.objects.get(dossier=submitted, action="refund_started")
    assert event.data["reason"] == RefundReason.REFUSED


def test_stopping_a_paid_dossier_opens_a_refund(dossier, intake):
    pay_online(dossier)

    stop(dossier, intake)

    refund = Refund.objects.get()
    assert refund.reason == RefundReason.STOPPED
    dossier.refresh_from_db()
    assert dossier.status == Status.STOPPED and dossier.fee_state == FeeState.REFUNDING


def test_stopping_a_dossier_paid_at_the_counter_opens_a_refund(dossier, intake):
    payment = services.payment_record_counter(dossier=dossier, actor=intake, provider=Provider.CASH)

    stop(dossier, intake)

    assert Refund.objects.get().payment == payment


def test_refusing_an_unpaid_dossier_opens_no_refund(submitted, intake):
    refuse(submitted, intake)

    assert not Refund.objects.exists()
    submitted.refresh_from_db()
    assert submitted.fee_state == FeeState.CANCELLED  # a refused dossier owes nothing


def test_a_payment_confirmed_after_the_dossier_was_refused_is_refunded(submitted, intake):
    payment = start_online(submitted)
    refuse(submitted, intake)  # while the payer is on the gateway's page

    assert confirm(payment) == "00"

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    refund = Refund.objects.get(payment=payment)
    assert refund.reason == RefundReason.REFUSED and refund.amount == payment.amount
    submitted.refresh_from_db()
    assert submitted.fee_state == FeeState.CANCELLED  # it never owed the money it got


def test_a_payment_confirmed_after_the_dossier_was_stopped_is_refunded(dossier, intake):
    payment = start_online(dossier)
    stop(dossier, intake)

    assert confirm(payment) == "00"

    assert Refund.objects.get(payment=payment).reason == RefundReason.STOPPED
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.CANCELLED


def test_paying_twice_refunds_the_second_payment_as_a_duplicate(dossier):
    first, second = start_online(dossier), start_online(dossier)  # two tabs

    assert confirm(first, transaction_no="1") == "00"
    assert confirm(second, transaction_no="2") == "00"

    assert Payment.objects.filter(state=PaymentState.SUCCEEDED).count() == 2
    refund = Refund.objects.get()
    assert refund.payment == second and refund.reason == RefundReason.DUPLICATE
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
    assert DossierEvent.objects.filter(dossier=dossier, action="fee_paid").count() == 1
    assert not DossierEvent.objects.filter(dossier=dossier, action="refund_started").exists()


def test_an_online_payment_arriving_after_a_counter_payment_is_a_duplicate(dossier, intake):
    online = start_online(dossier)
    services.payment_record_counter(dossier=dossier, actor=intake, provider=Provider.CASH)

    assert confirm(online) == "00"

    assert Refund.objects.get().payment == online
    assert Refund.objects.get().reason == RefundReason.DUPLICATE
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID and dossier.fee_paid_channel == Channel.COUNTER


def test_refusing_a_dossier_paid_twice_refunds_the_payment_that_settled_it(submitted, intake):
    first, second = start_online(submitted), start_online(submitted)
    confirm(first, transaction_no="1")
    confirm(second, transaction_no="2")

    refuse(submitted, intake)

    reasons = dict(Refund.objects.values_list("payment_id", "reason"))
    assert reasons == {first.pk: RefundReason.REFUSED, second.pk: RefundReason.DUPLICATE}


# --- closed by an officer -------------------------------------------------------------------------


@pytest.fixture
def refund(dossier, intake):
    pay_online(dossier)
    stop(dossier, intake)
    return Refund.objects.get()


def test_completing_a_refund_records_it_and_refunds_the_dossier(refund, dossier, leader):
    done = complete(refund, leader, reference="  VNP-RF-778899 ", note=" chuyển khoản ")

    assert done.state == RefundState.DONE and done.completed_by == leader
    assert done.reference == "VNP-RF-778899" and done.note == "chuyển khoản"
    assert done.completed_at is not None
    assert Payment.objects.get(pk=refund.payment_id).state == PaymentState.REFUNDED
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.REFUNDED
    event = DossierEvent.objects.get(dossier=dossier, action="refunded")
    assert event.actor == leader and event.data["reference"] == "VNP-RF-778899"


@pytest.mark.parametrize("reference", ["", "   "])
def test_completing_a_refund_needs_its_reference(refund, intake, reference):
    with pytest.raises(DomainError) as caught:
        complete(refund, intake, reference=reference)

    assert caught.value.status == 400 and "reference" in caught.value.fields
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING
    assert Payment.objects.get(pk=refund.payment_id).state == PaymentState.SUCCEEDED


def test_a_refund_is_completed_only_once_409(refund, intake, leader):
    complete(refund, intake, reference="FIRST")

    with translation.override("en"), pytest.raises(DomainError) as caught:
        complete(refund, leader, reference="SECOND")

    assert caught.value.status == 409 and "already recorded" in caught.value.message
    refund.refresh_from_db()
    assert refund.reference == "FIRST" and refund.completed_by == intake


def test_a_specialist_may_not_complete_a_refund_403(refund, specialist):
    with pytest.raises(DomainError) as caught:
        complete(refund, specialist)

    assert caught.value.status == 403
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING


def test_an_officer_of_another_agency_may_not_complete_a_refund_404(refund, stranger_officer):
    with pytest.raises(DomainError) as caught:
        complete(refund, stranger_officer)

    assert caught.value.status == 404
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING


def test_the_applicant_may_not_complete_a_refund_404(refund, dossier):
    with pytest.raises(DomainError) as caught:
        complete(refund, dossier.applicant)

    assert caught.value.status == 404


def test_completing_a_duplicate_refund_leaves_the_dossier_paid(dossier, intake):
    first, second = start_online(dossier), start_online(dossier)
    confirm(first, transaction_no="1")
    confirm(second, transaction_no="2")

    complete(Refund.objects.get(), intake)

    assert Payment.objects.get(pk=second.pk).state == PaymentState.REFUNDED
    assert Payment.objects.get(pk=first.pk).state == PaymentState.SUCCEEDED
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
    assert not DossierEvent.objects.filter(dossier=dossier, action="refunded").exists()


def test_the_dossier_is_refunded_once_its_own_refund_is_done_not_a_duplicates(submitted, intake):
    first, second = start_online(submitted), start_online(submitted)
    confirm(first, transaction_no="1")
    confirm(second, transaction_no="2")
    refuse(submitted, intake)
    duplicate = Refund.objects.get(reason=RefundReason.DUPLICATE)
    own = Refund.objects.get(reason=RefundReason.REFUSED)

    complete(duplicate, intake, reference="DUP")
    submitted.refresh_from_db()
    assert submitted.fee_state == FeeState.REFUNDING

    complete(own, intake, reference="OWN")
    submitted.refresh_from_db()
    assert submitted.fee_state == FeeState.REFUNDED
