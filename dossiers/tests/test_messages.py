"""Messages between the applicant and the agency on a dossier, and the officers' internal
notes, which the applicant never sees."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from dossiers.models import DossierMessage
from dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    return DossierFactory(received=True)


@pytest.fixture
def officer(dossier):
    return UserFactory(officer=True, agency=dossier.agency, totp=True, full_name="Trần Văn Tiếp")


def _post(client, user, url, **data):
    client.force_login(user)
    return client.post(url, data)


def test_citizen_and_officer_talk_on_the_dossier(client, dossier, officer):
    citizen_url = reverse("dossiers:message", args=[dossier.pk])
    officer_url = reverse("officer:message", args=[dossier.pk])

    assert (
        _post(client, dossier.applicant, citizen_url, body="Khi nào có kết quả?").status_code == 302
    )
    assert _post(client, officer, officer_url, body="Thứ Năm tuần này.").status_code == 302
    assert (
        _post(client, officer, officer_url, body="Đã gọi điện xác minh.", internal="1").status_code
        == 302
    )

    client.force_login(dossier.applicant)
    citizen_page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Khi nào có kết quả?" in citizen_page and "Thứ Năm tuần này." in citizen_page
    assert "Đã gọi điện xác minh." not in citizen_page  # internal notes stay internal

    client.force_login(officer)
    officer_page = client.get(reverse("officer:dossier", args=[dossier.pk])).content.decode()
    assert "Khi nào có kết quả?" in officer_page and "Đã gọi điện xác minh." in officer_page
    assert DossierMessage.objects.filter(internal=True).count() == 1


def test_an_empty_message_is_refused_and_what_was_typed_is_kept(client, dossier, officer):
    response = _post(
        client, dossier.applicant, reverse("dossiers:message", args=[dossier.pk]), body="   "
    )
    assert response.status_code == 400 and not DossierMessage.objects.exists()

    too_long = "Â" * 4001
    response = _post(
        client, officer, reverse("officer:message", args=[dossier.pk]), body=too_long, internal="1"
    )
    assert response.status_code == 400 and too_long in response.content.decode()
    assert not DossierMessage.objects.exists()


def test_strangers_cannot_write_or_read(client, dossier):
    citizen_url = reverse("dossiers:message", args=[dossier.pk])
    officer_url = reverse("officer:message", args=[dossier.pk])

    assert _post(client, UserFactory(), citizen_url, body="xin chào").status_code == 404
    assert (
        _post(client, UserFactory(officer=True, totp=True), officer_url, body="x").status_code
        == 404
    )
    # A citizen cannot reach the officers' form, even for an internal note on own dossier.
    assert _post(client, dossier.applicant, officer_url, body="x", internal="1").status_code == 403
    client.logout()
    assert client.post(citizen_url, {"body": "x"}).status_code == 302  # to the log-in page
    assert not DossierMessage.objects.exists()


def test_a_draft_has_no_thread(client):
    draft = DossierFactory()
    response = _post(
        client, draft.applicant, reverse("dossiers:message", args=[draft.pk]), body="x"
    )

    assert response.status_code == 404 and not DossierMessage.objects.exists()


def test_the_api_threads_match_the_pages(dossier, officer):
    from rest_framework.test import APIClient

    citizen_api, officer_api, stranger_api = APIClient(), APIClient(), APIClient()
    citizen_api.force_login(dossier.applicant)
    officer_api.force_login(officer)
    stranger_api.force_login(UserFactory(officer=True, totp=True))
    mine = f"/api/v1/dossiers/{dossier.pk}/messages/"
    staff = f"/api/v1/officer/dossiers/{dossier.pk}/messages/"

    assert citizen_api.post(mine, {"body": "Cần bổ sung gì?"}, format="json").status_code == 201
    assert (
        officer_api.post(
            staff, {"body": "Không cần.", "internal": False}, format="json"
        ).status_code
        == 201
    )
    assert (
        officer_api.post(staff, {"body": "Ghi chú", "internal": True}, format="json").status_code
        == 201
    )

    seen = citizen_api.get(mine).json()
    assert [m["body"] for m in seen] == ["Cần bổ sung gì?", "Không cần."]
    assert seen[0]["from_applicant"] and seen[1]["author_name"] == "Trần Văn Tiếp"
    assert [m["internal"] for m in officer_api.get(staff).json()] == [False, False, True]
    assert citizen_api.post(mine, {"body": ""}, format="json").status_code == 400
    assert citizen_api.post(mine, {"body": "x", "internal": True}, format="json").status_code == 400
    assert citizen_api.get(staff).status_code == 403
    assert stranger_api.get(staff).status_code == 404
    assert stranger_api.post(staff, {"body": "x"}, format="json").status_code == 404
    other = APIClient()
    other.force_login(UserFactory())
    assert other.get(mine).status_code == 404
    assert APIClient().get(mine).status_code in (401, 403)
    assert DossierMessage.objects.count() == 3
