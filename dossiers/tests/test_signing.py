"""The agencies' digital signatures (dossiers/signing.py), checked independently of the code
that makes them: pyHanko's validator used directly, poppler's ``pdfsig``, the text and the QR
code of the visible box as poppler and zbar see them; tampering (one flipped byte, bytes
appended, a certificate from an unknown root CA); every refusal of an agency's key; and PAdES
B-T against a timestamp server running in the test."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest
from django.utils import timezone

from dossiers import dev_pki, results, signing
from dossiers.tests.factories import PDF_BYTES, PNG_BYTES
from dossiers.tests.signing_helpers import (
    flip_signed_byte,
    issue,
    overlay_after_signing,
    own_pki,
    pdfsig,
    pdftotext,
    pyhanko_status,
    qr_codes,
    sign_with_unknown_ca,
    two_page_pdf,
)
from portal.errors import DomainError
from procedures.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

URL = "https://dichvucong.example.vn/verify/000.00.00.H57-261123-0001-KQ1"
VALID = "Signature is Valid."


@pytest.fixture
def agency():
    return AgencyFactory(name="UBND phường Thuận Hóa")


@pytest.fixture
def signed(agency):
    return signing.sign_pdf(PDF_BYTES, agency=agency, verify_url=URL, reason="Kết quả thử")


def refusal(agency) -> DomainError:
    with pytest.raises(DomainError) as caught:
        signing.agency_key(agency)
    return caught.value


# --- a signed PDF, checked independently --------------------------------------------------------


def test_pyhanko_finds_the_signature_intact_valid_trusted_and_covering_the_file(
    signed, agency, signing_key_dir
):
    status = pyhanko_status(signed.data, signing_key_dir / "root-ca.pem")

    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["serial_number"] == agency.code
    assert status.signing_cert.sha256.hex() == signed.fingerprint


def test_check_pdf_says_valid_and_names_the_signer(signed, agency):
    check = signing.check_pdf(signed.data)

    assert check.verdict == "valid"
    assert check.sha256 == hashlib.sha256(signed.data).hexdigest() == signed.sha256
    assert check.signer_name == agency.name == signed.signer_name
    assert check.fingerprint == signed.fingerprint
    assert abs(check.signed_at - signed.signed_at) < dt.timedelta(seconds=5)


def test_poppler_reports_the_signature_valid(signed):
    output = pdfsig(signed.data)

    assert VALID in output, output
    assert "Signer Certificate Common Name: UBND phường Thuận Hóa" in output


def test_the_signed_file_is_the_original_plus_an_incremental_update(signed):
    assert signed.data.startswith(PDF_BYTES) and len(signed.data) > len(PDF_BYTES)
    assert signed.level == "B-B"
    assert abs(signed.signed_at - timezone.now()) < dt.timedelta(seconds=30)


def test_the_fingerprint_is_the_one_of_the_installed_certificate(signed, agency, settings):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = (Path(settings.SIGNING_KEY_DIR) / f"{agency.code}.p12").read_bytes()
    _key, cert, _chain = pkcs12.load_key_and_certificates(
        data, settings.SIGNING_PASSPHRASE.encode()
    )

    assert signed.fingerprint == cert.fingerprint(hashes.SHA256()).hex()


# --- tampering ---------------------------------------------------------------------------------


def test_one_flipped_byte_in_the_signed_range_is_rejected_by_pyhanko_and_poppler(
    signed, signing_key_dir
):
    tampered = flip_signed_byte(signed.data)
    assert len(tampered) == len(signed.data) and tampered != signed.data

    status = pyhanko_status(tampered, signing_key_dir / "root-ca.pem")
    # The digest no longer matches (the signature over the signed attributes still verifies).
    assert not status.intact and not status.bottom_line
    assert signing.check_pdf(tampered).verdict == "altered"
    output = pdfsig(tampered)
    assert VALID not in output, output
    assert "Signature Validation:" in output  # poppler did look at the signature


def test_bytes_appended_after_signing_make_it_altered(signed, signing_key_dir):
    extended = signed.data + b"\n% a note added later\n"

    check = signing.check_pdf(extended)

    assert check.verdict == "altered"
    assert check.sha256 == hashlib.sha256(extended).hexdigest()
    # The signature itself is still intact: only the coverage says the file grew.
    status = pyhanko_status(extended, signing_key_dir / "root-ca.pem")
    assert status.intact and status.coverage.name != "ENTIRE_FILE"


def test_an_edit_saved_as_an_incremental_update_after_signing_is_altered(signed, signing_key_dir):
    edited = overlay_after_signing(signed.data)

    assert signing.check_pdf(edited).verdict == "altered"
    status = pyhanko_status(edited, signing_key_dir / "root-ca.pem")
    assert status.intact and status.coverage.name != "ENTIRE_FILE"


def test_a_signature_from_an_unknown_root_ca_is_untrusted(agency, settings, tmp_path):
    foreign = sign_with_unknown_ca(
        settings, tmp_path / "foreign", PDF_BYTES, agency=agency, url=URL
    )

    check = signing.check_pdf(foreign.data)
    verification = results.verify_upload(foreign.data)

    assert check.verdict == "untrusted"
    assert check.signer_name == agency.name  # same name on the certificate: still refused
    assert (verification.authentic, verification.reason) == (False, "untrusted")
    assert verification.document is None


def test_configured_trust_roots_replace_the_development_root(signed, agency, settings, tmp_path):
    foreign = sign_with_unknown_ca(
        settings, tmp_path / "foreign", PDF_BYTES, agency=agency, url=URL
    )
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "foreign" / dev_pki.ROOT_CERT)]

    assert signing.check_pdf(foreign.data).verdict == "valid"
    assert signing.check_pdf(signed.data).verdict == "untrusted"


@pytest.mark.parametrize(
    "data",
    [b"", b"this is not a PDF at all", PNG_BYTES, b"%PDF-1.7\n%%EOF\n"],
    ids=["empty", "text", "png", "pdf-header-only"],
)
def test_garbage_is_unreadable(data):
    check = signing.check_pdf(data)

    assert check.verdict == "unreadable"
    assert check.sha256 == hashlib.sha256(data).hexdigest()


def test_an_unsigned_pdf_is_unsigned():
    check = signing.check_pdf(PDF_BYTES)

    assert (check.verdict, check.signer_name, check.signed_at) == ("unsigned", "", None)


def test_a_damaged_pdf_is_not_signed_but_refused(agency):
    with pytest.raises(DomainError) as caught:
        signing.sign_pdf(b"%PDF-1.4\ngarbage", agency=agency, verify_url=URL, reason="x")

    assert (caught.value.code, caught.value.status) == ("pdf_unreadable", 400)


# --- the visible box ---------------------------------------------------------------------------


def test_the_box_is_in_vietnamese_and_names_the_signer_and_the_date(signed):
    text = pdftotext(signed.data)

    assert "Ký bởi: UBND phường Thuận Hóa" in text, text  # diacritics survive the font
    assert timezone.localtime(signed.signed_at).strftime("%d/%m/%Y") in text, text


def test_the_qr_code_in_the_box_is_the_verification_link(signed):
    assert qr_codes(signed.data) == [URL]


def test_the_box_goes_on_the_last_page(agency):
    data = signing.sign_pdf(two_page_pdf(), agency=agency, verify_url=URL, reason="x").data

    assert qr_codes(data, page=1) == []
    assert qr_codes(data, page=2) == [URL]
    assert signing.check_pdf(data).verdict == "valid"


# --- refusals of the agency's key --------------------------------------------------------------


def test_a_missing_certificate_is_refused(agency, settings, tmp_path):
    own_pki(settings, tmp_path / "pki")  # no file for the agency there

    error = refusal(agency)

    assert (error.code, error.status) == ("certificate_missing", 409)
    assert agency.name in error.message


def test_a_missing_certificate_refuses_signing_too(agency, settings, tmp_path):
    own_pki(settings, tmp_path / "pki")

    with pytest.raises(DomainError) as caught:
        signing.sign_pdf(PDF_BYTES, agency=agency, verify_url=URL, reason="x")

    assert caught.value.code == "certificate_missing"


def test_a_wrong_passphrase_is_refused(agency, settings, tmp_path):
    issue(own_pki(settings, tmp_path / "pki"), agency)
    settings.SIGNING_PASSPHRASE = "not-the-passphrase"

    error = refusal(agency)

    assert (error.code, error.status) == ("certificate_passphrase", 409)


def test_a_damaged_certificate_file_is_refused(agency, settings, tmp_path):
    directory = own_pki(settings, tmp_path / "pki")
    (directory / f"{agency.code}.p12").write_bytes(b"\x30\x82 definitely not PKCS#12")

    assert refusal(agency).code == "certificate_passphrase"


def test_an_agencys_own_passphrase_overrides_the_shared_one(agency, settings, tmp_path):
    issue(own_pki(settings, tmp_path / "pki"), agency, passphrase="riêng-của-phường")
    settings.SIGNING_PASSPHRASE = "the-shared-one"

    assert refusal(agency).code == "certificate_passphrase"  # the shared one does not open it

    settings.SIGNING_PASSPHRASES = {agency.code: "riêng-của-phường"}
    key = signing.agency_key(agency)
    assert key.signer_name == agency.name
    signed = signing.sign_pdf(PDF_BYTES, agency=agency, verify_url=URL, reason="x")
    assert signing.check_pdf(signed.data).verdict == "valid"


def test_another_agencys_passphrase_is_not_used(agency, settings, tmp_path):
    issue(own_pki(settings, tmp_path / "pki"), agency)
    settings.SIGNING_PASSPHRASES = {"999.99.99.X99": "something-else"}

    assert signing.agency_key(agency).signer_name == agency.name


def test_the_certificate_of_another_agency_is_refused(agency, settings, tmp_path):
    directory = own_pki(settings, tmp_path / "pki")
    other = AgencyFactory(name="UBND xã Phú Mậu")
    issue(directory, other).rename(directory / f"{agency.code}.p12")

    error = refusal(agency)

    assert (error.code, error.status) == ("certificate_wrong_agency", 409)
    assert other.code in error.message  # the subject of the certificate found


def test_the_certificate_names_the_agency_by_name_after_a_code_change(agency, settings, tmp_path):
    """The subject's O is the agency's name: a certificate issued before the unit code was
    renumbered still identifies the agency."""
    directory = own_pki(settings, tmp_path / "pki")
    dev_pki.issue_agency_certificate(
        directory,
        code=agency.code,
        name=agency.name.upper(),  # compared without case
        passphrase=settings.SIGNING_PASSPHRASE,
        kdf_rounds=1000,
    )

    assert signing.agency_key(agency).fingerprint


def test_an_expired_certificate_is_refused(agency, settings, tmp_path):
    now = timezone.now()
    issue(
        own_pki(settings, tmp_path / "pki"),
        agency,
        not_before=now - dt.timedelta(days=800),
        not_after=now - dt.timedelta(days=1),
    )

    error = refusal(agency)

    assert (error.code, error.status) == ("certificate_expired", 409)
    assert agency.name in error.message


def test_a_certificate_not_yet_valid_is_refused(agency, settings, tmp_path):
    now = timezone.now()
    issue(
        own_pki(settings, tmp_path / "pki"),
        agency,
        not_before=now + dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=400),
    )

    error = refusal(agency)

    assert (error.code, error.status) == ("certificate_not_yet_valid", 409)


def test_an_unset_passphrase_is_refused(agency, settings, tmp_path):
    issue(own_pki(settings, tmp_path / "pki"), agency)
    settings.SIGNING_PASSPHRASE = ""

    error = refusal(agency)

    assert (error.code, error.status) == ("certificate_passphrase_missing", 409)


def test_a_replaced_certificate_file_is_read_again(agency, settings, tmp_path):
    """Loaded keys are cached per process: renewing (or breaking) the file must show at once."""
    directory = own_pki(settings, tmp_path / "pki")
    moment = [1_700_000_000]

    def replace(**kwargs):
        # An administrator replaces the file later on: its modification time moves on (set
        # here, since the test is faster than the file system's clock tick).
        path = issue(directory, agency, **kwargs)
        moment[0] += 60
        os.utime(path, (moment[0], moment[0]))

    replace()
    first = signing.agency_key(agency).fingerprint
    assert signing.agency_key(agency).fingerprint == first  # the same file: the same key

    now = timezone.now()
    replace(not_before=now - dt.timedelta(days=30), not_after=now)
    assert refusal(agency).code == "certificate_expired"

    replace()
    assert signing.agency_key(agency).fingerprint != first


# --- PAdES B-T with a timestamp server ---------------------------------------------------------


def _tsa_certificate(signing_key_dir: Path):
    """An RSA timestamping certificate (pyHanko's dummy TSA signs with RSA only) from the test
    root CA, as asn1crypto objects."""
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    root_key, root_cert = dev_pki.root_ca(signing_key_dir)  # both exist: read only
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "TSA thử nghiệm")]))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(cx509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    return (
        x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )


@pytest.fixture
def timestamp_server(signing_key_dir):
    """A tiny RFC 3161 server over HTTP, in a thread: answers timestamp queries."""
    from asn1crypto import tsp
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    cert, key = _tsa_certificate(signing_key_dir)
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key)
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(self.headers["Content-Type"])
            if self.headers["Content-Type"] != "application/timestamp-query":
                self.send_error(415)
                return
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}/tsa", "received": received}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_with_a_timestamp_server_the_signature_is_pades_b_t(
    agency, settings, timestamp_server, signing_key_dir
):
    settings.SIGNING_TIMESTAMP_URL = timestamp_server["url"]

    signed = signing.sign_pdf(PDF_BYTES, agency=agency, verify_url=URL, reason="x")

    assert signed.level == "B-T"
    # pyHanko asks once to size the signature, then for the real token.
    assert set(timestamp_server["received"]) == {"application/timestamp-query"}
    status = pyhanko_status(signed.data, signing_key_dir / "root-ca.pem")
    assert status.intact and status.valid and status.trusted
    token = status.timestamp_validity
    assert token is not None and token.intact and token.valid and token.trusted
    assert abs(token.timestamp - signed.signed_at) < dt.timedelta(minutes=1)
    assert signing.check_pdf(signed.data).verdict == "valid"
    assert VALID in pdfsig(signed.data)


def test_without_a_timestamp_server_there_is_no_timestamp_token(signed, signing_key_dir):
    status = pyhanko_status(signed.data, signing_key_dir / "root-ca.pem")

    assert signed.level == "B-B" and status.timestamp_validity is None


def test_a_timestamp_server_that_does_not_answer_refuses_signing(agency, settings):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SIGNING_TIMESTAMP_URL = f"http://127.0.0.1:{port}/tsa"

    with pytest.raises(DomainError) as caught:
        signing.sign_pdf(PDF_BYTES, agency=agency, verify_url=URL, reason="x")

    assert (caught.value.code, caught.value.status) == ("signing_failed", 503)
