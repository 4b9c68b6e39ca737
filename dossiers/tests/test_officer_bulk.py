"""Bulk steps from the queue: receive or assign the ticked dossiers, each as its own step."""

import pytest
from django.contrib.messages import get_messages

from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.models import DossierEvent
from dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db
BULK = "/can-bo/chon-nhieu/"


def _texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_receive_the_ticked_dossiers_and_report_those_that_cannot(client):
    first = DossierFactory(submitted=True)
    agency = first.agency
    second = DossierFactory(submitted=True, agency=agency, procedure=first.procedure)
    already = DossierFactory(received=True, agency=agency, procedure=first.procedure)
    elsewhere = DossierFactory(submitted=True)
    client.force_login(UserFactory(officer=True, agency=agency, totp=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are asserted in English

    response = client.post(
        BULK,
        {
            "action": "receive",
            "dossiers": [first.pk, second.pk, already.pk, elsewhere.pk],
            "next": "/can-bo/?queue=new",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/can-bo/?queue=new"
    for dossier in (first, second, already, elsewhere):
        dossier.refresh_from_db()
    assert first.status == second.status == Status.RECEIVED and first.due_at
    assert elsewhere.status == Status.SUBMITTED  # another agency: untouched
    texts = " ".join(_texts(response))
    assert first.code in texts and already.code in texts and "not in your agencies" in texts
    assert DossierEvent.objects.filter(action="receive").count() == 2


def test_assign_the_ticked_dossiers(client):
    dossier = DossierFactory(received=True)
    leader = UserFactory(leader=True, agency=dossier.agency, totp=True)
    specialist = UserFactory(specialist=True, agency=dossier.agency)
    client.force_login(leader)

    client.post(BULK, {"action": "assign", "dossiers": [dossier.pk], "officer": specialist.pk})

    dossier.refresh_from_db()
    assert dossier.assigned_to == specialist


def test_bad_bulk_input_changes_nothing(client):
    dossier = DossierFactory(submitted=True)
    client.force_login(UserFactory(officer=True, agency=dossier.agency, totp=True))

    for data in (
        {"action": "delete", "dossiers": [dossier.pk]},
        {"action": "receive"},
        {"action": "assign", "dossiers": [dossier.pk]},
        {"action": "receive", "dossiers": ["not-a-uuid"], "next": "https://evil.example/"},
    ):
        response = client.post(BULK, data)
        assert response.status_code == 302 and "evil" not in response["Location"]
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_citizens_and_visitors_cannot_use_bulk_steps(client):
    dossier = DossierFactory(submitted=True)
    client.force_login(dossier.applicant)
    assert client.post(BULK, {"action": "receive", "dossiers": [dossier.pk]}).status_code == 403
    client.logout()
    assert client.post(BULK, {"action": "receive", "dossiers": [dossier.pk]}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
