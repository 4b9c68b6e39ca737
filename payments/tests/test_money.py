"""Money is whole VND everywhere: integer columns, integers in the API and the CSVs, ×100 only
on VNPay's wire, and never an amount of zero or a fraction."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, models, transaction
from rest_framework.test import APIClient

from dossiers.constants import FeeState
from payments.constants import CallKind, Provider
from payments.models import FeeExemption, GatewayCall, Payment, Refund
from payments.tests.factories import PaymentFactory, confirm, pay_online, start_online

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "field"),
    [(Payment, "amount"), (Refund, "amount"), (FeeExemption, "amount")],
)
def test_amounts_are_whole_vnd_columns(model, field):
    assert isinstance(model._meta.get_field(field), models.PositiveBigIntegerField)


def test_a_payment_of_zero_is_refused_by_the_database(dossier):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(dossier=dossier, amount=0)


def test_a_counter_payment_without_its_officer_is_refused_by_the_database(dossier):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(dossier=dossier, provider=Provider.CASH, recorded_by=None)


def test_the_amount_is_times_100_on_the_wire_only(dossier):
    payment = start_online(dossier)

    request = GatewayCall.objects.get(kind=CallKind.REQUEST).params
    assert request["vnp_Amount"] == "6000000"
    payment.refresh_from_db()
    assert payment.amount == 60_000 and type(payment.amount) is int


def test_an_amount_read_back_from_the_gateway_is_an_int(dossier):
    payment = pay_online(dossier)

    stored = Payment.objects.get(pk=payment.pk)
    assert type(stored.amount) is int
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID


def test_api_amounts_are_json_integers(dossier):
    pay_online(dossier)
    client = APIClient()
    client.force_login(dossier.applicant)

    body = client.get(f"/api/v1/dossiers/{dossier.pk}/payments/").json()

    amount = body["results"][0]["amount"]
    assert amount == 60_000 and type(amount) is int


def test_a_large_fee_keeps_every_dong(procedure):
    from dossiers.tests.factories import DossierFactory

    big = DossierFactory(received=True, fee_due=True, procedure=procedure, fee_net=2_147_483_647)

    payment = start_online(big)

    assert GatewayCall.objects.get(kind=CallKind.REQUEST).params["vnp_Amount"] == "214748364700"
    assert confirm(payment) == "00"
    assert Payment.objects.get(pk=payment.pk).amount == 2_147_483_647
