"""The counter's side of fees in Chromium: the result cannot be handed over while the fee is
owed; the intake officer records the cash payment, the signed receipt is issued, the result is
handed over; the administrator reconciles the day. Screenshots at 360 px and 1280 px go to
artifacts/screenshots/."""

import pytest

from accounts.tests.factories import UserFactory
from dossiers.constants import Delivery, FeeState, Status
from dossiers.models import Dossier
from dossiers.tests.factories import DossierFactory
from payments.constants import PaymentState, Provider
from payments.models import Payment
from tests.e2e.helpers import fits, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_counter_takes_the_fee_then_hands_the_result_over(live_server, page_at, screenshot, width):
    dossier = DossierFactory(processed=True, fee_due=True, delivery=Delivery.COUNTER)
    intake = UserFactory(officer=True, agency=dossier.agency, totp=True, full_name="Trần Thu Hà")
    base = live_server.url
    page = page_at(width)
    log_in(page, base, intake.email, totp=True)

    # Handing the result over first is refused, with the reason and the way out.
    page.goto(base + f"/can-bo/ho-so/{dossier.pk}/")
    hand_over = page.locator("form[action*='/buoc/tra-ket-qua/']")
    hand_over.locator("input[value=counter]").check()
    hand_over.locator("input[name$=recipient_name]").fill("Nguyễn Văn Nhận")
    submit(page, hand_over.locator("button[type=submit]"))
    assert page.locator("#error-summary").is_visible()
    assert "60.000 đ" in page.locator("#error-summary").inner_text()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSED

    # The fee page: the cash payment is recorded once, with its signed receipt.
    page.goto(base + f"/can-bo/ho-so/{dossier.pk}/thu-phi/")
    screenshot(page, f"counter-fee-{width}")
    form = page.locator("form:has(input[name=action][value=counter])")
    form.locator("input[value=cash]").check()
    submit(page, form.locator("button[type=submit]"))
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.provider, payment.state, payment.amount) == (
        Provider.CASH,
        PaymentState.SUCCEEDED,
        60_000,
    )
    assert payment.receipt is not None and payment.receipt.signed
    assert payment.receipt.code in page.content()
    fits(page, width)
    screenshot(page, f"counter-fee-paid-{width}")
    assert Dossier.objects.get(pk=dossier.pk).fee_state == FeeState.PAID

    # Now the result is handed over.
    page.goto(base + f"/can-bo/ho-so/{dossier.pk}/")
    hand_over = page.locator("form[action*='/buoc/tra-ket-qua/']")
    hand_over.locator("input[value=counter]").check()
    hand_over.locator("input[name$=recipient_name]").fill("Nguyễn Văn Nhận")
    submit(page, hand_over.locator("button[type=submit]"))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED

    # The administrator's reconciliation of the day counts it.
    admin = UserFactory(admin=True, totp=True)
    boss = page_at(width)
    log_in(boss, base, admin.email, totp=True)
    boss.goto(base + "/can-bo/doi-soat-thanh-toan/")
    table = boss.locator("table").inner_text()
    assert "60.000 đ" in table
    fits(boss, width)
    screenshot(boss, f"reconciliation-{width}")
