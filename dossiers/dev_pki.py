"""A development PKI: a root CA and one signing certificate per agency, as PKCS#12 files.

``manage.py make_dev_pki`` writes them to ``SIGNING_KEY_DIR`` so that a laptop (``make run``)
and the tests sign results out of the box. Production uses the agencies' real certificates
(issued by the Government Cipher Committee's CA) and never this module.

Layout of ``SIGNING_KEY_DIR``: ``root-ca.pem`` (the trust root), ``root-ca.key`` (its key,
development only) and ``<agency unit code>.p12`` (key, certificate and chain, encrypted with
the agency's passphrase).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT_CERT = "root-ca.pem"
ROOT_KEY = "root-ca.key"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key():
    from cryptography.hazmat.primitives.asymmetric import ec

    # ECDSA P-256: instant to generate, accepted by pyHanko, poppler and Acrobat.
    return ec.generate_private_key(ec.SECP256R1())


def root_ca(directory: Path):
    """The development root CA of ``directory``, created on first use: (key, certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / ROOT_CERT, directory / ROOT_KEY
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cổng Dịch vụ công (phát triển)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CA gốc thử nghiệm — không dùng thật"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=800))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def issue_agency_certificate(
    directory: Path,
    *,
    code: str,
    name: str,
    passphrase: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    kdf_rounds: int = 50_000,
) -> Path:
    """Write ``<code>.p12``: a signing certificate for the agency, issued by the root CA of
    ``directory``, naming the agency by its unit code (subject serialNumber) and its name (O).
    ``not_before``/``not_after`` let tests make expired certificates."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    root_key, root_cert = root_ca(directory)
    key = _new_key()
    now = _now()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, code),
            x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=400))
        .not_valid_after(not_after or now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(kdf_rounds)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase.encode())
    )
    data = pkcs12.serialize_key_and_certificates(code.encode(), key, cert, [root_cert], encryption)
    path = directory / f"{code}.p12"
    path.write_bytes(data)
    path.chmod(0o600)
    return path
