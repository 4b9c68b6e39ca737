"""A first pass through the officers' workflow through the API (the full suites are in
test_workflow*.py)."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.tests.factories import DossierFactory, pdf_upload

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_receive_process_approve_return():
    dossier = DossierFactory(submitted=True)
    agency = dossier.agency
    intake = UserFactory(officer=True, agency=agency, totp=True)
    leader = UserFactory(leader=True, agency=agency, totp=True)
    specialist = UserFactory(specialist=True, agency=agency, totp=True)
    base = f"/api/v1/dossiers/{dossier.pk}/"

    queue = _api(intake).get("/api/v1/officer/dossiers/", {"queue": "new"})
    assert queue.status_code == 200, queue.content
    assert queue.json()["results"][0]["actions"][:1] == ["receive"]

    received = _api(intake).post(base + "receive/", {}, format="json")
    assert received.status_code == 200, received.content
    assert received.json()["status"] == Status.RECEIVED and received.json()["due_at"]
    again = _api(intake).post(base + "receive/", {}, format="json")
    assert again.status_code == 409 and again.json()["fields"]["status"] == ["2"]

    assert (
        _api(leader).post(base + "assign/", {"officer": specialist.pk}, format="json").status_code
        == 200
    )
    assert (
        _api(specialist).post(base + "start/", {}, format="json").json()["status"]
        == Status.PROCESSING
    )
    approved = _api(leader).post(base + "approve/", {"result": pdf_upload("ket-qua.pdf")})
    assert approved.status_code == 200, approved.content
    returned = _api(intake).post(base + "return/", {"method": "online"}, format="json")
    assert returned.json()["status"] == Status.RETURNED


def test_staff_without_totp_and_citizens_are_refused():
    dossier = DossierFactory(submitted=True)
    no_totp = UserFactory(officer=True, agency=dossier.agency)
    response = _api(no_totp).get("/api/v1/officer/dossiers/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"
    assert _api(dossier.applicant).get("/api/v1/officer/dossiers/").status_code == 403
    assert APIClient().get("/api/v1/officer/dossiers/").status_code in (401, 403)
    other = UserFactory(officer=True, totp=True)
    assert _api(other).post(f"/api/v1/dossiers/{dossier.pk}/receive/").status_code == 404
