"""What the dossier workflow does with the fee (dossiers/workflow.py): processing does not
restart from "fee to pay" while the fee is owed, the result is not handed over unpaid when the
procedure says so, payment is not asked for twice, and the fee moves only along FEE_MOVES."""

from __future__ import annotations

import pytest

from dossiers import workflow
from dossiers.constants import FEE_PAYABLE, FEE_SETTLED, FeeState, Status
from dossiers.models import Dossier, DossierEvent, ResultHandover
from dossiers.permissions import can_pay_fee
from dossiers.tests.factories import DossierFactory, sample_fee
from portal.errors import DomainError
from procedures.constants import Channel

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


# --- start (6 → 4) --------------------------------------------------------------------------------


def test_processing_does_not_restart_while_the_fee_is_owed(awaiting, specialist):
    error = refused(workflow.dossier_start, dossier=awaiting, actor=specialist)

    assert (error.status, error.code) == (409, "fee_unpaid")
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_PAYMENT
    assert not DossierEvent.objects.filter(dossier=awaiting, action="start").exists()


@pytest.mark.parametrize("fee_state", [FeeState.NONE, FeeState.EXEMPT, FeeState.PAID])
def test_processing_restarts_from_fee_to_pay_once_nothing_is_owed(awaiting, leader, fee_state):
    Dossier.objects.filter(pk=awaiting.pk).update(fee_state=fee_state)

    started = workflow.dossier_start(dossier=awaiting, actor=leader)

    assert started.status == Status.PROCESSING


def test_start_is_not_blocked_by_an_owed_fee_outside_fee_to_pay(dossier, specialist):
    started = workflow.dossier_start(dossier=dossier, actor=specialist)  # 2 → 4, fee due

    assert started.status == Status.PROCESSING


# --- return (9 → 10) ------------------------------------------------------------------------------


@pytest.fixture
def processed(procedure):
    return DossierFactory(processed=True, fee_due=True, procedure=procedure)


def hand_over(dossier, actor):
    return workflow.dossier_return(dossier=dossier, actor=actor, method="online")


@pytest.mark.parametrize("fee_state", [FeeState.DUE, FeeState.REFUNDING, FeeState.REFUNDED])
def test_the_result_is_not_handed_over_before_the_fee_is_settled(processed, intake, fee_state):
    Dossier.objects.filter(pk=processed.pk).update(fee_state=fee_state)

    error = refused(workflow.dossier_return, dossier=processed, actor=intake, method="online")

    assert (error.status, error.code) == (409, "fee_unpaid")
    processed.refresh_from_db()
    assert processed.status == Status.PROCESSED
    assert not ResultHandover.objects.filter(dossier=processed).exists()


@pytest.mark.parametrize("fee_state", sorted(FEE_SETTLED))
def test_the_result_is_handed_over_once_the_fee_is_settled(processed, intake, fee_state):
    Dossier.objects.filter(pk=processed.pk).update(fee_state=fee_state)

    assert hand_over(processed, intake).status == Status.RETURNED


def test_the_result_is_handed_over_unpaid_when_the_procedure_allows_it(processed, intake):
    processed.procedure.pay_before_result = False
    processed.procedure.save()

    assert hand_over(processed, intake).status == Status.RETURNED


# --- request payment (→ 6) ------------------------------------------------------------------------


def test_payment_is_asked_for_while_the_fee_is_owed(dossier, specialist):
    assert "request_payment" in workflow.allowed_now(specialist, dossier)

    asked = workflow.dossier_request_payment(dossier=dossier, actor=specialist)

    assert asked.status == Status.AWAITING_PAYMENT


@pytest.mark.parametrize("fee_state", [FeeState.PAID, FeeState.EXEMPT])
def test_payment_is_not_asked_for_a_settled_fee(dossier, specialist, fee_state):
    Dossier.objects.filter(pk=dossier.pk).update(fee_state=fee_state)
    dossier.refresh_from_db()

    assert "request_payment" not in workflow.allowed_now(specialist, dossier)
    error = refused(workflow.dossier_request_payment, dossier=dossier, actor=specialist)
    assert error.status == 409
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


# --- the fee's own moves --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (FeeState.DUE, FeeState.PAID),
        (FeeState.DUE, FeeState.EXEMPT),
        (FeeState.PAID, FeeState.REFUNDING),
        (FeeState.REFUNDING, FeeState.REFUNDED),
    ],
)
def test_the_fee_moves_along_fee_moves_with_an_event(dossier, start, target):
    Dossier.objects.filter(pk=dossier.pk).update(fee_state=start)

    moved, event = workflow.dossier_fee_settle(dossier=dossier, state=target)

    assert moved.fee_state == target
    assert event.action == workflow.FEE_MOVES[(start, target)]
    assert Dossier.objects.get(pk=dossier.pk).fee_state == target


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (FeeState.PAID, FeeState.PAID),
        (FeeState.DUE, FeeState.REFUNDED),
        (FeeState.NONE, FeeState.PAID),
        (FeeState.EXEMPT, FeeState.PAID),
        (FeeState.REFUNDED, FeeState.DUE),
    ],
)
def test_any_other_fee_move_is_refused_and_writes_nothing(dossier, start, target):
    Dossier.objects.filter(pk=dossier.pk).update(fee_state=start)

    error = refused(workflow.dossier_fee_settle, dossier=dossier, state=target)

    assert (error.status, error.code) == (409, "fee_conflict")
    assert Dossier.objects.get(pk=dossier.pk).fee_state == start
    assert not DossierEvent.objects.filter(dossier=dossier).exists()


def test_paid_at_and_channel_are_written_with_the_paid_state(dossier):
    moved, _event = workflow.dossier_fee_settle(
        dossier=dossier, state=FeeState.PAID, channel=Channel.COUNTER
    )

    assert moved.fee_paid_at is not None and moved.fee_paid_channel == Channel.COUNTER


# --- who may pay ----------------------------------------------------------------------------------


def test_the_applicant_may_pay_an_owed_fee_of_an_open_dossier(dossier, other_citizen, intake):
    assert can_pay_fee(dossier.applicant, dossier)
    assert not can_pay_fee(other_citizen, dossier)
    assert not can_pay_fee(intake, dossier)


@pytest.mark.parametrize("status", sorted(set(Status) - FEE_PAYABLE - {Status.DRAFT}))
def test_nobody_pays_a_dossier_closed_or_withdrawing(status):
    dossier = DossierFactory(
        submitted=True, status=status, fee=sample_fee(), fee_net=60_000, fee_state=FeeState.DUE
    )

    assert not can_pay_fee(dossier.applicant, dossier)


@pytest.mark.parametrize("fee_state", sorted(set(FeeState) - {FeeState.DUE}))
def test_nobody_pays_a_fee_not_owed(dossier, fee_state):
    dossier.fee_state = fee_state

    assert not can_pay_fee(dossier.applicant, dossier)
