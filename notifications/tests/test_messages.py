"""What each kind of notification says (notifications/messages.py) and how it goes out: every
kind has a writer that survives missing facts, the reader's language picks the names and the
date formats, the email is a text body with an HTML alternative (escaped, with absolute links),
the SMS is short and without diacritics unless the gateway takes Unicode, and the daily digest
lists what it carries."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from notifications import services
from notifications.constants import OFFICER_KINDS, Kind, NotifyChannel, State
from notifications.messages import WRITERS, Message, render
from notifications.models import Notification
from notifications.sms import sms_text, without_diacritics
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

CODE = "000.00.00.H57-261123-0001"
AGENCY = "UBND phường Thuận Hóa"
AGENCY_EN = "Thuan Hoa Ward People's Committee"
PROCEDURE = "Đăng ký khai sinh"
PROCEDURE_EN = "Birth registration"
DUE = "2026-11-27T10:00:00+00:00"  # 17:00 in Huế
PREVIOUS_DUE = "2026-11-25T10:00:00+00:00"
DOSSIER_ID = uuid.UUID("6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f")

# A typical context: every fact a message of any kind may name.
TYPICAL = {
    "code": CODE,
    "procedure": PROCEDURE,
    "procedure_en": "",
    "agency": AGENCY,
    "agency_en": "",
    "due_at": DUE,
    "previous_due_at": PREVIOUS_DUE,
    "amount": 60_000,
    "delivery": "online",
    "address": "12 Lê Lợi, phường Phú Hội, Huế",
    "method": "online",
    "recipient_name": "Nguyễn Văn An",
    "tracking_number": "EL000123456VN",
    "note": "Ảnh chụp giấy chứng sinh bị mờ, đề nghị chụp lại",
    "items": ["Bản sao giấy chứng sinh", "Ảnh 4x6"],
    "message": "Mời ông/bà mang bản chính căn cước đến đối chiếu vào sáng thứ Năm.",
    "path": "/ho-so/42/",
}

# The kinds with variants in what they say, and the variants.
VARIANTS = {
    Kind.RESULT_READY: [{"delivery": d} for d in ("online", "counter", "postal")],
    Kind.RETURNED: [{"method": m} for m in ("online", "counter", "postal")],
    Kind.REFUND: [{}, {"done": True}],
    Kind.DIGEST: [{"entries": [[Kind.NEW_DOSSIER, TYPICAL], [Kind.ASSIGNED, TYPICAL]] * 10}],
}
CASES = [
    pytest.param(kind, variant, id=f"{kind}-{'-'.join(map(str, variant.values()))}"[:60])
    for kind in Kind.values
    for variant in VARIANTS.get(kind, [{}])
]


# --- a writer for every kind ------------------------------------------------------------------


def test_every_kind_has_a_writer():
    assert set(WRITERS) == set(Kind.values)


@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_kind_is_written_from_an_empty_context_with_dashes(kind, language):
    message = render(kind, {}, language)

    assert isinstance(message, Message)
    assert message.subject and message.sms and message.action and message.lines
    assert message.path == "" and message.url == "https://dichvucong.example.vn"
    if kind != Kind.DIGEST:  # the digest names no dossier
        assert "—" in message.subject  # the missing code (or procedure) shows a dash


@pytest.mark.parametrize(("kind", "variant"), CASES)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_kind_is_written_from_a_typical_context(kind, variant, language):
    message = render(kind, {**TYPICAL, **variant}, language)

    assert message.subject and message.lines and message.sms
    if language == "en":  # the msgids: a dash could only be a missing fact
        assert "—" not in message.subject + message.text + message.sms
    assert message.path == "/ho-so/42/" + message.anchor
    assert message.url == "https://dichvucong.example.vn/ho-so/42/" + message.anchor


def test_missing_dates_and_reasons_show_a_dash():
    received = render(Kind.RECEIVED, {"code": CODE}, "en")
    apology = render(Kind.APOLOGY, {"code": CODE}, "en")
    returned = render(Kind.RETURNED, {"code": CODE, "method": "postal"}, "en")

    assert "The result is due on —." in received.text
    assert "Reason: —" in apology.text and "The new date is —." in apology.text
    assert "tracking number —" in returned.text


# --- the reader's language ------------------------------------------------------------------------


def test_english_readers_get_the_english_names_when_there_are_some():
    context = {**TYPICAL, "procedure_en": PROCEDURE_EN, "agency_en": AGENCY_EN}

    english = render(Kind.RECEIVED, context, "en")
    vietnamese = render(Kind.RECEIVED, context, "vi")

    assert AGENCY_EN in english.text and PROCEDURE_EN in english.text
    assert AGENCY not in english.text and PROCEDURE not in english.text
    assert AGENCY in vietnamese.text and PROCEDURE in vietnamese.text
    assert AGENCY_EN not in vietnamese.text and PROCEDURE_EN not in vietnamese.text


def test_english_readers_get_the_vietnamese_names_when_there_is_no_translation():
    message = render(Kind.RECEIVED, TYPICAL, "en")

    assert AGENCY in message.text and PROCEDURE in message.text


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_written_in_vietnams_time_as_the_dossier_pages_write_them(language):
    with timezone.override("UTC"):  # whatever the current time zone, Vietnam's time
        message = render(Kind.APOLOGY, TYPICAL, language)

    # 10:00 UTC is 17:00 in Huế; one format in both languages, as on the dossier pages.
    assert "27/11/2026 17:00" in message.subject
    assert "27/11/2026 17:00" in message.text and "25/11/2026 17:00" in message.text
    assert "27/11/2026 17:00" in message.sms


def test_without_a_language_the_current_one_is_used():
    context = {**TYPICAL, "agency_en": AGENCY_EN}

    with translation.override("en"):
        english = render(Kind.AGENCY_MESSAGE, context)
    with translation.override("vi"):
        vietnamese = render(Kind.AGENCY_MESSAGE, context)

    assert AGENCY_EN in english.subject and AGENCY in vietnamese.subject


# --- the email ----------------------------------------------------------------------------------


@pytest.fixture
def reader(db):
    return UserFactory(with_phone=True, full_name="Lê Thị Hoa")


def deliver(row: Notification) -> str:
    return services.notification_deliver(notification_id=row.pk).result


def test_the_email_has_a_text_body_and_an_html_alternative_with_an_absolute_link(reader):
    context = {**TYPICAL, "path": reverse("dossiers:detail", args=[DOSSIER_ID])}
    row = NotificationFactory(recipient=reader, kind=Kind.SUPPLEMENT_REQUESTED, context=context)

    assert deliver(row) == "sent"

    (email,) = mail.outbox
    message = render(Kind.SUPPLEMENT_REQUESTED, context, reader.language)
    url = "https://dichvucong.example.vn" + reverse("dossiers:detail", args=[DOSSIER_ID])
    url += "#asked-title"  # the part of the page that lists what is asked
    assert message.url == url
    assert email.to == [reader.email]
    assert email.subject == message.subject
    assert url in email.body
    for line in [*message.lines, *message.items, *message.after]:
        assert line in email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert f'href="{url}"' in html
    assert "Bản sao giấy chứng sinh" in html and "Lê Thị Hoa" in html
    assert "https://dichvucong.example.vn" + reverse("notifications:preferences") in html
    assert Notification.objects.get(pk=row.pk).state == State.SENT


def test_the_email_follows_the_portal_base_url(reader, settings):
    settings.PORTAL_BASE_URL = "https://dichvucong.hue.gov.vn"
    row = NotificationFactory(recipient=reader, kind=Kind.RECEIVED)

    deliver(row)

    (email,) = mail.outbox
    assert "https://dichvucong.hue.gov.vn/ho-so/#issued-title" in email.body
    assert 'href="https://dichvucong.hue.gov.vn/ho-so/#issued-title"' in email.alternatives[0][0]


def test_the_email_escapes_what_people_typed(reader):
    reader.full_name = "Hoa <i>Lê</i>"
    reader.save(update_fields=["full_name"])
    context = {
        **TYPICAL,
        "items": ['<img src=x onerror="alert(1)">'],
        "note": "<script>alert('x')</script> & co",
    }
    row = NotificationFactory(recipient=reader, kind=Kind.SUPPLEMENT_REQUESTED, context=context)
    message_row = NotificationFactory(
        recipient=reader,
        kind=Kind.AGENCY_MESSAGE,
        context={**TYPICAL, "message": "<b>Mời</b> <script>steal()</script>"},
    )

    deliver(row)
    deliver(message_row)

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "<img" not in html and "<i>" not in html
    assert "Hoa &lt;i&gt;Lê&lt;/i&gt;" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    # The text body is plain text: shown as typed, not as HTML entities.
    assert "<script>alert('x')</script> & co" in mail.outbox[0].body
    message_html = mail.outbox[1].alternatives[0][0]
    assert "<script>" not in message_html and "<b>Mời</b>" not in message_html
    assert "&lt;b&gt;Mời&lt;/b&gt; &lt;script&gt;steal()&lt;/script&gt;" in message_html


def test_the_email_is_written_in_the_recipients_language(reader):
    context = {**TYPICAL, "agency_en": AGENCY_EN}
    english_reader = UserFactory(language="en")
    rows = [
        NotificationFactory(recipient=reader, kind=Kind.AGENCY_MESSAGE, context=context),
        NotificationFactory(recipient=english_reader, kind=Kind.AGENCY_MESSAGE, context=context),
    ]

    for row in rows:
        deliver(row)

    vietnamese, english = mail.outbox
    assert AGENCY in vietnamese.subject and AGENCY_EN not in vietnamese.subject
    assert AGENCY_EN in english.subject
    assert '<html lang="vi">' in vietnamese.alternatives[0][0]
    assert '<html lang="en">' in english.alternatives[0][0]


# --- the SMS ------------------------------------------------------------------------------------


def test_without_diacritics_keeps_the_letters():
    assert without_diacritics("Hồ sơ đã được tiếp nhận") == "Ho so da duoc tiep nhan"
    assert without_diacritics("ĐĂNG KÝ KHAI SINH, phường Thuận Hóa") == (
        "DANG KY KHAI SINH, phuong Thuan Hoa"
    )
    assert without_diacritics("đ Đ") == "d D"


def test_an_sms_goes_without_diacritics_by_default(reader, sms_outbox):
    row = NotificationFactory(recipient=reader, sms=True, kind=Kind.PAYMENT_REQUESTED)
    row.context = {**TYPICAL, "agency": AGENCY}
    row.save(update_fields=["context"])
    filed = NotificationFactory(
        recipient=reader, sms=True, kind=Kind.FILED_AT_COUNTER, context=TYPICAL
    )

    deliver(row)
    deliver(filed)

    payment, filed_text = (text.text for text in sms_outbox)
    assert [text.phone for text in sms_outbox] == [reader.phone] * 2
    assert "60.000 d" in payment and "đ" not in payment
    assert "UBND phuong Thuan Hoa" in filed_text
    assert filed_text == without_diacritics(render(Kind.FILED_AT_COUNTER, TYPICAL, "vi").sms)
    assert mail.outbox == []


def test_an_sms_keeps_its_diacritics_when_the_gateway_takes_unicode(reader, sms_outbox, settings):
    settings.SMS_UNICODE = True
    row = NotificationFactory(
        recipient=reader, sms=True, kind=Kind.FILED_AT_COUNTER, context=TYPICAL
    )

    deliver(row)

    (text,) = sms_outbox
    assert AGENCY in text.text
    assert text.text == render(Kind.FILED_AT_COUNTER, TYPICAL, "vi").sms
    assert sms_text("đã nhận") == "đã nhận"


@pytest.mark.parametrize(("kind", "variant"), CASES)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_sms_fits_in_one_message(kind, variant, language):
    text = sms_text(render(kind, {**TYPICAL, **variant}, language).sms)

    assert len(text) <= 160, (len(text), text)
    assert text.isascii(), text  # one GSM message: a Unicode SMS holds only 70 characters


# --- the daily digest ---------------------------------------------------------------------------


def test_the_digest_lists_the_subjects_of_what_it_carries():
    first = {**TYPICAL, "code": "000.00.00.H57-261123-0001"}
    second = {**TYPICAL, "code": "000.00.00.H57-261123-0002"}
    entries = [[Kind.NEW_DOSSIER, first], [Kind.OVERDUE, second]]

    message = render(Kind.DIGEST, {"entries": entries}, "en")

    assert message.items == [
        render(Kind.NEW_DOSSIER, first, "en").subject,
        render(Kind.OVERDUE, second, "en").subject,
    ]
    assert "2" in message.subject and "2" in message.sms
    for subject in message.items:
        assert f"– {subject}" in message.text


def test_the_digest_email_lists_the_held_messages(django_capture_on_commit_callbacks):
    officer = UserFactory(officer=True, language="en")
    held = [
        NotificationFactory(
            recipient=officer,
            held=True,
            kind=kind,
            context={**TYPICAL, "code": f"000.00.00.H57-261123-000{n}"},
        )
        for n, kind in enumerate(sorted(OFFICER_KINDS), start=1)
    ]
    elsewhere = NotificationFactory(held=True)  # another officer's: not in this digest

    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send() == 2

    digest = Notification.objects.get(recipient=officer, kind=Kind.DIGEST)
    assert digest.channel == NotifyChannel.EMAIL and digest.state == State.SENT
    assert set(digest.items.values_list("pk", flat=True)) == {row.pk for row in held}
    assert Notification.objects.get(pk=elsewhere.pk).digest != digest
    (email,) = [email for email in mail.outbox if email.to == [officer.email]]
    for row in held:
        subject = render(row.kind, row.context, "en").subject
        assert subject in email.body
        assert subject in email.alternatives[0][0]
    assert f"{len(held)} items" in email.subject
    assert "https://dichvucong.example.vn" + reverse("officer:queue") in email.body
