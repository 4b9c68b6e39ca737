"""Forms 01–04 issued by the workflow's steps, and form 06 made on demand: real PDFs from
WeasyPrint, in Vietnamese, kept once per step, readable by the applicant and the agency only."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.constants import DocumentKind
from dossiers.documents import control_slip_pdf, issue_for_event
from dossiers.models import IssuedDocument
from dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pdf_text(data: bytes) -> str:
    """The text of a PDF, through poppler's pdftotext (installed with the test system deps)."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils): run make test")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


def _last_event(dossier):
    return dossier.events.order_by("-id").first()


@pytest.fixture
def received():
    dossier = DossierFactory(submitted=True)
    intake = UserFactory(officer=True, agency=dossier.agency, full_name="Trần Văn Tiếp")
    workflow.dossier_receive(dossier=dossier, actor=intake)
    dossier.refresh_from_db()
    return dossier, intake


def test_receiving_issues_form_01_with_the_code_and_due_date(received):
    dossier, _intake = received

    document = issue_for_event(_last_event(dossier).pk)

    assert document.kind == DocumentKind.RECEIPT and document.number == 1
    data = document.file.read()
    assert data.startswith(b"%PDF") and document.size == len(data)
    text = _pdf_text(data)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert dossier.code in text and "Trần Văn Tiếp" in text


def test_issuing_twice_keeps_one_document(received):
    dossier, _intake = received
    event = _last_event(dossier)

    first = issue_for_event(event.pk)
    second = issue_for_event(event.pk)

    assert first.pk == second.pk and IssuedDocument.objects.count() == 1


def test_a_supplement_request_lists_every_item_in_form_02(received):
    dossier, intake = received
    workflow.dossier_request_supplement(
        dossier=dossier, actor=intake, items=["Bản sao giấy chứng sinh", "Ảnh CCCD của mẹ"]
    )

    text = _pdf_text(issue_for_event(_last_event(dossier).pk).file.read())

    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Bản sao giấy chứng sinh" in text and "Ảnh CCCD của mẹ" in text


def test_a_refusal_gives_the_reason_in_form_03():
    dossier = DossierFactory(submitted=True)
    intake = UserFactory(officer=True, agency=dossier.agency)
    workflow.dossier_refuse(dossier=dossier, actor=intake, reason="Không thuộc thẩm quyền")

    text = _pdf_text(issue_for_event(_last_event(dossier).pk).file.read())

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "thẩm quyền" in text


def test_steps_without_a_form_issue_nothing(received):
    dossier, _intake = received
    leader = UserFactory(leader=True, agency=dossier.agency)
    workflow.dossier_start(dossier=dossier, actor=leader)

    assert issue_for_event(_last_event(dossier).pk) is None


def test_form_06_prints_the_history(received):
    dossier, _intake = received

    text = _pdf_text(control_slip_pdf(dossier))

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and dossier.code in text


def test_only_the_applicant_and_the_agency_read_the_documents(client, received):
    dossier, intake = received
    document = issue_for_event(_last_event(dossier).pk)
    url = reverse("dossiers:issued_document", args=[dossier.pk, document.pk])
    slip = reverse("dossiers:control_slip", args=[dossier.pk])

    client.force_login(dossier.applicant)
    mine = client.get(url)
    assert mine.status_code == 200 and mine["Content-Type"] == "application/pdf"
    assert client.get(slip).status_code == 200

    for stranger in (
        UserFactory(),  # another citizen
        UserFactory(officer=True, totp=True),  # an officer of another agency
        UserFactory(officer=True, agency=dossier.agency),  # no two-factor log-in yet
    ):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.get(slip).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page

    client.force_login(UserFactory(officer=True, agency=dossier.agency, totp=True))
    assert client.get(url).status_code == 200


def test_the_citizen_api_lists_issued_documents(received):
    from rest_framework.test import APIClient

    dossier, _intake = received
    issue_for_event(_last_event(dossier).pk)
    api = APIClient()
    api.force_login(dossier.applicant)

    documents = api.get(f"/api/v1/dossiers/{dossier.pk}/").json()["documents"]

    assert [d["kind"] for d in documents] == ["01"]
    assert documents[0]["code"] == f"{dossier.code}-M01-1"
    assert api.get(documents[0]["url"]).status_code == 200
