"""A citizen files a dossier with a fee, sees the online price (40% off the counter price),
pays it through the sandbox gateway (declines once, then approves) and downloads the signed
electronic receipt from the dossier page. Screenshots at 360 px and 1280 px go to
artifacts/screenshots/.

The payment pages' strings may not be translated yet: texts are matched in either language.
"""

import re
import subprocess

import pytest

from accounts.tests.factories import UserFactory
from dossiers.constants import DocumentKind, FeeState, Status
from dossiers.models import Dossier
from payments.constants import PaymentState, Provider
from payments.models import Payment
from tests.e2e.helpers import fits, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTER_PRICE, ONLINE_PRICE, SAVING = "50.000 đ", "30.000 đ", "20.000 đ"
LEGAL_BASIS = "Nghị quyết số 18/2023/NQ-HĐND tỉnh Thừa Thiên Huế"


def either(english: str) -> re.Pattern:
    """The English text or its Vietnamese translation, whichever the catalogue has now."""
    from django.utils import translation

    with translation.override("vi"):
        vietnamese = translation.gettext(english)
    return re.compile(f"^({re.escape(english)}|{re.escape(vietnamese)})$")


@pytest.fixture
def fee_procedure():
    """A published procedure with one 50,000 đ fee item and the 40% online discount rule."""
    from dossiers.tests.factories import published_procedure
    from procedures.services import procedure_publish
    from procedures.tests.factories import (
        DiscountRuleFactory,
        FeeCategoryFactory,
        FeeItemFactory,
        FormFieldFactory,
    )

    procedure = published_procedure(
        name="Cấp bản sao trích lục hộ tịch", agency__name="UBND phường Thuận Hóa"
    )
    category = FeeCategoryFactory(code="le-phi-ho-tich", name="Lệ phí hộ tịch")
    FeeItemFactory(
        procedure=procedure,
        code="le-phi",
        name="Lệ phí cấp bản sao trích lục",
        amount=50_000,
        category=category,
    )
    DiscountRuleFactory(categories=[category], legal_basis=LEGAL_BASIS)
    FormFieldFactory(procedure=procedure, key="ho_ten", label="Họ tên người được cấp bản sao")
    procedure_publish(procedure=procedure)
    return procedure


