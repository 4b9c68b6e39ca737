"""The forms a dossier's steps issue (Circular 01/2018, kept by Decree 118/2025), as PDFs made by
WeasyPrint from templates: 01 receipt and appointment, 02 request to complete the dossier,
03 refusal, 04 apology and new appointment; and 06, the process-control slip (the history),
made on demand. Each carries the national heading and the dossier code as a QR code.

Issuing runs after the step's commit (a Celery task, in-process without a broker) and is
idempotent: one document per event and kind.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from dossiers.constants import DocumentKind
from dossiers.models import Dossier, DossierEvent, IssuedDocument

logger = logging.getLogger(__name__)

# Which step issues which form.
FORM_OF_ACTION = {
    "receive": DocumentKind.RECEIPT,
    "request_supplement": DocumentKind.SUPPLEMENT_REQUEST,
    "refuse": DocumentKind.REFUSAL,
    "apologize": DocumentKind.APOLOGY,
}


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG (crisp in the PDF at any size)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=2.5, border=1)


def render_pdf(template: str, context: dict) -> bytes:
    """A PDF from one of the forms' templates. The forms are Vietnamese legal documents, so
    they are always rendered in Vietnamese, whatever the reader's language."""
    from weasyprint import HTML  # heavy: imported only when a PDF is made

    with translation.override("vi"):
        html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=inline_only_fetcher()).write_pdf()


def inline_only_fetcher():
    """WeasyPrint may read ``data:`` URLs only: a document never pulls in a server file
    (``file://``) or a network address, whatever HTML an admin's result template holds."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def document_context(dossier: Dossier, event: DossierEvent | None = None) -> dict:
    """What every document template reads: the dossier, its agency, applicant, procedure…"""
    return {
        "dossier": dossier,
        "event": event,
        "agency": dossier.agency,
        "applicant": dossier.applicant,
        "procedure": dossier.procedure,
        "papers": [a for a in dossier.attachments.all() if a.superseded_at is None],
        "qr": qr_svg(dossier.code or str(dossier.pk)),  # forms: the dossier code, for lookup
        "now": timezone.localtime(),
        "issued_at": timezone.localtime(event.at) if event else timezone.localtime(),
    }


def issue_for_event(event_id: int) -> IssuedDocument | None:
    """Make and keep the form of a step (once). None when the step issues no form."""
    event = (
        DossierEvent.objects.select_related(
            "dossier__agency", "dossier__procedure", "dossier__applicant", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.action not in FORM_OF_ACTION:
        return None
    kind = FORM_OF_ACTION[event.action]

    def context(_code: str) -> dict:  # forms carry the dossier code, not their own
        values = document_context(event.dossier, event)
        values["items"] = (event.data or {}).get("items", [])
        return values

    return issue_document(
        event=event, kind=kind, template=f"dossiers/forms/form_{kind}.html", context=context
    )


def issue_document(
    *, event: DossierEvent, kind: str, template: str, context: Callable[[str], dict]
) -> IssuedDocument:
    """Number the document of ``kind`` of ``event`` (``<dossier code>-…<n>``), render
    ``template`` with ``context(code)``, sign it for the dossier's agency and keep it (once: a
    second run returns the first run's document). Used by the forms here and by the payments
    app's receipts."""
    existing = IssuedDocument.objects.filter(event=event, kind=kind).first()
    if existing is not None:
        return existing
    dossier = event.dossier
    number = IssuedDocument.objects.filter(dossier=dossier, kind=kind).count() + 1
    code = IssuedDocument.code_for(dossier.code, kind, number)
    pdf = render_pdf(template, context(code))
    document = IssuedDocument(dossier=dossier, event=event, kind=kind, number=number, code=code)
    pdf = _sign_form(document, pdf)
    document.size, document.sha256 = len(pdf), hashlib.sha256(pdf).hexdigest()
    document.file.save(f"{kind.lower()}-{number}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # another run of the task issued it first (or took the number)
        document.file.delete(save=False)
        existing = IssuedDocument.objects.filter(event=event, kind=kind).first()
        if existing is None:
            raise  # the number was taken by another event's document: the task retries
        return existing
    return document


def _sign_form(document: IssuedDocument, pdf: bytes) -> bytes:
    """Sign a form for the dossier's agency. A form is still issued, unsigned, when the
    agency's certificate cannot be used (the citizen needs the receipt either way); the
    problem is logged for the administrators and the API shows ``signed: false``."""
    from dossiers.results import verify_url
    from dossiers.signing import sign_pdf
    from portal.errors import DomainError

    dossier = document.dossier
    try:
        with translation.override("vi"):
            reason = document.get_kind_display()
        signed = sign_pdf(
            pdf, agency=dossier.agency, verify_url=verify_url(document.code), reason=reason
        )
    except DomainError as error:
        if error.code == "signing_failed":  # passing trouble (timestamp server): the task retries
            raise
        logger.warning("Form %s issued unsigned: %s", document.code, error.message)
        return pdf
    document.signed_at = signed.signed_at
    document.signer_name = signed.signer_name
    document.certificate_sha256 = signed.fingerprint
    document.signature_level = signed.level
    return signed.data


def control_slip_pdf(dossier: Dossier) -> bytes:
    """Form 06, the process-control slip: every step so far (made on demand)."""
    context = document_context(dossier)
    context["events"] = list(dossier.events.select_related("actor").order_by("at", "id"))
    return render_pdf("dossiers/forms/form_06.html", context)
