"""Both sides of the counter in Chromium: an officer with two-factor log-in receives the
dossier a citizen filed, asks for a paper, the citizen adds it, the officer processes and
approves, and the citizen sees each step. Screenshots at 360 px and 1280 px go to
artifacts/screenshots/."""

import re
import subprocess

import pytest

from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.models import Dossier
from dossiers.tests.factories import PDF_BYTES, DossierFactory, published_procedure
from tests.e2e.helpers import log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _step(page, slug: str):
    return page.locator(f"form[action*='/buoc/{slug}/']")


@pytest.mark.parametrize("width", [360, 1280])
def test_officer_receives_asks_approves_and_citizen_follows(
    live_server, browser, screenshot, settings, tmp_path, width
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    from procedures.services import procedure_publish
    from procedures.tests.factories import RequiredDocumentFactory

    procedure = published_procedure(
        name="Đăng ký khai sinh",
        result_template="<h1>Giấy khai sinh</h1><p>Người đi đăng ký: {{ applicant.full_name }}</p>",
    )
    RequiredDocumentFactory(procedure=procedure, name="Giấy chứng sinh", accepted_types="pdf")
    procedure_publish(procedure=procedure)
    settings.PORTAL_BASE_URL = live_server.url  # the QR codes link to this server
    dossier = DossierFactory(procedure=procedure, submitted=True)
    citizen = dossier.applicant
    agency = dossier.agency
    intake = UserFactory(officer=True, agency=agency, totp=True, full_name="Trần Văn Tiếp")
    leader = UserFactory(leader=True, agency=agency, totp=True, full_name="Lê Văn Duyệt")
    from allauth.account.models import EmailAddress

    for person in (citizen, intake, leader):  # accounts with confirmed addresses
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    base = live_server.url
    paper = tmp_path / "giay-chung-sinh.pdf"
    paper.write_bytes(PDF_BYTES)

    def new_page():
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
        return context.new_page()

    officer = new_page()
    log_in(officer, base, intake.email, totp=True)
    officer.goto(base + "/can-bo/")
    expect(officer.get_by_role("heading", level=1)).to_be_visible()
    screenshot(officer, f"officer-1-queue-{width}")
    submit(officer, officer.get_by_role("link", name=dossier.code).first)
    screenshot(officer, f"officer-2-dossier-{width}")

    submit(officer, _step(officer, "tiep-nhan").locator("button[type=submit]"))
    expect(officer.locator("[role=status], .messages, .message").first).to_be_visible()
    screenshot(officer, f"officer-2b-received-{width}")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None

    form = _step(officer, "yeu-cau-bo-sung")
    form.locator("textarea[name$=items]").fill("Bản sao giấy chứng sinh rõ nét")
    submit(officer, form.locator("button[type=submit]"))
    screenshot(officer, f"officer-3-supplement-asked-{width}")
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT

    # The citizen reads what is asked and adds the paper from the dossier page.
    person = new_page()
    log_in(person, base, citizen.email, totp=False)
    person.goto(base + f"/ho-so/{dossier.pk}/")
    expect(person.get_by_text("Bản sao giấy chứng sinh rõ nét").first).to_be_visible()
    screenshot(person, f"officer-4-citizen-sees-request-{width}")
    person.goto(base + f"/ho-so/{dossier.pk}/bo-sung/")
    person.locator("form.upload-form input[name=file]").first.set_input_files(str(paper))
    person.locator("form.upload-form button[type=submit]").first.click()
    expect(person.get_by_text("giay-chung-sinh.pdf").first).to_be_visible()
    submit(person, person.locator("form.form-actions button[type=submit]"))
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED

    # The leader processes and approves: the result is generated from the template and signed.
    boss = new_page()
    log_in(boss, base, leader.email, totp=True)
    boss.goto(base + f"/can-bo/ho-so/{dossier.pk}/")
    submit(boss, _step(boss, "xu-ly").locator("button[type=submit]"))
    approve = _step(boss, "phe-duyet")
    expect(approve.locator("input[value=generated]")).to_be_checked()
    submit(boss, approve.locator("button[type=submit]"))
    screenshot(boss, f"officer-5-approved-{width}")
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED and dossier.result_id
    result = dossier.documents.get(kind="KQ")

    # The citizen sees it, downloads the signed PDF and scans its QR code.
    person.goto(base + f"/ho-so/{dossier.pk}/")
    timeline = person.locator(".timeline")
    for words in ("Đã tiếp nhận", "Cần bổ sung giấy tờ", "Đã có kết quả"):
        expect(timeline).to_contain_text(re.compile(words))
    expect(person.locator(".result-panel")).to_contain_text(result.code)
    screenshot(person, f"officer-6-citizen-sees-result-{width}")
    link = person.locator(".result-panel a.button")  # also at the top, under "What you can do"
    download = person.request.get(base + link.get_attribute("href"))
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(download.body())
    scanned = scan_qr_codes(pdf, tmp_path)
    assert scanned == {f"{base}/verify/{result.code}"}

    person.goto(scanned.pop())
    verdict = person.locator(".verify-result")
    expect(verdict).to_contain_text("Văn bản xác thực")
    expect(verdict).to_contain_text(dossier.agency.name)
    screenshot(person, f"officer-7-verified-{width}")
    # The copy in the citizen's hands is the one issued: uploading it says so too.
    person.locator("input[type=file][name=file]").set_input_files(str(pdf))
    submit(person, person.locator("form.verify-form button[type=submit]"))
    expect(person.locator(".verify-result")).to_contain_text("Văn bản xác thực")
    assert Dossier.objects.get(pk=dossier.pk).documents.filter(kind="01").exists()


def scan_qr_codes(pdf, workdir) -> set[str]:
    """What a phone camera would read: the QR codes of the PDF's pages (pdftoppm + zbarimg)."""
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(workdir / "page")], check=True)
    found = set()
    for image in sorted(workdir.glob("page*.png")):
        scan = subprocess.run(
            ["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True, check=False
        )
        found |= {line.strip() for line in scan.stdout.splitlines() if line.strip()}
    return found


@pytest.mark.parametrize("width", [360, 1280])
def test_counter_intake_page_files_for_a_walk_in_citizen(
    live_server, browser, screenshot, settings, tmp_path, width
):
    from allauth.account.models import EmailAddress
    from playwright.sync_api import expect

    from procedures.services import procedure_publish
    from procedures.tests.factories import FormFieldFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    procedure = published_procedure(name="Đăng ký khai sinh")
    FormFieldFactory(procedure=procedure, key="ho_ten_tre", label="Họ tên trẻ")
    procedure_publish(procedure=procedure)
    intake = UserFactory(officer=True, agency=procedure.agency, totp=True)
    EmailAddress.objects.create(user=intake, email=intake.email, verified=True, primary=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server.url, intake.email, totp=True)

    page.goto(live_server.url + f"/can-bo/nop-thay/?procedure={procedure.code}")
    page.locator("input[name=id_number]").fill("046195012345")
    page.locator("input[name=full_name]").fill("Lê Thị Hoa")
    page.locator("input[name='form-ho_ten_tre']").fill("Nguyễn Minh An")
    screenshot(page, f"officer-7-counter-intake-{width}")
    submit(page, page.locator("form.wizard-form button[type=submit]"))

    expect(page.locator("body")).to_contain_text("Mới nộp trực tuyến")
    assert Dossier.objects.get().channel == 1
