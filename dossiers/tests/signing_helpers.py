"""Helpers for the signature tests: independent checks of a signed PDF (poppler's ``pdfsig``,
``pdftotext``, ``pdftoppm`` + ``zbarimg``, pyHanko's validator used directly), tampering, and
PKIs of the test's own (never the shared session directory)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from dossiers import dev_pki, signing
from dossiers.tests.factories import blank_pdf


def tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    assert Path(path).exists(), f"{name} is not installed (poppler-utils / zbar-tools)"
    return path


def _run(*args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=check)


@contextmanager
def pdf_file(data: bytes):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(data)
        yield path


def pdftotext(data: bytes) -> str:
    """The text poppler extracts (annotation appearances included), whitespace collapsed."""
    with pdf_file(data) as path:
        text = _run(tool("pdftotext"), "-layout", str(path), "-").stdout
    return " ".join(text.split())


def pdfsig(data: bytes) -> str:
    """poppler's own verdict on the signatures (stdout and stderr)."""
    with pdf_file(data) as path:
        result = _run(tool("pdfsig"), str(path), check=False)
    return result.stdout + result.stderr


def page_count(data: bytes) -> int:
    with pdf_file(data) as path:
        info = _run(tool("pdfinfo"), str(path)).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def render_png(data: bytes, directory: Path, *, dpi: int = 200, page: int | None = None) -> list:
    """The pages (or one page) as PNG files in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    with pdf_file(data) as path:
        args = [tool("pdftoppm"), "-r", str(dpi), "-png"]
        if page is not None:
            args += ["-f", str(page), "-l", str(page)]
        _run(*args, str(path), str(directory / "page"))
    return sorted(directory.glob("page*.png"))


def qr_codes(data: bytes, *, page: int | None = None) -> list[str]:
    """Every QR code zbar finds on the page (default: the last one), decoded."""
    page = page or page_count(data)
    with tempfile.TemporaryDirectory() as directory:
        images = render_png(data, Path(directory), page=page)
        assert images, "pdftoppm rendered nothing"
        result = _run(tool("zbarimg"), "--raw", "-q", *map(str, images), check=False)
    return [line for line in result.stdout.splitlines() if line.strip()]


def flip_signed_byte(data: bytes) -> bytes:
    """One byte changed inside the signed range, keeping the PDF readable: the first digit of
    the first page's /MediaBox (``[0 0 …`` becomes ``[1 0 …``)."""
    start = data.index(b"/MediaBox")
    position = data.index(b"0", start)
    assert position < _byte_range_gap(data)[0], "the byte must lie in the signed range"
    return data[:position] + b"1" + data[position + 1 :]


def _byte_range_gap(data: bytes) -> tuple[int, int]:
    """Where the signature's /Contents sits (the only bytes a signature does not cover)."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    first, length, second, _rest = (int(v) for v in match.groups())
    return first + length, second


def pyhanko_status(data: bytes, trust_root_pem: Path):
    """pyHanko's validator used directly (not through ``check_pdf``), trusting one root."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    (signature,) = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(trust_root_pem))], allow_fetching=False
    )
    return validate_pdf_signature(signature, context)


def two_page_pdf() -> bytes:
    """A real two-page PDF (to see on which page the signature box goes)."""
    return blank_pdf(pages=2)


def own_pki(settings_fixture, directory: Path) -> Path:
    """Point ``SIGNING_KEY_DIR`` at a fresh PKI of the test's own (a new root CA), so that the
    test may break key files at will. Its root is then the trusted one."""
    directory.mkdir(parents=True, exist_ok=True)
    dev_pki.root_ca(directory)
    settings_fixture.SIGNING_KEY_DIR = directory
    return directory


def issue(directory: Path, agency, **kwargs) -> Path:
    """A certificate for ``agency`` in ``directory`` (fast to open)."""
    kwargs.setdefault("passphrase", settings.SIGNING_PASSPHRASE)
    kwargs.setdefault("kdf_rounds", 1000)
    return dev_pki.issue_agency_certificate(directory, code=agency.code, name=agency.name, **kwargs)


def sign_with_unknown_ca(settings_fixture, directory: Path, pdf: bytes, *, agency, url: str):
    """``pdf`` signed for ``agency`` (same code, same name) by a certificate from a root CA the
    portal does not know; ``SIGNING_KEY_DIR`` is put back afterwards."""
    trusted = settings_fixture.SIGNING_KEY_DIR
    own_pki(settings_fixture, directory)
    issue(directory, agency)
    try:
        return signing.sign_pdf(pdf, agency=agency, verify_url=url, reason="Thử")
    finally:
        settings_fixture.SIGNING_KEY_DIR = trusted


def overlay_after_signing(data: bytes) -> bytes:
    """A forger's edit kept as a proper incremental update: a filled rectangle drawn over the
    first page after the signature (viewers open the file; the signature alone is intact)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    stream = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 50 50 200 40 re f"))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    if "/Contents" in page:
        writer.add_stream_to_page(0, stream)
    else:  # a page with nothing drawn yet (the minimal test PDF)
        page["/Contents"] = stream
        writer.mark_update(page_ref)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
