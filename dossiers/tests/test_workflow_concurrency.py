"""Two officers acting on one dossier at the same moment: exactly one wins, the other gets the
409 with the new status, and the history holds one step (PostgreSQL: real row locks)."""

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.constants import Status
from dossiers.models import Dossier, DossierEvent, IssuedDocument, StoredDocument
from dossiers.tests.factories import DossierFactory, pdf_upload
from portal.errors import DomainError
from portal.testing import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _conflicts(errors, count):
    assert len(errors) == count, errors
    assert all(isinstance(e, DomainError) and e.status == 409 for e in errors), errors


def test_two_officers_receive_the_same_dossier_at_once():
    dossier = DossierFactory(submitted=True)
    first, second = (UserFactory(officer=True, agency=dossier.agency) for _ in "ab")

    results, errors = run_at_once(
        [
            lambda: workflow.dossier_receive(dossier=dossier, actor=first),
            lambda: workflow.dossier_receive(dossier=dossier, actor=second),
        ]
    )

    assert len(results) == 1
    _conflicts(errors, 1)
    assert errors[0].fields == {"status": [str(Status.RECEIVED.value)]}
    row = Dossier.objects.get(pk=dossier.pk)
    assert row.status == Status.RECEIVED and row.due_at == results[0].due_at
    [event] = DossierEvent.objects.filter(dossier=row)
    assert event.action == "receive" and event.actor == results[0].events.get().actor


def test_two_officers_receive_through_the_api_at_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = DossierFactory(submitted=True)
    clients = []
    for _ in range(2):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(UserFactory(officer=True, agency=dossier.agency, totp=True))
        clients.append(client)
    url = f"/api/v1/dossiers/{dossier.pk}/receive/"

    responses, errors = run_at_once(
        [lambda c=client: c.post(url, {}, format="json") for client in clients]
    )

    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["code"] == "conflict" and loser["fields"] == {"status": ["2"]}
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1


def test_receive_and_refuse_at_once_one_of_them_wins():
    dossier = DossierFactory(submitted=True)
    intake = UserFactory(officer=True, agency=dossier.agency)
    leader = UserFactory(leader=True, agency=dossier.agency)

    results, errors = run_at_once(
        [
            lambda: workflow.dossier_receive(dossier=dossier, actor=intake),
            lambda: workflow.dossier_refuse(dossier=dossier, actor=leader, reason="Sai thẩm quyền"),
        ]
    )

    assert len(results) == 1
    _conflicts(errors, 1)
    row = Dossier.objects.get(pk=dossier.pk)
    assert row.status == results[0].status
    assert DossierEvent.objects.filter(dossier=row).count() == 1


def test_two_leaders_approve_at_once_one_result_is_kept(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = DossierFactory(processing=True)
    leaders = [UserFactory(leader=True, agency=dossier.agency) for _ in range(3)]

    results, errors = run_at_once(
        [
            lambda leader=leader: workflow.dossier_approve(
                dossier=dossier, actor=leader, result_file=pdf_upload(f"kq-{leader.pk}.pdf")
            )
            for leader in leaders
        ]
    )

    assert len(results) == 1
    _conflicts(errors, 2)
    stored = StoredDocument.objects.get()
    assert Dossier.objects.get(pk=dossier.pk).result == stored
    assert DossierEvent.objects.filter(dossier=dossier, action="approve").count() == 1
    issued = IssuedDocument.objects.get(dossier=dossier, kind="KQ")
    # The winner's signed result (store copy and issued copy); the losers wrote nothing lasting.
    assert sorted(p for p in Path(tmp_path).rglob("*") if p.is_file()) == sorted(
        [Path(stored.file.path), Path(issued.file.path)]
    )


def test_the_same_counter_form_sent_twice_at_once_files_one_dossier():
    import uuid

    from dossiers import services
    from dossiers.models import DailySequence
    from dossiers.tests.factories import published_procedure

    procedure = published_procedure()
    officer = UserFactory(officer=True, agency=procedure.agency)
    citizen = UserFactory()
    token = uuid.uuid4()

    def file():
        return services.dossier_file_for_citizen(
            officer=officer,
            applicant=citizen,
            procedure=procedure,
            form_data={},
            intake_token=token,
        )

    results, errors = run_at_once([file, file])

    assert not errors, errors
    assert results[0].pk == results[1].pk and Dossier.objects.count() == 1
    # The loser's number went back: the day's counter has no gap.
    assert DailySequence.objects.get(agency=procedure.agency).last == 1
