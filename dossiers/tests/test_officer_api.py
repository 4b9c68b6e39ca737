"""The officer workspace API (../shared/API.md "Officer workspace"): who gets an answer, the
steps as HTTP (200, 204 after a transfer away, 400 with ``fields``, 403, 404, 409 with
``fields.status``), and the queues with their filters, search, ordering and constant queries.
The rules themselves are proved at the service level in test_workflow.py."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from dossiers.constants import FeeState, Status, StoredKind
from dossiers.models import Dossier, DossierEvent, StoredDocument
from dossiers.tests.factories import (
    PNG_BYTES,
    AttachmentFactory,
    DossierFactory,
    pdf_upload,
    published_procedure,
)
from portal.api import CappedCountPaginator
from procedures.constants import Channel
from procedures.tests.factories import AgencyFactory
from procedures.workdays import WorkCalendar

pytestmark = pytest.mark.django_db

S = Status
QUEUE = "/api/v1/officer/dossiers/"
TRAIT = {
    S.SUBMITTED: "submitted",
    S.RECEIVED: "received",
    S.REFUSED: "refused",
    S.PROCESSING: "processing",
    S.SUPPLEMENT: "supplement",
    S.AWAITING_PAYMENT: "awaiting_payment",
    S.WITHDRAWAL: "withdrawal",
    S.STOPPED: "stopped",
    S.PROCESSED: "processed",
    S.RETURNED: "returned",
}
# action in the URL → (a status it may start from, the status after it; None: unchanged)
STEPS = {
    "receive": (S.SUBMITTED, S.RECEIVED),
    "request-supplement": (S.RECEIVED, S.SUPPLEMENT),
    "refuse": (S.SUBMITTED, S.REFUSED),
    "start": (S.RECEIVED, S.PROCESSING),
    "assign": (S.RECEIVED, None),
    "transfer": (S.PROCESSING, None),
    "request-payment": (S.PROCESSING, S.AWAITING_PAYMENT),
    "apologize": (S.PROCESSING, None),
    "approve": (S.PROCESSING, S.PROCESSED),
    "return": (S.PROCESSED, S.RETURNED),
    "stop": (S.WITHDRAWAL, S.STOPPED),
}


# --- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def step_url(dossier, action) -> str:
    return f"/api/v1/dossiers/{dossier.pk}/{action}/"


def detail_url(dossier) -> str:
    return f"{QUEUE}{dossier.pk}/"


@pytest.fixture
def procedure():
    return published_procedure(processing_days=3)


@pytest.fixture
def agency(procedure):
    return procedure.agency


@pytest.fixture
def intake(agency):
    return UserFactory(officer=True, agency=agency, totp=True, full_name="Trần Văn Tiếp")


@pytest.fixture
def specialist(agency):
    return UserFactory(specialist=True, agency=agency, totp=True, full_name="Lê Văn Chuyên")


@pytest.fixture
def leader(agency):
    return UserFactory(leader=True, agency=agency, totp=True, full_name="Phạm Lãnh Đạo")


@pytest.fixture
def elsewhere():
    return AgencyFactory(name="UBND xã Bên Cạnh")


def make(procedure, status, **kwargs) -> Dossier:
    kwargs.setdefault("fee_net", 20_000)
    # Owed while a payment may still be asked for; settled where the step needs it (start
    # from 6, return from 9).
    kwargs.setdefault(
        "fee_state",
        FeeState.DUE if status in (S.SUBMITTED, S.RECEIVED, S.PROCESSING) else FeeState.PAID,
    )
    return DossierFactory(procedure=procedure, **{TRAIT[status]: True}, **kwargs)


def body_for(action, dossier, specialist, elsewhere) -> tuple[dict, str]:
    """A valid request body for ``action`` on ``dossier``, and its format."""
    if action == "approve":
        return {"result": pdf_upload("ket-qua.pdf")}, "multipart"
    due = dossier.due_at or timezone.now()
    return {
        "receive": {},
        "request-supplement": {"items": ["Bản sao CCCD", "Giấy chứng sinh"], "note": "Ảnh mờ"},
        "refuse": {"reason": "Không thuộc thẩm quyền"},
        "start": {},
        "assign": {"officer": specialist.pk},
        "transfer": {"agency": elsewhere.code, "note": "Liên thông"},
        "request-payment": {},
        "apologize": {
            "reason": "Cần xác minh",
            "new_due_at": (due + dt.timedelta(days=7)).isoformat(),
        },
        "return": {"method": "counter", "recipient_name": "Trần Thị Bình", "note": "Bà Bình nhận"},
        "stop": {"note": "Theo đơn rút"},
    }[action], "json"


def post(client, dossier, action, data=None, fmt="json", **extra):
    return client.post(step_url(dossier, action), data or {}, format=fmt, **extra)


def written(dossier) -> tuple:
    """What a refused request must leave as it was."""
    row = Dossier.objects.get(pk=dossier.pk)
    return (
        row.status,
        row.agency_id,
        row.assigned_to_id,
        row.due_at,
        row.apologized_at,
        row.result_id,
        row.updated_at,
        DossierEvent.objects.filter(dossier=row).count(),
        StoredDocument.objects.count(),
    )


def files_under(root) -> list[Path]:
    root = Path(root)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def assert_invalid(response, field, code="invalid"):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert field in body["fields"], body
    return body


# --- who gets an answer -----------------------------------------------------------------------


def every_endpoint(dossier, attachment) -> list[tuple[str, str]]:
    return [
        ("get", QUEUE),
        ("get", detail_url(dossier)),
        ("get", f"{detail_url(dossier)}attachments/{attachment.pk}/file/"),
        # postal-update starts only from a postal hand-over: tested on its own below, and here
        *[("post", step_url(dossier, action)) for action in (*STEPS, "postal-update")],
    ]


@pytest.fixture
def target(procedure):
    dossier = make(procedure, S.SUBMITTED)
    return dossier, AttachmentFactory(dossier=dossier)


def call(client, method, url):
    return client.get(url) if method == "get" else client.post(url, {}, format="json")


def test_anonymous_callers_are_refused_everywhere(target):
    dossier, attachment = target
    before = written(dossier)

    for method, url in every_endpoint(dossier, attachment):
        response = call(api(), method, url)
        assert response.status_code in (401, 403), url
        assert response.json()["code"] == "not_authenticated", url
    assert written(dossier) == before


def test_citizens_are_refused_everywhere_even_on_their_own_dossier(target):
    dossier, attachment = target
    before = written(dossier)

    for citizen in (dossier.applicant, UserFactory()):
        for method, url in every_endpoint(dossier, attachment):
            response = call(api(citizen), method, url)
            assert response.status_code == 403, url
            assert response.json()["code"] == "permission_denied", url
    assert written(dossier) == before


@pytest.mark.parametrize("traits", [{"officer": True}, {"leader": True}, {"admin": True}])
def test_staff_without_two_factor_log_in_are_refused_everywhere(traits, target):
    dossier, attachment = target
    kwargs = {"agency": dossier.agency} if "admin" not in traits else {}
    staff = UserFactory(**traits, **kwargs)  # no TOTP
    before = written(dossier)

    for method, url in every_endpoint(dossier, attachment):
        response = call(api(staff), method, url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "mfa_required", url
    assert written(dossier) == before


def test_an_officer_of_another_agency_finds_nothing(target, elsewhere):
    dossier, attachment = target
    stranger = UserFactory(leader=True, agency=elsewhere, totp=True)
    before = written(dossier)

    for method, url in every_endpoint(dossier, attachment)[1:]:
        response = call(api(stranger), method, url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found", url
    assert api(stranger).get(QUEUE).json()["count"] == 0
    assert written(dossier) == before


def test_drafts_and_malformed_ids_are_not_found(procedure, leader):
    draft = DossierFactory(procedure=procedure)
    client = api(leader)

    assert client.get(detail_url(draft)).status_code == 404
    assert post(client, draft, "receive").status_code == 404
    assert client.get(f"{QUEUE}{uuid.uuid4()}/").status_code == 404
    assert client.post(f"/api/v1/dossiers/{uuid.uuid4()}/receive/").status_code == 404
    assert client.get(f"{QUEUE}not-a-uuid/").status_code == 404


# --- the dossier as officers see it -----------------------------------------------------------


def test_the_officers_dossier_page(procedure, intake, settings):
    applicant = UserFactory(full_name="Trần Thị Bình", with_profile=True)
    dossier = make(procedure, S.SUBMITTED, applicant=applicant, form_data={"ho_ten": "Bình"})
    attachment = AttachmentFactory(dossier=dossier)
    client = api(intake)

    body = client.get(detail_url(dossier)).json()

    assert body["code"] == dossier.code and body["status"] == S.SUBMITTED
    assert body["applicant"]["full_name"] == "Trần Thị Bình"
    assert body["applicant"]["id_number"] == applicant.id_number
    assert body["form_data"] == {"ho_ten": "Bình"}
    assert body["actions"] == ["receive", "request_supplement", "refuse"]
    assert body["due_state"] is None
    [paper] = body["attachments"]
    file = client.get(paper["url"])
    assert file.status_code == 200
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    missing = f"{detail_url(dossier)}attachments/{uuid.uuid4()}/file/"
    assert client.get(missing).status_code == 404
    other = AttachmentFactory(dossier=make(procedure, S.SUBMITTED))
    assert client.get(f"{detail_url(dossier)}attachments/{other.pk}/file/").status_code == 404
    assert attachment.pk


def test_a_step_answers_with_the_dossier_and_its_history(procedure, intake):
    dossier = make(procedure, S.SUBMITTED)

    response = post(api(intake), dossier, "receive", REMOTE_ADDR="198.51.100.9")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == S.RECEIVED and body["received_at"] and body["due_at"]
    assert body["due_state"] in ("on_time", "due_soon")
    assert body["actions"] == ["request_supplement", "assign", "request_payment", "apologize"]
    [event] = body["events"]
    assert (event["action"], event["from_status"], event["to_status"]) == ("receive", 1, 2)
    assert (event["actor"], event["actor_role"]) == ("Trần Văn Tiếp", "intake")
    assert DossierEvent.objects.get(dossier=dossier).ip == "198.51.100.9"


# --- every step through the API ---------------------------------------------------------------


@pytest.mark.parametrize("action", list(STEPS))
def test_each_step_from_a_status_it_allows(action, procedure, leader, specialist, elsewhere):
    source, target_status = STEPS[action]
    dossier = make(procedure, source)
    data, fmt = body_for(action, dossier, specialist, elsewhere)

    response = post(api(leader), dossier, action, data, fmt)

    row = Dossier.objects.get(pk=dossier.pk)
    assert row.status == (target_status or source)
    assert row.events.get().action == action.replace("-", "_")
    if action == "transfer":  # it left the leader's agency: nothing more to show him
        assert response.status_code == 204 and not response.content
        assert row.agency == elsewhere
    else:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == row.status


@pytest.mark.parametrize("action", list(STEPS))
def test_each_step_from_a_status_it_does_not_allow_is_a_conflict(
    action, procedure, leader, specialist, elsewhere, settings
):
    dossier = make(procedure, S.RETURNED)  # no step starts from a returned dossier
    data, fmt = body_for(action, dossier, specialist, elsewhere)
    before = written(dossier)
    files = files_under(settings.MEDIA_ROOT)

    response = post(api(leader), dossier, action, data, fmt)

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict" and body["fields"] == {"status": ["10"]}
    assert "Result returned" in body["detail"]
    assert written(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == files


@pytest.mark.parametrize(
    ("action", "duty"),
    [
        ("receive", "specialist"),
        ("refuse", "specialist"),
        ("start", "intake"),
        ("assign", "specialist"),
        ("transfer", "intake"),
        ("transfer", "specialist"),
        ("apologize", "specialist"),
        ("approve", "intake"),
        ("approve", "specialist"),
        ("return", "specialist"),
        ("stop", "specialist"),
    ],
)
def test_a_step_outside_the_officers_duty_is_forbidden(
    action, duty, procedure, agency, specialist, elsewhere, settings
):
    trait = "officer" if duty == "intake" else duty  # the factory's intake trait is "officer"
    officer = UserFactory(**{trait: True}, agency=agency, totp=True)
    dossier = make(procedure, STEPS[action][0])
    data, fmt = body_for(action, dossier, specialist, elsewhere)
    before, files = written(dossier), files_under(settings.MEDIA_ROOT)

    response = post(api(officer), dossier, action, data, fmt)

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    assert written(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == files


@pytest.mark.parametrize("action", list(STEPS))
def test_admins_with_two_factor_log_in_may_take_every_step(
    action, procedure, specialist, elsewhere
):
    admin = UserFactory(admin=True, totp=True)
    source, target_status = STEPS[action]
    dossier = make(procedure, source)
    data, fmt = body_for(action, dossier, specialist, elsewhere)

    response = post(api(admin), dossier, action, data, fmt)

    assert response.status_code == 200, response.content  # admins serve every agency
    assert response.json()["status"] == (target_status or source)
    assert Dossier.objects.get(pk=dossier.pk).events.get().actor_role == "admin"


def test_the_one_stop_centre_receives_for_the_agencies_of_its_province():
    root = AgencyFactory(province=True)
    commune = AgencyFactory(parent=root)
    centre = AgencyFactory(one_stop_centre=True, parent=root)
    outside = AgencyFactory(code="000.00.00.H33", name="UBND tỉnh Khác", level="province")
    officer = UserFactory(officer=True, agency=centre, totp=True)
    ours = DossierFactory(procedure=published_procedure(agency=commune), submitted=True)
    theirs = DossierFactory(procedure=published_procedure(agency=outside), submitted=True)
    client = api(officer)

    assert codes(client.get(QUEUE)) == [ours.code]
    assert post(client, ours, "receive").status_code == 200
    assert post(client, theirs, "receive").status_code == 404
    assert client.get(detail_url(theirs)).status_code == 404


# --- stale pages --------------------------------------------------------------------------------


def test_a_step_on_a_stale_page_is_a_conflict_and_writes_nothing(procedure, intake, leader):
    dossier = make(procedure, S.SUBMITTED)
    assert post(api(leader), dossier, "receive").status_code == 200  # a colleague was faster
    before = written(dossier)

    response = post(
        api(intake), dossier, "request-supplement", {"items": ["CCCD"], "expected_status": 1}
    )

    assert response.status_code == 409
    assert response.json()["fields"] == {"status": ["2"]}
    assert written(dossier) == before
    fresh = post(
        api(intake), dossier, "request-supplement", {"items": ["CCCD"], "expected_status": 2}
    )
    assert fresh.status_code == 200 and fresh.json()["status"] == S.SUPPLEMENT


def test_a_stale_approval_stores_no_result(procedure, leader, settings):
    dossier = make(procedure, S.PROCESSING)
    before = written(dossier)

    response = post(
        api(leader),
        dossier,
        "approve",
        {"result": pdf_upload(), "expected_status": S.RECEIVED},
        "multipart",
    )

    assert response.status_code == 409 and response.json()["fields"] == {"status": ["4"]}
    assert written(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == []


# --- bad input ----------------------------------------------------------------------------------

BAD_INPUT = [
    ("request-supplement", {}, "items"),
    ("request-supplement", {"items": []}, "items"),
    ("request-supplement", {"items": ""}, "items"),
    ("request-supplement", {"items": "Bản sao CCCD"}, "items"),
    ("request-supplement", {"items": [""]}, "items"),
    ("request-supplement", {"items": ["   "]}, "items"),
    ("request-supplement", {"items": [{"name": "CCCD"}]}, "items"),
    ("request-supplement", {"items": ["x" * 501]}, "items"),
    ("request-supplement", {"items": ["CCCD"], "note": ["a"]}, "note"),
    ("refuse", {}, "reason"),
    ("refuse", {"reason": ""}, "reason"),
    ("refuse", {"reason": "   "}, "reason"),
    ("refuse", {"reason": ["Không"]}, "reason"),
    ("refuse", {"reason": None}, "reason"),
    ("assign", {}, "officer"),
    ("assign", {"officer": ""}, "officer"),
    ("assign", {"officer": "abc"}, "officer"),
    ("assign", {"officer": True}, "officer"),
    ("assign", {"officer": 1.5}, "officer"),
    ("assign", {"officer": 987654321}, "officer"),
    ("assign", {"officer": "citizen"}, "officer"),
    ("assign", {"officer": "intake"}, "officer"),
    ("assign", {"officer": "stranger"}, "officer"),
    ("transfer", {}, "agency"),
    ("transfer", {"agency": ""}, "agency"),
    ("transfer", {"agency": "999.99.99.X99"}, "agency"),
    ("transfer", {"agency": "own"}, "agency"),
    ("transfer", {"agency": "x" * 50}, "agency"),
    ("transfer", {"agency": ["000.01.01.H57"]}, "agency"),
    ("apologize", {}, "reason"),
    ("apologize", {"reason": "Chậm"}, "new_due_at"),
    ("apologize", {"reason": "Chậm", "new_due_at": "next week"}, "new_due_at"),
    ("apologize", {"reason": "Chậm", "new_due_at": 12}, "new_due_at"),
    ("apologize", {"reason": "Chậm", "new_due_at": "earlier"}, "new_due_at"),
    ("approve", {}, "result"),
    ("approve", {"result": "generated"}, "result"),  # the procedure has no result template
    ("approve", {"result": "made up"}, "result"),
    ("approve", {"result": "png"}, "result"),
    ("return", {}, "method"),
    ("return", {"method": "counter"}, "recipient_name"),
    ("return", {"method": "postal"}, "tracking_number"),
    ("return", {"method": "fax"}, "method"),
    ("return", {"method": 5}, "method"),
    ("receive", {"expected_status": 99}, "expected_status"),
    ("receive", {"expected_status": "abc"}, "expected_status"),
    ("start", {"expected_status": [2]}, "expected_status"),
]


@pytest.mark.parametrize(
    ("action", "data", "field"),
    BAD_INPUT,
    ids=[f"{a}-{f}-{i}" for i, (a, _d, f) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_a_400_naming_the_field(
    action, data, field, procedure, leader, elsewhere, settings
):
    dossier = make(procedure, STEPS[action][0])
    people = {
        "citizen": dossier.applicant.pk,
        "intake": UserFactory(officer=True, agency=procedure.agency).pk,
        "stranger": UserFactory(specialist=True, agency=elsewhere).pk,
    }
    fmt, code = "json", "invalid"
    if data.get("officer") in people:
        data = {"officer": people[data["officer"]]}
    if data.get("agency") == "own":
        data = {"agency": dossier.agency.code}
    if data.get("new_due_at") == "earlier":
        data = {**data, "new_due_at": (dossier.due_at - dt.timedelta(hours=1)).isoformat()}
    if data.get("result") == "generated":
        code = "no_result_template"
    if data.get("result") == "png":
        data = {"result": SimpleUploadedFile("ket-qua.pdf", PNG_BYTES, "application/pdf")}
        code = "file_type"
    if action == "approve" and data:
        fmt = "multipart"
    before, files = written(dossier), files_under(settings.MEDIA_ROOT)

    response = post(api(leader), dossier, action, data, fmt)

    assert_invalid(response, field, code=code)
    assert written(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == files


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"items"', b"null", b"{not json", b"\xff\xfe"])
def test_a_body_that_is_not_an_object_is_a_400(raw, procedure, leader):
    dossier = make(procedure, S.RECEIVED)
    before = written(dossier)

    response = api(leader).post(
        step_url(dossier, "request-supplement"), raw, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("invalid", "parse_error")
    assert written(dossier) == before


def test_payment_cannot_be_asked_without_a_fee(procedure, intake):
    dossier = make(procedure, S.PROCESSING, fee_net=0)

    response = post(api(intake), dossier, "request-payment")

    assert response.status_code == 400 and response.json()["code"] == "invalid"


# --- apology, transfer, approval --------------------------------------------------------------


def test_the_apology_once_and_in_time(procedure, intake, leader):
    calendar = WorkCalendar.from_db()
    dossier = make(procedure, S.PROCESSING)
    Dossier.objects.filter(pk=dossier.pk).update(
        due_at=calendar.add_working_days(timezone.now(), 3)
    )
    dossier.refresh_from_db()
    new = dossier.due_at + dt.timedelta(days=5)

    first = post(
        api(intake), dossier, "apologize", {"reason": "Xác minh", "new_due_at": new.isoformat()}
    )

    assert first.status_code == 200, first.content
    body = first.json()
    assert dt.datetime.fromisoformat(body["due_at"]) == new
    assert dt.datetime.fromisoformat(body["original_due_at"]) == dossier.due_at
    assert body["apologized_at"] and "apologize" not in body["actions"]
    later = (new + dt.timedelta(days=5)).isoformat()
    second = post(api(leader), dossier, "apologize", {"reason": "Lần hai", "new_due_at": later})
    assert second.status_code == 409 and second.json()["code"] == "conflict"
    assert Dossier.objects.get(pk=dossier.pk).due_at == new


def test_an_apology_on_the_last_day_is_too_late(procedure, intake):
    dossier = make(procedure, S.PROCESSING)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + dt.timedelta(hours=2))
    before = written(dossier)
    new = (timezone.now() + dt.timedelta(days=10)).isoformat()

    response = post(api(intake), dossier, "apologize", {"reason": "Chậm", "new_due_at": new})

    assert_invalid(response, "new_due_at", code="too_late")
    assert written(dossier) == before


def test_a_transfer_answers_204_and_the_receiving_agency_has_it_all(
    procedure, intake, leader, elsewhere
):
    dossier = make(procedure, S.SUBMITTED)
    assert post(api(intake), dossier, "receive").status_code == 200
    receiver = UserFactory(leader=True, agency=elsewhere, totp=True)

    response = post(api(leader), dossier, "transfer", {"agency": elsewhere.code, "note": "LT"})

    assert response.status_code == 204
    assert dossier.code not in codes(api(leader).get(QUEUE))
    assert api(leader).get(detail_url(dossier)).status_code == 404
    assert codes(api(receiver).get(QUEUE)) == [dossier.code]
    body = api(receiver).get(detail_url(dossier)).json()
    assert [e["action"] for e in body["events"]] == ["receive", "transfer"]
    assert body["agency"]["code"] == elsewhere.code and body["status"] == S.RECEIVED
    assert body["events"][-1]["data"]["from"] == procedure.agency.code


def test_a_transfer_within_the_centres_province_still_answers_200():
    root = AgencyFactory(province=True)
    commune, other_commune = AgencyFactory(parent=root), AgencyFactory(parent=root)
    centre = AgencyFactory(one_stop_centre=True, parent=root)
    leader = UserFactory(leader=True, agency=centre, totp=True)
    dossier = DossierFactory(procedure=published_procedure(agency=commune), processing=True)

    response = post(api(leader), dossier, "transfer", {"agency": other_commune.code})

    assert response.status_code == 200, response.content
    assert response.json()["agency"]["code"] == other_commune.code


def test_approval_through_the_api_stores_the_result(procedure, leader):
    dossier = make(procedure, S.PROCESSING)

    response = post(api(leader), dossier, "approve", {"result": pdf_upload("kq.pdf")}, "multipart")

    assert response.status_code == 200, response.content
    stored = StoredDocument.objects.get()
    assert (stored.owner, stored.kind) == (dossier.applicant, StoredKind.RESULT)
    assert Dossier.objects.get(pk=dossier.pk).result == stored
    assert response.json()["status"] == S.PROCESSED


def test_approval_refuses_png_bytes_named_pdf(procedure, leader, settings):
    dossier = make(procedure, S.PROCESSING)
    fake = SimpleUploadedFile("ket-qua.pdf", PNG_BYTES, content_type="application/pdf")
    before = written(dossier)

    response = post(api(leader), dossier, "approve", {"result": fake}, "multipart")

    body = assert_invalid(response, "result", code="file_type")
    assert "PDF" in body["detail"]
    assert written(dossier) == before
    assert not StoredDocument.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


# --- the queues ---------------------------------------------------------------------------------


@pytest.fixture
def world(procedure, agency, elsewhere):
    """One dossier per state of the agency, with due dates relative to now, plus what no queue
    of the agency may show (a draft, another agency's dossier)."""
    now = timezone.now()
    calendar = WorkCalendar.from_db()
    later = calendar.add_working_days(now, 5)
    soon = calendar.add_working_time(now, dt.timedelta(hours=2))
    past = now - dt.timedelta(days=2)
    rows = {
        "submitted": make(procedure, S.SUBMITTED),
        "received": make(procedure, S.RECEIVED, due_at=later),
        "processing": make(procedure, S.PROCESSING, due_at=later),
        "processing_soon": make(procedure, S.PROCESSING, due_at=soon),
        "processing_late": make(procedure, S.PROCESSING, due_at=past),
        "received_late": make(procedure, S.RECEIVED, due_at=past),
        "payment_late": make(procedure, S.AWAITING_PAYMENT, due_at=past),
        "supplement_late": make(procedure, S.SUPPLEMENT, due_at=past),  # paused: not late
        "withdrawal": make(procedure, S.WITHDRAWAL, due_at=later),
        "processed_late": make(procedure, S.PROCESSED, due_at=past),  # done: not late
        "refused": make(procedure, S.REFUSED),
        "stopped": make(procedure, S.STOPPED),
        "returned": make(procedure, S.RETURNED),
    }
    DossierFactory(procedure=procedure)  # a draft
    DossierFactory(procedure=published_procedure(agency=elsewhere), submitted=True)
    return rows


QUEUES = {
    "new": {"submitted"},
    "in_progress": {
        "received",
        "processing",
        "processing_soon",
        "processing_late",
        "received_late",
        "withdrawal",
        "processed_late",
    },
    "waiting": {"payment_late", "supplement_late"},
    "due_soon": {"processing_soon"},
    "overdue": {"processing_late", "received_late", "payment_late"},
    "finished": {"refused", "stopped", "returned"},
}


@pytest.mark.parametrize("queue", list(QUEUES))
def test_each_queue_shows_its_dossiers(queue, world, intake):
    expected = {world[name].code for name in QUEUES[queue]}

    assert set(codes(api(intake).get(QUEUE, {"queue": queue, "page_size": 100}))) == expected


def test_without_a_queue_every_filed_dossier_of_the_agency(world, intake):
    response = api(intake).get(QUEUE, {"page_size": 100})

    assert set(codes(response)) == {d.code for d in world.values()}
    assert response.json()["count"] == len(world)


def test_overdue_true_is_the_overdue_queue_and_rows_say_how_late(world, intake):
    rows = api(intake).get(QUEUE, {"overdue": "true"}).json()["results"]

    assert {row["code"] for row in rows} == {world[n].code for n in QUEUES["overdue"]}
    assert {row["due_state"] for row in rows} == {"overdue"}
    states = {
        row["code"]: row["due_state"]
        for row in api(intake).get(QUEUE, {"page_size": 100}).json()["results"]
    }
    assert states[world["processing_soon"].code] == "due_soon"
    assert states[world["processing"].code] == "on_time"
    assert states[world["supplement_late"].code] is None  # the clock is paused
    assert states[world["returned"].code] is None


def test_admins_see_every_agency(world):
    admin = UserFactory(admin=True, totp=True)

    assert api(admin).get(QUEUE).json()["count"] == len(world) + 1  # + the other agency's


def test_filters(procedure, agency, intake, specialist):
    other_procedure = published_procedure(agency=agency)
    now = timezone.now()
    a = make(procedure, S.PROCESSING, due_at=now + dt.timedelta(days=2), assigned_to=specialist)
    b = make(procedure, S.RECEIVED, due_at=now + dt.timedelta(days=9), channel=Channel.COUNTER)
    c = make(other_procedure, S.PROCESSING, due_at=now + dt.timedelta(days=5))
    d = make(procedure, S.SUBMITTED, channel=Channel.POSTAL)

    def query(user=intake, **params):
        return set(codes(api(user).get(QUEUE, params)))

    assert query(status=4) == {a.code, c.code}
    assert query(procedure=other_procedure.code) == {c.code}
    assert query(sector=other_procedure.sector.code) == {c.code}
    assert query(channel=1) == {b.code}
    assert query(channel=3) == {d.code}
    assert query(due_before=(now + dt.timedelta(days=6)).isoformat()) == {a.code, c.code}
    assert query(user=specialist, assigned_to="me") == {a.code}
    assert query(assigned_to="me") == set()
    assert query(user=specialist, assigned_to="me", status=2) == set()
    assert query(procedure="9.999999") == set()


def test_search_by_code_prefix_name_or_cccd(procedure, elsewhere, intake):
    binh = UserFactory(full_name="Trần Thị Bình", with_profile=True)
    an = UserFactory(full_name="Lê Văn An", with_profile=True)
    first = make(procedure, S.SUBMITTED, applicant=binh, code="000.00.00.H57-260310-0001")
    second = make(procedure, S.RECEIVED, applicant=an, code="000.00.00.H57-260310-0002")
    third = make(procedure, S.SUBMITTED, code="000.00.00.H57-260311-0001")
    DossierFactory(  # the same person at another agency: not ours
        procedure=published_procedure(agency=elsewhere), submitted=True, applicant=binh
    )

    def search(text):
        return set(codes(api(intake).get(QUEUE, {"search": text})))

    assert search("000.00.00.H57-260310") == {first.code, second.code}
    assert search("000.00.00.H57-260311-0001") == {third.code}
    assert search("260310-0001") == set()  # a prefix, not any part
    assert search("Thị Bình") == {first.code}
    assert search("thị bình") == {first.code}
    assert search("Văn An") == {second.code}
    assert search(binh.id_number) == {first.code}
    assert search(f" {an.id_number} ") == {second.code}
    assert search("000000000000") == set()
    assert search(binh.id_number[:6]) == set()  # part of a CCCD is not a search by CCCD


def test_ordering(procedure, intake):
    now = timezone.now()
    late = make(
        procedure,
        S.PROCESSING,
        due_at=now + dt.timedelta(days=3),
        received_at=now - dt.timedelta(days=3),
    )
    early = make(
        procedure,
        S.PROCESSING,
        due_at=now + dt.timedelta(days=1),
        received_at=now - dt.timedelta(days=1),
    )
    middle = make(
        procedure,
        S.RECEIVED,
        due_at=now + dt.timedelta(days=2),
        received_at=now - dt.timedelta(days=2),
    )
    new = make(procedure, S.SUBMITTED)  # no dates yet: last going up, first going down

    def order(**params):
        return codes(api(intake).get(QUEUE, params))

    assert order() == [early.code, middle.code, late.code, new.code]
    assert order(ordering="due_at") == order()
    assert order(ordering="-due_at") == [new.code, late.code, middle.code, early.code]
    assert order(ordering="received_at") == [late.code, middle.code, early.code, new.code]
    assert order(ordering="-received_at") == [new.code, early.code, middle.code, late.code]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bogus": "1"}, "bogus"),
        ({"assigned": "me"}, "assigned"),
        ({"queue": "all"}, "queue"),
        ({"status": "99"}, "status"),
        ({"status": "processing"}, "status"),
        ({"channel": "7"}, "channel"),
        ({"overdue": "maybe"}, "overdue"),
        ({"due_before": "tomorrow"}, "due_before"),
        ({"assigned_to": "someone"}, "assigned_to"),
        ({"ordering": "applicant"}, "ordering"),
        ({"search": "x" * 101}, "search"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "99"}, "page"),
    ],
)
def test_a_bad_queue_parameter_is_a_400(params, field, procedure, intake):
    make(procedure, S.SUBMITTED)

    assert_invalid(api(intake).get(QUEUE, params), field)


