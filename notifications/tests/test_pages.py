"""The notification centre, opening a notification, marking all read, the settings page, the
header's unread badge and the language link, as a person uses them (issue 7).

Pages answer in English (``login`` sets the cookie) so missing translations cannot break them.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.tests.factories import DossierFactory
from notifications.constants import DigestMode, Kind, NotifyChannel
from notifications.models import Notification, NotificationPreference
from notifications.tests.conftest import login
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

CENTRE = "/thong-bao/"
MARK_ALL = "/thong-bao/da-doc-het/"
PREFERENCES = "/tai-khoan/nhan-thong-bao/"
LOGIN = "/accounts/login/"


def open_url(row: Notification) -> str:
    return reverse("notifications:open", args=[row.pk])


def inapp(user, code: str, *, read: bool = False, ago: float | None = None, **context):
    """One in-app notification of ``user`` about dossier ``code`` (its subject names the code);
    ``ago`` hours back in time, for ordering."""
    facts = {
        "code": code,
        "procedure": "Đăng ký khai sinh",
        "agency": "UBND phường Thuận Hóa",
        "due_at": "2026-11-27T10:00:00+00:00",
        "path": "/ho-so/",
        **context,
    }
    row = NotificationFactory(
        recipient=user, context=facts, **({"read": True} if read else {"inapp": True})
    )
    if ago is not None:
        Notification.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=ago)
        )
        row.refresh_from_db()
    return row


def cards(html: str) -> list[str]:
    """The centre's notification cards, top to bottom."""
    return re.findall(
        r'<li class="card notification[^"]*">.*?</li>\s*(?=<li class="card|</ol>)', html, re.S
    )


def text(response) -> str:
    return response.content.decode()


def badge(html: str) -> str | None:
    """The unread count in the header's "Notifications" link, or None without a badge."""
    match = re.search(r'class="nav-notifications">[^<]*<span class="count-badge">(\d+)<', html)
    if match:
        return match.group(1)
    assert "count-badge" not in html
    return None


