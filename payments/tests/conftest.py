"""Fixtures of the payments tests: a configured VNPay terminal, an agency with its counter
officers, a dossier owing the sample fee (60,000 đ online, 100,000 đ at the counter), and the
people who must be refused."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from dossiers.tests.factories import DossierFactory, published_procedure, sample_fee
from payments.tests.factories import VNPAY_SECRET, VNPAY_TMN
from portal.testing import login  # noqa: F401  (the tests import it from here)
from procedures.tests.factories import AgencyFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Many users are made here; hashing their passwords properly would only slow the tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _gateways(settings):
    """VNPay's test terminal and the sandbox are both offered, whatever the environment says."""
    settings.VNPAY_TMN_CODE = VNPAY_TMN
    settings.VNPAY_HASH_SECRET = VNPAY_SECRET
    settings.VNPAY_PAYMENT_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    settings.PAYMENT_SANDBOX = True
    settings.PAYMENT_SANDBOX_SECRET = "sandbox-secret-for-tests"
    settings.PAYMENT_EXPIRY_MINUTES = 15


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def procedure(agency):
    return published_procedure(agency=agency, name="Đăng ký khai sinh")


@pytest.fixture
def dossier(procedure):
    """Received, owing the sample fee (status 2, fee due)."""
    return DossierFactory(received=True, fee_due=True, procedure=procedure)


@pytest.fixture
def awaiting(procedure):
    """Waiting for its fee (status 6), owing the sample fee."""
    return DossierFactory(
        awaiting_payment=True, fee=sample_fee(), fee_net=60_000, procedure=procedure
    )


@pytest.fixture
def applicant(dossier):
    return dossier.applicant


@pytest.fixture
def intake(agency):
    return UserFactory(officer=True, agency=agency, totp=True)


@pytest.fixture
def leader(agency):
    return UserFactory(leader=True, agency=agency, totp=True)


@pytest.fixture
def specialist(agency):
    return UserFactory(specialist=True, agency=agency, totp=True)


@pytest.fixture
def stranger_officer(db):
    """A counter officer of another agency."""
    return UserFactory(officer=True, totp=True)


@pytest.fixture
def other_citizen(db):
    return UserFactory()


@pytest.fixture
def portal_admin(db):
    return UserFactory(admin=True, totp=True)