def test_pages_and_a_capped_count(procedure, intake, monkeypatch):
    made = [make(procedure, S.SUBMITTED) for _ in range(5)]
    client = api(intake)

    first = client.get(QUEUE, {"page_size": 2}).json()
    assert first["count"] == 5 and first["count_capped"] is False
    assert len(first["results"]) == 2 and first["next"] and first["previous"] is None
    last = client.get(QUEUE, {"page_size": 2, "page": 3}).json()
    assert [row["code"] for row in last["results"]] == [made[4].code]

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    capped = client.get(QUEUE, {"page_size": 2}).json()
    assert (capped["count"], capped["count_capped"]) == (3, True)


def _varied_dossiers(agency, count, officers):
    procedures = [published_procedure(agency=agency) for _ in range(3)]
    applicants = [UserFactory(with_profile=True) for _ in range(4)]
    states = [S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PROCESSED, S.RETURNED]
    for i in range(count):
        make(
            procedures[i % 3],
            states[i % len(states)],
            applicant=applicants[i % 4],
            assigned_to=officers[i % len(officers)] if i % 2 else None,
        )


@pytest.mark.parametrize("who", ["intake", "centre", "admin"])
def test_the_queue_costs_the_same_queries_for_20_and_100_rows(who, django_assert_max_num_queries):
    root = AgencyFactory(province=True)
    agency = AgencyFactory(parent=root)
    AgencyFactory(parent=agency)  # a deeper level the centre also serves
    officers = [UserFactory(specialist=True, agency=agency) for _ in range(3)]
    user = {
        "intake": lambda: UserFactory(officer=True, agency=agency, totp=True),
        "centre": lambda: UserFactory(
            officer=True, agency=AgencyFactory(one_stop_centre=True, parent=root), totp=True
        ),
        "admin": lambda: UserFactory(admin=True, totp=True),
    }[who]()
    _varied_dossiers(agency, 110, officers)
    client = api(user)
    assert client.get(QUEUE, {"page_size": 5}).status_code == 200  # warm the session

    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(QUEUE, {"page_size": 20}).json()["results"]) == 20
    with CaptureQueriesContext(connection) as hundred:
        assert len(client.get(QUEUE, {"page_size": 100}).json()["results"]) == 100
    with django_assert_max_num_queries(len(twenty.captured_queries)):
        assert len(client.get(QUEUE, {"page_size": 100, "queue": "in_progress"}).json()) > 0

    assert len(hundred.captured_queries) == len(twenty.captured_queries)


