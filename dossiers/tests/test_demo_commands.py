"""The demo commands: load_demo_workspace (officers, citizens, dossiers in every status),
totp_code (codes of demo accounts only) and generate_dossiers (synthetic rows for benchmarks)."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import encrypt, is_mfa_enabled
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.constants import Duty, Role
from accounts.identity import cccd_errors
from accounts.management.commands.totp_code import DEMO_TOTP_SECRET, has_demo_secret
from accounts.models import User
from accounts.tests.factories import TOTP_SECRET, UserFactory
from dossiers.constants import Status
from dossiers.management.commands.load_demo_workspace import DEMO_PASSWORD
from dossiers.models import Attachment, DailySequence, Dossier, DossierEvent, StoredDocument
from procedures.models import Agency

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^(?P<agency>\d{3}\.\d{2}\.\d{2}\.H57)-(?P<day>\d{6})-(?P<number>\d{4,})$")
DEMO_AGENCIES = {"000.21.30.H57", "000.00.12.H57", "000.00.01.H57"}
INTAKE_EMAIL = "tiepnhan.thuan-hoa@demo.dichvucong.vn"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def workspace(db) -> str:
    run("load_demo")
    return run("load_demo_workspace")


def demo_citizens():
    return User.objects.filter(role=Role.CITIZEN, email__endswith="@demo.dichvucong.vn")


def snapshot() -> dict:
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                User,
                Dossier,
                DossierEvent,
                Attachment,
                StoredDocument,
                Authenticator,
                DailySequence,
            )
        },
        "dossiers": sorted(Dossier.objects.values_list("code", "status", "due_at")),
        "passwords": sorted(User.objects.values_list("email", "password")),
    }


def test_workspace_has_officers_of_each_duty_with_totp(workspace):
    officers = User.objects.filter(role=Role.OFFICER).select_related("agency")
    duties = defaultdict(set)
    for officer in officers:
        duties[officer.agency.code].add(officer.duty)
        assert is_mfa_enabled(officer, types=["totp"]), officer.email
        assert has_demo_secret(officer), officer.email
        assert officer.check_password(DEMO_PASSWORD)
        assert officer.email in workspace
    assert dict(duties) == {code: set(Duty.values) for code in DEMO_AGENCIES}
    intake = User.objects.get(email=INTAKE_EMAIL)
    assert intake.duty == Duty.INTAKE and intake.agency.code == "000.21.30.H57"
    assert intake.full_name == "Trần Thị Thu Hà"
    assert Agency.objects.get(code="000.00.01.H57").is_one_stop_centre
    # The newcomer reads the logins and how to get a code.
    assert DEMO_PASSWORD in workspace
    assert "totp_code <email>" in workspace
    assert DEMO_TOTP_SECRET in workspace


def test_workspace_has_citizens_and_dossiers_in_every_status(workspace):
    citizens = list(demo_citizens())
    assert len(citizens) == 2
    for citizen in citizens:
        assert citizen.id_number
        assert cccd_errors(citizen.id_number, birth_date=citizen.birth_date, sex=citizen.sex) == []
        assert citizen.check_password(DEMO_PASSWORD)
    dossiers = list(Dossier.objects.filter(applicant__in=citizens).prefetch_related("events"))
    assert {d.status for d in dossiers} == set(range(1, 11))
    codes = [d.code for d in dossiers]
    assert len(set(codes)) == len(codes)
    now = timezone.now()
    for dossier in dossiers:
        assert CODE.match(dossier.code), dossier.code
        events = list(dossier.events.all())
        assert events[-1].to_status == dossier.status, dossier.code
        assert all(event.at <= now for event in events)
        if dossier.received_at is not None:
            assert dossier.due_at > dossier.received_at >= dossier.submitted_at
    running = [d for d in dossiers if d.status in (Status.RECEIVED, Status.PROCESSING)]
    assert any(d.due_at < now for d in running), "some dossiers are overdue"
    waiting = [d for d in dossiers if d.status == Status.SUPPLEMENT]
    assert any(d.paused_since is not None for d in waiting), "a paused clock"
    assert all(d.result_id for d in dossiers if d.status in (Status.PROCESSED, Status.RETURNED))
    online = [d for d in dossiers if d.events.all()[0].action == "create"]
    assert online and all(d.attachments.exists() for d in online)
    paper = Attachment.objects.filter(dossier__in=online).select_related("stored").first()
    assert paper.stored.file.open("rb").read(5) == b"%PDF-"


def test_workspace_twice_changes_nothing(workspace):
    before = snapshot()
    out = run("load_demo_workspace")
    assert snapshot() == before
    assert "no changes" in out


def test_workspace_restores_the_demo_password_and_secret(workspace):
    officer = User.objects.get(email=INTAKE_EMAIL)
    officer.set_password("Doi-mat-khau-2026")
    officer.save()
    totp = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    totp.data = {"secret": encrypt(TOTP_SECRET)}
    totp.save()
    assert not has_demo_secret(officer)
    run("load_demo_workspace")
    officer.refresh_from_db()
    assert officer.check_password(DEMO_PASSWORD)
    assert has_demo_secret(officer)
    assert Authenticator.objects.filter(user=officer).count() == 1


def test_reset_dossiers_builds_them_again(workspace):
    before = set(Dossier.objects.values_list("code", flat=True))
    out = run("load_demo_workspace", "--reset-dossiers")
    after = Dossier.objects.filter(applicant__in=demo_citizens())
    assert set(after.values_list("status", flat=True)) == set(range(1, 11))
    assert after.count() == len(before)
    assert not before & set(after.values_list("code", flat=True)), "codes are never reused"
    assert f"{len(before)} dossiers deleted" in out


def test_workspace_needs_the_catalogue_and_refuses_production(db, settings):
    with pytest.raises(CommandError, match="load_demo"):
        run("load_demo_workspace")
    run("load_demo")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        run("load_demo_workspace")


def _not_at_the_end_of_a_window() -> None:
    """A code read in the last instant of its 30-second window may be checked in the next."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.1)


