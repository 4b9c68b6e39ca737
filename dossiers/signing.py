"""Agency digital signatures on the portal's PDFs (PAdES with pyHanko), and checking them.

Each agency signs with its own certificate: ``<SIGNING_KEY_DIR>/<unit code>.p12`` opened with
the passphrase from the environment (``SIGNING_PASSPHRASE_<unit code, dots as _>`` or the
shared ``SIGNING_PASSPHRASE``); nothing about keys is stored in the database. Signatures are
PAdES baseline B-B, or B-T when ``SIGNING_TIMESTAMP_URL`` names an RFC 3161 timestamp server.
The visible signature box is in Vietnamese (Noto Sans through pyHanko's OpenType support) with a
QR code of the document's public verification link.

Every refusal is a ``DomainError`` a person can act on, raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portal.errors import DomainError

# The signature box: bottom right of the last page, inside the 32 mm bottom margin that the
# portal's own templates keep free (points; A4 is 595 × 842; the box ends 29.6 mm up).
BOX_WIDTH, BOX_HEIGHT, BOX_MARGIN = 230, 60, 24
FIELD_NAME = "ChuKyCoQuan"


@dataclass(frozen=True)
class AgencyKey:
    """An agency's loaded signing key and what the portal records about its certificate."""

    signer: object  # pyhanko.sign.signers.SimpleSigner
    signer_name: str
    fingerprint: str  # SHA-256 of the certificate (DER), hex
    not_after: dt.datetime


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    sha256: str
    signed_at: dt.datetime
    signer_name: str
    fingerprint: str
    level: str  # "B-B" or "B-T"


def key_path(agency) -> Path:
    return Path(settings.SIGNING_KEY_DIR) / f"{agency.code}.p12"


def passphrase_for(agency) -> str:
    """The agency's own passphrase if one is configured, else the shared one."""
    own = settings.SIGNING_PASSPHRASES.get(agency.code)
    return own if own is not None else settings.SIGNING_PASSPHRASE


def _refuse(message: str, code: str) -> DomainError:
    return DomainError(message, code=code, status=409)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def _subject_values(cert, oid) -> list[str]:
    return [str(attribute.value) for attribute in cert.subject.get_attributes_for_oid(oid)]


_keys: dict[tuple, AgencyKey] = {}
_keys_lock = threading.Lock()


def agency_key(agency) -> AgencyKey:
    """The agency's signing key, checked: present, opened with the configured passphrase,
    naming this agency (subject serialNumber or UID = unit code, or O = the agency's name)
    and valid now. Loaded keys are kept per process while the file is unchanged."""
    path = key_path(agency)
    try:
        stat = path.stat()
    except OSError:
        raise _refuse(
            _(
                "%(agency)s has no digital signature certificate installed, so the result "
                "cannot be signed. Ask the portal administrator to install it; the dossier "
                "has not been changed."
            )
            % {"agency": agency.name},
            "certificate_missing",
        ) from None
    passphrase = passphrase_for(agency)
    if not passphrase:
        raise _refuse(
            _(
                "The passphrase of %(agency)s's signature certificate is not configured. Ask the "
                "portal administrator; the dossier has not been changed."
            )
            % {"agency": agency.name},
            "certificate_passphrase_missing",
        )
    cache_key = (
        str(path),
        stat.st_mtime_ns,
        stat.st_size,
        agency.code,
        _normal(agency.name),
        hashlib.sha256(passphrase.encode()).hexdigest(),
    )
    key = _keys.get(cache_key)
    if key is None:
        key = _load(path, passphrase, agency)
        with _keys_lock:
            _keys[cache_key] = key
    if key.not_after <= timezone.now():
        raise _refuse(
            _(
                "The signature certificate of %(agency)s expired on %(date)s. Ask the portal "
                "administrator to renew it; the dossier has not been changed."
            )
            % {
                "agency": agency.name,
                "date": formats.date_format(timezone.localtime(key.not_after), "SHORT_DATE_FORMAT"),
            },
            "certificate_expired",
        )
    return key


