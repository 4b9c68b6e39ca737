"""Fixtures of the notifications tests: an agency with its officers (one of each duty), a
citizen reachable by email and SMS, and the people who must hear nothing."""

from __future__ import annotations

import pytest

from accounts import sms
from accounts.tests.factories import UserFactory
from dossiers.tests.factories import published_procedure
from portal.testing import login  # noqa: F401  (the tests import it from here)
from procedures.tests.factories import AgencyFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Text messages are kept in ``accounts.sms.outbox`` (emptied for each test)."""
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    settings.SMS_UNICODE = False
    settings.PORTAL_BASE_URL = "https://dichvucong.example.vn"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def procedure(agency):
    return published_procedure(agency=agency, name="Đăng ký khai sinh")


@pytest.fixture
def citizen(db):
    """Reachable by email and by SMS; reads Vietnamese."""
    return UserFactory(with_profile=True, with_phone=True)


@pytest.fixture
def intake(agency):
    return UserFactory(officer=True, agency=agency, totp=True)


@pytest.fixture
def specialist(agency):
    return UserFactory(specialist=True, agency=agency, totp=True)


@pytest.fixture
def leader(agency):
    return UserFactory(leader=True, agency=agency, totp=True)


@pytest.fixture
def other_citizen(db):
    return UserFactory(with_profile=True, with_phone=True)


@pytest.fixture
def elsewhere(db):
    """An intake officer of another agency."""
    return UserFactory(officer=True, agency=AgencyFactory(), totp=True)
