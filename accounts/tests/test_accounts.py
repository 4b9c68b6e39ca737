"""The custom user: roles, officer membership, email log-in through allauth, admin access."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.constants import Role
from accounts.models import User
from accounts.tests.factories import PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db


def test_an_officer_must_belong_to_an_agency():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="canbo@example.vn", password=PASSWORD, role=Role.OFFICER)

    officer = UserFactory(officer=True)
    assert officer.is_officer and officer.agency is not None


def test_email_is_the_login_and_is_stored_lower_case():
    user = User.objects.create_user(email="Nguoi.Dan@Example.VN", password=PASSWORD)

    assert user.email == "nguoi.dan@example.vn"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="nguoi.dan@example.vn", password=PASSWORD)


def test_superuser_gets_the_admin_role():
    admin = User.objects.create_superuser(email="admin@example.vn", password=PASSWORD)

    assert admin.role == Role.ADMIN and admin.is_portal_admin and admin.is_staff


def test_citizen_logs_in_with_email_and_password(client):
    user = UserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_refused_with_a_message(client):
    user = UserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": "sai"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_login_page_uses_the_portal_layout(client):
    html = client.get(reverse("account_login")).content.decode()

    assert 'class="skip-link"' in html and "<form" in html


def _current_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_admin_logs_into_the_admin_site_with_password_and_code(client):
    admin = UserFactory(admin=True, totp=True)

    # The admin's own password-only form is not used: the portal's log-in asks for the code.
    assert reverse("account_login") in client.get(reverse("admin:login"))["Location"]
    client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302  # the code is still missing
    client.post(reverse("mfa_authenticate"), {"code": _current_code(TOTP_SECRET)})

    assert client.get(reverse("admin:index")).status_code == 200


def test_an_admin_without_two_factor_log_in_is_sent_to_set_it_up(client):
    client.force_login(UserFactory(admin=True))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_a_citizen_cannot_open_the_admin_site(client):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:procedures_procedure_changelist"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_app_clients_log_in_through_the_headless_api(client):
    user = UserFactory()

    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["meta"]["session_token"]


def test_the_admin_finds_and_stores_phone_numbers_in_the_canonical_form(client):
    client.force_login(UserFactory(admin=True, totp=True))
    citizen = UserFactory(phone="+84912345678")
    changelist = reverse("admin:accounts_user_changelist")

    found = client.get(changelist, {"q": "0912 345 678"}).context["cl"].result_list

    assert list(found) == [citizen]

    url = reverse("admin:accounts_user_change", args=[citizen.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        phone="0987 654 321",
        date_joined_0="2026-01-01",
        date_joined_1="08:00:00",
        groups=[],
        user_permissions=[],
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    citizen.refresh_from_db()
    assert citizen.phone == "+84987654321"
