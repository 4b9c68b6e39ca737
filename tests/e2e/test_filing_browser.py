"""A new citizen signs up, files "Đăng ký khai sinh" from a phone and sees the code and timeline.

Screenshots of every step at 360 px and 1280 px go to artifacts/screenshots/.
"""

import io
import re

import pytest
from django.core.management import call_command

from dossiers.models import Dossier
from dossiers.tests.factories import JPEG_BYTES, PDF_BYTES
from procedures.models import Procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}")

VALUES = {
    "text": "Nguyễn Minh An",
    "address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
    "date": "2026-11-20",
    "cccd": "046195012345",
    "phone": "0912345678",
    "email": "me.cua.an@example.vn",
    "number": "1",
}


@pytest.fixture
def demo_catalogue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", "--no-admin", stdout=io.StringIO())


def _fill_form(page, fields):
    """Fill the procedure's own form from its version snapshot, by field name."""
    for field in fields:
        name, kind = field["key"], field["field_type"]
        if kind == "choice":
            radios = page.locator(f"input[type=radio][name='{name}']")
            if radios.count():
                radios.first.check()
            else:
                page.locator(f"select[name='{name}']").select_option(index=1)
        elif kind == "checkbox":
            page.locator(f"input[type=checkbox][name='{name}']").check()
        elif kind == "date":
            page.locator(f"[name='{name}']").fill(VALUES["date"])
        else:
            page.locator(f"[name='{name}']").fill(VALUES.get(kind, VALUES["text"]))


@pytest.mark.parametrize("width", [360, 1280])
def test_sign_up_file_birth_registration_and_follow_it(
    live_server, demo_catalogue, page_at, screenshot, tmp_path, width
):
    from playwright.sync_api import expect

    pdf = tmp_path / "giay-chung-sinh.pdf"
    pdf.write_bytes(PDF_BYTES)
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(JPEG_BYTES)
    page = page_at(width)

    # Sign up with a phone number's worth of effort: email and password.
    page.goto(live_server.url + "/accounts/signup/")
    page.locator("input[name=email]").fill(f"an.{width}@example.vn")
    page.locator("input[name=password1]").fill("Mat-khau-an-toan-2026")
    page.locator("input[name=password2]").fill("Mat-khau-an-toan-2026")
    screenshot(page, f"filing-0-signup-{width}")
    page.locator("form[action$='/accounts/signup/'] button[type=submit]").click()

    # Find the procedure the way a citizen would.
    page.goto(live_server.url + "/")
    page.locator("#home-q").fill("khai sinh")
    page.locator("form[role=search] button[type=submit]").click()
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    page.locator("a[href*='/nop-ho-so/1.001193/']").first.click()
    page.locator("form button.button-large[type=submit]").click()  # start filing

    # Step 1: the procedure's own form.
    expect(page).to_have_url(re.compile(r"/nop/thong-tin/$"))
    fields = Procedure.objects.get(code="1.001193").versions.first().snapshot["form_fields"]
    _fill_form(page, [f for f in fields if f["required"]])
    screenshot(page, f"filing-1-information-{width}")
    page.locator("button[name=next]").click()

    # Step 2: papers — a PDF for the first slot, a phone photo for the second.
    expect(page).to_have_url(re.compile(r"/nop/giay-to/$"))
    forms = page.locator("form.upload-form")
    forms.nth(0).locator("input[name=file]").set_input_files(str(pdf))
    forms.nth(0).locator("button[type=submit]").click()
    expect(page.get_by_text("giay-chung-sinh.pdf").first).to_be_visible()
    forms = page.locator("form.upload-form")
    photo_input = forms.nth(1).locator("input[name=photo], input[name=file]").first
    photo_input.set_input_files(str(photo))
    forms.nth(1).locator("button[type=submit]").click()
    expect(page.get_by_text("IMG_0001.jpg").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, f"filing-2-papers-{width}")

    dossier = Dossier.objects.get(applicant__email=f"an.{width}@example.vn")
    assert dossier.attachments.count() == 2

    # Step 3: review, then step 4: submit.
    page.goto(live_server.url + f"/ho-so/{dossier.pk}/nop/kiem-tra/")
    screenshot(page, f"filing-3-review-{width}")
    page.goto(live_server.url + f"/ho-so/{dossier.pk}/nop/gui/")
    page.locator("input[type=checkbox][name=declaration]").check()
    screenshot(page, f"filing-4-submit-{width}")
    page.locator("button[data-once]").click()

    # The dossier page: the code and the timeline.
    expect(page).to_have_url(re.compile(rf"/ho-so/{dossier.pk}/(\?.*)?$"))
    dossier.refresh_from_db()
    assert dossier.status == 1 and CODE.fullmatch(dossier.code)
    expect(page.get_by_text(dossier.code).first).to_be_visible()
    assert page.locator("ol li, .timeline li").count() >= 2
    screenshot(page, f"filing-5-submitted-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
