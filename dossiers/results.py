"""Results (kết quả giải quyết): generated from the procedure's template or uploaded by the
officer, coded ``<dossier code>-KQ<n>``, signed by the agency, kept in the citizen's document
store; and the public verification of every document the portal signs.

The result template is written by admins, so it is rendered by an isolated template engine
(no template loaders, no tag libraries) with plain values only: a template cannot reach a
model, a setting or a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.template import Context
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dossiers import signing
from dossiers.constants import DocumentKind, ResultSource, StoredKind
from dossiers.documents import qr_svg, render_pdf
from dossiers.models import Dossier, DossierEvent, IssuedDocument, StoredDocument
from portal.errors import DomainError
from procedures.result_templates import compile_result_template


def verify_url(code: str) -> str:
    """The public verification address printed (as a QR code) on a signed document."""
    return settings.PORTAL_BASE_URL + reverse("verify", args=[code])


def next_result_code(dossier: Dossier) -> tuple[int, str]:
    number = IssuedDocument.objects.filter(dossier=dossier, kind=DocumentKind.RESULT).count() + 1
    return number, IssuedDocument.code_for(dossier.code, DocumentKind.RESULT, number)


def _as_date(value):
    """Form dates are kept as ISO text; give templates a date so ``|date:"d/m/Y"`` works."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return value


def template_values(dossier: Dossier, *, result_code: str) -> dict:
    """What a result template may show: plain values, nothing that reaches further."""
    applicant = dossier.applicant
    return {
        "applicant": {
            "full_name": applicant.full_name or applicant.display_name,
            "cccd": applicant.id_number or "",
            "id_number": applicant.id_number or "",
            "date_of_birth": applicant.birth_date,
            "sex": applicant.get_sex_display() if applicant.sex else "",
            "address": applicant.address,
            "phone": applicant.phone or "",
        },
        "dossier": {
            "code": dossier.code,
            "submitted_at": dossier.submitted_at and timezone.localtime(dossier.submitted_at),
            "received_at": dossier.received_at and timezone.localtime(dossier.received_at),
        },
        "form": {key: _as_date(value) for key, value in (dossier.form_data or {}).items()},
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "agency": {"code": dossier.agency.code, "name": dossier.agency.name},
        "result_code": result_code,
        "today": timezone.localdate(),
    }


def render_result_pdf(dossier: Dossier, *, result_code: str) -> bytes:
    """The result document from the procedure's template, with the national heading, the
    result code and a QR code of its verification link (unsigned)."""
    source = dossier.procedure.result_template
    if not source.strip():
        raise DomainError(
            _(
                "This procedure has no result template. Upload the result as a PDF file, or ask "
                "the administrator to write the template."
            ),
            code="no_result_template",
            fields={"result": [_("This procedure has no result template.")]},
        )
    with translation.override("vi"):
        try:
            body = compile_result_template(source).render(
                Context(template_values(dossier, result_code=result_code))
            )
        # Saved before validation existed (or before a tag was forbidden), or a tag that fails
        # on these values ({% for x in today.year %}): the admin must mend it either way.
        except Exception as error:
            raise DomainError(
                _("The result template has a mistake (%(error)s). Ask the administrator.")
                % {"error": error},
                code="result_template_invalid",
            ) from error
    url = verify_url(result_code)
    return render_pdf(
        "dossiers/forms/result.html",
        {
            "dossier": dossier,
            "agency": dossier.agency,
            "procedure": dossier.procedure,
            "applicant": dossier.applicant,
            "body": mark_safe(body),  # noqa: S308 — autoescaped by the isolated engine
            "qr": qr_svg(url),
            "qr_caption": result_code,
            "issued_at": timezone.localtime(),
        },
    )


@dataclass
class PreparedResult:
    """A signed result made inside the approval's transaction, recorded once its event exists."""

    number: int
    code: str
    source: str
    signed: signing.SignedPdf


def prepare_result(dossier: Dossier, *, pdf: bytes | None) -> PreparedResult:
    """Generate (``pdf=None``) or take the uploaded PDF, then sign it for the dossier's agency.
    Raises ``DomainError`` (nothing written) when it cannot be made or signed."""
    number, code = next_result_code(dossier)
    source = ResultSource.UPLOADED if pdf is not None else ResultSource.GENERATED
    if pdf is None:
        pdf = render_result_pdf(dossier, result_code=code)
    with translation.override("vi"):
        reason = _("Result of dossier %(code)s") % {"code": dossier.code}
    signed = signing.sign_pdf(
        pdf, agency=dossier.agency, verify_url=verify_url(code), reason=reason
    )
    return PreparedResult(number=number, code=code, source=source, signed=signed)


