"""The SMS gateway backends (notifications/sms.py): the HTTP gateway against a real server on
127.0.0.1, the logging backend, and the texts without diacritics."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.sms import send_sms
from accounts.tests.factories import UserFactory
from notifications.constants import Kind, State
from notifications.services import notification_deliver
from notifications.sms import (
    HttpBackend,
    LoggingBackend,
    SmsError,
    sms_text,
    without_diacritics,
)
from notifications.tests.factories import NotificationFactory

PHONE = "+84912345678"


class Gateway(BaseHTTPRequestHandler):
    """Answers ``POST /ok`` with 200, ``/down`` with 500, ``/slow`` after two seconds, ``/moved``
    with a redirect to a page that answers ``GET`` with 200; keeps what it was sent in
    ``server.received``."""

    def do_GET(self):  # noqa: N802
        self.server.received.append({"path": self.path, "method": "GET", "body": b""})
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<p>Welcome to the SMS gateway</p>")

    def do_POST(self):  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.received.append(
            {"path": self.path, "method": "POST", "headers": dict(self.headers), "body": body}
        )
        if self.path == "/slow":
            time.sleep(2)
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/welcome")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = {"/ok": 200, "/accepted": 202, "/down": 500, "/slow": 200}.get(self.path, 404)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "queued"}' if status < 300 else b'{"error": "down"}')

    def log_message(self, format, *args):  # noqa: A002 — keep the test output quiet
        pass


@pytest.fixture
def gateway(settings, monkeypatch):
    """A gateway on a free port of 127.0.0.1, and the settings that point to it."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")  # never through a proxy
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.received = []
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SMS_GATEWAY_URL = f"{base}/ok"
    settings.SMS_GATEWAY_TOKEN = "bi-mat-cua-nha-mang"
    settings.SMS_GATEWAY_SENDER = "UBND-HUE"
    settings.SMS_GATEWAY_TIMEOUT = 5
    server.base = base
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens on it once closed


# --- the HTTP gateway -----------------------------------------------------------------------------


def test_the_gateway_gets_the_message_as_json_with_the_bearer_token(gateway):
    HttpBackend().send(PHONE, "Ho so 000.00.00.H57-261123-0001 da duoc tiep nhan.")

    [request] = gateway.received
    assert request["path"] == "/ok"
    assert request["headers"]["Authorization"] == "Bearer bi-mat-cua-nha-mang"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {
        "to": PHONE,
        "from": "UBND-HUE",
        "text": "Ho so 000.00.00.H57-261123-0001 da duoc tiep nhan.",
    }


def test_any_2xx_answer_is_taken(gateway, settings):
    settings.SMS_GATEWAY_URL = f"{gateway.base}/accepted"

    HttpBackend().send(PHONE, "Xin chao")

    assert len(gateway.received) == 1


def test_send_sms_uses_the_gateway_when_it_is_the_backend(gateway, settings):
    settings.SMS_BACKEND = "notifications.sms.HttpBackend"

    send_sms(PHONE, "Ma xac nhan: 123456")

    assert json.loads(gateway.received[0]["body"])["text"] == "Ma xac nhan: 123456"


@pytest.mark.parametrize("path", ["/down", "/missing"])
def test_an_error_answer_raises_sms_error(gateway, settings, path):
    settings.SMS_GATEWAY_URL = f"{gateway.base}{path}"

    with pytest.raises(SmsError, match="answered (500|404)"):
        HttpBackend().send(PHONE, "Xin chao")

    assert len(gateway.received) == 1


def test_a_redirect_is_not_taken_for_a_sent_message(gateway, settings):
    """A gateway that answers 302 (moved to https, say) did not take the message: urllib would
    follow it with a GET, without the message, and a 200 to that GET is no delivery."""
    settings.SMS_GATEWAY_URL = f"{gateway.base}/moved"

    with pytest.raises(SmsError):
        HttpBackend().send(PHONE, "Xin chao")

    assert [request["method"] for request in gateway.received][:1] == ["POST"]