def flashes(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the centre -----------------------------------------------------------------------------------


def test_centre_lists_only_own_in_app_rows_newest_first_with_unread_marked(
    client, citizen, other_citizen
):
    old = inapp(citizen, "CODE-OLD", read=True, ago=48)
    middle = inapp(citizen, "CODE-MIDDLE", ago=24)
    new = inapp(citizen, "CODE-NEW", ago=1)
    NotificationFactory(recipient=citizen, context={"code": "CODE-EMAIL", "path": "/ho-so/"})
    NotificationFactory(recipient=citizen, sms=True, context={"code": "CODE-SMS"})
    inapp(other_citizen, "CODE-STRANGER")
    login(client, citizen)

    response = client.get(CENTRE)

    assert response.status_code == 200
    html = text(response)
    listed = cards(html)
    assert len(listed) == 3
    assert ["CODE-NEW" in listed[0], "CODE-MIDDLE" in listed[1], "CODE-OLD" in listed[2]] == [
        True
    ] * 3
    for code in ("CODE-EMAIL", "CODE-SMS", "CODE-STRANGER"):
        assert code not in html
    # Unread ones are marked (a class and a "New" badge a screen reader reads); read ones not.
    for card, row in zip(listed, (new, middle, old), strict=True):
        unread = row.read_at is None
        assert ("notification-unread" in card) is unread
        assert ('badge-new">New<' in card) is unread
        assert f'action="{open_url(row)}"' in card
        assert "Dossier " + row.context["code"] + " received: result due" in card
    assert "Mark all as read" in html


def test_centre_escapes_what_people_wrote(client, citizen):
    inapp(citizen, "CODE-1", message="<script>alert(1)</script>")
    Notification.objects.filter(recipient=citizen).update(kind=Kind.AGENCY_MESSAGE)
    login(client, citizen)

    html = text(client.get(CENTRE))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_unread_mark_does_not_say_new_dossier_in_vietnamese(client, citizen):
    """The "New" mark on an unread notification is not the queue's "New" (a new dossier):
    "Hồ sơ mới" on "Dossier … received" tells the citizen something false."""
    inapp(citizen, "CODE-1")
    login(client, citizen, english=False)

    html = text(client.get(CENTRE))

    assert '<html lang="vi">' in html
    mark = re.search(r'<span class="badge badge-new">([^<]*)</span>', html)
    assert mark is not None
    assert "hồ sơ" not in mark.group(1).lower()


def test_centre_paginates_twenty_a_page(client, citizen):
    for hour in range(25):
        inapp(citizen, f"CODE-{hour:02d}", ago=hour)
    login(client, citizen)

    first = text(client.get(CENTRE))
    second = text(client.get(CENTRE, {"page": 2}))

    assert len(cards(first)) == 20 and len(cards(second)) == 5
    assert "CODE-00" in cards(first)[0] and "CODE-19" in cards(first)[-1]
    assert "CODE-20" in cards(second)[0] and "CODE-24" in cards(second)[-1]
    assert "Page 1 of 2" in first and 'rel="next" href="?page=2"' in first
    assert "Page 2 of 2" in second and 'rel="prev" href="?page=1"' in second
    assert 'rel="next"' not in second
    # A page past the end or not a number shows a real page, not an error.
    assert len(cards(text(client.get(CENTRE, {"page": 99})))) == 5
    assert len(cards(text(client.get(CENTRE, {"page": "abc"})))) == 20


def test_centre_shows_unread_only_on_request_and_keeps_it_across_pages(client, citizen):
    inapp(citizen, "CODE-READ", read=True)
    for hour in range(21):
        inapp(citizen, f"CODE-U{hour:02d}", ago=hour + 1)
    login(client, citizen)

    html = text(client.get(CENTRE, {"unread": "1"}))

    assert "CODE-READ" not in html and len(cards(html)) == 20
    assert 'href="?page=2&amp;unread=1"' in html
    assert f'href="{CENTRE}">Show all<' in html
    second = text(client.get(CENTRE, {"unread": "1", "page": 2}))
    assert len(cards(second)) == 1 and "CODE-READ" not in second
    everything = text(client.get(CENTRE))
    assert "CODE-READ" in everything and f'href="{CENTRE}?unread=1">Show unread only<' in everything


def test_centre_empty_states(client, citizen, other_citizen):
    inapp(other_citizen, "CODE-STRANGER")
    login(client, citizen)

    html = text(client.get(CENTRE))
    assert "No notifications yet." in html and "CODE-STRANGER" not in html
    assert "Mark all as read" not in html

    inapp(citizen, "CODE-READ", read=True)
    unread_only = text(client.get(CENTRE, {"unread": "1"}))
    assert "Nothing unread. You are up to date." in unread_only
    assert cards(unread_only) == [] and "Mark all as read" not in unread_only


def test_centre_page_queries_stay_flat(client, citizen):
    def queries_for(count: int) -> int:
        Notification.objects.filter(recipient=citizen).delete()
        for hour in range(count):
            inapp(citizen, f"CODE-{hour:02d}", ago=hour)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CENTRE).status_code == 200
        return len(captured)

    login(client, citizen)
    queries_for(1)  # session, user and caches warmed
    assert queries_for(5) == queries_for(20)


# --- the header's badge ---------------------------------------------------------------------------


def test_header_badge_counts_own_unread_in_app_rows_and_goes_at_zero(
    client, citizen, other_citizen
):
    inapp(citizen, "CODE-1")
    inapp(citizen, "CODE-2")
    inapp(citizen, "CODE-3")
    inapp(citizen, "CODE-READ", read=True)
    NotificationFactory(recipient=citizen)  # an email: not in the centre
    inapp(other_citizen, "CODE-STRANGER")
    login(client, citizen)

    assert badge(text(client.get("/"))) == "3"
    html = text(client.get(CENTRE))
    assert badge(html) == "3"
    assert '<span class="visually-hidden"> unread</span>' in html

    client.post(MARK_ALL)

    home = text(client.get("/"))
    assert badge(home) is None
    assert f'href="{CENTRE}" class="nav-notifications">Notifications</a>' in home


def test_header_has_no_notifications_link_for_anonymous_visitors(client):
    html = text(client.get("/"))
    assert "nav-notifications" not in html and badge(html) is None


# --- log-in needed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", CENTRE), ("get", PREFERENCES), ("post", "open"), ("post", MARK_ALL)],
)
def test_anonymous_visitors_are_sent_to_log_in(client, citizen, method, path):
    row = inapp(citizen, "CODE-1")
    if path == "open":
        path = open_url(row)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={path}"
    row.refresh_from_db()
    assert row.read_at is None


@pytest.mark.parametrize("path", ["open", MARK_ALL, PREFERENCES])
def test_page_posts_need_the_csrf_token(citizen, path):
    row = inapp(citizen, "CODE-1")
    client = login(Client(enforce_csrf_checks=True), citizen)

    response = client.post(open_url(row) if path == "open" else path, {"language": "en"})

    assert response.status_code == 403
    row.refresh_from_db()
    citizen.refresh_from_db()
    assert row.read_at is None and citizen.language == "vi"


