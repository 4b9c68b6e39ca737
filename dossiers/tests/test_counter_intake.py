"""Counter and postal intake: an officer files for a walk-in citizen (API.md
``POST /api/v1/officer/dossiers/``); the citizen then sees the dossier online."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.models import Dossier, DossierEvent
from procedures.constants import Channel

pytestmark = pytest.mark.django_db

URL = "/api/v1/officer/dossiers/"
CCCD = "046195012345"  # Thừa Thiên Huế, a woman born in 1995


def _api(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def intake(birth_procedure):
    return UserFactory(officer=True, agency=birth_procedure.agency, totp=True)


def _body(procedure, form, **applicant):
    return {
        "procedure": procedure.code,
        "form_data": form,
        "applicant": {"full_name": "Lê Thị Hoa", "id_number": CCCD, **applicant},
    }


def test_files_for_a_new_citizen_who_then_sees_it_online(intake, birth_procedure, valid_form):
    response = _api(intake).post(
        URL, _body(birth_procedure, valid_form, phone="0912 345 678"), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == Status.SUBMITTED and body["channel"] == Channel.COUNTER
    assert body["code"].startswith(birth_procedure.agency.code)
    citizen = User.objects.get(id_number=CCCD)
    assert citizen.phone == "+84912345678" and not citizen.has_usable_password()
    event = DossierEvent.objects.get(dossier_id=body["id"])
    assert event.action == "file_for_citizen" and event.actor == intake
    mine = _api(citizen).get("/api/v1/dossiers/").json()["results"]
    assert [d["code"] for d in mine] == [body["code"]]


def test_an_existing_citizen_is_found_by_cccd(intake, birth_procedure, valid_form):
    citizen = UserFactory(id_number=CCCD, full_name="Lê Thị Hoa")

    response = _api(intake).post(URL, _body(birth_procedure, valid_form), format="json")

    assert response.status_code == 201
    assert Dossier.objects.get(pk=response.json()["id"]).applicant == citizen
    assert User.objects.filter(id_number=CCCD).count() == 1


def test_postal_intake_keeps_the_channel(intake, birth_procedure, valid_form):
    body = {**_body(birth_procedure, valid_form), "channel": Channel.POSTAL}

    response = _api(intake).post(URL, body, format="json")

    assert response.json()["channel"] == Channel.POSTAL


def test_bad_input_is_refused_and_nothing_is_written(intake, birth_procedure, valid_form):
    api = _api(intake)
    bad_cccd = api.post(URL, _body(birth_procedure, valid_form, id_number="123"), format="json")
    incomplete = api.post(URL, _body(birth_procedure, {"ho_ten_tre": "An"}), format="json")
    unknown = api.post(
        URL, {**_body(birth_procedure, valid_form), "procedure": "9.999"}, format="json"
    )
    online = api.post(URL, {**_body(birth_procedure, valid_form), "channel": 2}, format="json")

    assert bad_cccd.status_code == 400 and "id_number" in bad_cccd.json()["fields"]
    assert incomplete.status_code == 400 and "form_data" in incomplete.json()["fields"]
    assert unknown.status_code == 400 and "procedure" in unknown.json()["fields"]
    assert online.status_code == 400 and "channel" in online.json()["fields"]
    # The refused form did not leave an account behind.
    assert not User.objects.filter(id_number=CCCD).exists()
    assert not Dossier.objects.exists()


def test_only_officers_of_the_agency_may_file(birth_procedure, valid_form):
    body = _body(birth_procedure, valid_form)
    stranger = UserFactory(officer=True, totp=True)  # another agency
    citizen = UserFactory()

    assert _api(stranger).post(URL, body, format="json").status_code == 403
    assert _api(citizen).post(URL, body, format="json").status_code == 403
    assert _api().post(URL, body, format="json").status_code in (401, 403)
    assert not Dossier.objects.exists()


def test_a_staff_cccd_cannot_be_used_as_applicant(intake, birth_procedure, valid_form):
    UserFactory(officer=True, id_number=CCCD)

    response = _api(intake).post(URL, _body(birth_procedure, valid_form), format="json")

    assert response.status_code == 400 and "id_number" in response.json()["fields"]


def test_a_retried_request_id_files_once(intake, birth_procedure, valid_form):
    body = {
        **_body(birth_procedure, valid_form),
        "request_id": "0b6f1c1e-8f59-4c55-9a43-5c1a1d1a2b3c",
    }

    first = _api(intake).post(URL, body, format="json")
    again = _api(intake).post(URL, body, format="json")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Dossier.objects.count() == 1
