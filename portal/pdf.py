"""Tiny PDFs written by hand for the demo, the tests and the benchmarks: real, readable and
signable files without a PDF library. Object 1 must be the catalogue."""

from __future__ import annotations


def stream(data: bytes) -> bytes:
    """A PDF stream object's body."""
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def assemble(objects: list[bytes], *, header: bytes = b"%PDF-1.4\n") -> bytes:
    """A complete PDF of ``objects`` (numbered from 1), with its cross-reference table."""
    out, offsets = bytearray(header), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def blank(pages: int = 1) -> bytes:
    """Blank A4 pages."""
    kids = b" ".join(b"%d 0 R" % (3 + page) for page in range(pages))
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages,
        ]
    )


def text_page(content: bytes, *extra_objects: bytes, header: bytes = b"%PDF-1.4\n") -> bytes:
    """One A4 page drawing ``content`` (a content stream using font /F1, Helvetica); the
    ``extra_objects`` follow, unreferenced (e.g. the weight of a scan)."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            stream(content),
            *extra_objects,
        ],
        header=header,
    )