# --- opening one ----------------------------------------------------------------------------------


def test_open_marks_read_and_goes_to_the_dossier(client, citizen):
    dossier = DossierFactory(applicant=citizen, submitted=True)
    path = reverse("dossiers:detail", args=[dossier.pk])
    row = inapp(citizen, dossier.code, path=path)
    target = path + "#issued-title"  # a receipt: straight to the agency's documents
    login(client, citizen)

    response = client.post(open_url(row))

    assert response.status_code == 302 and response.url == target
    row.refresh_from_db()
    assert row.read_at is not None
    first_read = row.read_at
    # Opening it again is harmless and keeps the first reading time.
    assert client.post(open_url(row)).url == target
    row.refresh_from_db()
    assert row.read_at == first_read
    page = client.get(path)
    assert page.status_code == 200 and badge(text(page)) is None


def test_open_of_anothers_notification_is_404_and_it_stays_unread(client, citizen, other_citizen):
    theirs = inapp(other_citizen, "CODE-STRANGER")
    own_email = NotificationFactory(recipient=citizen)
    login(client, citizen)

    for target in (theirs, own_email):
        assert client.post(open_url(target)).status_code == 404
        target.refresh_from_db()
        assert target.read_at is None
    assert client.post(reverse("notifications:open", args=[999_999])).status_code == 404


def test_open_is_post_only(client, citizen):
    row = inapp(citizen, "CODE-1")
    login(client, citizen)

    assert client.get(open_url(row)).status_code == 405
    row.refresh_from_db()
    assert row.read_at is None


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example/x",
        "https://evil.example",
        "http://evil.example/ho-so/",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "ho-so/",
        "",
    ],
)
def test_open_never_leaves_the_portal(client, citizen, path):
    row = inapp(citizen, "CODE-1", path=path)
    login(client, citizen)

    response = client.post(open_url(row))

    assert response.status_code == 302 and response.url == CENTRE
    row.refresh_from_db()
    assert row.read_at is not None


def test_open_without_a_path_goes_to_the_centre(client, citizen):
    row = NotificationFactory(recipient=citizen, inapp=True, context={"code": "CODE-1"})
    login(client, citizen)

    html = text(client.get(CENTRE))
    response = client.post(open_url(row))

    assert f'action="{open_url(row)}"' not in html  # nothing to open: no button
    assert response.status_code == 302 and response.url == CENTRE


# --- mark all read --------------------------------------------------------------------------------


def test_mark_all_read_changes_only_own_in_app_rows(client, citizen, other_citizen):
    mine = [inapp(citizen, "CODE-1"), inapp(citizen, "CODE-2")]
    already = inapp(citizen, "CODE-READ", read=True)
    email = NotificationFactory(recipient=citizen)
    theirs = inapp(other_citizen, "CODE-STRANGER")
    login(client, citizen)

    response = client.post(MARK_ALL, follow=True)

    assert response.redirect_chain == [(CENTRE, 302)]
    assert "All notifications are marked as read." in text(response)
    for row in mine:
        row.refresh_from_db()
        assert row.read_at is not None
    before = already.read_at
    already.refresh_from_db()
    email.refresh_from_db()
    theirs.refresh_from_db()
    assert already.read_at == before
    assert email.read_at is None and theirs.read_at is None


def test_mark_all_read_with_nothing_unread_says_nothing(client, citizen):
    login(client, citizen)

    response = client.post(MARK_ALL)

    assert response.status_code == 302 and response.url == CENTRE
    assert flashes(response) == []
    assert client.get(MARK_ALL).status_code == 405


# --- the settings page ----------------------------------------------------------------------------


class _Form(HTMLParser):
    """The inputs of the settings form and the labels that name them."""

    def __init__(self):
        super().__init__()
        self.inputs: list[dict] = []
        self.labelled: set[str] = set()
        self._open_labels: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._open_labels.append(attrs.get("for"))
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            attrs["_wrapped"] = bool(self._open_labels)
            self.inputs.append(attrs)

    def handle_endtag(self, tag):
        if tag == "label" and self._open_labels:
            self._open_labels.pop()


def form_inputs(html: str) -> list[dict]:
    form_html = html[html.index(f'action="{PREFERENCES}"') :]
    form_html = form_html[: form_html.index("</form>")]
    parser = _Form()
    parser.feed(form_html)
    for field in parser.inputs:
        assert field.get("id") in parser.labelled or field["_wrapped"], field
    return parser.inputs


def by_name(inputs: list[dict], name: str) -> list[dict]:
    return [field for field in inputs if field.get("name") == name]


