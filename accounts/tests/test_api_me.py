"""GET/PATCH /api/v1/me/: the same rules as the profile page, errors in the project's shape."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = reverse("accounts-api:me")


@pytest.fixture
def api(client):
    def call(method, user=None, data=None):
        if user is not None:
            client.force_login(user)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return getattr(client, method)(ME, data, **kwargs)

    return call


def test_anonymous_callers_are_refused(api):
    for method in ("get", "patch"):
        response = api(method, data={} if method == "patch" else None)
        assert response.status_code in (401, 403)
        assert response.json()["code"] in ("not_authenticated", "permission_denied")


def test_get_answers_the_callers_own_profile(api):
    user = UserFactory(with_profile=True, phone="+84912345678", email="an@example.vn")
    UserFactory(with_profile=True)

    body = api("get", user).json()

    assert body == {
        "email": "an@example.vn",
        "full_name": user.full_name,
        "id_number": user.id_number,
        "birth_date": "1995-03-14",
        "sex": "male",
        "phone": "+84912345678",
        "phone_verified": False,
        "address": user.address,
        "role": "citizen",
    }


def test_patch_changes_only_what_is_sent(api):
    user = UserFactory(with_profile=True)

    response = api("patch", user, {"phone": "0912 345 678", "address": "3 Trần Hưng Đạo"})

    assert response.status_code == 200
    assert response.json()["phone"] == "+84912345678"
    user.refresh_from_db()
    assert user.address == "3 Trần Hưng Đạo" and user.id_number.startswith("046095")


def test_patch_validation_errors_come_per_field(api):
    response = api(
        "patch",
        UserFactory(),
        {"id_number": "046095012345", "birth_date": "1996-01-01", "sex": "female"},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert len(body["fields"]["id_number"]) == 2
    assert "born in 1995" in body["fields"]["id_number"][0]


def test_patch_bad_formats_are_400_with_fields(api):
    response = api("patch", UserFactory(), {"birth_date": "14/03/1995", "sex": "other"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"birth_date", "sex"}


def test_patch_refuses_another_accounts_cccd(api):
    UserFactory(id_number="046095012345")

    response = api("patch", UserFactory(), {"id_number": "046095012345"})

    assert response.status_code == 400
    assert response.json()["fields"]["id_number"][0].startswith("Another account already uses")


def test_patch_refuses_fields_that_cannot_be_changed(api):
    user = UserFactory()

    response = api("patch", user, {"role": "admin", "is_staff": True})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"role", "is_staff"}
    user.refresh_from_db()
    assert user.role == "citizen" and not user.is_staff


def test_a_future_date_of_birth_is_refused(api):
    response = api("patch", UserFactory(), {"birth_date": "2999-01-01"})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "birth_date": ["The date of birth cannot be in the future."]
    }


def test_the_session_token_of_the_app_api_authenticates(client):
    user = UserFactory(email="app@example.vn")
    login = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": "app@example.vn", "password": "Mat-khau-an-toan-2026"},
        content_type="application/json",
    )
    token = login.json()["meta"]["session_token"]
    client.logout()  # only the token from here on

    response = client.patch(
        ME, {"full_name": "Qua Ứng Dụng"}, content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )  # fmt: skip

    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).full_name == "Qua Ứng Dụng"
