"""VNPay delivers the same IPN twice at the same moment (it retries, and its servers are many):
one call confirms, the other hears 02, and the fee is paid once (PostgreSQL: row locks)."""

from __future__ import annotations

import pytest
from django.test import Client

from dossiers.constants import DocumentKind, FeeState
from dossiers.models import DossierEvent, IssuedDocument
from payments import services
from payments.constants import PaymentState, Provider
from payments.models import Payment, Refund
from payments.tests.factories import IPN_URL, ipn_params
from portal.testing import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_identical_successes_confirm_once(dossier):
    payment, _url = services.payment_start(
        dossier=dossier,
        payer=dossier.applicant,
        provider=Provider.VNPAY,
        return_url="http://testserver/payments/vnpay/return/",
    )
    params = ipn_params(payment)

    def deliver(_i):
        return Client().get(IPN_URL, params).json()["RspCode"]

    codes, errors = run_at_once([lambda i=i: deliver(i) for i in range(2)])

    assert errors == []
    assert sorted(codes) == ["00", "02"]
    assert Payment.objects.filter(state=PaymentState.SUCCEEDED).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action="fee_paid").count() == 1
    receipts = IssuedDocument.objects.filter(dossier=dossier, kind=DocumentKind.FEE_RECEIPT)
    assert receipts.count() == 1
    assert Payment.objects.get(pk=payment.pk).receipt == receipts.get()
    assert not Refund.objects.exists()
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
