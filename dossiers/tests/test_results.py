"""Results (dossiers/results.py) through the approval step: generated from the procedure's
template or uploaded, coded ``<dossier>-KQ<n>``, signed for the agency, kept in the citizen's
store and reusable; every signing refusal leaves everything as it was (service, officer page,
API); forms 01–04 signed when issued; the hand-over (counter, post, postal updates)."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from dossiers import dev_pki, results, services, signing, workflow
from dossiers.constants import DocumentKind, ResultSource, Status, StoredKind
from dossiers.models import Dossier, DossierEvent, IssuedDocument, ResultHandover, StoredDocument
from dossiers.tests.factories import DossierFactory, blank_pdf, pdf_upload, published_procedure
from dossiers.tests.signing_helpers import issue, own_pki, pdftotext, tool
from portal.errors import DomainError
from procedures.models import Procedure, validate_result_template

pytestmark = pytest.mark.django_db

S = Status
ARTIFACTS = Path(django_settings.BASE_DIR) / "artifacts" / "pdf"

TEMPLATE = """
<h2>QUYẾT ĐỊNH</h2>
<p>Cấp cho ông/bà: <strong>{{ applicant.full_name }}</strong>, CCCD {{ applicant.cccd }}</p>
<p>Tên trẻ: {{ form.ho_ten_tre }}</p>
<p>Ghi chú: {{ form.ghi_chu }}</p>
<p>Thủ tục: {{ procedure.name }} — Hồ sơ {{ dossier.code }} — Số {{ result_code }}</p>
<p>{{ agency.name }}</p>
"""


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def procedure():
    procedure = published_procedure(name="Đăng ký khai sinh", processing_days=3)
    procedure.result_template = TEMPLATE
    procedure.save(update_fields=["result_template"])
    return procedure


@pytest.fixture
def agency(procedure):
    return procedure.agency


@pytest.fixture
def leader(agency):
    return UserFactory(leader=True, agency=agency, totp=True, full_name="Phạm Lãnh Đạo")


@pytest.fixture
def intake(agency):
    return UserFactory(officer=True, agency=agency, totp=True, full_name="Trần Văn Tiếp")


@pytest.fixture
def applicant():
    return UserFactory(full_name="Lê Thị Hoa", with_profile=True)


@pytest.fixture
def dossier(procedure, applicant):
    return DossierFactory(
        procedure=procedure,
        applicant=applicant,
        processing=True,
        form_data={"ho_ten_tre": "Nguyễn Văn An", "ghi_chu": "<script>alert(1)</script> & co"},
    )


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def files_under(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def state(dossier: Dossier) -> tuple:
    """What a refused approval must leave as it was."""
    row = Dossier.objects.get(pk=dossier.pk)
    return (
        row.status,
        row.result_id,
        row.finished_at,
        row.updated_at,
        DossierEvent.objects.filter(dossier=row).count(),
        StoredDocument.objects.count(),
        IssuedDocument.objects.count(),
    )


def file_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def approve_generated(dossier, leader) -> IssuedDocument:
    workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)
    return IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.RESULT)


# --- generated from the template ---------------------------------------------------------------


def test_a_generated_result_shows_the_template_values(dossier, leader, applicant):
    document = approve_generated(dossier, leader)

    text = pdftotext(file_bytes(document.file))
    assert "Lê Thị Hoa" in text and applicant.id_number in text
    assert "Nguyễn Văn An" in text
    assert dossier.procedure.name in text and dossier.agency.name in text
    assert f"Số {dossier.code}-KQ1" in text
    assert (document.source, document.code) == (ResultSource.GENERATED, f"{dossier.code}-KQ1")


def test_form_values_in_a_generated_result_are_escaped(dossier, leader):
    document = approve_generated(dossier, leader)

    # Escaped, the markup is printed as text; unescaped, WeasyPrint would have swallowed it.
    assert "<script>alert(1)</script> & co" in pdftotext(file_bytes(document.file))


def test_a_generated_result_is_signed_with_the_qr_of_its_verification_link(dossier, leader):
    from dossiers.tests.signing_helpers import qr_codes

    document = approve_generated(dossier, leader)
    data = file_bytes(document.file)

    assert signing.check_pdf(data).verdict == "valid"
    assert results.verify_url(document.code) in qr_codes(data)


@pytest.mark.parametrize(
    "source",
    [
        '{% load static %}<img src="{% static "x.png" %}">',
        '{% include "base.html" %}',
        '{% extends "base.html" %}',
        "{% load i18n %}{% translate 'x' %}",
    ],
    ids=["load-static", "include", "extends", "load-i18n"],
)
def test_a_template_reaching_for_files_or_libraries_is_refused_and_nothing_changes(
    source, dossier, leader, settings
):
    Procedure.objects.filter(pk=dossier.procedure_id).update(result_template=source)
    dossier = Dossier.objects.get(pk=dossier.pk)
    before = state(dossier)

    with pytest.raises(DomainError) as caught:
        workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)

    assert caught.value.code == "result_template_invalid"
    assert "<!DOCTYPE" not in caught.value.message  # nothing of base.html was read
    assert state(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == []


def test_the_api_answers_400_for_a_template_that_includes_another(dossier, leader, settings):
    Procedure.objects.filter(pk=dossier.procedure_id).update(
        result_template='{% include "dossiers/forms/result.html" %}'
    )

    response = api(leader).post(
        f"/api/v1/dossiers/{dossier.pk}/approve/", {"result": "generated"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "result_template_invalid"
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING
    assert files_under(settings.MEDIA_ROOT) == []


def test_validation_refuses_a_template_loading_a_tag_library():
    with pytest.raises(ValidationError):
        validate_result_template('{% load static %}{% static "x" %}')


@pytest.mark.parametrize(
    "source",
    ['{% include "base.html" %}', '{% extends "base.html" %}', "{% debug %}", "{% csrf_token %}"],
)
def test_validation_refuses_tags_that_reach_beyond_the_document(source):
    with pytest.raises(ValidationError) as caught:
        validate_result_template(source)
    assert "not allowed" in str(caught.value) or "không" in str(caught.value)


def test_a_debug_tag_saved_before_validation_never_reaches_a_signed_document(
    dossier, leader, settings
):
    Procedure.objects.filter(pk=dossier.procedure_id).update(result_template="{% debug %}")
    dossier = Dossier.objects.get(pk=dossier.pk)

    with pytest.raises(DomainError) as caught:
        workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)

    assert caught.value.code == "result_template_invalid"
    assert files_under(settings.MEDIA_ROOT) == []


def test_validation_refuses_broken_syntax_and_accepts_the_variables():
    with pytest.raises(ValidationError):
        validate_result_template("{% if applicant.full_name %}no end")
    validate_result_template(TEMPLATE)  # no error


def test_without_a_template_generating_is_refused(dossier, leader, settings):
    Procedure.objects.filter(pk=dossier.procedure_id).update(result_template="  ")
    dossier = Dossier.objects.get(pk=dossier.pk)
    before = state(dossier)

    with pytest.raises(DomainError) as caught:
        workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)

    assert (caught.value.code, caught.value.status) == ("no_result_template", 400)
    assert list(caught.value.fields) == ["result"]
    assert state(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == []


def test_without_a_template_the_api_answers_400_no_result_template(dossier, leader):
    Procedure.objects.filter(pk=dossier.procedure_id).update(result_template="")

    response = api(leader).post(
        f"/api/v1/dossiers/{dossier.pk}/approve/", {"result": "generated"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "no_result_template"
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING


# --- uploaded -----------------------------------------------------------------------------------


def test_an_uploaded_result_is_signed_coded_and_recorded(dossier, leader, agency, settings):
    upload = pdf_upload("quyet-dinh.pdf")

    workflow.dossier_approve(dossier=dossier, actor=leader, result_file=upload)

    row = Dossier.objects.get(pk=dossier.pk)
    document = IssuedDocument.objects.get(dossier=row, kind=DocumentKind.RESULT)
    assert row.status == S.PROCESSED
    assert (document.code, document.number, document.source) == (
        f"{row.code}-KQ1",
        1,
        ResultSource.UPLOADED,
    )
    assert document.signed and abs(document.signed_at - timezone.now()) < dt.timedelta(minutes=1)
    assert (document.signer_name, document.signature_level) == (agency.name, "B-B")
    key = signing.agency_key(agency)
    assert document.certificate_sha256 == key.fingerprint
    data = file_bytes(document.file)
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
    check = signing.check_pdf(data)
    assert (check.verdict, check.fingerprint) == ("valid", key.fingerprint)
    event = row.events.get(action="approve")
    assert document.event == event
    assert event.data["code"] == document.code and event.data["sha256"] == document.sha256


def test_the_citizens_stored_result_is_the_same_signed_file(dossier, leader, applicant):
    workflow.dossier_approve(dossier=dossier, actor=leader, result_file=pdf_upload())

    row = Dossier.objects.get(pk=dossier.pk)
    document = IssuedDocument.objects.get(dossier=row, kind=DocumentKind.RESULT)
    stored = row.result
    assert (stored.owner, stored.kind, stored.extension) == (applicant, StoredKind.RESULT, "pdf")
    assert file_bytes(stored.file) == file_bytes(document.file)
    assert stored.sha256 == document.sha256 and stored.filename == f"{document.code}.pdf"
    assert results.verify_upload(file_bytes(stored.file)).reason == "authentic"


def test_the_stored_result_can_be_attached_to_a_later_dossier(
    dossier, leader, applicant, birth_procedure
):
    workflow.dossier_approve(dossier=dossier, actor=leader, result_file=pdf_upload())
    stored = Dossier.objects.get(pk=dossier.pk).result
    later = DossierFactory(procedure=birth_procedure, applicant=applicant)
    slot = next(
        d for d in later.version.snapshot["required_documents"] if "pdf" in d["accepted_types"]
    )

    attachment = services.dossier_attach_stored(
        dossier=later, actor=applicant, document_id=slot["id"], stored=stored
    )

    assert attachment.stored == stored and attachment.dossier == later
    assert StoredDocument.objects.filter(kind=StoredKind.RESULT).count() == 1  # not copied


def test_a_second_result_of_the_same_dossier_would_be_kq2(dossier, leader):
    workflow.dossier_approve(dossier=dossier, actor=leader, result_file=pdf_upload())

    number, code = results.next_result_code(Dossier.objects.get(pk=dossier.pk))

    assert (number, code) == (2, f"{dossier.code}-KQ2")


def test_the_api_approves_with_a_generated_result_and_lists_it_signed(dossier, leader, applicant):
    response = api(leader).post(
        f"/api/v1/dossiers/{dossier.pk}/approve/", {"result": "generated"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.PROCESSED
    detail = api(applicant).get(f"/api/v1/dossiers/{dossier.pk}/").json()  # the citizen's
    (result,) = [d for d in detail["documents"] if d["kind"] == DocumentKind.RESULT]
    assert result["code"] == f"{dossier.code}-KQ1"
    assert result["signed"] is True and result["signed_at"]
    assert result["verify_url"].endswith(reverse("verify", args=[result["code"]]))
    assert detail["handover"] is None  # not handed over yet
    # The officers' detail lists the same signed result.
    officer_detail = api(leader).get(f"/api/v1/officer/dossiers/{dossier.pk}/")
    assert officer_detail.status_code == 200, officer_detail.content
    codes = [d["code"] for d in officer_detail.json()["documents"] if d["signed"]]
    assert codes == [result["code"]]


# --- a certificate that cannot sign refuses the approval, and nothing changes -------------------


def _break(kind: str, agency, settings, directory: Path) -> None:
    """Make the agency's certificate unusable in the way ``kind`` names."""
    own_pki(settings, directory)  # the agency has no file there yet
    now = timezone.now()
    if kind == "certificate_missing":
        return
    if kind == "certificate_passphrase":
        issue(directory, agency)
        settings.SIGNING_PASSPHRASE = "sai-mat-khau"
    elif kind == "certificate_passphrase_missing":
        issue(directory, agency)
        settings.SIGNING_PASSPHRASE = ""
    elif kind == "certificate_wrong_agency":
        from procedures.tests.factories import AgencyFactory

        other = AgencyFactory(name="UBND xã Khác Hẳn")
        issue(directory, other).rename(directory / f"{agency.code}.p12")
    elif kind == "certificate_expired":
        issue(directory, agency, not_before=now - dt.timedelta(days=500), not_after=now)
    elif kind == "certificate_not_yet_valid":
        issue(
            directory,
            agency,
            not_before=now + dt.timedelta(days=2),
            not_after=now + dt.timedelta(days=500),
        )
    elif kind == "certificate_untrusted":  # a CA the verification page does not trust
        issue(directory, agency)
        other = directory.parent / "another-root"
        dev_pki.root_ca(other)
        settings.SIGNING_TRUST_ROOTS = [str(other / "root-ca.pem")]