def test_totp_code_prints_a_code_the_demo_secret_accepts(workspace):
    _not_at_the_end_of_a_window()
    out = run("totp_code", INTAKE_EMAIL)
    code = re.search(r"code for \S+: (\d{6})\n", out).group(1)
    assert validate_totp_code(DEMO_TOTP_SECRET, code)
    assert DEMO_TOTP_SECRET in out
    _not_at_the_end_of_a_window()
    quiet = run("totp_code", "--quiet", INTAKE_EMAIL.upper()).strip()
    assert re.fullmatch(r"\d{6}", quiet)
    assert validate_totp_code(DEMO_TOTP_SECRET, quiet)


def test_totp_code_refuses_every_other_account(workspace):
    real = UserFactory(officer=True, totp=True)  # its own secret, as set up in an app
    for email in (real.email, demo_citizens().first().email, "khong-co@example.vn"):
        with pytest.raises(CommandError) as refused:
            run("totp_code", email)
        assert refused.value.returncode == 1
        assert TOTP_SECRET not in str(refused.value)
        assert not re.search(r"\b\d{6}\b", str(refused.value))


def test_totp_code_does_not_run_in_production(workspace, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        run("totp_code", INTAKE_EMAIL)


def _check_generated(dossiers) -> None:
    now = timezone.now()
    highest = defaultdict(int)
    for dossier in dossiers:
        match = CODE.match(dossier.code)
        assert match, dossier.code
        key = (dossier.agency_id, match["day"])
        highest[key] = max(highest[key], int(match["number"]))
        assert dossier.submitted_at <= now
        if dossier.received_at is not None:
            assert dossier.submitted_at <= dossier.received_at <= now
            assert dossier.due_at is not None
        if dossier.finished_at is not None:
            assert dossier.finished_at <= now
    # Each agency's daily counter is past every number used: later submissions cannot clash.
    counters = {
        (agency_id, f"{day:%y%m%d}"): last
        for agency_id, day, last in DailySequence.objects.values_list("agency_id", "day", "last")
    }
    for key, number in highest.items():
        assert counters[key] >= number, key


def test_generate_dossiers_makes_unique_realistic_rows(db):
    run("load_demo")
    out = run("generate_dossiers", "--count", "200", "--seed", "7")
    dossiers = list(Dossier.objects.all())
    assert len(dossiers) == 200
    assert len({d.code for d in dossiers}) == 200
    assert "200 dossiers" in out
    assert len({d.status for d in dossiers}) >= 4
    assert Status.RETURNED in {d.status for d in dossiers}
    assert len({d.channel for d in dossiers}) >= 2
    assert len({d.agency_id for d in dossiers}) >= 5
    _check_generated(dossiers)
    # A second run continues the numbering.
    run("generate_dossiers", "--count", "200", "--seed", "7")
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 400
    _check_generated(Dossier.objects.all())


def test_generate_dossiers_for_one_agency(db):
    run("load_demo")
    run("generate_dossiers", "--count", "50", "--agency", "000.21.30.H57", "--batch-size", "7")
    agencies = set(Dossier.objects.values_list("agency__code", flat=True))
    assert agencies == {"000.21.30.H57"}
    assert Dossier.objects.count() == 50
    with pytest.raises(CommandError, match="no published procedures"):
        run("generate_dossiers", "--count", "5", "--agency", "000.00.01.H57")
    with pytest.raises(CommandError, match="No agency"):
        run("generate_dossiers", "--count", "5", "--agency", "999.99.99.H57")
