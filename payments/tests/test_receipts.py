"""The electronic receipt (payments/receipts.py): a signed PDF ``<dossier code>-BL<n>`` stating
the amount in figures and in Vietnamese words, issued once per payment, checkable on
/verify/<code>. The PDF is read back with poppler's pdftotext."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.constants import DocumentKind
from dossiers.models import DossierEvent, IssuedDocument
from dossiers.tests.signing_helpers import pdftotext
from payments import receipts, services, tasks
from payments.constants import Provider
from payments.tests.factories import PaymentFactory, confirm, pay_online, start_online

pytestmark = pytest.mark.django_db


def file_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


@pytest.fixture
def receipt(dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_online(dossier)
    payment.refresh_from_db()
    return payment.receipt


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (60_000, "Sáu mươi nghìn đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert receipts.amount_in_words(amount) == words


def test_the_receipt_is_a_signed_fee_receipt_numbered_bl1(receipt, dossier):
    assert receipt.kind == DocumentKind.FEE_RECEIPT
    assert receipt.code == f"{dossier.code}-BL1"
    assert receipt.dossier == dossier
    assert receipt.signed
    assert file_bytes(receipt.file).startswith(b"%PDF")


def test_the_receipt_states_the_amount_in_words_and_its_code(receipt, dossier):
    text = pdftotext(file_bytes(receipt.file))

    assert "Sáu mươi nghìn đồng" in text
    assert receipt.code in text
    assert "60.000 đ" in text
    assert "100.000 đ" in text and "NQ 18/2023" in text  # the gross and the discount's basis


def test_the_receipt_names_the_gateways_transaction(dossier, django_capture_on_commit_callbacks):
    payment = start_online(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(payment, transaction_no="14777555")
    payment.refresh_from_db()

    text = pdftotext(file_bytes(payment.receipt.file))

    assert "14777555" in text and payment.reference in text


def test_a_counter_receipt_names_the_officer_who_took_the_money(
    dossier, intake, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.payment_record_counter(
            dossier=dossier, actor=intake, provider=Provider.CASH
        )
    payment.refresh_from_db()

    assert payment.receipt.signed
    assert intake.full_name in pdftotext(file_bytes(payment.receipt.file))


def test_issuing_twice_returns_the_same_document(receipt):
    payment = receipt.payment
    event = DossierEvent.objects.get(dossier=payment.dossier, action="fee_paid")

    again = receipts.issue_receipt(str(payment.pk), event.pk)
    by_task = tasks.issue_receipt.apply(args=[str(payment.pk), event.pk]).get()

    assert again.pk == receipt.pk and by_task == str(receipt.pk)
    assert IssuedDocument.objects.filter(kind=DocumentKind.FEE_RECEIPT).count() == 1


def test_no_receipt_for_a_payment_that_did_not_succeed(dossier):
    failed = PaymentFactory(dossier=dossier, failed=True)
    event = DossierEvent.objects.create(
        dossier=dossier, action="fee_paid", actor_role="system", from_status=2, to_status=2
    )

    assert receipts.issue_receipt(str(failed.pk), event.pk) is None
    assert not IssuedDocument.objects.exists()


def test_no_receipt_for_a_duplicate_payment(dossier, django_capture_on_commit_callbacks):
    first, second = start_online(dossier), start_online(dossier)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(first, transaction_no="1")
        confirm(second, transaction_no="2")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.receipt is not None and second.receipt is None


def test_the_receipt_is_verifiable_on_its_public_page(client, receipt, dossier):
    response = client.get(reverse("verify", args=[receipt.code]), {"format": "json"})

    assert response.status_code == 200
    body = response.json()
    assert body["authentic"] is True and body["reason"] == "authentic"
    assert (body["code"], body["kind"]) == (receipt.code, DocumentKind.FEE_RECEIPT)
    assert body["agency"] == dossier.agency.name


def test_the_receipts_page_on_verify_answers_200(client, receipt):
    response = client.get(reverse("verify", args=[receipt.code]))

    assert response.status_code == 200
    assert response.context["verification"].authentic is True
