"""Signed result benchmark (issue #5): render a result from its template and sign it, warm.

Run ``.venv/bin/python bench/signing.py`` (``make bench-signing``). In one process, with a fresh
development PKI in a temporary directory and an in-memory SQLite database, it times
``--runs`` times each (after ``--warmup`` runs):

- ``render``: the result PDF from the procedure's template (WeasyPrint): the baseline;
- ``render+sign``: the same, then the PAdES signature with the visible box and QR code — what
  an approval costs;
- ``sign``: the signature alone on the rendered PDF;
- ``verify``: checking the signed PDF as the verification page does (pyHanko, chain to the root).

It prints p50, p95 and max per step, each p50 as a ratio to the baseline's, and PASS/FAIL
against the target: ``render+sign`` p95 < 500 ms. Figures also go to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 500.0
TEMPLATE = """<h1>Giấy khai sinh</h1>
<table class="rows">
  <tr><th scope="row">Họ, chữ đệm, tên</th><td>{{ form.ho_ten_tre|upper }}</td></tr>
  <tr><th scope="row">Ngày sinh</th><td>{{ form.ngay_sinh|date:"d/m/Y" }}</td></tr>
  <tr><th scope="row">Nơi sinh</th><td>{{ form.noi_sinh }}</td></tr>
  <tr><th scope="row">Người đi đăng ký</th><td>{{ applicant.full_name }}</td></tr>
</table>
<p>Đăng ký tại {{ agency.name }} theo hồ sơ số {{ dossier.code }}.</p>"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    options = parser.parse_args()

    pki = Path(tempfile.mkdtemp(prefix="bench-pki-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": "sqlite://:memory:",
            "SIGNING_KEY_DIR": str(pki),
            "SIGNING_PASSPHRASE": "bench-only",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from accounts.models import User
    from dossiers import dev_pki, results, signing
    from dossiers.models import Dossier
    from procedures.models import Agency, Procedure

    agency = Agency(code="000.21.30.H57", name="UBND phường Thuận Hóa")
    dev_pki.issue_agency_certificate(
        pki, code=agency.code, name=agency.name, passphrase="bench-only"
    )
    dossier = Dossier(
        code="000.21.30.H57-261123-0001",
        agency=agency,
        procedure=Procedure(code="1.001193", name="Đăng ký khai sinh", result_template=TEMPLATE),
        applicant=User(full_name="Lê Thị Hoa", id_number="046195654321", address="Huế"),
        form_data={
            "ho_ten_tre": "Trần Minh Khang",
            "ngay_sinh": "2026-10-24",
            "noi_sinh": "Bệnh viện Đại học Y Dược Huế",
        },
    )
    code = f"{dossier.code}-KQ1"
    url = results.verify_url(code)

    def render() -> bytes:
        return results.render_result_pdf(dossier, result_code=code)

    unsigned = render()
    signed = signing.sign_pdf(unsigned, agency=agency, verify_url=url, reason="Kết quả")
    assert signing.check_pdf(signed.data).verdict == "valid"

    steps = {
        "render": render,
        "render+sign": lambda: signing.sign_pdf(
            render(), agency=agency, verify_url=url, reason="Kết quả"
        ),
        "sign": lambda: signing.sign_pdf(unsigned, agency=agency, verify_url=url, reason="Kết quả"),
        "verify": lambda: signing.check_pdf(signed.data),
    }
    figures = {}
    for name, function in steps.items():
        times = timed(function, options.runs, options.warmup)
        figures[name] = {
            "p50": statistics.median(times),
            "p95": percentile(times, 0.95),
            "max": max(times),
        }
    base = figures["render"]["p50"]
    print(f"Signed result: {options.runs} warm runs each, PDF of {len(signed.data):,} bytes")
    print(f"{'step':<14}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p50/render':>12}")
    for name, row in figures.items():
        ratio = row["p50"] / base
        print(f"{name:<14}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['max']:>9.1f}{ratio:>12.2f}")
    passed = figures["render+sign"]["p95"] < TARGET_MS
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict}: render+sign p95 {figures['render+sign']['p95']:.0f} ms (< {TARGET_MS:.0f})")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    (out / f"signing-{stamp}.json").write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