def test_preferences_page_labels_every_input_and_shows_the_citizens_choices(client, citizen):
    login(client, citizen)

    html = text(client.get(PREFERENCES))

    inputs = form_inputs(html)
    assert sorted({field["name"] for field in inputs}) == ["email", "language", "sms"]
    assert "checked" in by_name(inputs, "email")[0] and "checked" in by_name(inputs, "sms")[0]
    assert "disabled" not in by_name(inputs, "email")[0]
    assert "disabled" not in by_name(inputs, "sms")[0]
    languages = {field["value"]: "checked" in field for field in by_name(inputs, "language")}
    assert languages == {"vi": True, "en": False}
    for label in ("By email", "By text message (SMS)", "Language of the messages"):
        assert label in html
    assert "When to tell me about work for me" not in html


def test_preferences_save_channels_and_language(client, citizen):
    login(client, citizen)

    response = client.post(PREFERENCES, {"sms": "on", "language": "en"}, follow=True)

    assert response.redirect_chain == [(PREFERENCES, 302)]
    assert "Your notification settings are saved." in text(response)
    preference = NotificationPreference.objects.get(user=citizen)
    citizen.refresh_from_db()
    assert (preference.email, preference.sms, citizen.language) == (False, True, "en")
    inputs = form_inputs(text(response))
    assert "checked" not in by_name(inputs, "email")[0]
    assert "checked" in by_name(inputs, "sms")[0]
    assert {f["value"]: "checked" in f for f in by_name(inputs, "language")}["en"] is True

    client.post(PREFERENCES, {"email": "on", "language": "vi"})
    preference.refresh_from_db()
    citizen.refresh_from_db()
    assert (preference.email, preference.sms, citizen.language) == (True, False, "vi")


def test_citizens_get_no_digest_and_a_forged_one_changes_nothing(client, citizen):
    login(client, citizen)

    client.post(PREFERENCES, {"email": "on", "sms": "on", "language": "vi", "digest": "daily"})

    preference = NotificationPreference.objects.get(user=citizen)
    assert preference.digest == DigestMode.IMMEDIATE
    assert "digest" not in text(client.get(PREFERENCES))


@pytest.mark.parametrize("who", ["intake", "specialist", "leader"])
def test_officers_see_and_save_the_digest(client, request, who):
    officer = request.getfixturevalue(who)
    login(client, officer)

    html = text(client.get(PREFERENCES))
    inputs = form_inputs(html)
    digest = {field["value"]: "checked" in field for field in by_name(inputs, "digest")}
    assert digest == {DigestMode.IMMEDIATE: True, DigestMode.DAILY: False}
    assert "When to tell me about work for me" in html
    # Officers hear by email, not SMS, until they ask.
    assert "checked" in by_name(inputs, "email")[0]
    assert "checked" not in by_name(inputs, "sms")[0]

    response = client.post(PREFERENCES, {"email": "on", "language": "vi", "digest": "daily"})

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=officer)
    assert (preference.email, preference.sms, preference.digest) == (True, False, "daily")


def test_an_officer_choice_of_an_unknown_digest_is_refused(client, intake):
    login(client, intake)

    response = client.post(PREFERENCES, {"email": "on", "language": "vi", "digest": "weekly"})

    assert response.status_code == 200
    assert 'class="error-summary"' in text(response)
    assert not NotificationPreference.objects.filter(user=intake).exists()


@pytest.mark.parametrize("language", ["fr", "", "vi-VN"])
def test_an_invalid_language_is_shown_and_nothing_is_saved(client, citizen, language):
    login(client, citizen)

    response = client.post(PREFERENCES, {"email": "on", "language": language})

    assert response.status_code == 200
    html = text(response)
    assert 'class="error-summary"' in html and 'class="error-text"' in html
    assert "Language of the messages:" in html  # the summary names the field
    assert "Your notification settings are saved." not in html
    assert not NotificationPreference.objects.filter(user=citizen).exists()
    citizen.refresh_from_db()
    assert citizen.language == "vi"


def test_a_phone_less_person_cannot_switch_sms_on(client):
    person = UserFactory(with_profile=True)
    NotificationPreference.objects.create(user=person, sms=False)
    login(client, person)

    html = text(client.get(PREFERENCES))
    sms = by_name(form_inputs(html), "sms")[0]
    assert "disabled" in sms
    assert "Add a phone number to your profile first." in html
    assert sms.get("aria-describedby") == f"{sms['id']}-help"

    response = client.post(PREFERENCES, {"email": "on", "sms": "on", "language": "vi"})

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=person)
    assert (preference.email, preference.sms) == (True, False)


