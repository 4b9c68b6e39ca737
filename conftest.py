"""Test-wide fixtures and the loud skipping of tests whose service is missing."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    skips = {
        "postgres": (
            None
            if vendor == "postgresql"
            else pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
        ),
        "redis": (
            None
            if _reachable(redis_url, 6379)
            else pytest.mark.skip(reason=f"needs Redis at {redis_url}: none answers")
        ),
        "redis_server": (
            None
            if shutil.which("redis-server")
            else pytest.mark.skip(reason="needs the redis-server program: apt-get install redis")
        ),
        "browser": (
            None
            if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)
            else pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}: apt-get install chromium")
        ),
    }
    for item in items:
        for marker, skip in skips.items():
            if skip is not None and marker in item.keywords:
                item.add_marker(skip)


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache so cached catalogue answers never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's ``admin_user`` (behind ``admin_client``), with the two-factor log-in that
    staff need before the admin site answers."""
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.tests.factories import TOTP_SECRET

    user = django_user_model.objects.create_superuser(
        email="admin@example.com", password="password"
    )
    TOTP.activate(user, TOTP_SECRET)
    return user


TEST_PASSPHRASE = "test-pki-passphrase"


@pytest.fixture(scope="session")
def signing_key_dir(tmp_path_factory):
    """A development PKI for the test run: one root CA; agencies get keys as they are made."""
    from dossiers import dev_pki

    directory = tmp_path_factory.mktemp("pki")
    dev_pki.root_ca(directory)
    return directory


@pytest.fixture(autouse=True)
def _agency_signing_keys(signing_key_dir, settings):
    """Every agency a test creates gets a signing certificate from the test root CA, as
    ``make_dev_pki`` gives every demo agency one; tests of a missing or bad certificate remove
    or replace the file."""
    from django.db.models.signals import post_save

    from dossiers import dev_pki
    from procedures.models import Agency

    settings.SIGNING_KEY_DIR = signing_key_dir
    settings.SIGNING_PASSPHRASE = TEST_PASSPHRASE
    settings.SIGNING_PASSPHRASES = {}
    settings.SIGNING_TRUST_ROOTS = []
    settings.SIGNING_TIMESTAMP_URL = ""

    def issue(sender, instance, created, **kwargs):
        if created:
            dev_pki.issue_agency_certificate(
                signing_key_dir,
                code=instance.code,
                name=instance.name,
                passphrase=TEST_PASSPHRASE,
                kdf_rounds=1000,  # fast to open; the real files use the default
            )

    post_save.connect(issue, sender=Agency, dispatch_uid="test-agency-keys")
    yield
    post_save.disconnect(sender=Agency, dispatch_uid="test-agency-keys")
