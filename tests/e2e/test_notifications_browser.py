"""A citizen hears that an officer received the dossier: the unread badge in the header, the
message in the notification centre, its button to the dossier page (the badge then goes), and
the settings page where the citizen turns text messages off. Screenshots at 360 px and 1280 px
go to artifacts/screenshots/ (notifications-*.png).

The notification strings may not be translated yet: texts are matched in either language.
"""

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.constants import DocumentKind
from dossiers.models import IssuedDocument
from dossiers.tests.factories import DossierFactory, published_procedure
from notifications import rules
from notifications.constants import Kind, NotifyChannel
from notifications.models import Notification, NotificationPreference
from notifications.tests.factories import NotificationFactory
from tests.e2e.helpers import fits, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def either(english: str, *, whole: bool = True) -> re.Pattern:
    """The English text or its Vietnamese translation, whichever the catalogue has now (the
    whole text, or a part of it)."""
    from django.utils import translation

    with translation.override("vi"):
        vietnamese = translation.gettext(english)
    words = f"({re.escape(english)}|{re.escape(vietnamese)})"
    return re.compile(rf"^\s*{words}\s*$" if whole else words)


def receive(dossier_id, actor_id) -> None:
    from django.db import connection

    from accounts.models import User
    from dossiers.models import Dossier

    try:
        workflow.dossier_receive(
            dossier=Dossier.objects.get(pk=dossier_id), actor=User.objects.get(pk=actor_id)
        )
    finally:
        connection.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_citizen_sees_the_badge_opens_the_dossier_and_turns_sms_off(
    live_server, page_at, screenshot, settings, tmp_path, width
):
    from allauth.account.models import EmailAddress
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"  # the receipt (form 01) is filed there
    settings.PORTAL_BASE_URL = live_server.url
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    base = live_server.url
    procedure = published_procedure(name="Đăng ký khai sinh", agency__name="UBND phường Thuận Hóa")
    citizen = UserFactory(with_profile=True, with_phone=True, full_name="Nguyễn Minh An")
    EmailAddress.objects.create(user=citizen, email=citizen.email, verified=True, primary=True)
    intake = UserFactory(officer=True, agency=procedure.agency, totp=True)
    dossier = DossierFactory(procedure=procedure, applicant=citizen, submitted=True)
    # The submission's message, read yesterday.
    earlier = NotificationFactory(
        recipient=citizen,
        read=True,
        kind=Kind.SUBMITTED,
        dossier=dossier,
        context=rules.dossier_facts(dossier, for_officers=False),
    )
    Notification.objects.filter(pk=earlier.pk).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )

    # The officer's step, through the service: the outbox rows commit with it. In a thread of
    # its own, as in a server: Playwright's event loop runs in this one, and the receipt's
    # signing (asyncio inside) would fail here and issue it unsigned.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(receive, dossier.pk, intake.pk).result()
    received = Notification.objects.get(
        recipient=citizen, kind=Kind.RECEIVED, channel=NotifyChannel.INAPP
    )
    assert received.read_at is None
    receipt = IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECEIPT)
    assert receipt.signed_at is not None  # issued as in production

    page = page_at(width)
    log_in(page, base, citizen.email)
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # The header says there is one unread notification.
    link = page.locator("header .nav-notifications")
    expect(link.locator(".count-badge")).to_contain_text("1")
    expect(link).to_contain_text(either("Notifications", whole=False))
    with page.expect_navigation():
        link.click()
    expect(page).to_have_url(re.compile(r"/thong-bao/$"))
    expect(page.locator("main h1")).to_have_text(either("Notifications"))
    cards = page.locator("main .notification-list > li")
    expect(cards).to_have_count(2)
    unread = cards.nth(0)
    expect(unread).to_have_class(re.compile(r"\bnotification-unread\b"))
    expect(unread.locator(".notification-title")).to_contain_text(dossier.code)
    expect(unread).to_contain_text("UBND phường Thuận Hóa")
    expect(cards.nth(1)).not_to_have_class(re.compile(r"\bnotification-unread\b"))
    screenshot(page, f"notifications-centre-{width}")
    fits(page, width)

    # Its button leads to the dossier page; the notification is read and the badge gone.
    submit(page, unread.locator("form[action$='/mo/'] button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"/ho-so/{dossier.pk}/#issued-title$"))  # the receipt
    expect(page.locator("header .nav-notifications .count-badge")).to_have_count(0)
    received.refresh_from_db()
    assert received.read_at is not None
    screenshot(page, f"notifications-dossier-{width}")
    fits(page, width)

    # Back in the centre nothing is new; "How I am notified" opens the settings.
    page.locator("header .nav-notifications").click()
    expect(page).to_have_url(re.compile(r"/thong-bao/$"))
    expect(page.locator("main .notification-unread")).to_have_count(0)
    screenshot(page, f"notifications-centre-read-{width}")
    page.locator("main a[href$='/tai-khoan/nhan-thong-bao/']").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/nhan-thong-bao/$"))
    expect(page.locator("main h1")).to_have_text(either("How I am notified"))
    sms = page.locator("main input[name=sms]")
    expect(sms).to_be_checked()
    expect(sms).to_be_enabled()
    expect(page.locator("main input[name=digest]")).to_have_count(0)  # citizens: no digest
    screenshot(page, f"notifications-preferences-{width}")
    fits(page, width)

    # SMS off, saved.
    page.locator(f"label[for='{sms.get_attribute('id')}']").click()
    expect(sms).not_to_be_checked()
    submit(
        page, page.locator("main form[action$='/tai-khoan/nhan-thong-bao/'] button[type=submit]")
    )
    expect(page).to_have_url(re.compile(r"/tai-khoan/nhan-thong-bao/$"))
    expect(page.locator(".messages .message-success")).to_have_text(
        either("Your notification settings are saved.")
    )
    expect(page.locator("main input[name=sms]")).not_to_be_checked()
    expect(page.locator("main input[name=email]")).to_be_checked()
    screenshot(page, f"notifications-preferences-saved-{width}")
    fits(page, width)
    preference = NotificationPreference.objects.get(user=citizen)
    citizen.refresh_from_db()
    assert (preference.email, preference.sms, citizen.language) == (True, False, "vi")