REFUSALS = [
    "certificate_missing",
    "certificate_passphrase",
    "certificate_passphrase_missing",
    "certificate_wrong_agency",
    "certificate_expired",
    "certificate_not_yet_valid",
    "certificate_untrusted",
]


def _expected_message(agency) -> str:
    with translation.override("en"), pytest.raises(DomainError) as caught:
        signing.agency_key(agency)
    return caught.value.message


@pytest.mark.parametrize("kind", REFUSALS)
@pytest.mark.parametrize("source", ["generated", "uploaded"])
def test_a_signing_refusal_leaves_the_dossier_as_it_was(
    kind, source, dossier, leader, agency, settings, tmp_path
):
    _break(kind, agency, settings, tmp_path / "pki")
    before, files = state(dossier), files_under(settings.MEDIA_ROOT)
    arguments = {"generate": True} if source == "generated" else {"result_file": pdf_upload()}

    with pytest.raises(DomainError) as caught:
        workflow.dossier_approve(dossier=dossier, actor=leader, **arguments)

    assert (caught.value.code, caught.value.status) == (kind, 409)
    assert agency.name in caught.value.message
    assert state(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == files
    assert not DossierEvent.objects.filter(dossier=dossier, action="approve").exists()


@pytest.mark.parametrize("kind", ["certificate_expired", "certificate_missing"])
def test_the_officer_page_shows_the_signing_refusal(
    kind, client, dossier, leader, agency, settings, tmp_path
):
    _break(kind, agency, settings, tmp_path / "pki")
    message = _expected_message(agency)
    before, files = state(dossier), files_under(settings.MEDIA_ROOT)
    client.force_login(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("officer:step", args=[dossier.pk, "phe-duyet"]),
        {
            "approve-expected_status": "4",
            "approve-source": "uploaded",
            "approve-result": pdf_upload("ket-qua.pdf"),
        },
    )

    assert response.status_code == 409
    assert message in html.unescape(response.content.decode())
    assert state(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == files


@pytest.mark.parametrize("kind", REFUSALS)
def test_the_api_answers_409_with_the_signing_refusal(
    kind, dossier, leader, agency, settings, tmp_path
):
    _break(kind, agency, settings, tmp_path / "pki")
    message = _expected_message(agency)
    before, files = state(dossier), files_under(settings.MEDIA_ROOT)

    response = api(leader).post(
        f"/api/v1/dossiers/{dossier.pk}/approve/", {"result": pdf_upload()}, format="multipart"
    )

    assert response.status_code == 409
    assert response.json()["code"] == kind
    assert response.json()["detail"] == message
    assert state(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == files


def test_once_the_certificate_is_fixed_the_approval_goes_through(
    dossier, leader, agency, settings, tmp_path
):
    _break("certificate_expired", agency, settings, tmp_path / "pki")
    with pytest.raises(DomainError):
        workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)

    issue(tmp_path / "pki", agency)  # renewed
    workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)

    document = IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.RESULT)
    assert document.code == f"{dossier.code}-KQ1"  # the refused attempt took no number


