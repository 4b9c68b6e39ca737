"""What the browser tests share: logging in (with a two-factor code for staff), submitting a
form and waiting for the answer page."""

import time

from accounts.tests.factories import PASSWORD, TOTP_SECRET


def code_now() -> str:
    """The current TOTP code of the test staff's secret."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    # The server accepts the current 30-second code only: one typed in the last seconds of its
    # window may reach the server in the next one. Wait for a fresh window then.
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(TOTP_SECRET, next(yield_hotp_counters_from_time())))


def submit(page, button) -> None:
    """Click a submit button and wait until the answer page has loaded."""
    with page.expect_navigation():
        button.click()


def fits(page, width: int) -> None:
    """Nothing sticks out sideways on a phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def log_in(page, base: str, email: str, *, totp: bool = False) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page, page.locator("form[action$='/accounts/login/'] button[type=submit]"))
    if totp:
        page.locator("input[name=code]").fill(code_now())
        submit(page, page.locator("#mfa-sign-in"))
