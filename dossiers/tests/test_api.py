"""The citizen dossier API (../shared/API.md "Citizen dossiers", "Public lookup").

Every endpoint: the owner succeeds, another citizen gets 404, an anonymous caller is refused,
bad input is a 400 with ``fields`` and a state conflict is a 409.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from dossiers.constants import Status
from dossiers.models import Attachment, Dossier, DossierEvent, StoredDocument
from dossiers.tests.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    AttachmentFactory,
    DossierFactory,
    StoredDocumentFactory,
    jpeg_upload,
    pdf_upload,
    published_procedure,
)
from procedures.models import FeeItem
from procedures.services import procedure_publish, procedure_unpublish
from procedures.tests.factories import (
    AgencyFactory,
    DiscountRuleFactory,
    FeeCategoryFactory,
    FeeItemFactory,
    FormFieldFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
)

pytestmark = pytest.mark.django_db

DOSSIERS = "/api/v1/dossiers/"
DOCUMENTS = "/api/v1/documents/"
LOOKUP = "/api/v1/lookup/"
CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")
CCCD = "046090001234"
MISSING_ID = "0b6f1c1e-8f59-4c55-9a43-5c1a1d1a2b3c"


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def citizen():
    return UserFactory(full_name="Trần Thị Bình", id_number=CCCD)


@pytest.fixture
def api(citizen):
    return _client(citizen)


@pytest.fixture
def other_api():
    return _client(UserFactory())


@pytest.fixture
def anon():
    return _client()


@pytest.fixture
def procedure():
    """Two form fields, a PDF-only form paper, a reusable CCCD paper, an optional 1 MB paper and
    a 100,000 VND fee with 40% off online."""
    procedure = ProcedureFactory(
        code="2.000720",
        name="Đăng ký thành lập hộ kinh doanh",
        agency=AgencyFactory(code="000.21.30.H57", name="UBND phường Thuận Hóa"),
    )
    FormFieldFactory(procedure=procedure, key="ho_ten", label="Họ tên")
    FormFieldFactory(procedure=procedure, key="gioi_tinh", label="Giới tính", choice=True)
    RequiredDocumentFactory(procedure=procedure, name="Tờ khai", accepted_types="pdf")
    RequiredDocumentFactory(procedure=procedure, name="Căn cước công dân", reusable_paper=True)
    RequiredDocumentFactory(
        procedure=procedure, name="Giấy tờ khác", optional=True, accepted_types="pdf", max_size_mb=1
    )
    category = FeeCategoryFactory(code="business_registration")
    FeeItemFactory(procedure=procedure, code="le-phi", category=category, amount=100_000)
    DiscountRuleFactory(categories=[category])
    procedure_publish(procedure=procedure)
    return procedure


@pytest.fixture
def papers(procedure):
    """Required-paper ids by short name, as in the version snapshot."""
    form, cccd, other = procedure.required_documents.order_by("position", "id")
    return {"form": form.pk, "cccd": cccd.pk, "other": other.pk}


@pytest.fixture
def draft(citizen, procedure):
    return DossierFactory(applicant=citizen, procedure=procedure)


@pytest.fixture
def submitted(citizen, procedure):
    return DossierFactory(applicant=citizen, procedure=procedure, submitted=True)


def url(dossier, suffix=""):
    return f"{DOSSIERS}{dossier.pk}/{suffix}"


def upload(client, dossier, document, file):
    return client.post(url(dossier, "attachments/"), {"document": document, "file": file})


def assert_refused_anonymously(response):
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def assert_not_found(response):
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def assert_invalid(response, *fields, code="invalid"):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    for field in fields:
        assert field in body["fields"], body
    return body


def complete(dossier, papers):
    """Fill the form and attach every required paper, as the services would."""
    Dossier.objects.filter(pk=dossier.pk).update(
        form_data={"ho_ten": "Trần Thị Bình", "gioi_tinh": "Nữ"}
    )
    for key in ("form", "cccd"):
        AttachmentFactory(dossier=dossier, document_id=papers[key], document_name=key)


# --- The whole journey ------------------------------------------------------------------------


def test_create_edit_upload_reuse_submit(api, citizen, procedure, papers):
    stored_cccd = StoredDocumentFactory(owner=citizen, title="Căn cước công dân")

    created = api.post(
        DOSSIERS,
        {"procedure": procedure.code, "form_data": {"ho_ten": "Trần Thị Bình"}},
        format="json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    dossier_id = body["id"]
    assert uuid.UUID(dossier_id)
    assert body["status"] == 0 and body["code"] is None
    assert body["procedure"] == {"code": "2.000720", "name": "Đăng ký thành lập hộ kinh doanh"}
    assert body["form_errors"] == {}
    assert set(body["missing"]) == {"gioi_tinh", "papers"}
    assert body["actions"] == ["edit", "submit", "delete"]
    assert DossierEvent.objects.get(dossier_id=dossier_id).ip == "203.0.113.7"

    edited = api.patch(
        f"{DOSSIERS}{dossier_id}/", {"form_data": {"gioi_tinh": "Nữ"}}, format="json"
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["form_data"] == {"ho_ten": "Trần Thị Bình", "gioi_tinh": "Nữ"}
    assert edited.json()["form_errors"] == {}

    dossier = Dossier.objects.get(pk=dossier_id)
    uploaded = upload(api, dossier, papers["form"], pdf_upload("to-khai.pdf"))
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["reused"] is False
    reused = api.post(
        url(dossier, "attachments/"),
        {"document": papers["cccd"], "reuse": str(stored_cccd.pk)},
        format="json",
    )
    assert reused.status_code == 201, reused.content
    assert reused.json()["reused"] is True
    assert Attachment.objects.filter(dossier=dossier, reused=True).count() == 1

    response = api.post(url(dossier, "submit/"), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == 1
    assert body["status_display"]
    assert CODE.match(body["code"]), body["code"]
    assert body["code"].startswith("000.21.30.H57-")
    assert body["submitted_at"]
    assert body["fee"]["gross"] == 100_000
    assert body["fee"]["discount"] == 40_000
    assert body["fee"]["net"] == 60_000
    assert body["fee"]["rule"]["percent"] == 40
    assert body["fee"]["items"][0]["code"] == "le-phi"
    assert body["fee_net"] == 60_000
    assert body["payment_status"] == "due"
    assert body["missing"] is None
    assert body["actions"] == ["withdraw"]
    assert [e["action"] for e in body["events"]] == ["create", "submit"]
    assert body["events"][1]["from_status"] == 0 and body["events"][1]["to_status"] == 1
    assert DossierEvent.objects.get(dossier_id=dossier_id, action="submit").ip == "203.0.113.7"

    # The quote is frozen: a later change of the fee schedule does not touch it.
    FeeItem.objects.filter(procedure=procedure).update(amount=500_000)
    assert api.get(url(dossier)).json()["fee"]["net"] == 60_000

    # A second submit and an edit after submission are conflicts.
    again = api.post(url(dossier, "submit/"))
    assert again.status_code == 409
    assert again.json()["code"] == "already_submitted"
    assert body["code"] in again.json()["detail"]
    late_edit = api.patch(url(dossier), {"form_data": {"ho_ten": "X"}}, format="json")
    assert late_edit.status_code == 409
    assert "Submitted online" in late_edit.json()["detail"]


def test_session_token_of_the_app_client_authenticates(citizen, draft):
    client = APIClient()
    login = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": citizen.email, "password": PASSWORD},
        format="json",
    )
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]

    response = APIClient().get(url(draft), HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 200
    assert response.json()["id"] == str(draft.pk)


# --- Create -----------------------------------------------------------------------------------


def test_create_keeps_invalid_values_and_reports_them(api, procedure):
    response = api.post(
        DOSSIERS,
        {
            "procedure": procedure.code,
            "form_data": {"gioi_tinh": "Khác", "la": "x"},
            "delivery": "postal",
            "postal_address": " 12 Lê Lợi, Huế ",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["form_data"] == {"gioi_tinh": "Khác", "la": "x"}
    assert set(body["form_errors"]) == {"gioi_tinh", "la"}
    assert body["delivery"] == "postal"
    assert body["postal_address"] == "12 Lê Lợi, Huế"
    assert body["channel"] == 2
    assert body["documents"] == []
    assert body["attachments"] == []


@pytest.mark.parametrize("kind", ["unknown", "unpublished", "offline"])
def test_create_refuses_a_procedure_that_cannot_be_filed_online(api, kind):
    code = "9.999999"
    if kind == "unpublished":
        procedure = published_procedure(code=code)
        procedure_unpublish(procedure=procedure)
    elif kind == "offline":
        published_procedure(code=code, offline=True)

    response = api.post(DOSSIERS, {"procedure": code}, format="json")

    body = assert_invalid(
        response, "procedure", code="not_online" if kind == "offline" else "invalid"
    )
    assert body["fields"]["procedure"]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"form_data": []}, "form_data"),
        ({"form_data": "ho_ten=A"}, "form_data"),
        ({"form_data": {"ho_ten": {"nested": 1}}}, "form_data"),
        ({"form_data": {"ho_ten": ["A"]}}, "form_data"),
        ({"delivery": "drone"}, "delivery"),
        ({"delivery": 3}, "delivery"),
        ({"postal_address": {"street": "Lê Lợi"}}, "postal_address"),
        ({"status": 1}, "status"),
        ({"procedure": None}, "procedure"),
        ({"procedure": ["2.000720"]}, "procedure"),
    ],
)
def test_create_refuses_wrong_json_types(api, procedure, payload, field):
    response = api.post(DOSSIERS, {"procedure": procedure.code, **payload}, format="json")

    assert_invalid(response, field)
    assert not Dossier.objects.exists()


def test_create_refuses_missing_procedure_and_bad_json(api):
    assert_invalid(api.post(DOSSIERS, {}, format="json"), "procedure")
    response = api.post(DOSSIERS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_create_postal_delivery_needs_an_address(api, procedure):
    response = api.post(
        DOSSIERS, {"procedure": procedure.code, "delivery": "postal"}, format="json"
    )

    assert_invalid(response, "postal_address")


def test_create_requires_authentication(anon, procedure):
    assert_refused_anonymously(anon.post(DOSSIERS, {"procedure": procedure.code}, format="json"))


# --- List -------------------------------------------------------------------------------------


def test_list_shows_only_own_dossiers_paginated(api, citizen, draft, submitted):
    DossierFactory()  # someone else's

    body = api.get(DOSSIERS).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert {item["id"] for item in body["results"]} == {str(draft.pk), str(submitted.pk)}
    item = next(i for i in body["results"] if i["id"] == str(submitted.pk))
    assert item["code"] == submitted.code
    assert item["status"] == 1
    assert item["actions"] == ["withdraw"]

    page = api.get(DOSSIERS, {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]


def test_list_filters_by_status_and_validates_it(api, draft, submitted):
    body = api.get(DOSSIERS, {"status": 1}).json()
    assert [item["id"] for item in body["results"]] == [str(submitted.pk)]
    assert api.get(DOSSIERS, {"status": 0}).json()["count"] == 1

    assert_invalid(api.get(DOSSIERS, {"status": "submitted"}), "status")
    assert_invalid(api.get(DOSSIERS, {"status": 42}), "status")
    assert_invalid(api.get(DOSSIERS, {"sort": "code"}), "sort")
    assert_invalid(api.get(DOSSIERS, {"page": 9}), "page")


def test_list_other_citizen_sees_nothing_and_anonymous_is_refused(other_api, anon, draft):
    assert other_api.get(DOSSIERS).json()["count"] == 0
    assert_refused_anonymously(anon.get(DOSSIERS))


def test_list_runs_a_constant_number_of_queries(api, citizen, django_assert_max_num_queries):
    for _ in range(2):
        DossierFactory(applicant=citizen, submitted=True)
    with CaptureQueriesContext(connection) as few:
        assert api.get(DOSSIERS).json()["count"] == 2
    for _ in range(18):
        DossierFactory(applicant=citizen, submitted=True)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(DOSSIERS).json()["results"]) == 20


# --- Detail -----------------------------------------------------------------------------------


def test_detail_has_the_contract_fields(api, citizen, draft, papers):
    attachment = AttachmentFactory(dossier=draft, document_id=papers["form"], document_name="Tờ")

    body = api.get(url(draft)).json()

    assert {
        "id",
        "code",
        "procedure",
        "status",
        "status_display",
        "channel",
        "delivery",
        "postal_address",
        "form_data",
        "created_at",
        "submitted_at",
        "received_at",
        "due_at",
        "fee",
        "fee_net",
        "events",
        "attachments",
        "documents",
        "payment_status",
        "missing",
        "actions",
    } <= set(body)
    assert body["fee"] is None and body["payment_status"] is None
    assert body["attachments"] == [
        {
            "id": str(attachment.pk),
            "document": papers["form"],
            "document_name": "Tờ",
            "filename": "cccd.pdf",
            "size": len(PDF_BYTES),
            "content_type": "application/pdf",
            "reused": False,
            "round": 0,
            "current": True,
            "created_at": body["attachments"][0]["created_at"],
            "url": f"http://testserver{url(draft)}attachments/{attachment.pk}/file/",
        }
    ]
    assert "papers" in body["missing"]
    assert "applicant" not in body and "ip" not in str(body["events"])


def test_detail_payment_not_required_for_a_free_dossier(api, citizen):
    free = DossierFactory(applicant=citizen, submitted=True, fee={"net": 0}, fee_net=0)

    assert api.get(url(free)).json()["payment_status"] == "not_required"


def test_detail_of_another_citizen_or_malformed_id_is_404(api, other_api, anon, draft):
    assert_not_found(other_api.get(url(draft)))
    assert_not_found(api.get(f"{DOSSIERS}not-a-uuid/"))
    assert_not_found(api.get(f"{DOSSIERS}{MISSING_ID}/"))
    assert_refused_anonymously(anon.get(url(draft)))


def test_put_is_not_offered(api, draft):
    response = api.put(url(draft), {"form_data": {}}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- Edit -------------------------------------------------------------------------------------


def test_patch_merges_form_values_and_changes_delivery(api, draft):
    Dossier.objects.filter(pk=draft.pk).update(form_data={"ho_ten": "A"})

    response = api.patch(
        url(draft),
        {"form_data": {"gioi_tinh": "?"}, "delivery": "postal", "postal_address": "Huế"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["form_data"] == {"ho_ten": "A", "gioi_tinh": "?"}
    assert list(body["form_errors"]) == ["gioi_tinh"]
    assert body["delivery"] == "postal" and body["postal_address"] == "Huế"


def test_patch_allowed_while_a_supplement_is_requested(api, citizen, procedure):
    dossier = DossierFactory(applicant=citizen, procedure=procedure, supplement=True)

    response = api.patch(url(dossier), {"form_data": {"ho_ten": "B"}}, format="json")

    assert response.status_code == 200
    assert response.json()["actions"] == ["edit", "withdraw", "supplement"]


def test_patch_refuses_bad_input(api, draft):
    assert_invalid(api.patch(url(draft), {"form_data": [1]}, format="json"), "form_data")
    assert_invalid(api.patch(url(draft), {"status": 1}, format="json"), "status")
    assert_invalid(api.patch(url(draft), {"delivery": "postal"}, format="json"), "postal_address")


def test_patch_by_another_citizen_or_anonymous(other_api, anon, draft):
    assert_not_found(other_api.patch(url(draft), {"form_data": {}}, format="json"))
    assert_refused_anonymously(anon.patch(url(draft), {"form_data": {}}, format="json"))


@pytest.mark.parametrize("state", ["submitted", "returned"])
def test_patch_after_submission_is_a_conflict_naming_the_status(api, citizen, procedure, state):
    dossier = DossierFactory(applicant=citizen, procedure=procedure, **{state: True})

    response = api.patch(url(dossier), {"form_data": {"ho_ten": "X"}}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"
    assert dossier.get_status_display() in response.json()["detail"]


# --- Delete -----------------------------------------------------------------------------------


def test_delete_a_draft(api, draft):
    assert api.delete(url(draft)).status_code == 204
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert_not_found(api.delete(url(draft)))


def test_delete_a_submitted_dossier_is_a_conflict(api, submitted):
    response = api.delete(url(submitted))

    assert response.status_code == 409
    assert Dossier.objects.filter(pk=submitted.pk).exists()


def test_delete_by_another_citizen_or_anonymous(other_api, anon, draft):
    assert_not_found(other_api.delete(url(draft)))
    assert_refused_anonymously(anon.delete(url(draft)))
    assert Dossier.objects.filter(pk=draft.pk).exists()


# --- Submit -----------------------------------------------------------------------------------


def test_submit_incomplete_lists_missing_papers_and_fields(api, draft):
    Dossier.objects.filter(pk=draft.pk).update(form_data={"gioi_tinh": "Khác"})

    response = api.post(url(draft, "submit/"))

    body = assert_invalid(response, "papers", "ho_ten", "gioi_tinh", code="incomplete")
    assert any("Tờ khai" in message for message in body["fields"]["papers"])
    assert not any("Giấy tờ khác" in message for message in body["fields"]["papers"])
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_submit_by_another_citizen_or_anonymous(other_api, anon, draft, papers):
    complete(draft, papers)

    assert_not_found(other_api.post(url(draft, "submit/")))
    assert_refused_anonymously(anon.post(url(draft, "submit/")))
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_submit_gives_consecutive_codes(api, citizen, procedure, papers):
    first, second = (DossierFactory(applicant=citizen, procedure=procedure) for _ in range(2))
    complete(first, papers)
    complete(second, papers)

    codes = [api.post(url(d, "submit/")).json()["code"] for d in (first, second)]

    assert all(CODE.match(code) for code in codes)
    assert int(codes[1][-4:]) == int(codes[0][-4:]) + 1


def test_a_failed_submission_gives_its_number_back(api, citizen, procedure, papers, monkeypatch):
    """The day's counter is incremented inside the submission's transaction: a submission that
    fails after taking a number rolls the number back, so the day's codes have no gaps."""
    from dossiers import services

    first, failing = (DossierFactory(applicant=citizen, procedure=procedure) for _ in "ab")
    complete(first, papers)
    complete(failing, papers)
    code = api.post(url(first, "submit/")).json()["code"]
    real_record = services._record

    def broken_record(**kwargs):
        raise RuntimeError("the database went away after the code was taken")

    monkeypatch.setattr(services, "_record", broken_record)
    with pytest.raises(RuntimeError):
        services.dossier_submit(dossier=failing, actor=citizen)
    monkeypatch.setattr(services, "_record", real_record)

    failing.refresh_from_db()
    assert failing.status == Status.DRAFT and failing.code is None
    again = api.post(url(failing, "submit/")).json()["code"]
    assert int(again[-4:]) == int(code[-4:]) + 1