def _load(path: Path, passphrase: str, agency) -> AgencyKey:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID
    from pyhanko.sign.signers import SimpleSigner

    data = path.read_bytes()
    try:
        _private, cert, _chain = pkcs12.load_key_and_certificates(data, passphrase.encode())
    except ValueError:
        raise _refuse(
            _(
                "The signature certificate of %(agency)s could not be opened: the passphrase is "
                "wrong or the file is damaged. Ask the portal administrator; the dossier has "
                "not been changed."
            )
            % {"agency": agency.name},
            "certificate_passphrase",
        ) from None
    if cert is None or _private is None:
        raise _refuse(
            _("The certificate file of %(agency)s holds no signing key.") % {"agency": agency.name},
            "certificate_invalid",
        )
    codes = _subject_values(cert, NameOID.SERIAL_NUMBER) + _subject_values(cert, NameOID.USER_ID)
    names = [_normal(n) for n in _subject_values(cert, NameOID.ORGANIZATION_NAME)]
    if agency.code not in codes and _normal(agency.name) not in names:
        raise _refuse(
            _(
                "The certificate installed for %(agency)s belongs to someone else (%(subject)s). "
                "Ask the portal administrator to install the agency's own certificate; the "
                "dossier has not been changed."
            )
            % {"agency": agency.name, "subject": cert.subject.rfc4514_string()},
            "certificate_wrong_agency",
        )
    if cert.not_valid_before_utc > timezone.now():
        raise _refuse(
            _("The signature certificate of %(agency)s is not valid yet.")
            % {"agency": agency.name},
            "certificate_not_yet_valid",
        )
    if not _chains_to_trust_root(cert, _chain or []):
        raise _refuse(
            _(
                "The signature certificate of %(agency)s was not issued by an authority the "
                "portal trusts, so no one could verify its documents. Ask the portal "
                "administrator; the dossier has not been changed."
            )
            % {"agency": agency.name},
            "certificate_untrusted",
        )
    signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase.encode())
    common_names = _subject_values(cert, NameOID.COMMON_NAME)
    return AgencyKey(
        signer=signer,
        signer_name=common_names[0] if common_names else agency.name,
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        not_after=cert.not_valid_after_utc,
    )


def _chains_to_trust_root(cert, intermediates) -> bool:
    """True when ``cert`` was issued, directly or through ``intermediates``, by one of the
    trust roots the verification page uses: what the portal signs, it can also verify."""
    from cryptography import x509

    roots = [
        root
        for path in trust_root_paths()
        for root in x509.load_pem_x509_certificates(path.read_bytes())
    ]
    current = cert
    for _step in range(len(intermediates) + 1):  # each step climbs one issuer; no loops
        if any(_issued_by(current, root) for root in roots):
            return True
        current = next((c for c in intermediates if c != current and _issued_by(current, c)), None)
        if current is None:
            return False
    return False


def _issued_by(cert, issuer) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # another key with the same name, or an unsupported algorithm
        return False
    return True


def _font():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return GlyphAccumulatorFactory(settings.SIGNING_FONT, font_size=8)