def test_a_refused_connection_raises_sms_error(settings, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{_closed_port()}/sms"

    with pytest.raises(SmsError, match="unreachable"):
        HttpBackend().send(PHONE, "Xin chao")


def test_a_gateway_that_does_not_answer_in_time_raises_sms_error(gateway, settings):
    settings.SMS_GATEWAY_URL = f"{gateway.base}/slow"
    settings.SMS_GATEWAY_TIMEOUT = 0.3

    started = time.monotonic()
    with pytest.raises(SmsError):
        HttpBackend().send(PHONE, "Xin chao")

    assert time.monotonic() - started < 1.5


def test_without_a_gateway_url_the_backend_refuses_to_start(settings):
    settings.SMS_GATEWAY_URL = ""

    with pytest.raises(ImproperlyConfigured, match="SMS_GATEWAY_URL"):
        HttpBackend()


@pytest.mark.django_db
def test_a_gateway_error_sends_the_row_back_for_a_later_attempt(gateway, settings):
    settings.SMS_BACKEND = "notifications.sms.HttpBackend"
    settings.SMS_GATEWAY_URL = f"{gateway.base}/down"
    citizen = UserFactory(with_phone=True)
    row = NotificationFactory(sms=True, recipient=citizen, kind=Kind.DRAFT_REMINDER)

    assert notification_deliver(notification_id=row.pk).result == "retry"

    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert row.last_error == "SmsError: SMS gateway answered 500"
    sent = json.loads(gateway.received[0]["body"])
    assert sent["to"] == citizen.phone
    assert "Dang ky khai sinh" in sent["text"] and sent["text"].isascii()

    settings.SMS_GATEWAY_URL = f"{gateway.base}/ok"
    assert notification_deliver(notification_id=row.pk).result == "sent"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 2, "")
    assert len(gateway.received) == 2


# --- the logging backend --------------------------------------------------------------------------


def test_the_logging_backend_logs_the_masked_number_never_the_full_one(caplog):
    with caplog.at_level(logging.INFO, logger="notifications.sms"):
        LoggingBackend().send(PHONE, "Ho so da duoc tiep nhan")

    [record] = [record for record in caplog.records if record.name == "notifications.sms"]
    logged = record.getMessage()
    assert "+84*****5678" in logged and "Ho so da duoc tiep nhan" in logged
    assert PHONE not in caplog.text and "912345678" not in caplog.text


def test_send_sms_with_the_logging_backend_logs_nothing_but_masked_numbers(settings, caplog):
    settings.SMS_BACKEND = "notifications.sms.LoggingBackend"

    with caplog.at_level(logging.INFO):
        send_sms(PHONE, "Ma xac nhan: 123456")

    assert "+84*****5678" in caplog.text
    assert PHONE not in caplog.text


# --- texts without diacritics ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hồ sơ đã được tiếp nhận", "Ho so da duoc tiep nhan"),
        ("ĐĂNG KÝ KHAI SINH", "DANG KY KHAI SINH"),
        ("Ủy ban nhân dân phường Thuận Hóa", "Uy ban nhan dan phuong Thuan Hoa"),
        ("Nguyễn Thị Ngọc Ánh, Đường Lê Lợi", "Nguyen Thi Ngoc Anh, Duong Le Loi"),
        ("Lệ phí: 60.000 ₫ — hạn 27/11", "Le phi: 60.000 ₫ — han 27/11"),
        ("Dossier 000.00.00.H57 received", "Dossier 000.00.00.H57 received"),
        ("", ""),
    ],
)
def test_without_diacritics(text, expected):
    assert without_diacritics(text) == expected


def test_decomposed_input_loses_its_marks_too():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Thừa Thiên Huế")
    assert without_diacritics(decomposed) == "Thua Thien Hue"


def test_sms_text_keeps_diacritics_only_when_the_gateway_is_paid_for_unicode(settings):
    settings.SMS_UNICODE = False
    assert sms_text("Hồ sơ đã được tiếp nhận") == "Ho so da duoc tiep nhan"
    settings.SMS_UNICODE = True
    assert sms_text("Hồ sơ đã được tiếp nhận") == "Hồ sơ đã được tiếp nhận"