def test_an_email_less_person_cannot_switch_email_on(client):
    person = UserFactory(email="", with_phone=True)
    NotificationPreference.objects.create(user=person, email=False)
    login(client, person)

    html = text(client.get(PREFERENCES))
    assert "disabled" in by_name(form_inputs(html), "email")[0]
    assert "Add an email address to your account first." in html

    client.post(PREFERENCES, {"email": "on", "sms": "on", "language": "vi"})

    preference = NotificationPreference.objects.get(user=person)
    assert (preference.email, preference.sms) == (False, True)


def test_the_language_link_stores_the_language_of_a_logged_in_person(client, citizen):
    login(client, citizen, english=False)

    response = client.get("/ngon-ngu/", {"language": "en", "next": "/"})

    assert response.status_code == 302 and response.url == "/"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    citizen.refresh_from_db()
    assert citizen.language == "en"
    # The settings page then shows the language the messages will come in.
    inputs = form_inputs(text(client.get(PREFERENCES)))
    assert {f["value"]: "checked" in f for f in by_name(inputs, "language")}["en"] is True

    client.get("/ngon-ngu/", {"language": "xx", "next": "/"})
    citizen.refresh_from_db()
    assert citizen.language == "en"
    client.get("/ngon-ngu/", {"language": "vi", "next": "https://evil.example/"})
    citizen.refresh_from_db()
    assert citizen.language == "vi"


# --- officers and two-factor log-in ---------------------------------------------------------------


def test_an_officer_with_two_factor_uses_the_centre_and_opens_the_officer_page(client, intake):
    dossier = DossierFactory(submitted=True, agency=intake.agency)
    path = reverse("officer:dossier", args=[dossier.pk])
    row = NotificationFactory(
        recipient=intake,
        inapp=True,
        kind=Kind.NEW_DOSSIER,
        dossier=dossier,
        context={"code": dossier.code, "path": path},
    )
    login(client, intake)

    html = text(client.get(CENTRE))
    assert f"New dossier {dossier.code} to receive" in html and badge(html) == "1"
    assert client.get(PREFERENCES).status_code == 200

    response = client.post(open_url(row))

    assert response.status_code == 302 and response.url == path
    assert client.get(path).status_code == 200


def test_an_officer_without_two_factor_is_sent_to_set_it_up_first(client, agency):
    """An officer's notifications name citizens and quote their messages: like every staff
    page, the centre and the settings wait for the two-factor log-in."""
    officer = UserFactory(officer=True, agency=agency)
    dossier = DossierFactory(submitted=True, agency=agency)
    path = reverse("officer:dossier", args=[dossier.pk])
    row = NotificationFactory(
        recipient=officer,
        inapp=True,
        kind=Kind.NEW_DOSSIER,
        dossier=dossier,
        context={"code": dossier.code, "path": path},
    )
    login(client, officer)

    for response in (client.get(CENTRE), client.get(PREFERENCES), client.post(open_url(row))):
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    row.refresh_from_db()
    assert row.read_at is None


# --- a real step, seen on the pages ---------------------------------------------------------------


def test_a_received_dossier_shows_in_the_citizens_centre_and_badge(
    client, citizen, intake, procedure, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(procedure=procedure, applicant=citizen, submitted=True)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_receive(dossier=dossier, actor=intake)

    rows = Notification.objects.filter(recipient=citizen, kind=Kind.RECEIVED)
    assert sorted(rows.values_list("channel", flat=True)) == sorted(
        [NotifyChannel.EMAIL, NotifyChannel.INAPP, NotifyChannel.SMS]
    )
    assert len(mailoutbox) == 1 and len(sms_outbox) == 1  # delivered after commit
    assert not Notification.objects.filter(recipient=intake).exists()  # the actor hears nothing

    login(client, citizen)
    html = text(client.get(CENTRE))
    assert badge(html) == "1"
    listed = cards(html)
    assert len(listed) == 1
    assert f"Dossier {dossier.code} received: result due" in listed[0]
    assert f"{procedure.agency.name} has received your dossier {dossier.code}." in listed[0]
    assert "See the receipt" in listed[0]

    row = rows.get(channel=NotifyChannel.INAPP)
    response = client.post(open_url(row), follow=True)

    detail = reverse("dossiers:detail", args=[dossier.pk]) + "#issued-title"
    assert response.redirect_chain == [(detail, 302)]
    assert response.status_code == 200 and badge(text(response)) is None
    assert (
        Notification.objects.filter(
            recipient=citizen, channel=NotifyChannel.INAPP, read_at__isnull=True
        ).count()
        == 0
    )