# --- forms 01–04 --------------------------------------------------------------------------------


def _take(action, dossier, actor):
    arguments = {
        "receive": {},
        "request_supplement": {"items": ["Bản sao giấy chứng sinh"]},
        "refuse": {"reason": "Không thuộc thẩm quyền"},
        "apologize": {
            "reason": "Cần xác minh thêm",
            "new_due_at": (dossier.due_at or timezone.now()) + dt.timedelta(days=7),
        },
    }[action]
    workflow.SERVICES[action](dossier=dossier, actor=actor, **arguments)


@pytest.mark.parametrize(
    ("action", "trait", "kind"),
    [
        ("receive", "submitted", DocumentKind.RECEIPT),
        ("request_supplement", "received", DocumentKind.SUPPLEMENT_REQUEST),
        ("refuse", "submitted", DocumentKind.REFUSAL),
        ("apologize", "processing", DocumentKind.APOLOGY),
    ],
)
def test_forms_are_signed_when_issued(
    action, trait, kind, procedure, leader, agency, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(procedure=procedure, **{trait: True})

    with django_capture_on_commit_callbacks(execute=True):
        _take(action, dossier, leader)

    document = IssuedDocument.objects.get(dossier=dossier, kind=kind)
    assert document.code == f"{dossier.code}-M{kind}-1"
    assert document.signed and document.signer_name == agency.name
    assert document.signature_level == "B-B"
    data = file_bytes(document.file)
    assert signing.check_pdf(data).verdict == "valid"
    assert results.verify_code(document.code).authentic


def test_a_receipt_is_issued_unsigned_when_the_certificate_is_missing(
    procedure, intake, agency, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(procedure=procedure, submitted=True)
    own_pki(settings, tmp_path / "pki")  # no certificate for the agency

    with (
        caplog.at_level(logging.WARNING, logger="dossiers.documents"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.dossier_receive(dossier=dossier, actor=intake)

    assert Dossier.objects.get(pk=dossier.pk).status == S.RECEIVED
    document = IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECEIPT)
    assert not document.signed
    assert (document.signer_name, document.certificate_sha256, document.signature_level) == (
        "",
        "",
        "",
    )
    assert signing.check_pdf(file_bytes(document.file)).verdict == "unsigned"
    assert document.code in caplog.text
    assert results.verify_code(document.code).reason == "unsigned"


# --- looked at by a person ---------------------------------------------------------------------


def _render_to_artifacts(data: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(data)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        [
            tool("pdftoppm"),
            "-r",
            "60",
            "-png",
            str(ARTIFACTS / f"{name}.pdf"),
            str(ARTIFACTS / name),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pngs = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert pngs, f"no PNG for {name}"
    return pngs[-1]


def test_a_generated_result_and_a_receipt_render_for_a_person_to_look_at(
    procedure, applicant, intake, leader, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(
        procedure=procedure,
        applicant=applicant,
        submitted=True,
        form_data={"ho_ten_tre": "Nguyễn Văn An", "ghi_chu": "Bản chính"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_receive(dossier=dossier, actor=intake)
    workflow.dossier_start(dossier=dossier, actor=leader)
    workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)

    for kind, name in ((DocumentKind.RESULT, "ket-qua"), (DocumentKind.RECEIPT, "mau-01")):
        document = IssuedDocument.objects.get(dossier=dossier, kind=kind)
        data = file_bytes(document.file)
        png = _render_to_artifacts(data, name)
        assert png.stat().st_size > 1000 and png.read_bytes().startswith(b"\x89PNG")
        assert dossier.code in pdftotext(data)
        assert signing.check_pdf(data).verdict == "valid"


# --- the hand-over ------------------------------------------------------------------------------


@pytest.fixture
def processed(procedure, applicant):
    return DossierFactory(
        procedure=procedure,
        applicant=applicant,
        processed=True,
        postal_address="12 Lê Lợi, phường Phú Hội, Huế",
    )


def test_a_counter_hand_over_needs_who_received_it(processed, intake):
    with pytest.raises(DomainError) as caught:
        workflow.dossier_return(dossier=processed, actor=intake, method="counter")

    assert (caught.value.status, list(caught.value.fields)) == (400, ["recipient_name"])
    assert Dossier.objects.get(pk=processed.pk).status == S.PROCESSED
    assert not ResultHandover.objects.exists()


def test_a_counter_hand_over_records_the_recipient(processed, intake):
    workflow.dossier_return(
        dossier=processed,
        actor=intake,
        method="counter",
        recipient_name=" Lê Thị Hoa ",
        recipient_id_number="046095000001",
    )

    handover = ResultHandover.objects.get(dossier=processed)
    assert (handover.method, handover.recipient_name, handover.recipient_id_number) == (
        "counter",
        "Lê Thị Hoa",
        "046095000001",
    )
    assert (handover.officer, handover.tracking_number, handover.postal_state) == (intake, "", "")
    assert Dossier.objects.get(pk=processed.pk).status == S.RETURNED


def test_a_postal_hand_over_needs_a_tracking_number(processed, intake):
    with pytest.raises(DomainError) as caught:
        workflow.dossier_return(dossier=processed, actor=intake, method="postal")

    assert (caught.value.status, list(caught.value.fields)) == (400, ["tracking_number"])
    assert not ResultHandover.objects.exists()


def test_a_postal_hand_over_needs_an_address(procedure, intake):
    dossier = DossierFactory(procedure=procedure, processed=True, postal_address="")

    with pytest.raises(DomainError) as caught:
        workflow.dossier_return(
            dossier=dossier, actor=intake, method="postal", tracking_number="EL1VN"
        )

    assert (caught.value.status, list(caught.value.fields)) == (400, ["postal_address"])
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSED
    assert not ResultHandover.objects.exists()


def test_a_postal_hand_over_defaults_to_the_dossiers_address(processed, intake):
    workflow.dossier_return(
        dossier=processed, actor=intake, method="postal", tracking_number="EL123456789VN"
    )

    handover = ResultHandover.objects.get(dossier=processed)
    assert (handover.postal_address, handover.tracking_number, handover.postal_state) == (
        "12 Lê Lợi, phường Phú Hội, Huế",
        "EL123456789VN",
        "sent",
    )
    assert handover.recipient_name == "" and handover.postal_updated_at is not None


def test_a_postal_hand_over_may_name_another_address(processed, intake):
    workflow.dossier_return(
        dossier=processed,
        actor=intake,
        method="postal",
        tracking_number="EL9VN",
        postal_address="5 Hùng Vương, Huế",
    )

    assert ResultHandover.objects.get(dossier=processed).postal_address == "5 Hùng Vương, Huế"


@pytest.mark.parametrize("state_", ["delivered", "failed"])
def test_postal_updates_record_what_the_post_office_reports(state_, processed, intake):
    workflow.dossier_return(dossier=processed, actor=intake, method="postal", tracking_number="EL1")

    workflow.dossier_postal_update(dossier=processed, actor=intake, state=state_)

    handover = ResultHandover.objects.get(dossier=processed)
    assert handover.postal_state == state_
    event = processed.events.get(action="postal_update")
    assert event.data == {"state": state_, "tracking_number": "EL1"}
    assert Dossier.objects.get(pk=processed.pk).status == S.RETURNED


@pytest.mark.parametrize("method", ["online", "counter"])
def test_postal_updates_are_refused_for_other_hand_overs(method, processed, intake):
    workflow.dossier_return(
        dossier=processed, actor=intake, method=method, recipient_name="Lê Thị Hoa"
    )

    with pytest.raises(DomainError) as caught:
        workflow.dossier_postal_update(dossier=processed, actor=intake, state="delivered")

    assert (caught.value.status, caught.value.code) == (409, "conflict")
    assert ResultHandover.objects.get(dossier=processed).postal_state == ""
    assert not processed.events.filter(action="postal_update").exists()


def test_a_postal_update_must_be_delivered_or_failed(processed, intake):
    workflow.dossier_return(dossier=processed, actor=intake, method="postal", tracking_number="EL1")

    with pytest.raises(DomainError) as caught:
        workflow.dossier_postal_update(dossier=processed, actor=intake, state="sent")

    assert (caught.value.status, list(caught.value.fields)) == (400, ["state"])


def test_the_api_records_a_postal_hand_over_and_shows_it_in_the_detail(
    processed, intake, applicant
):
    client = api(intake)

    response = client.post(
        f"/api/v1/dossiers/{processed.pk}/return/",
        {"method": "postal", "tracking_number": "EL555VN"},
        format="json",
    )
    assert response.status_code == 200, response.content
    update = client.post(
        f"/api/v1/dossiers/{processed.pk}/postal-update/", {"state": "delivered"}, format="json"
    )
    assert update.status_code == 200, update.content

    handover = api(applicant).get(f"/api/v1/dossiers/{processed.pk}/").json()["handover"]
    assert handover["method"] == "postal"
    assert (handover["tracking_number"], handover["postal_state"]) == ("EL555VN", "delivered")
    assert handover["handed_at"]


def test_the_api_refuses_a_postal_update_of_a_counter_hand_over(processed, intake, applicant):
    client = api(intake)
    client.post(
        f"/api/v1/dossiers/{processed.pk}/return/",
        {"method": "counter", "recipient_name": "Lê Thị Hoa"},
        format="json",
    )

    response = client.post(
        f"/api/v1/dossiers/{processed.pk}/postal-update/", {"state": "failed"}, format="json"
    )

    assert response.status_code == 409
    detail = api(applicant).get(f"/api/v1/dossiers/{processed.pk}/").json()["handover"]
    assert (detail["method"], detail["recipient_name"], detail["postal_state"]) == (
        "counter",
        "Lê Thị Hoa",
        "",
    )


def test_the_api_needs_the_recipient_of_a_counter_hand_over(processed, intake):
    response = api(intake).post(
        f"/api/v1/dossiers/{processed.pk}/return/", {"method": "counter"}, format="json"
    )

    assert response.status_code == 400
    assert "recipient_name" in response.json()["fields"]


# --- hostile or odd input: never a 500, never a server file in a document -----------------------


def test_a_result_template_cannot_pull_a_server_file_into_the_pdf(dossier, leader):
    Procedure.objects.filter(pk=dossier.procedure_id).update(
        result_template=(
            '<a rel="attachment" href="file:///etc/hostname">x</a>'
            '<img src="file:///etc/hostname"><p>{{ applicant.full_name }}</p>'
        )
    )
    dossier = Dossier.objects.get(pk=dossier.pk)

    document = approve_generated(dossier, leader)

    assert b"/EmbeddedFile" not in file_bytes(document.file)


def test_the_pdf_engine_fetches_nothing_but_inline_data():
    from dossiers.documents import inline_only_fetcher

    fetcher = inline_only_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"


@pytest.mark.parametrize(
    "source", ["{{ form.ghi_chu|safe }}", "{% autoescape off %}x{% endautoescape %}"]
)
def test_validation_refuses_unescaping_what_the_citizen_typed(source):
    with pytest.raises(ValidationError):
        validate_result_template(source)


def test_a_result_the_portal_already_signed_can_be_uploaded_again(
    dossier, leader, applicant, procedure
):
    first = approve_generated(dossier, leader)
    later = DossierFactory(procedure=procedure, applicant=applicant, processing=True)
    upload = SimpleUploadedFile("ket-qua.pdf", file_bytes(first.file), "application/pdf")

    workflow.dossier_approve(dossier=later, actor=leader, result_file=upload)

    second = IssuedDocument.objects.get(dossier=later, kind=DocumentKind.RESULT)
    verdict = results.verify_upload(file_bytes(second.file), code=second.code)
    assert verdict.authentic and verdict.signer_name == second.signer_name


def test_a_pdf_with_a_broken_page_tree_is_a_400_naming_the_field(dossier, leader, settings):
    broken = blank_pdf().replace(b"/Count 1", b"/Count 3")
    upload = SimpleUploadedFile("ket-qua.pdf", broken, "application/pdf")

    response = api(leader).post(
        f"/api/v1/dossiers/{dossier.pk}/approve/", {"result": upload}, format="multipart"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "pdf_unreadable" and "result" in response.json()["fields"]
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_form_waits_for_a_timestamp_server_that_is_down_instead_of_going_unsigned(
    dossier, leader, intake, monkeypatch
):
    from dossiers import documents

    received = DossierFactory(procedure=dossier.procedure, submitted=True)
    workflow.dossier_receive(dossier=received, actor=intake)
    event = received.events.get(action="receive")

    def down(*args, **kwargs):
        raise DomainError("timestamp server down", code="signing_failed", status=503)

    monkeypatch.setattr(signing, "sign_pdf", down)
    with pytest.raises(DomainError):
        documents.issue_for_event(event.pk)  # the Celery task retries it later
    assert not IssuedDocument.objects.filter(event=event).exists()
