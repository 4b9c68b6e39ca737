"""The electronic receipt (biên lai điện tử) of a payment: a PDF numbered
``<dossier code>-BL<n>``, signed for the agency like the other documents (dossiers/documents.py),
listed with the dossier's documents and checkable on /verify/<code>."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from dossiers.constants import DocumentKind
from dossiers.documents import document_context, issue_document, qr_svg
from dossiers.models import DossierEvent, IssuedDocument
from dossiers.results import verify_url
from payments.constants import PaymentState
from payments.models import Payment


def amount_in_words(amount: int) -> str:
    """“Mười lăm nghìn đồng”: receipts state the amount in words."""
    from num2words import num2words

    words = num2words(int(amount), lang="vi") if amount else "không"
    return f"{words[:1].upper()}{words[1:]} đồng"


def issue_receipt(payment_id: str, event_id: int) -> IssuedDocument | None:
    """Make the receipt of a succeeded payment, once; None if the payment did not succeed."""
    payment = (
        Payment.objects.select_related(
            "dossier__agency__parent", "dossier__procedure", "dossier__applicant", "recorded_by"
        )
        .filter(pk=payment_id)
        .first()
    )
    if payment is None or payment.state not in (PaymentState.SUCCEEDED, PaymentState.REFUNDED):
        return None
    if payment.receipt_id is not None:
        return payment.receipt
    event = DossierEvent.objects.select_related("actor").get(pk=event_id)
    dossier = payment.dossier
    fee = dossier.fee or {}

    def context(code: str) -> dict:
        values = document_context(dossier, event)
        values.update(
            {
                "payment": payment,
                "fee": fee,
                "items": fee.get("items", []),
                "amount_words": amount_in_words(payment.amount),
                "paid_at": timezone.localtime(payment.confirmed_at),
                "receipt_code": code,
                # The receipt's QR code opens its verification page, like a result's.
                "qr": qr_svg(verify_url(code)),
                "qr_caption": code,
                "verify_base": settings.PORTAL_BASE_URL,
            }
        )
        return values

    document = issue_document(
        event=event,
        kind=DocumentKind.FEE_RECEIPT,
        template="payments/receipt.html",
        context=context,
    )
    Payment.objects.filter(pk=payment.pk, receipt__isnull=True).update(receipt=document)
    return document