def store_result(dossier: Dossier, prepared: PreparedResult) -> StoredDocument:
    """The signed result in the citizen's document store, reusable in later dossiers."""
    stored = StoredDocument(
        owner_id=dossier.applicant_id,
        kind=StoredKind.RESULT,
        title=_("Result: %(procedure)s") % {"procedure": dossier.procedure.name},
        filename=f"{prepared.code}.pdf",
        extension="pdf",
        content_type="application/pdf",
        size=len(prepared.signed.data),
        sha256=prepared.signed.sha256,
    )
    stored.file.save(stored.filename, ContentFile(prepared.signed.data), save=False)
    _save_or_forget_file(stored)
    return stored


def _save_or_forget_file(row) -> None:
    """Save a row whose file is already written; if the row cannot be saved, the file goes."""
    try:
        row.save()
    except Exception:
        row.file.delete(save=False)
        raise


def record_result(
    dossier: Dossier, event: DossierEvent, prepared: PreparedResult
) -> IssuedDocument:
    """The result as an issued document of the approval's event, with its signature facts."""
    signed = prepared.signed
    document = IssuedDocument(
        dossier=dossier,
        event=event,
        kind=DocumentKind.RESULT,
        number=prepared.number,
        code=prepared.code,
        size=len(signed.data),
        sha256=signed.sha256,
        signed_at=signed.signed_at,
        signer_name=signed.signer_name,
        certificate_sha256=signed.fingerprint,
        signature_level=signed.level,
        source=prepared.source,
    )
    document.file.save(f"{prepared.code}.pdf", ContentFile(signed.data), save=False)
    _save_or_forget_file(document)
    return document


# --- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The answer of the verification page. ``authentic``: the document is one the portal
    issued and signed, unchanged. ``reason`` says why not, in a word:
    ``unknown_code``, ``unsigned``, ``file_changed``, ``altered``, ``untrusted``,
    ``not_issued``, ``unreadable``, ``other_document``."""

    authentic: bool
    reason: str
    document: IssuedDocument | None = None
    sha256: str = ""
    signer_name: str = ""
    signed_at: dt.datetime | None = None

    def as_json(self) -> dict:
        document = self.document
        return {
            "authentic": self.authentic,
            "reason": self.reason,
            "code": document.code if document else None,
            "kind": document.kind if document else None,
            "agency": document.dossier.agency.name if document else None,
            "agency_code": document.dossier.agency.code if document else None,
            "signer": self.signer_name or None,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "sha256": self.sha256 or None,
            "signature_level": (document.signature_level or None) if document else None,
        }


def find_document(code: str) -> IssuedDocument | None:
    return (
        IssuedDocument.objects.select_related("dossier__agency").filter(code=code.strip()).first()
    )


def verify_code(code: str) -> Verification:
    """A document looked up by its code: known, signed, and its kept file unchanged."""
    document = find_document(code)
    if document is None:
        return Verification(authentic=False, reason="unknown_code")
    if not document.signed:
        return Verification(authentic=False, reason="unsigned", document=document)
    digest = hashlib.sha256()
    try:
        with document.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
    except OSError:  # the kept copy is gone or the storage does not answer
        return Verification(authentic=False, reason="file_missing", document=document)
    if digest.hexdigest() != document.sha256:  # the kept copy was tampered with
        return Verification(authentic=False, reason="file_changed", document=document)
    return Verification(
        authentic=True,
        reason="authentic",
        document=document,
        sha256=document.sha256,
        signer_name=document.signer_name,
        signed_at=document.signed_at,
    )


def verify_upload(data: bytes, *, code: str | None = None) -> Verification:
    """A PDF someone holds: its signature valid and chained to the trust roots, and its hash
    equal to the one recorded when the portal issued it (the one of ``code`` if given)."""
    check = signing.check_pdf(data)
    facts = {"sha256": check.sha256, "signer_name": check.signer_name, "signed_at": check.signed_at}
    if check.verdict != "valid":
        return Verification(authentic=False, reason=check.verdict, **facts)
    document = (
        IssuedDocument.objects.select_related("dossier__agency").filter(sha256=check.sha256).first()
    )
    if document is None:
        return Verification(authentic=False, reason="not_issued", **facts)
    if code and document.code != code.strip():
        return Verification(authentic=False, reason="other_document", document=document, **facts)
    return Verification(authentic=True, reason="authentic", document=document, **facts)
