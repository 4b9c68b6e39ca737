"""The counter-intake page: an officer files for a walk-in citizen, who then sees it online."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.models import Dossier

pytestmark = pytest.mark.django_db
URL = "/can-bo/nop-thay/"
CCCD = "046195012345"


@pytest.fixture
def intake(birth_procedure):
    return UserFactory(officer=True, agency=birth_procedure.agency, totp=True)


def _post(client, procedure, data):
    return client.post(f"{URL}?procedure={procedure.code}", data)


def _form(valid_form, **applicant):
    data = {f"form-{key}": value for key, value in valid_form.items()}
    data.update(
        {
            "form-delivery": "counter",
            "channel": "1",
            "full_name": "Lê Thị Hoa",
            "id_number": CCCD,
            **applicant,
        }
    )
    return data


def test_file_for_a_walk_in_citizen(client, intake, birth_procedure, valid_form):
    client.force_login(intake)
    assert client.get(URL).status_code == 200
    assert (
        "Đăng ký khai sinh"
        in client.get(f"{URL}?procedure={birth_procedure.code}").content.decode()
    )

    response = _post(client, birth_procedure, _form(valid_form, phone="0912345678"))

    dossier = Dossier.objects.get()
    assert response.status_code == 302 and str(dossier.pk) in response["Location"]
    assert dossier.status == Status.SUBMITTED and dossier.channel == 1
    assert dossier.applicant == User.objects.get(id_number=CCCD)


def test_errors_are_shown_and_what_was_typed_is_kept(client, intake, birth_procedure, valid_form):
    client.force_login(intake)

    response = _post(
        client, birth_procedure, _form({**valid_form, "cccd_me": "123"}, id_number="999")
    )

    html = response.content.decode()
    assert response.status_code == 400 and 'value="999"' in html
    assert not Dossier.objects.exists() and not User.objects.filter(id_number="999").exists()


def test_form_errors_leave_no_account_behind(client, intake, birth_procedure, valid_form):
    client.force_login(intake)

    response = _post(client, birth_procedure, _form({**valid_form, "ho_ten_tre": ""}))

    assert response.status_code == 400
    assert not User.objects.filter(id_number=CCCD).exists() and not Dossier.objects.exists()


def test_others_cannot_file_here(client, birth_procedure, valid_form):
    stranger = UserFactory(officer=True, totp=True)  # another agency: not in its list
    client.force_login(stranger)
    assert _post(client, birth_procedure, _form(valid_form)).status_code == 400
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302
    assert not Dossier.objects.exists()


def test_the_same_form_sent_twice_files_one_dossier(client, intake, birth_procedure, valid_form):
    client.force_login(intake)
    page = client.get(URL, {"procedure": birth_procedure.code}).content.decode()
    token = page.split('name="intake_token" value="')[1].split('"')[0]
    data = {**_form(valid_form), "intake_token": token}

    first = _post(client, birth_procedure, data)
    second = _post(client, birth_procedure, data)  # a double click

    dossier = Dossier.objects.get()
    assert first["Location"] == second["Location"] and str(dossier.pk) in first["Location"]
    assert dossier.intake_token is not None