@pytest.mark.parametrize("width", [360, 1280])
def test_file_with_fee_decline_then_pay_online_and_get_the_receipt(
    live_server, page_at, screenshot, settings, tmp_path, fee_procedure, width
):
    from allauth.account.models import EmailAddress
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_BASE_URL = live_server.url  # the receipt's QR code links to this server
    base = live_server.url
    citizen = UserFactory(with_profile=True, full_name="Nguyễn Minh An")
    EmailAddress.objects.create(user=citizen, email=citizen.email, verified=True, primary=True)
    page = page_at(width)
    log_in(page, base, citizen.email)

    # Filing: start, the procedure's one field, no papers, then the review with the fee.
    page.goto(base + f"/nop-ho-so/{fee_procedure.code}/")
    page.locator("form button.button-large[type=submit]").click()  # start filing
    expect(page).to_have_url(re.compile(r"/nop/thong-tin/$"))
    page.locator("[name=ho_ten]").fill("Nguyễn Minh An")
    page.locator("button[name=next]").click()
    expect(page).to_have_url(re.compile(r"/nop/giay-to/$"))
    dossier = Dossier.objects.get(applicant=citizen)
    page.goto(base + f"/ho-so/{dossier.pk}/nop/kiem-tra/")
    price = page.locator("section.price-box")
    expect(price.locator(".price-grid .online .amount")).to_have_text(ONLINE_PRICE)
    expect(price.locator(".price-grid")).to_contain_text(COUNTER_PRICE)
    expect(price.locator(".saving")).to_contain_text(SAVING)
    expect(price.locator(".saving")).to_contain_text(LEGAL_BASIS)
    screenshot(page, f"payment-0-review-{width}")
    fits(page, width)

    page.goto(base + f"/ho-so/{dossier.pk}/nop/gui/")
    page.locator("input[type=checkbox][name=declaration]").check()
    page.locator("button[data-once]").click()
    expect(page).to_have_url(re.compile(rf"/ho-so/{dossier.pk}/(\?.*)?$"))
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.fee_state == FeeState.DUE
    assert dossier.fee_net == 30_000 and dossier.fee["gross"] == 50_000

    # The dossier page offers to pay online; the pay page shows the amount and the saving.
    pay_url = re.compile(rf"/ho-so/{dossier.pk}/thanh-toan/$")
    pay_links = page.locator(f"a[href$='/ho-so/{dossier.pk}/thanh-toan/']")
    expect(pay_links.first).to_contain_text("30.000")
    pay_links.first.click()
    expect(page).to_have_url(pay_url)
    price = page.locator("section.price-box")
    expect(price.locator(".price-grid .online .amount")).to_have_text(ONLINE_PRICE)
    expect(price.locator(".price-grid")).to_contain_text(COUNTER_PRICE)
    expect(price.locator(".saving")).to_contain_text(SAVING)
    expect(price.locator(".saving")).to_contain_text(LEGAL_BASIS)
    sandbox_choice = page.locator(f"input[type=radio][name=provider][value={Provider.SANDBOX}]")
    expect(sandbox_choice).to_be_visible()
    expect(page.locator(f"label[for='{sandbox_choice.get_attribute('id')}']")).to_have_text(
        either("Test gateway (sandbox)")
    )
    screenshot(page, f"payment-1-pay-{width}")
    fits(page, width)

    def start_payment() -> None:
        page.locator(f"input[name=provider][value={Provider.SANDBOX}]").check()
        page.locator("form.wizard-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/payments/sandbox/pay/\?.*vnp_SecureHash="))
        expect(page.locator(".facts-list .amount")).to_have_text(ONLINE_PRICE)

    # First attempt: the citizen declines on the gateway's page.
    start_payment()
    attempt = Payment.objects.get(dossier=dossier)
    expect(page.locator(".facts-list .code")).to_have_text(attempt.reference)
    screenshot(page, f"payment-2-sandbox-{width}")
    fits(page, width)
    page.locator("button[name=decision][value=decline]").click()
    expect(page).to_have_url(re.compile(r"/payments/vnpay/return/\?.*vnp_ResponseCode=24"))
    expect(page.locator("[role=alert] h1")).to_have_text(either("The payment did not go through"))
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.DUE
    attempt.refresh_from_db()
    assert attempt.state == PaymentState.FAILED
    screenshot(page, f"payment-3-declined-{width}")
    fits(page, width)

    # "Try again" goes back to the pay page, which says the last attempt failed.
    retry = page.locator(f"a[href$='/ho-so/{dossier.pk}/thanh-toan/']")
    expect(retry).to_be_visible()
    retry.click()
    expect(page).to_have_url(pay_url)
    expect(page.locator(".panel-highlight[role=status]")).to_be_visible()
    expect(page.locator(".paper-list .pay-failed")).to_have_count(1)

    # Second attempt: approved. The sandbox confirms to the portal (IPN) before returning.
    start_payment()
    page.locator("button[name=decision][value=approve]").click()
    expect(page).to_have_url(re.compile(r"/payments/vnpay/return/\?.*vnp_ResponseCode=00"))
    expect(page.locator(".panel-ok[role=status] h1")).to_have_text(either("Payment received"))
    expect(page.locator(".panel-ok")).to_contain_text(dossier.code)
    screenshot(page, f"payment-4-paid-{width}")
    fits(page, width)

    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.PAID
    paid = Payment.objects.get(dossier=dossier, state=PaymentState.SUCCEEDED)
    assert paid.amount == 30_000 and paid.receipt is not None
    receipt_code = f"{dossier.code}-BL1"
    assert paid.receipt.code == receipt_code and paid.receipt.kind == DocumentKind.FEE_RECEIPT

    # Back to the dossier: the fee is paid, no more pay button, the receipt is listed.
    page.locator(f"a.button[href$='/ho-so/{dossier.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/ho-so/{dossier.pk}/$"))
    fee_box = page.locator("section[aria-labelledby=fee-title]")
    expect(fee_box.locator(f".status.fee-{FeeState.PAID}")).to_be_visible()
    expect(page.locator("section.actions a[href$='/thanh-toan/']")).to_have_count(0)
    issued = page.locator("section[aria-labelledby=issued-title] .paper-list li").filter(
        has_text=receipt_code
    )
    expect(issued).to_have_count(1)
    screenshot(page, f"payment-5-dossier-receipt-{width}")
    fits(page, width)

    # The receipt downloads as a PDF with its code and the amount in words ("… đồng").
    href = issued.locator("a").get_attribute("href")
    download = page.request.get(base + href)
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    body = download.body()
    assert body.startswith(b"%PDF")
    pdf = tmp_path / "bien-lai.pdf"
    pdf.write_bytes(body)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert receipt_code in text and "đồng" in text

    # The pay page lists both attempts and links the same receipt.
    page.goto(base + f"/ho-so/{dossier.pk}/thanh-toan/")
    expect(page.locator(".paper-list li")).to_have_count(2)
    expect(page.locator(f".paper-list a[href='{href}']")).to_contain_text(receipt_code)
    expect(page.locator("form.wizard-form")).to_have_count(0)