def test_the_whole_way_from_the_new_queue_to_the_returned_result(
    procedure, intake, specialist, leader
):
    dossier = make(procedure, S.SUBMITTED, fee_state=FeeState.PAID)  # paid when filing

    [row] = api(intake).get(QUEUE, {"queue": "new"}).json()["results"]
    assert row["code"] == dossier.code and row["actions"][0] == "receive"
    assert post(api(intake), dossier, "receive").json()["status"] == S.RECEIVED
    again = post(api(intake), dossier, "receive")
    assert again.status_code == 409 and again.json()["fields"]["status"] == ["2"]
    assigned = post(api(leader), dossier, "assign", {"officer": specialist.pk})
    assert assigned.json()["assigned_to"] == {"id": specialist.pk, "name": "Lê Văn Chuyên"}
    assert codes(api(specialist).get(QUEUE, {"assigned_to": "me"})) == [dossier.code]
    assert post(api(specialist), dossier, "start").json()["status"] == S.PROCESSING
    approved = post(api(leader), dossier, "approve", {"result": pdf_upload()}, "multipart")
    assert approved.json()["status"] == S.PROCESSED
    returned = post(api(intake), dossier, "return", {"method": "online"})
    assert returned.json()["status"] == S.RETURNED and returned.json()["finished_at"]
    assert codes(api(intake).get(QUEUE, {"queue": "finished"})) == [dossier.code]
    history = Dossier.objects.get(pk=dossier.pk).events.order_by("id")
    assert [e.action for e in history] == ["receive", "assign", "start", "approve", "return"]


# --- the post office's report on a result sent by post ------------------------------------------


def test_postal_update_from_the_outside(procedure, intake, specialist, elsewhere):
    posted = DossierFactory(procedure=procedure, posted=True)
    online = DossierFactory(procedure=procedure, returned=True)  # handed over online
    stranger = UserFactory(officer=True, agency=elsewhere, totp=True)
    delivered = {"state": "delivered", "expected_status": S.RETURNED}

    assert post(api(stranger), posted, "postal-update", delivered).status_code == 404
    assert post(api(specialist), posted, "postal-update", delivered).status_code == 403
    assert_invalid(post(api(intake), posted, "postal-update", {"state": "lost"}), "state")
    assert post(api(intake), online, "postal-update", delivered).status_code == 409
    assert posted.result_handover.postal_state == "sent"  # nothing written so far

    response = post(api(intake), posted, "postal-update", delivered)

    assert response.status_code == 200, response.content
    assert response.json()["handover"]["postal_state"] == "delivered"
    again = post(api(intake), posted, "postal-update", {**delivered, "expected_status": 9})
    assert again.status_code == 409  # a stale page
