"""Playwright with Debian's Chromium (never a downloaded browser) against the live server.

Screenshots go to ``artifacts/screenshots/`` (ignored by git) so a person can look at them.
"""

import os
from pathlib import Path

import pytest

from conftest import CHROMIUM

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the live server's database work is
# synchronous Django code, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_at(browser):
    """``page_at(width)``: a fresh page with that viewport width, in Vietnamese."""
    contexts = []

    def open_page(width: int = 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="vi-VN", device_scale_factor=1
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
