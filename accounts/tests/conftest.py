"""Account tests run in English (our msgids; the Vietnamese catalogue may change) and keep the
text messages they send in ``accounts.sms.outbox``."""

import pytest
from django.utils import translation

from accounts import sms


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """The SMS sent during the test, oldest first."""
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing passwords the production way makes each log-in test slow; security is not tested
    here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