def test_the_submission_requests_run_a_bounded_number_of_queries(
    api, citizen, procedure, papers, django_assert_max_num_queries
):
    """The benchmark's path (create, upload, submit) stays lean: the session comes from the
    cache, an action's one locked read checks ownership and joins what it needs."""
    warm = DossierFactory(applicant=citizen, procedure=procedure)
    complete(warm, papers)
    api.post(url(warm, "submit/"))  # fills the session and discount-rule caches

    with django_assert_max_num_queries(9):
        created = api.post(
            DOSSIERS,
            {"procedure": procedure.code, "form_data": {"ho_ten": "An", "gioi_tinh": "Nam"}},
            format="json",
        )
    dossier = Dossier.objects.get(pk=created.json()["id"])
    for paper in ("form", "cccd"):
        with django_assert_max_num_queries(7):
            assert upload(api, dossier, papers[paper], pdf_upload()).status_code == 201
    # 25 before: see docs/performance.md; +2 for the notifications written with the submission
    # (the applicant's and the desk's choices in one query each, and their rows in one INSERT
    # each).
    with django_assert_max_num_queries(16):
        assert api.post(url(dossier, "submit/")).status_code == 200


# --- Supplement and withdrawal ----------------------------------------------------------------


def test_supplement_sends_the_dossier_back_to_processing(api, citizen):
    dossier = DossierFactory(applicant=citizen, supplement=True)

    response = api.post(url(dossier, "supplement/"), REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.PROCESSING
    assert DossierEvent.objects.get(dossier=dossier, action="supplement").ip == "198.51.100.4"


def test_supplement_refused_while_papers_are_missing(api, citizen, procedure):
    dossier = DossierFactory(applicant=citizen, procedure=procedure, supplement=True)

    assert_invalid(api.post(url(dossier, "supplement/")), "papers", code="incomplete")


def test_supplement_conflicts_and_strangers(api, other_api, anon, citizen, submitted):
    dossier = DossierFactory(applicant=citizen, supplement=True)

    assert api.post(url(submitted, "supplement/")).status_code == 409
    assert_not_found(other_api.post(url(dossier, "supplement/")))
    assert_refused_anonymously(anon.post(url(dossier, "supplement/")))


def test_withdraw_with_a_reason(api, submitted):
    response = api.post(url(submitted, "withdraw/"), {"reason": "Nộp nhầm thủ tục"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.WITHDRAWAL
    assert body["events"][-1]["note"] == "Nộp nhầm thủ tục"
    assert body["actions"] == []


def test_withdraw_refuses_bad_input(api, submitted):
    assert_invalid(api.post(url(submitted, "withdraw/"), {"reason": "  "}, format="json"), "reason")
    assert_invalid(api.post(url(submitted, "withdraw/"), {}, format="json"), "reason")
    assert_invalid(
        api.post(url(submitted, "withdraw/"), {"reason": ["a"]}, format="json"), "reason"
    )
    assert Dossier.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_withdraw_conflicts_and_strangers(api, other_api, anon, draft, submitted):
    response = api.post(url(draft, "withdraw/"), {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert "Draft" in response.json()["detail"]
    assert_not_found(other_api.post(url(submitted, "withdraw/"), {"reason": "x"}, format="json"))
    assert_refused_anonymously(anon.post(url(submitted, "withdraw/"), {"reason": "x"}))


# --- Papers: upload, reuse, detach ------------------------------------------------------------


def test_upload_a_pdf(api, citizen, draft, papers, media):
    response = upload(api, draft, papers["form"], pdf_upload("Tờ khai đăng ký.pdf"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["document"] == papers["form"]
    assert body["document_name"] == "Tờ khai"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF_BYTES)
    assert body["filename"].endswith(".pdf")
    assert body["current"] is True and body["round"] == 0
    stored = StoredDocument.objects.get(owner=citizen)
    assert (media / stored.file.name).read_bytes() == PDF_BYTES
    assert stored.file.name.startswith(f"papers/{citizen.pk}/")


def test_upload_a_jpeg_where_images_are_accepted(api, draft, papers):
    response = upload(api, draft, papers["cccd"], jpeg_upload())

    assert response.status_code == 201
    assert response.json()["content_type"] == "image/jpeg"


def test_upload_replaces_the_paper_of_a_draft(api, draft, papers):
    upload(api, draft, papers["form"], pdf_upload("a.pdf"))
    upload(api, draft, papers["form"], pdf_upload("b.pdf"))

    attachments = api.get(url(draft)).json()["attachments"]

    assert [a["filename"] for a in attachments] == ["b.pdf"]


@pytest.mark.parametrize(
    ("name", "content", "paper"),
    [
        ("x.pdf", b"just some text, not a PDF", "form"),
        ("x.pdf", PNG_BYTES, "form"),
        ("scan.pdf", b"<html><script>alert(1)</script></html>", "cccd"),
        ("photo.jpg", JPEG_BYTES, "form"),
    ],
)
def test_upload_refuses_a_disguised_file(api, draft, papers, name, content, paper):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")

    body = assert_invalid(upload(api, draft, papers[paper], file), code="file_type")
    assert "PDF" in body["detail"]
    assert not StoredDocument.objects.exists()


def test_upload_refuses_an_oversize_file(api, draft, papers):
    response = upload(api, draft, papers["other"], pdf_upload(size=int(1.1 * 1024 * 1024)))

    body = assert_invalid(response, code="file_too_large")
    assert "1 MB" in body["detail"]


def test_upload_refuses_an_empty_file(api, draft, papers):
    response = upload(api, draft, papers["form"], SimpleUploadedFile("empty.pdf", b""))

    assert_invalid(response, code="empty_file")


def test_upload_strips_the_path_from_the_file_name(api, draft, papers, media):
    boundary = "----portal-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="document"\r\n\r\n'
            f"{papers['form']}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="../../etc/passwd.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF_BYTES
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = api.post(
        url(draft, "attachments/"), body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 201, response.content
    filename = response.json()["filename"]
    assert "/" not in filename and "\\" not in filename and ".." not in filename
    assert filename.endswith(".pdf")
    stored = StoredDocument.objects.get()
    assert (media / stored.file.name).resolve().is_relative_to(media.resolve())
    download = api.get(response.json()["url"])
    assert f'filename="{filename}"' in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, ["document"]),
        ({"document": "x"}, ["document"]),
        ({"document": 1}, ["file"]),
        ({"document": 1, "file": "not a file"}, ["file"]),
    ],
)
def test_upload_refuses_bad_multipart(api, draft, data, fields):
    response = api.post(url(draft, "attachments/"), data)

    assert_invalid(response, *fields)


def test_attach_refuses_both_file_and_reuse_or_neither(api, citizen, draft, papers):
    stored = StoredDocumentFactory(owner=citizen)
    both = api.post(
        url(draft, "attachments/"),
        {"document": papers["form"], "file": pdf_upload(), "reuse": str(stored.pk)},
    )
    body = assert_invalid(both, "file", "reuse")
    assert "not both" in body["fields"]["file"][0]

    neither = api.post(url(draft, "attachments/"), {"document": papers["form"]}, format="json")
    assert_invalid(neither, "file")


def test_attach_refuses_an_unknown_paper(api, draft):
    response = upload(api, draft, 999_999, pdf_upload())

    assert_invalid(response, "document")


def test_reuse_of_a_document_not_in_the_store_is_404(api, citizen, draft, papers):
    """Another citizen's document, a deleted one and a nonexistent id answer alike."""

    def reuse(stored_id):
        return api.post(
            url(draft, "attachments/"),
            {"document": papers["cccd"], "reuse": str(stored_id)},
            format="json",
        )

    someone_elses = reuse(StoredDocumentFactory().pk)
    deleted = reuse(StoredDocumentFactory(owner=citizen, deleted=True).pk)
    nonexistent = reuse(MISSING_ID)

    assert_not_found(someone_elses)
    assert someone_elses.content == deleted.content == nonexistent.content
    assert deleted.status_code == nonexistent.status_code == 404
    assert not Attachment.objects.exists()


def test_reuse_refuses_a_stored_type_the_paper_does_not_accept(api, citizen, draft, papers):
    photo = StoredDocumentFactory(owner=citizen, extension="jpg", content_type="image/jpeg")

    response = api.post(
        url(draft, "attachments/"),
        {"document": papers["form"], "reuse": str(photo.pk)},
        format="json",
    )

    assert_invalid(response, code="file_type")


def test_reuse_refuses_a_malformed_id(api, draft, papers):
    response = api.post(
        url(draft, "attachments/"), {"document": papers["cccd"], "reuse": "abc"}, format="json"
    )

    assert_invalid(response, "reuse")


def test_attach_to_a_submitted_dossier_is_a_conflict(api, submitted, papers):
    assert upload(api, submitted, papers["form"], pdf_upload()).status_code == 409


def test_attach_by_another_citizen_or_anonymous(other_api, anon, draft, papers):
    assert_not_found(upload(other_api, draft, papers["form"], pdf_upload()))
    assert_refused_anonymously(upload(anon, draft, papers["form"], pdf_upload()))
    assert not StoredDocument.objects.exists()


def test_detach_a_paper_from_a_draft(api, draft, papers):
    attachment = AttachmentFactory(dossier=draft, document_id=papers["form"])

    response = api.delete(url(draft, f"attachments/{attachment.pk}/"))

    assert response.status_code == 204
    assert not Attachment.objects.exists()
    assert StoredDocument.objects.filter(pk=attachment.stored_id).exists()
    assert_not_found(api.delete(url(draft, f"attachments/{attachment.pk}/")))


def test_detach_refuses_other_ids_conflicts_and_strangers(api, other_api, anon, citizen, draft):
    mine = AttachmentFactory(dossier=draft)
    elsewhere = AttachmentFactory(dossier=DossierFactory(applicant=citizen))
    submitted_paper = AttachmentFactory(dossier=DossierFactory(applicant=citizen, submitted=True))

    assert_not_found(api.delete(url(draft, f"attachments/{elsewhere.pk}/")))
    assert_not_found(api.delete(url(draft, "attachments/not-a-uuid/")))
    conflict = api.delete(url(submitted_paper.dossier, f"attachments/{submitted_paper.pk}/"))
    assert conflict.status_code == 409
    assert_not_found(other_api.delete(url(draft, f"attachments/{mine.pk}/")))
    assert_refused_anonymously(anon.delete(url(draft, f"attachments/{mine.pk}/")))
    assert Attachment.objects.count() == 3


# --- Downloads --------------------------------------------------------------------------------


def test_owner_downloads_an_attached_paper(api, draft, papers):
    uploaded = upload(api, draft, papers["form"], pdf_upload("to-khai.pdf")).json()

    response = api.get(uploaded["url"], HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="to-khai.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_download_of_a_file_missing_from_storage_is_404(api, draft, media):
    attachment = AttachmentFactory(dossier=draft)
    (media / attachment.stored.file.name).unlink()

    assert_not_found(api.get(url(draft, f"attachments/{attachment.pk}/file/")))


def test_download_by_another_citizen_or_anonymous_or_wrong_id(api, other_api, anon, draft):
    attachment = AttachmentFactory(dossier=draft)
    file_url = url(draft, f"attachments/{attachment.pk}/file/")

    assert_not_found(other_api.get(file_url))
    assert_not_found(other_api.get(file_url, HTTP_ACCEPT="application/pdf"))
    assert_refused_anonymously(anon.get(file_url))
    assert_not_found(api.get(url(draft, f"attachments/{MISSING_ID}/file/")))
    other_paper = AttachmentFactory()
    assert_not_found(api.get(url(draft, f"attachments/{other_paper.pk}/file/")))


# --- Document store ---------------------------------------------------------------------------


def test_store_lists_own_documents(api, citizen):
    mine = StoredDocumentFactory(owner=citizen, title="Giấy khai sinh")
    StoredDocumentFactory(owner=citizen, deleted=True)
    StoredDocumentFactory()  # someone else's

    body = api.get(DOCUMENTS).json()

    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": str(mine.pk),
            "kind": "paper",
            "title": "Giấy khai sinh",
            "filename": "cccd.pdf",
            "extension": "pdf",
            "size": len(PDF_BYTES),
            "created_at": body["results"][0]["created_at"],
            "url": f"http://testserver{DOCUMENTS}{mine.pk}/file/",
        }
    ]
    assert api.get(DOCUMENTS, {"kind": "result"}).json()["count"] == 0
    assert_invalid(api.get(DOCUMENTS, {"kind": "secret"}), "kind")
    assert_invalid(api.get(DOCUMENTS, {"owner": "1"}), "owner")


def test_store_download_and_delete(api, citizen):
    stored = StoredDocumentFactory(owner=citizen, filename="giay-khai-sinh.pdf")

    download = api.get(f"{DOCUMENTS}{stored.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"] == 'attachment; filename="giay-khai-sinh.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"

    assert api.delete(f"{DOCUMENTS}{stored.pk}/").status_code == 204
    assert api.get(DOCUMENTS).json()["count"] == 0
    assert_not_found(api.delete(f"{DOCUMENTS}{stored.pk}/"))
    assert_not_found(api.get(f"{DOCUMENTS}{stored.pk}/file/"))


def test_deleted_store_document_still_downloads_through_its_dossier(api, citizen, draft):
    attachment = AttachmentFactory(dossier=draft)
    api.delete(f"{DOCUMENTS}{attachment.stored_id}/")

    response = api.get(url(draft, f"attachments/{attachment.pk}/file/"))

    assert response.status_code == 200


def test_store_of_another_citizen_is_404_and_anonymous_refused(other_api, anon, citizen):
    stored = StoredDocumentFactory(owner=citizen)

    assert other_api.get(DOCUMENTS).json()["count"] == 0
    assert_not_found(other_api.get(f"{DOCUMENTS}{stored.pk}/file/"))
    assert_not_found(other_api.delete(f"{DOCUMENTS}{stored.pk}/"))
    assert_not_found(other_api.get(f"{DOCUMENTS}not-a-uuid/file/"))
    assert_refused_anonymously(anon.get(DOCUMENTS))
    assert_refused_anonymously(anon.get(f"{DOCUMENTS}{stored.pk}/file/"))
    assert_refused_anonymously(anon.delete(f"{DOCUMENTS}{stored.pk}/"))
    assert StoredDocument.objects.get(pk=stored.pk).deleted_at is None


# --- Public lookup ----------------------------------------------------------------------------


def test_lookup_answers_progress_without_personal_data(anon, citizen, submitted):
    response = anon.get(LOOKUP, {"code": submitted.code, "id_number": CCCD})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "code": submitted.code,
        "procedure": {"code": "2.000720", "name": "Đăng ký thành lập hộ kinh doanh"},
        "status": 1,
        "status_display": "Submitted online",
        "submitted_at": body["submitted_at"],
        "due_at": None,
        "agency": {"code": "000.21.30.H57", "name": "UBND phường Thuận Hóa"},
    }
    text = response.content.decode()
    assert CCCD not in text
    assert citizen.full_name not in text
    assert citizen.email not in text
    assert str(submitted.pk) not in text


def test_lookup_wrong_code_and_wrong_cccd_are_indistinguishable(anon, submitted):
    wrong_code = anon.get(LOOKUP, {"code": submitted.code + "9", "id_number": CCCD})
    wrong_cccd = anon.get(LOOKUP, {"code": submitted.code, "id_number": "046090009999"})
    malformed_cccd = anon.get(LOOKUP, {"code": submitted.code, "id_number": "12"})

    assert wrong_code.status_code == wrong_cccd.status_code == malformed_cccd.status_code == 404
    assert wrong_code.content == wrong_cccd.content == malformed_cccd.content
    assert wrong_code.json()["code"] == "not_found"


def test_lookup_does_not_find_drafts(anon, citizen, draft):
    assert_not_found(anon.get(LOOKUP, {"code": str(draft.pk), "id_number": CCCD}))


def test_lookup_refuses_missing_and_unknown_parameters(anon):
    assert_invalid(anon.get(LOOKUP), "code", "id_number")
    assert_invalid(anon.get(LOOKUP, {"code": "x"}), "id_number")
    assert_invalid(anon.get(LOOKUP, {"code": "", "id_number": CCCD}), "code")
    assert_invalid(anon.get(LOOKUP, {"code": "x", "id_number": CCCD, "name": "A"}), "name")


def test_lookup_works_for_a_signed_in_citizen_too(api, submitted):
    assert api.get(LOOKUP, {"code": submitted.code, "id_number": CCCD}).status_code == 200


def test_lookup_is_throttled(anon, settings, submitted):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"lookup": "2/minute"},
    }
    cache.clear()
    params = {"code": submitted.code, "id_number": CCCD}

    assert anon.get(LOOKUP, params).status_code == 200
    assert anon.get(LOOKUP, {**params, "id_number": "046090009999"}).status_code == 404
    response = anon.get(LOOKUP, params)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"]
    assert "Retry-After" in response
    # A made-up X-Forwarded-For does not reset the allowance; another address has its own.
    assert anon.get(LOOKUP, params, HTTP_X_FORWARDED_FOR="192.0.2.55").status_code == 429
    assert anon.get(LOOKUP, params, REMOTE_ADDR="198.51.100.20").status_code == 200
