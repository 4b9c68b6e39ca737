"""Sign-up and log-in with a phone number or an email, through our pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User, is_placeholder_email
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")
VERIFY_PHONE = reverse("account_verify_phone")


def _code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)


def _signup(client, **fields):
    data = {"full_name": "", "phone": "", "email": "", "password1": PASSWORD, "password2": PASSWORD}
    data.update(fields)
    return client.post(SIGNUP, data)


def _logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_signup_by_phone_sends_an_sms_code_and_logs_in_once_it_is_typed(client, sms_outbox):
    response = _signup(client, full_name="Trần Thị Hoa", phone="0912 345 678")

    assert response.status_code == 302 and response["Location"] == VERIFY_PHONE
    user = User.objects.get()
    assert user.phone == "+84912345678" and not user.phone_verified
    assert user.full_name == "Trần Thị Hoa"
    assert [message.phone for message in sms_outbox] == ["+84912345678"]
    assert _logged_in_user_id(client) is None

    page = client.get(VERIFY_PHONE).content.decode()
    assert "0912 345 678" in page and 'autocomplete="one-time-code"' in page

    response = client.post(VERIFY_PHONE, {"action": "verify", "code": _code(sms_outbox)})

    assert response.status_code == 302
    assert _logged_in_user_id(client) == str(user.pk)
    user.refresh_from_db()
    assert user.phone_verified


def test_a_phone_only_account_has_no_visible_email_and_is_never_mailed(client, sms_outbox):
    _signup(client, phone="0912345678")
    user = User.objects.get()

    assert is_placeholder_email(user.email) and user.contact_email == ""
    assert user.display_name == "0912 345 678"
    assert mail.outbox == []  # not even the "confirm your email" mail


def test_two_phone_only_accounts_can_exist(client):
    _signup(client, phone="0912345678")
    client.logout()
    _signup(client, phone="0987654321")

    assert User.objects.count() == 2


def test_a_wrong_code_is_refused_with_a_message(client, sms_outbox):
    _signup(client, phone="0912345678")

    response = client.post(VERIFY_PHONE, {"action": "verify", "code": "000000"})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert _logged_in_user_id(client) is None


def test_the_same_phone_in_another_spelling_cannot_make_a_second_account(client, sms_outbox):
    UserFactory(phone="+84912345678", phone_verified=True)

    response = _signup(client, phone="+84 912 345 678")

    # No error that would tell a stranger the number has an account: the owner gets an SMS.
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert sms_outbox[-1].phone == "+84912345678"
    assert "already have an account" in sms_outbox[-1].text


def test_signup_by_email_only(client):
    response = _signup(client, email="Hoa@Example.VN")

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "hoa@example.vn" and user.phone is None
    assert _logged_in_user_id(client) == str(user.pk)  # verification is "optional" by default
    assert mail.outbox and mail.outbox[0].to == ["hoa@example.vn"]
    assert "confirm your email" in mail.outbox[0].subject


def test_signup_needs_a_phone_or_an_email(client):
    response = _signup(client)

    assert response.status_code == 200
    assert not User.objects.exists()
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Enter your phone number or your email (at least one)." in html
    assert 'href="#id_phone"' in html  # the summary links to the field


def test_signup_refuses_a_number_that_is_not_a_mobile_one(client):
    response = _signup(client, phone="0234 3822 527")

    assert response.status_code == 200 and not User.objects.exists()
    assert response.context["form"].errors["phone"]


def test_signup_page_labels_every_input_and_helps_the_browser(client):
    html = client.get(SIGNUP).content.decode()

    for field in ("full_name", "phone", "email", "password1", "password2"):
        assert f'<label for="id_{field}">' in html
    assert 'type="tel"' in html and 'inputmode="tel"' in html and 'autocomplete="tel"' in html
    assert 'autocomplete="email"' in html and 'autocomplete="new-password"' in html
    assert 'autocomplete="name"' in html
    assert "placeholder=" not in html
    assert 'class="skip-link"' in html  # the portal layout


@pytest.mark.parametrize("typed", ["0912345678", "0912 345 678", "+84912345678"])
def test_login_by_phone_in_any_spelling(client, typed):
    user = UserFactory(phone="+84912345678", phone_verified=True)

    response = client.post(LOGIN, {"login": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert _logged_in_user_id(client) == str(user.pk)


def test_login_by_email(client):
    user = UserFactory(with_phone=True)

    response = client.post(LOGIN, {"login": user.email.upper(), "password": PASSWORD})

    assert response.status_code == 302
    assert _logged_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize("login", ["0912345678", "nobody@example.vn", "12345"])
def test_a_wrong_login_says_so_without_telling_which_part_is_wrong(client, login):
    UserFactory(phone="+84912345678", phone_verified=True)

    response = client.post(LOGIN, {"login": login, "password": "not-the-password"})

    assert response.status_code == 200 and _logged_in_user_id(client) is None
    html = response.content.decode()
    assert "The phone number or email, or the password, is not right." in html
    assert 'role="alert"' in html


def test_an_unconfirmed_phone_is_confirmed_by_sms_at_login(client, sms_outbox):
    user = UserFactory(phone="+84912345678", phone_verified=False)

    response = client.post(LOGIN, {"login": "0912345678", "password": PASSWORD})

    assert response["Location"] == VERIFY_PHONE and _logged_in_user_id(client) is None
    client.post(VERIFY_PHONE, {"action": "verify", "code": _code(sms_outbox)})
    assert _logged_in_user_id(client) == str(user.pk)


def test_login_page_helps_in_plain_words(client):
    html = client.get(LOGIN).content.decode()

    assert '<label for="id_login">Phone number or email</label>' in html
    assert "Use the phone number or email you signed up with." in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'aria-describedby="id_login_helptext"' in html
    assert reverse("account_reset_password") in html and SIGNUP in html


def test_logout_asks_then_logs_out(client):
    client.force_login(UserFactory())

    assert "Log out" in client.get(reverse("account_logout")).content.decode()
    client.post(reverse("account_logout"))

    assert _logged_in_user_id(client) is None


def test_the_header_shows_the_persons_name_and_links_to_the_profile(client):
    client.force_login(UserFactory(full_name="Lê Văn Tám"))

    html = client.get(reverse("procedures:home")).content.decode()

    assert "Lê Văn Tám" in html and reverse("accounts:profile") in html


def test_app_clients_sign_up_through_the_headless_api_and_use_the_token(client):
    response = client.post(
        "/_allauth/app/v1/auth/signup",
        {"email": "app@example.vn", "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    user = User.objects.get(email="app@example.vn")

    session = client.get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert session.status_code == 200 and session.json()["data"]["user"]["id"] == user.pk

    # The same token authenticates the portal's own DRF API.
    me = client.get(reverse("accounts-api:me"), HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200 and me.json()["email"] == "app@example.vn"


def test_app_clients_sign_up_with_a_phone_and_confirm_it(client, sms_outbox):
    response = client.post(
        "/_allauth/app/v1/auth/signup",
        {"phone": "0912 345 678", "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 401  # one step left: the SMS code
    body = response.json()
    assert any(flow["id"] == "verify_phone" for flow in body["data"]["flows"])
    token = body["meta"]["session_token"]
    assert User.objects.get().phone == "+84912345678"

    response = client.post(
        "/_allauth/app/v1/auth/phone/verify",
        {"code": _code(sms_outbox)},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )

    assert response.status_code == 200, response.content
    assert response.json()["meta"]["is_authenticated"]


def test_app_clients_log_in_with_a_phone_number(client):
    UserFactory(phone="+84912345678", phone_verified=True)

    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"phone": "+84912345678", "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["meta"]["session_token"]


def test_the_password_check_page_is_ours(client):
    client.force_login(UserFactory())

    html = client.get(reverse("account_reauthenticate")).content.decode()

    assert "Type your password again" in html and 'autocomplete="current-password"' in html
    assert 'class="skip-link"' in html
