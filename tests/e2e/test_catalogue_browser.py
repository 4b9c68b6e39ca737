"""A citizen finds a procedure and sees its papers and fees, in a real browser."""

import io
import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_catalogue():
    call_command("load_demo", "--no-admin", stdout=io.StringIO())


@pytest.mark.parametrize("width", [360, 1280])
def test_search_open_procedure_see_papers_and_fees(
    live_server, demo_catalogue, page_at, screenshot, width
):
    from playwright.sync_api import expect

    page = page_at(width)
    page.goto(live_server.url + "/")
    screenshot(page, f"home-{width}")

    page.get_by_label("Bạn cần làm thủ tục gì?").fill("khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=khai\+sinh"))
    result = page.get_by_role("link", name="Đăng ký khai sinh", exact=True)
    expect(result).to_be_visible()
    screenshot(page, f"catalogue-khai-sinh-{width}")

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()
    expect(page.get_by_text("Giấy chứng sinh").first).to_be_visible()
    expect(page.get_by_text("Miễn phí").first).to_be_visible()
    screenshot(page, f"detail-khai-sinh-{width}")

    # Nothing is wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_online_price_is_shown_beside_the_counter_price(
    live_server, demo_catalogue, page_at, screenshot
):
    from playwright.sync_api import expect

    page = page_at(360)
    page.goto(live_server.url + "/thu-tuc/?q=ho+kinh+doanh")
    page.get_by_role("link", name=re.compile("hộ kinh doanh")).first.click()

    box = page.locator(".price-box")
    expect(box).to_contain_text("60.000 đ")
    expect(box).to_contain_text("100.000 đ")
    expect(box).to_contain_text("18/2023")
    screenshot(page, "detail-ho-kinh-doanh-360")


def test_filters_work_without_javascript(live_server, demo_catalogue, browser):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/thu-tuc/")
    page.locator("summary", has_text="Lọc theo").click()  # a native <details>
    page.get_by_label("Lĩnh vực").select_option(value="ho-tich")
    page.get_by_role("button", name="Tìm kiếm").click()

    expect(page).to_have_url(re.compile("sector=ho-tich"))
    expect(page.locator(".results .card").first).to_contain_text("Hộ tịch")
    context.close()


def test_keyboard_reaches_the_search_box_after_the_skip_link(live_server, demo_catalogue, page_at):
    page = page_at(1280)
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
