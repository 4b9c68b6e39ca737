"""``manage.py totp_code <email>``: the current two-factor code of a *demo* staff account.

Demo officers (``manage.py load_demo_workspace``) share one published TOTP secret, so a newcomer
can log in as an officer without an authenticator app. The command prints a code only for an
account whose stored secret is that published demo secret; any other account is refused (exit
status 1). It never prints or hints at a real secret: the only secret it can ever show is the one
written below.
"""

from __future__ import annotations

import hmac
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

# The published TOTP secret of every demo staff account (base32; 20 bytes). Demo only: accounts
# using it are as open as their published password. ``load_demo_workspace`` imports it from here
# because ``accounts`` may not import ``dossiers``.
DEMO_TOTP_SECRET = "DEMOHUEDICHVUCONGDEMOHUEDICHVUCO"
# Below this many seconds left, the next code is printed too (it may be needed by the time the
# first one is typed; allauth accepts only the current 30-second window).
NEXT_CODE_BELOW_SECONDS = 10


def demo_codes(secret: str = DEMO_TOTP_SECRET, at: float | None = None) -> tuple[str, str, int]:
    """The code of the current 30-second window, the next window's code, and the seconds left."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    now = time.time() if at is None else at
    period = app_settings.TOTP_PERIOD
    counter = int(now) // period
    left = period - int(now) % period
    return (
        format_hotp_value(hotp_value(secret, counter)),
        format_hotp_value(hotp_value(secret, counter + 1)),
        left,
    )


def has_demo_secret(user) -> bool:
    """True when ``user``'s TOTP authenticator holds the published demo secret."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return False
    try:
        stored = decrypt(authenticator.data["secret"])
    except Exception:  # noqa: BLE001 - unreadable data is simply "not the demo secret"
        return False
    return hmac.compare_digest(str(stored).upper().encode(), DEMO_TOTP_SECRET.encode())


class Command(BaseCommand):
    help = (
        "Print the current 6-digit two-factor code of a demo staff account (made by "
        "load_demo_workspace). Refuses every account that does not use the published demo "
        "secret."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Email of a demo officer, e.g. the intake officer's.")
        parser.add_argument(
            "--quiet", action="store_true", help="Print only the code (for scripts)."
        )

    def handle(self, *args, email: str, quiet: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("totp_code is a demo helper and does not run in production.")
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(
                f"No account with the email {email}. The demo staff accounts are listed at the "
                "end of `python manage.py load_demo_workspace`."
            )
        if not has_demo_secret(user):
            raise CommandError(
                f"{user.email} does not use the published demo TOTP secret, so no code is shown: "
                "this command only serves the demo accounts of load_demo_workspace. Use the "
                "authenticator app the account was set up with."
            )
        code, next_code, left = demo_codes()
        if quiet:
            self.stdout.write(code)
            return
        self.stdout.write(f"Two-factor code for {user.email}: {code}")
        detail = f"  valid for {left} more second{'s' if left != 1 else ''}"
        if left < NEXT_CODE_BELOW_SECONDS:
            detail += f"; the next code is {next_code}"
        self.stdout.write(detail + " (each code logs in once).")
        self.stdout.write(
            f"  Demo secret, to add the account to an authenticator app: {DEMO_TOTP_SECRET}"
        )
