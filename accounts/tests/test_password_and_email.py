"""Password reset and email confirmation, through our pages and our emails."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET = reverse("account_reset_password")
NEW_PASSWORD = "Mot-mat-khau-moi-2027"


def _link(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="hoa@example.vn")

    response = client.post(RESET, {"email": "Hoa@Example.vn"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hoa@example.vn"]
    assert message.subject == "Public Service Portal: choose a new password"

    page = client.get(_link(message), follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose a new password" in html and 'autocomplete="new-password"' in html
    assert 'class="skip-link"' in html

    form_url = page.redirect_chain[-1][0] if page.redirect_chain else _link(message)
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Password changed" in client.get(response["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_used_or_wrong_reset_link_says_so(client):
    UserFactory()

    response = client.get(reverse("account_reset_password_from_key", args=["1", "wrong-key"]))

    assert "This link no longer works" in response.content.decode()


def test_password_reset_for_an_unknown_email_reveals_nothing(client):
    response = client.post(RESET, {"email": "nobody@example.vn"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    # The address gets a plain "no account here" note, never a reset link.
    assert [m.subject for m in mail.outbox] == ["Public Service Portal: no account with this email"]


def test_password_reset_page_is_in_our_layout_with_errors_at_the_top(client):
    response = client.post(RESET, {"email": "not an email"})

    html = response.content.decode()
    assert 'class="skip-link"' in html and 'role="alert"' in html
    assert 'href="#id_email"' in html and 'autocomplete="email"' in html
    assert mail.outbox == []


def test_the_email_confirmation_link_confirms_the_address(client):
    client.post(
        reverse("account_signup"),
        {"email": "hoa@example.vn", "password1": PASSWORD, "password2": PASSWORD},
    )
    message = mail.outbox[-1]
    assert message.subject == "Public Service Portal: confirm your email"

    page = client.get(_link(message))
    assert "Is hoa@example.vn your email address?" in page.content.decode()
    client.post(_link(message))

    assert EmailAddress.objects.get(email="hoa@example.vn").verified


def test_mandatory_email_verification_shows_our_check_your_email_page(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    response = client.post(
        reverse("account_signup"),
        {"email": "hoa@example.vn", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    html = response.content.decode()
    assert "Check your email" in html and 'class="skip-link"' in html
    assert "_auth_user_id" not in client.session


def test_a_phone_only_account_adds_a_real_email_that_replaces_the_stand_in(client):
    user = UserFactory(email="", phone="+84912345678", phone_verified=True)
    assert user.contact_email == "" and user.email  # a stand-in, never blank
    client.force_login(user)

    page = client.get(reverse("account_email")).content.decode()
    assert "Your account has no email yet." in page and "invalid" not in page

    response = client.post(reverse("account_email"), {"action_add": "", "email": "hoa@example.vn"})

    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["hoa@example.vn"]
    client.post(_link(message))
    user.refresh_from_db()
    assert user.email == user.contact_email == "hoa@example.vn"
    assert list(user.emailaddress_set.values_list("email", "verified")) == [
        ("hoa@example.vn", True)
    ]


def test_the_stand_in_address_can_never_be_typed_in(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("account_email"),
        {"action_add": "", "email": "noemail-abc@khong-co-email.invalid"},
    )

    assert "Enter your own email address." in response.content.decode()