def sign_pdf(pdf: bytes, *, agency, verify_url: str, reason: str) -> SignedPdf:
    """Sign ``pdf`` for ``agency`` with a visible box (signer, date, QR of ``verify_url``) on
    the last page. Raises ``DomainError`` when the agency's certificate cannot be used, or when
    ``pdf`` cannot be read as a PDF."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.stamp import QRStampStyle

    key = agency_key(agency)
    unreadable = _(
        "This PDF file is damaged or encrypted and cannot be signed. Save it again as PDF."
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise PdfError("encrypted")
        last_page = int(writer.root["/Pages"]["/Count"]) - 1
        page = writer.find_page_for_modification(last_page)[0].get_object()
        media_box = [float(v) for v in find_inherited_value_in_tree(page, "/MediaBox", "/Parent")]
    except (PdfError, KeyError, IndexError, TypeError, ValueError) as error:
        raise DomainError(
            unreadable, code="pdf_unreadable", fields={"result": [unreadable]}
        ) from error
    right = media_box[2] - BOX_MARGIN
    box = (
        right - BOX_WIDTH,
        media_box[1] + BOX_MARGIN,
        right,
        media_box[1] + BOX_MARGIN + BOX_HEIGHT,
    )
    timestamp_url = settings.SIGNING_TIMESTAMP_URL
    signed_at = timezone.now()
    with translation.override("vi"):  # the box is part of a Vietnamese legal document
        stamp_text = _("Signed by: %(signer)s\nSigning date: %(date)s\nCode: %(code)s")
        date = formats.date_format(timezone.localtime(signed_at), "d/m/Y H:i")
    style = QRStampStyle(
        stamp_text=stamp_text,
        text_box_style=TextBoxStyle(font=_font(), leading=10),
        border_width=1,
        qr_inner_size=52,
    )
    # A PDF the portal already signed (an officer re-uploads a result) has our field: use a
    # new name, so the second signature is added beside the first.
    field_name = f"{FIELD_NAME}-{uuid.uuid4().hex[:8]}"
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=agency.name,
            name=key.signer_name,
        ),
        signer=key.signer,
        timestamper=HTTPTimeStamper(timestamp_url, timeout=10) if timestamp_url else None,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(field_name, on_page=last_page, box=box),
    )
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(
            writer,
            output=output,
            appearance_text_params={
                "url": verify_url,  # the QR code; the text names the code it ends with
                "code": verify_url.rstrip("/").rsplit("/", 1)[-1],
                "signer": key.signer_name,
                "date": date,
            },
        )
    except PdfError as error:  # a PDF pyHanko can read but not extend: the file's fault
        raise DomainError(
            unreadable, code="pdf_unreadable", fields={"result": [unreadable]}
        ) from error
    except Exception as error:  # a timestamp server down or slow: passing trouble
        raise DomainError(
            _("The document could not be signed (%(error)s). Try again in a few minutes.")
            % {"error": error.__class__.__name__},
            code="signing_failed",
            status=503,
        ) from error
    data = output.getvalue()
    return SignedPdf(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        signed_at=signed_at,
        signer_name=key.signer_name,
        fingerprint=key.fingerprint,
        level="B-T" if timestamp_url else "B-B",
    )


def trust_root_paths() -> list[Path]:
    """The configured trust roots (``SIGNING_TRUST_ROOTS``, else the development root CA)."""
    paths = settings.SIGNING_TRUST_ROOTS or [Path(settings.SIGNING_KEY_DIR) / "root-ca.pem"]
    return [Path(p) for p in paths if Path(p).exists()]


def trust_roots() -> list:
    from pyhanko.keys import load_cert_from_pemder

    return [load_cert_from_pemder(str(p)) for p in trust_root_paths()]


@dataclass(frozen=True)
class PdfCheck:
    """What a PDF's signature says. ``verdict``: ``valid`` (intact, unchanged since signing,
    chained to a trust root), ``altered`` (changed after signing, or the signature is broken),
    ``untrusted`` (intact but signed by a certificate the portal does not trust), ``unsigned``
    or ``unreadable``."""

    verdict: str
    sha256: str
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    fingerprint: str = ""


def check_pdf(data: bytes) -> PdfCheck:
    """Validate the signatures of an uploaded PDF with pyHanko against the trust roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    digest = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:  # anything that is not a readable PDF
        return PdfCheck(verdict="unreadable", sha256=digest)
    if not signatures:
        return PdfCheck(verdict="unsigned", sha256=digest)
    # Every signature must be intact; the last one — the portal's, covering the whole file —
    # must also chain to a trust root. Earlier ones may be an official's personal signature on
    # an uploaded result, from a CA the portal need not trust.
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
    for signature in signatures:
        try:
            status = validate_pdf_signature(signature, context)
        except Exception:  # a signature pyHanko cannot even parse is no valid signature
            return PdfCheck(verdict="altered", sha256=digest)
        if not (status.intact and status.valid):
            return PdfCheck(verdict="altered", sha256=digest)
    last = status
    if last.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        verdict = "altered"  # bytes added after the last signature
    else:
        verdict = "valid" if last.trusted else "untrusted"
    cert = last.signing_cert
    return PdfCheck(
        verdict=verdict,
        sha256=digest,
        signer_name=cert.subject.native.get("common_name", ""),
        signed_at=last.signer_reported_dt,
        fingerprint=cert.sha256.hex(),
    )
