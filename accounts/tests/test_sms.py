"""SMS: one sending function, the backend chosen by settings.SMS_BACKEND; codes confirm phones."""

import re

import pytest
from django.urls import reverse

from accounts import sms
from accounts.tests.factories import PASSWORD, UserFactory


def test_the_locmem_backend_keeps_messages_for_tests(sms_outbox):
    sms.send_sms("+84912345678", "Xin chào")

    assert sms_outbox == [sms.Message(phone="+84912345678", text="Xin chào")]


def test_the_console_backend_prints_the_message(settings, capsys):
    settings.SMS_BACKEND = "accounts.sms.ConsoleBackend"

    sms.send_sms("+84912345678", "Mã của bạn: 123456")

    printed = capsys.readouterr().out
    assert "+84912345678" in printed and "Mã của bạn: 123456" in printed


def test_the_backend_is_swappable_by_a_setting(settings):
    sent = []

    class Gateway:
        def send(self, phone, message):
            sent.append((phone, message))

    settings.SMS_BACKEND = f"{__name__}.GATEWAY"
    globals()["GATEWAY"] = Gateway
    try:
        sms.send_sms("+84912345678", "hi")
    finally:
        del globals()["GATEWAY"]

    assert sent == [("+84912345678", "hi")]


@pytest.mark.django_db
def test_a_logged_in_person_confirms_their_phone_by_sms(client, sms_outbox):
    user = UserFactory(phone="+84912345678", phone_verified=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)  # asked at log-in
    client.post(reverse("account_verify_phone"), {"action": "verify", "code": code})
    user.refresh_from_db()
    assert user.phone_verified

    # A new number typed on the profile page is confirmed the same way, from the phone page.
    client.post(reverse("accounts:profile"), {"phone": "0987 654 321"})
    user.refresh_from_db()
    assert user.phone == "+84987654321" and not user.phone_verified
    page = client.get(reverse("account_change_phone")).content.decode()
    assert "0987 654 321" in page and "It is not confirmed yet." in page

    response = client.post(reverse("account_change_phone"), {"action": "verify"})

    assert response.status_code == 302, response.content
    assert sms_outbox[-1].phone == "+84987654321"
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    client.post(reverse("account_verify_phone"), {"action": "verify", "code": code})
    user.refresh_from_db()
    assert user.phone == "+84987654321" and user.phone_verified
