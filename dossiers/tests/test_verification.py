"""The public verification page (dossiers/verify_views.py): ``/verify/<code>`` looks a document
up, ``POST`` checks a PDF someone holds (genuine, altered, signed by a stranger, signed but never
issued, another document's), as HTML and as JSON; bad input, the throttle, the query count, and
what the page must never show (the applicant)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from dossiers import results, signing, workflow
from dossiers.constants import DocumentKind
from dossiers.models import IssuedDocument
from dossiers.tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    DossierFactory,
    pdf_upload,
    published_procedure,
)
from dossiers.tests.signing_helpers import (
    flip_signed_byte,
    overlay_after_signing,
    own_pki,
    sign_with_unknown_ca,
)

pytestmark = pytest.mark.django_db

HOME = reverse("verify_home")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def procedure():
    return published_procedure(name="Đăng ký khai sinh", processing_days=3)


@pytest.fixture
def agency(procedure):
    return procedure.agency


@pytest.fixture
def applicant():
    return UserFactory(full_name="Hoàng Thị Bí Mật", with_profile=True)


@pytest.fixture
def leader(agency):
    return UserFactory(leader=True, agency=agency, full_name="Phạm Lãnh Đạo")


def approved(procedure, applicant, leader) -> IssuedDocument:
    dossier = DossierFactory(procedure=procedure, applicant=applicant, processing=True)
    workflow.dossier_approve(dossier=dossier, actor=leader, result_file=pdf_upload())
    return IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.RESULT)


@pytest.fixture
def result(procedure, applicant, leader):
    return approved(procedure, applicant, leader)


def content(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def pdf(data: bytes, name="ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def url(code: str, json=False) -> str:
    return reverse("verify", args=[code]) + ("?format=json" if json else "")


def check(client, data: bytes, code: str | None = None, **extra):
    """POST the file (against ``code`` if given) and answer in JSON."""
    target = url(code) if code else HOME
    return client.post(target + "?format=json", {"file": pdf(data)}, **extra)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def assert_no_applicant(response, applicant) -> None:
    text = page_text(response)
    assert applicant.full_name not in text
    assert applicant.id_number not in text


# --- a code looked up ---------------------------------------------------------------------------


def test_an_issued_code_is_authentic_and_the_page_names_agency_and_signer(
    client, result, agency, applicant
):
    response = client.get(url(result.code))

    assert response.status_code == 200
    verification = response.context["verification"]
    assert (verification.authentic, verification.reason) == (True, "authentic")
    text = page_text(response)
    assert agency.name in text and result.signer_name in text
    assert result.code in text and result.sha256 in text
    assert "PAdES B-B" in text
    assert_no_applicant(response, applicant)


def test_an_issued_code_in_json(client, result, agency, applicant):
    response = client.get(url(result.code, json=True))

    assert response.status_code == 200
    body = response.json()
    assert body["authentic"] is True and body["reason"] == "authentic"
    assert (body["code"], body["kind"]) == (result.code, DocumentKind.RESULT)
    assert (body["agency"], body["agency_code"]) == (agency.name, agency.code)
    assert "procedure" not in body  # what people filed is not for anyone to list
    assert body["signer"] == agency.name == result.signer_name
    assert dt.datetime.fromisoformat(body["signed_at"]) == result.signed_at
    assert body["sha256"] == result.sha256
    assert body["signature_level"] == "B-B"
    assert body["message"]
    assert_no_applicant(response, applicant)


def test_an_unknown_code_is_404_and_not_authentic(client, result):
    page = client.get(url(result.code + "9"))
    answer = client.get(url(result.code + "9", json=True))

    assert page.status_code == answer.status_code == 404
    assert page.context["verification"].authentic is False
    assert page.context["verification"].reason == "unknown_code"
    assert result.sha256 not in page_text(page)
    body = answer.json()
    assert (body["authentic"], body["reason"], body["code"], body["agency"]) == (
        False,
        "unknown_code",
        None,
        None,
    )


def test_a_code_is_never_echoed_unescaped(client):
    response = client.get(url("<img src=x onerror=alert(1)>"))

    assert response.status_code == 404
    assert b"<img src=x" not in response.content


def test_a_kept_file_changed_on_disk_is_file_changed(client, result):
    Path(result.file.path).write_bytes(content(result) + b"\n% edited on the server\n")

    response = client.get(url(result.code, json=True))

    assert response.status_code == 200
    body = response.json()
    assert (body["authentic"], body["reason"]) == (False, "file_changed")
    assert body["code"] == result.code and body["sha256"] is None


def test_form_codes_verify_too(client, procedure, applicant, django_capture_on_commit_callbacks):
    intake = UserFactory(officer=True, agency=procedure.agency)
    dossier = DossierFactory(procedure=procedure, applicant=applicant, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_receive(dossier=dossier, actor=intake)
    receipt = IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECEIPT)
    assert receipt.code == f"{dossier.code}-M01-1"

    looked_up = client.get(url(receipt.code, json=True)).json()
    uploaded = check(client, content(receipt), receipt.code).json()

    assert (looked_up["authentic"], looked_up["kind"]) == (True, DocumentKind.RECEIPT)
    assert (uploaded["authentic"], uploaded["code"]) == (True, receipt.code)


def test_an_unsigned_form_cannot_be_verified(
    client, procedure, applicant, settings, tmp_path, django_capture_on_commit_callbacks
):
    intake = UserFactory(officer=True, agency=procedure.agency)
    dossier = DossierFactory(procedure=procedure, applicant=applicant, submitted=True)
    own_pki(settings, tmp_path / "pki")  # the agency's certificate is missing
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_receive(dossier=dossier, actor=intake)
    receipt = IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECEIPT)

    body = client.get(url(receipt.code, json=True)).json()

    assert (body["authentic"], body["reason"], body["code"]) == (False, "unsigned", receipt.code)


def test_looking_up_a_code_takes_a_bounded_number_of_queries(
    client, result, procedure, applicant, leader, django_assert_max_num_queries
):
    for _ in range(3):  # more documents do not mean more queries
        approved(procedure, applicant, leader)

    with django_assert_max_num_queries(2):  # one today: the document with its dossier
        response = client.get(url(result.code))

    assert response.status_code == 200


# --- a file checked -----------------------------------------------------------------------------


def test_the_genuine_file_is_authentic_with_or_without_its_code(client, result, applicant):
    with_code = check(client, content(result), result.code)
    without = check(client, content(result))

    for response in (with_code, without):
        assert response.status_code == 200
        body = response.json()
        assert (body["authentic"], body["reason"], body["code"]) == (True, "authentic", result.code)
        assert body["sha256"] == result.sha256 and body["signer"] == result.signer_name
        assert_no_applicant(response, applicant)


def test_the_genuine_file_shows_as_authentic_on_the_page(client, result, agency):
    response = client.post(url(result.code), {"file": pdf(content(result))})

    assert response.status_code == 200
    assert response.context["verification"].authentic is True
    assert response.context["checked_file"] is True
    assert agency.name in page_text(response)


def test_a_byte_flipped_copy_is_altered(client, result):
    body = check(client, flip_signed_byte(content(result)), result.code).json()

    assert (body["authentic"], body["reason"], body["code"]) == (False, "altered", None)


def test_a_copy_edited_after_signing_is_altered(client, result):
    edited = overlay_after_signing(content(result))
    assert edited.startswith(content(result))  # the signed revision is still in there

    body = check(client, edited, result.code).json()

    assert (body["authentic"], body["reason"]) == (False, "altered")


def test_a_pdf_signed_by_an_unknown_ca_is_untrusted(client, result, agency, settings, tmp_path):
    foreign = sign_with_unknown_ca(
        settings, tmp_path / "foreign", PDF_BYTES, agency=agency, url=results.verify_url("x")
    )

    response = check(client, foreign.data, result.code)

    body = response.json()
    assert (body["authentic"], body["reason"], body["code"]) == (False, "untrusted", None)
    assert "not issued by the portal" in body["message"].lower() or body["message"]


def test_a_validly_signed_pdf_never_issued_is_not_issued(client, result, agency):
    made_up = signing.sign_pdf(
        PDF_BYTES, agency=agency, verify_url=results.verify_url(result.code), reason="Giả"
    )
    assert signing.check_pdf(made_up.data).verdict == "valid"

    body = check(client, made_up.data, result.code).json()

    assert (body["authentic"], body["reason"], body["code"]) == (False, "not_issued", None)
    assert body["signer"] == agency.name and body["sha256"] == made_up.sha256


def test_a_genuine_file_checked_against_another_code_is_other_document(
    client, result, procedure, applicant, leader
):
    other = approved(procedure, applicant, leader)

    body = check(client, content(result), other.code).json()

    assert (body["authentic"], body["reason"]) == (False, "other_document")
    assert body["code"] == result.code  # the file's own code, to compare with the paper


def test_an_unsigned_pdf_says_it_carries_no_signature(client, result):
    body = check(client, PDF_BYTES, result.code).json()

    assert (body["authentic"], body["reason"]) == (False, "unsigned_file")
    assert body["message"]


def test_a_pdf_that_cannot_be_read_is_unreadable(client):
    body = check(client, b"%PDF-1.7\n" + b"\x00garbage" * 50).json()

    assert (body["authentic"], body["reason"]) == (False, "unreadable")


@pytest.mark.parametrize(
    ("data", "name"),
    [(PNG_BYTES, "anh.png"), (PNG_BYTES, "ket-qua.pdf"), (b"", "ket-qua.pdf")],
    ids=["png", "png-named-pdf", "empty"],
)
def test_a_file_that_is_not_a_pdf_is_a_400_field_error(client, result, data, name):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")

    answer = client.post(url(result.code, json=True), {"file": upload})
    upload.seek(0)
    page = client.post(url(result.code), {"file": upload})

    assert answer.status_code == page.status_code == 400
    body = answer.json()
    assert list(body["fields"]) == ["file"] and body["fields"]["file"][0]
    assert "authentic" not in body
    assert page.context["form"].errors["file"]


def test_neither_code_nor_file_is_a_400(client):
    answer = client.post(HOME + "?format=json", {})
    page = client.post(HOME, {})

    assert answer.status_code == page.status_code == 400
    assert answer.json()["fields"]["__all__"] and answer.json()["detail"]
    assert page.context["form"].non_field_errors()


def test_a_code_in_the_query_string_redirects_to_its_page(client, result):
    response = client.get(HOME, {"code": f"  {result.code} "})

    assert response.status_code == 302
    assert response["Location"] == url(result.code)


def test_a_code_posted_without_a_file_redirects_to_its_page(client, result):
    response = client.post(HOME, {"code": result.code})

    assert response.status_code == 302 and response["Location"] == url(result.code)


def test_a_code_with_a_slash_or_a_nul_is_a_field_error_not_a_crash(client, result):
    """Such a code has no page (``/verify/<code>``): it used to fail building the address."""
    looked_up = client.get(HOME, {"code": "000.00/abc"})
    posted = client.post(HOME + "?format=json", {"code": "a/b"})
    with_file = client.post(HOME, {"code": "a/b", "file": pdf(content(result))})
    with_nul = client.get(HOME, {"code": "000.00\x00abc"})
    in_the_address = client.get(url("abc\x00def"))

    assert looked_up.status_code == posted.status_code == with_file.status_code == 400
    assert with_nul.status_code == 400 and in_the_address.status_code == 404
    assert looked_up.context["form"].errors["code"]
    assert list(posted.json()["fields"]) == ["code"]
    assert with_file.context["verification"] is None


def test_the_empty_form_is_shown(client):
    response = client.get(HOME)

    assert response.status_code == 200
    assert response.context["verification"] is None
    assert 'name="file"' in response.content.decode()


def test_checking_needs_no_csrf_token(result):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(url(result.code, json=True), {"file": pdf(content(result))})

    assert response.status_code == 200 and response.json()["authentic"] is True


def test_uploads_are_throttled_per_address(client, result, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"lookup": "2/minute"},
    }
    data = content(result)

    assert check(client, data, result.code).status_code == 200
    assert check(client, data, result.code).status_code == 200
    throttled = check(client, data, result.code)
    page = client.post(url(result.code), {"file": pdf(data)})

    assert throttled.status_code == page.status_code == 429
    assert throttled["Retry-After"] == page["Retry-After"] == "60"
    assert "authentic" not in throttled.json() and throttled.json()["detail"]
    assert page.context["verification"] is None
    # A made-up X-Forwarded-For does not reset the allowance; another address has its own.
    assert check(client, data, result.code, HTTP_X_FORWARDED_FOR="192.0.2.7").status_code == 429
    assert check(client, data, result.code, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_code_lookups_and_uploads_have_separate_allowances(client, result, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"lookup": "2/minute"},
    }

    looked_up = [client.get(url(result.code)).status_code for _ in range(3)]

    # Codes are guessable (dossier code + -KQ1), so looking them up is throttled too ...
    assert looked_up == [200, 200, 429]
    # ... but on its own counter: the visitor can still check the file in hand.
    assert check(client, content(result), result.code).status_code == 200


def test_posting_a_code_without_a_file_shows_that_codes_page(client, result):
    """The page opened from the QR code, "Verify" pressed without choosing a file."""
    response = client.post(url(result.code), {"code": result.code})
    home = client.post(HOME + "?format=json", {"code": result.code})

    assert response.status_code == 302 and response["Location"] == url(result.code)
    assert home.status_code == 302 and home["Location"] == url(result.code, json=True)


def test_a_kept_file_gone_missing_is_said_not_a_crash(client, result):
    Path(result.file.path).unlink()

    response = client.get(url(result.code, json=True))

    assert response.status_code == 200
    assert response.json()["authentic"] is False and response.json()["reason"] == "file_missing"
