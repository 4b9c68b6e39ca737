"""The notification centre's API (/api/v1/notifications/…): the caller's own notifications and
settings, nobody else's; every error a 4xx ``{code, detail, fields?}``, never a 500 (issue 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers.tests.factories import DossierFactory
from notifications.constants import DigestMode, Kind
from notifications.models import Notification, NotificationPreference
from notifications.tests.conftest import login
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications/"
UNREAD = API + "unread-count/"
READ_ALL = API + "read-all/"
PREFERENCES = API + "preferences/"
BASE_URL = "https://dichvucong.example.vn"  # PORTAL_BASE_URL in this package's conftest

FIELDS = {
    "id",
    "kind",
    "title",
    "body",
    "url",
    "dossier",
    "dossier_code",
    "created_at",
    "read_at",
}


def read_url(row_or_pk) -> str:
    return f"{API}{getattr(row_or_pk, 'pk', row_or_pk)}/read/"


def inapp(
    user,
    code: str = "CODE-1",
    *,
    read: bool = False,
    ago: float | None = None,
    kind: str = Kind.RECEIVED,
):
    """One in-app notification of ``user`` about dossier ``code``; ``ago`` hours old."""
    context = {"code": code, "agency": "UBND phường Thuận Hóa", "path": "/ho-so/"}
    row = NotificationFactory(
        recipient=user, kind=kind, context=context, **({"read": True} if read else {"inapp": True})
    )
    if ago is not None:
        Notification.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=ago)
        )
        row.refresh_from_db()
    return row


def put(client, data, **extra):
    return client.put(PREFERENCES, data, content_type="application/json", **extra)


def codes(body: dict) -> list[str]:
    return [item["dossier_code"] for item in body["results"]]


# --- anonymous ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", API),
        ("get", UNREAD),
        ("post", "read"),
        ("post", READ_ALL),
        ("get", PREFERENCES),
        ("put", PREFERENCES),
    ],
)
def test_anonymous_callers_are_refused_everywhere(client, citizen, method, path):
    row = inapp(citizen)
    if path == "read":
        path = read_url(row)

    response = getattr(client, method)(
        path, {"email": True, "sms": True, "language": "en"}, content_type="application/json"
    )

    assert response.status_code in (401, 403)
    body = response.json()
    assert body["code"] in ("not_authenticated", "permission_denied") and body["detail"]
    row.refresh_from_db()
    citizen.refresh_from_db()
    assert row.read_at is None and citizen.language == "vi"
    assert not NotificationPreference.objects.exists()


# --- the list -------------------------------------------------------------------------------------


def test_list_shape_and_only_own_in_app_rows_newest_first(client, citizen, other_citizen):
    dossier = DossierFactory(applicant=citizen, submitted=True)
    new = NotificationFactory(
        recipient=citizen,
        inapp=True,
        dossier=dossier,
        context={"code": dossier.code, "agency": "UBND phường Thuận Hóa", "path": "/ho-so/x/"},
    )
    old = inapp(citizen, "CODE-OLD", read=True, ago=5)
    NotificationFactory(recipient=citizen, context={"code": "CODE-EMAIL"})
    NotificationFactory(recipient=citizen, sms=True, context={"code": "CODE-SMS"})
    inapp(other_citizen, "CODE-STRANGER")
    login(client, citizen)

    response = client.get(API)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    first, second = body["results"]
    assert set(first) == FIELDS
    assert first["id"] == new.pk and second["id"] == old.pk
    assert first["kind"] == Kind.RECEIVED
    assert first["title"].startswith(f"Dossier {dossier.code} received: result due")
    assert f"UBND phường Thuận Hóa has received your dossier {dossier.code}." in first["body"]
    assert first["url"] == BASE_URL + "/ho-so/x/#issued-title"  # the receipt's section
    assert first["dossier"] == str(dossier.pk) and first["dossier_code"] == dossier.code
    assert first["read_at"] is None and second["read_at"] is not None
    assert dt.datetime.fromisoformat(first["created_at"]) > dt.datetime.fromisoformat(
        second["created_at"]
    )
    assert second["dossier"] is None and second["dossier_code"] == "CODE-OLD"


def test_list_item_without_a_page_or_a_code(client, citizen):
    NotificationFactory(recipient=citizen, inapp=True, kind=Kind.DIGEST, context={"count": 2})
    login(client, citizen)

    (item,) = client.get(API).json()["results"]

    assert item["url"] is None and item["dossier_code"] is None and item["dossier"] is None
    assert item["title"]


def test_list_paginates_and_filters_unread(client, citizen):
    for hour in range(25):
        inapp(citizen, f"CODE-{hour:02d}", ago=hour + 1)
    inapp(citizen, "CODE-READ", read=True)
    login(client, citizen)

    first = client.get(API).json()
    assert first["count"] == 26 and len(first["results"]) == 20
    assert first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 6 and second["next"] is None
    assert codes(second)[-1] == "CODE-24"

    for flag in ("true", "1"):
        unread = client.get(API, {"unread": flag, "page_size": 100}).json()
        assert unread["count"] == 25 and "CODE-READ" not in codes(unread)
    assert client.get(API, {"unread": "false"}).json()["count"] == 26


@pytest.mark.parametrize(
    "query", [{"page": "abc"}, {"page": "0"}, {"page": "9"}, {"page_size": "0"}, {"page_size": "x"}]
)
def test_list_bad_paging_is_400(client, citizen, query):
    inapp(citizen)
    login(client, citizen)

    response = client.get(API, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == set(query)


def test_list_queries_stay_flat(client, citizen, procedure, django_assert_max_num_queries):
    login(client, citizen)

    def make(count: int) -> None:
        Notification.objects.filter(recipient=citizen).delete()
        for _ in range(count):
            dossier = DossierFactory(applicant=citizen, procedure=procedure, submitted=True)
            NotificationFactory(
                recipient=citizen,
                inapp=True,
                dossier=dossier,
                context={"code": dossier.code, "path": f"/ho-so/{dossier.pk}/"},
            )

    make(5)
    with django_assert_max_num_queries(5) as few:
        assert len(client.get(API).json()["results"]) == 5
    make(20)
    with django_assert_max_num_queries(5) as many:
        assert len(client.get(API).json()["results"]) == 20
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the unread count -----------------------------------------------------------------------------


def test_unread_count_counts_own_unread_in_app_rows(client, citizen, other_citizen):
    inapp(citizen, "CODE-1")
    inapp(citizen, "CODE-2")
    inapp(citizen, "CODE-READ", read=True)
    NotificationFactory(recipient=citizen)  # email
    inapp(other_citizen, "CODE-STRANGER")
    login(client, citizen)

    assert client.get(UNREAD).json() == {"unread": 2}
    client.post(READ_ALL)
    assert client.get(UNREAD).json() == {"unread": 0}


# --- reading --------------------------------------------------------------------------------------


def test_read_one_marks_it_and_answers_the_row(client, citizen):
    row = inapp(citizen)
    login(client, citizen)

    response = client.post(read_url(row))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS and body["id"] == row.pk and body["read_at"]
    row.refresh_from_db()
    assert row.read_at is not None
    first = row.read_at
    again = client.post(read_url(row))
    assert again.status_code == 200
    row.refresh_from_db()
    assert row.read_at == first
    assert dt.datetime.fromisoformat(again.json()["read_at"]) == first
    assert client.get(UNREAD).json() == {"unread": 0}


def test_read_of_anothers_or_a_missing_notification_is_404(client, citizen, other_citizen):
    theirs = inapp(other_citizen)
    own_email = NotificationFactory(recipient=citizen)
    login(client, citizen)

    for target in (theirs, own_email, 999_999):
        response = client.post(read_url(target))
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "not_found" and body["detail"]
    for row in (theirs, own_email):
        row.refresh_from_db()
        assert row.read_at is None


def test_read_is_post_only(client, citizen):
    row = inapp(citizen)
    login(client, citizen)

    for method in ("get", "put", "delete"):
        response = getattr(client, method)(read_url(row))
        assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    row.refresh_from_db()
    assert row.read_at is None


def test_read_all_marks_only_own_unread_in_app_rows(client, citizen, other_citizen):
    mine = [inapp(citizen, "CODE-1"), inapp(citizen, "CODE-2"), inapp(citizen, "CODE-3")]
    inapp(citizen, "CODE-READ", read=True)
    email = NotificationFactory(recipient=citizen)
    theirs = inapp(other_citizen, "CODE-STRANGER")
    login(client, citizen)

    assert client.post(READ_ALL).json() == {"marked": 3}
    assert client.post(READ_ALL).json() == {"marked": 0}
    for row in mine:
        row.refresh_from_db()
        assert row.read_at is not None
    email.refresh_from_db()
    theirs.refresh_from_db()
    assert email.read_at is None and theirs.read_at is None
    assert client.get(READ_ALL).status_code == 405


@pytest.mark.parametrize("path", ["read", READ_ALL, PREFERENCES])
def test_session_writes_need_the_csrf_token(citizen, path):
    row = inapp(citizen)
    client = login(Client(enforce_csrf_checks=True), citizen)
    target = read_url(row) if path == "read" else path
    method = client.put if path == PREFERENCES else client.post

    response = method(
        target, {"email": True, "sms": True, "language": "en"}, content_type="application/json"
    )

    assert response.status_code == 403
    row.refresh_from_db()
    citizen.refresh_from_db()
    assert row.read_at is None and citizen.language == "vi"


# --- other people ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_citizen", "elsewhere", "intake"])
def test_nobody_else_sees_or_touches_a_citizens_notifications(client, request, citizen, who):
    rows = [inapp(citizen, "CODE-1"), inapp(citizen, "CODE-2")]
    NotificationPreference.objects.create(user=citizen, sms=False)
    someone = request.getfixturevalue(who)
    own = inapp(someone, "CODE-OWN", kind=Kind.NEW_DOSSIER)
    login(client, someone)

    listed = client.get(API).json()
    assert [item["id"] for item in listed["results"]] == [own.pk]
    assert client.get(UNREAD).json() == {"unread": 1}
    for row in rows:
        assert client.post(read_url(row)).status_code == 404
    assert client.post(READ_ALL).json() == {"marked": 1}
    answer = client.get(PREFERENCES).json()
    assert answer["sms"] is (who == "other_citizen")  # their own defaults, not the citizen's

    for row in rows:
        row.refresh_from_db()
        assert row.read_at is None
    assert NotificationPreference.objects.get(user=citizen).sms is False


# --- preferences ----------------------------------------------------------------------------------


def test_citizen_preferences_defaults(client, citizen):
    login(client, citizen)

    response = client.get(PREFERENCES)

    assert response.status_code == 200
    assert response.json() == {
        "email": True,
        "sms": True,
        "language": "vi",
        "can_email": True,
        "can_sms": True,
    }


def test_officer_preferences_include_the_digest(client, intake):
    login(client, intake)

    assert client.get(PREFERENCES).json() == {
        "email": True,
        "sms": False,
        "language": "vi",
        "can_email": True,
        "can_sms": False,
        "digest": DigestMode.IMMEDIATE,
    }

    response = put(client, {"email": False, "sms": False, "language": "en", "digest": "daily"})

    assert response.status_code == 200
    assert response.json()["digest"] == "daily" and response.json()["email"] is False
    preference = NotificationPreference.objects.get(user=intake)
    intake.refresh_from_db()
    assert (preference.email, preference.digest, intake.language) == (False, "daily", "en")


def test_phone_or_email_less_accounts_are_told_what_they_can_use(client):
    phone_only = UserFactory(email="", with_phone=True)
    login(client, phone_only)
    answer = client.get(PREFERENCES).json()
    assert (answer["can_email"], answer["can_sms"]) == (False, True)

    email_only = UserFactory()
    login(client, email_only)
    answer = client.get(PREFERENCES).json()
    assert (answer["can_email"], answer["can_sms"]) == (True, False)


def test_put_saves_channels_and_language(client, citizen):
    login(client, citizen)

    response = put(client, {"email": False, "sms": True, "language": "en"})

    assert response.status_code == 200
    assert response.json() == {
        "email": False,
        "sms": True,
        "language": "en",
        "can_email": True,
        "can_sms": True,
    }
    preference = NotificationPreference.objects.get(user=citizen)
    citizen.refresh_from_db()
    assert (preference.email, preference.sms, citizen.language) == (False, True, "en")
    assert client.get(PREFERENCES).json()["language"] == "en"


def test_a_citizens_digest_is_ignored(client, citizen):
    login(client, citizen)

    response = put(client, {"email": True, "sms": True, "language": "vi", "digest": "daily"})

    assert response.status_code == 200 and "digest" not in response.json()
    assert NotificationPreference.objects.get(user=citizen).digest == DigestMode.IMMEDIATE


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"email", "sms", "language"}),
        ({"email": True, "sms": True}, {"language"}),
        ({"email": "maybe", "sms": True, "language": "vi"}, {"email"}),
        ({"email": True, "sms": None, "language": "vi"}, {"sms"}),
        ({"email": True, "sms": [], "language": "vi"}, {"sms"}),
        ({"email": True, "sms": True, "language": "fr"}, {"language"}),
        ({"email": True, "sms": True, "language": 1}, {"language"}),
        ({"email": True, "sms": True, "language": ["vi"]}, {"language"}),
        ({"email": True, "sms": True, "language": "vi", "digest": "weekly"}, {"digest"}),
        ({"email": True, "sms": True, "language": "vi", "digest": None}, {"digest"}),
        ([], {"non_field_errors"}),
        ('"vi"', {"non_field_errors"}),  # a JSON string, not an object
    ],
)
@pytest.mark.parametrize("who", ["citizen", "intake"])
def test_put_with_wrong_values_is_400_with_fields_and_saves_nothing(
    client, request, who, data, fields
):
    person = request.getfixturevalue(who)
    login(client, person)

    response = put(client, data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert set(body["fields"]) == fields
    assert not NotificationPreference.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert person.language == "vi"


@pytest.mark.parametrize(
    ("payload", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("email=on&language=vi", "text/plain", 415),
    ],
)
def test_put_with_a_broken_body_is_a_4xx(client, citizen, payload, content_type, status):
    login(client, citizen)

    response = client.put(PREFERENCES, payload, content_type=content_type)

    assert response.status_code == status
    assert set(response.json()) >= {"code", "detail"}
    assert not NotificationPreference.objects.exists()


def test_preferences_allow_only_get_and_put(client, citizen):
    login(client, citizen)

    for method in ("post", "patch", "delete"):
        response = getattr(client, method)(
            PREFERENCES, {"email": True}, content_type="application/json"
        )
        assert response.status_code == 405
    assert not NotificationPreference.objects.exists()


def test_an_officer_without_two_factor_is_refused_until_it_is_set_up(client, agency, citizen):
    """An officer's notifications name citizens: like every staff endpoint, these answer an
    officer only with the two-factor log-in (403 ``mfa_required``)."""
    officer = UserFactory(officer=True, agency=agency)
    own = inapp(officer, "CODE-OWN", kind=Kind.NEW_DOSSIER)
    login(client, officer)

    for response in (
        client.get(API),
        client.get(PREFERENCES),
        client.post(read_url(own)),
        client.post(READ_ALL),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "mfa_required"
    own.refresh_from_db()
    assert own.read_at is None
