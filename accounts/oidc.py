"""The VNeID slot: an OpenID Connect provider configured only by environment variables.

``providers_from_env(os.environ)`` builds allauth's ``SOCIALACCOUNT_PROVIDERS``: one app of the
``openid_connect`` provider with the id ``vneid`` when the three required variables are set,
nothing at all when none is set (the log-in page then shows no VNeID button), and a refusal to
start when only some are set (a half-configured log-in would fail in front of citizens).

Pure Python: settings import it before Django is set up.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

PROVIDER = "openid_connect"
PROVIDER_ID = "vneid"
DEFAULT_NAME = "VNeID"
REQUIRED = ("VNEID_OIDC_CLIENT_ID", "VNEID_OIDC_CLIENT_SECRET", "VNEID_OIDC_SERVER_URL")
_FALSE = {"0", "false", "no", "off"}


def providers_from_env(env: Mapping[str, str]) -> dict:
    """``SOCIALACCOUNT_PROVIDERS`` for the VNeID variables in ``env`` (e.g. ``os.environ``).

    Variables: ``VNEID_OIDC_CLIENT_ID``, ``VNEID_OIDC_CLIENT_SECRET``, ``VNEID_OIDC_SERVER_URL``
    (the issuer; ``/.well-known/openid-configuration`` is appended unless present), and optional
    ``VNEID_OIDC_NAME`` (button text, default "VNeID"), ``VNEID_OIDC_SCOPE`` (space-separated,
    default allauth's "openid profile email"), ``VNEID_OIDC_PKCE`` (default on).
    """
    values = {name: (env.get(name) or "").strip() for name in REQUIRED}
    if not any(values.values()):
        return {}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ImproperlyConfigured(
            f"VNeID log-in is half configured: set {', '.join(missing)} too, "
            f"or unset all of {', '.join(REQUIRED)}."
        )
    server_url = values["VNEID_OIDC_SERVER_URL"]
    parsed = urlparse(server_url)
    if parsed.scheme not in {"https", "http"} or not parsed.netloc:
        raise ImproperlyConfigured(
            "VNEID_OIDC_SERVER_URL must be the provider's address, e.g. https://sso.example.vn"
        )
    pkce = (env.get("VNEID_OIDC_PKCE") or "1").strip().lower() not in _FALSE
    app_settings: dict = {"server_url": server_url, "oauth_pkce_enabled": pkce}
    scope = (env.get("VNEID_OIDC_SCOPE") or "").split()
    if scope:
        app_settings["scope"] = scope
    return {
        PROVIDER: {
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": (env.get("VNEID_OIDC_NAME") or "").strip() or DEFAULT_NAME,
                    "client_id": values["VNEID_OIDC_CLIENT_ID"],
                    "secret": values["VNEID_OIDC_CLIENT_SECRET"],
                    "settings": app_settings,
                }
            ]
        }
    }
