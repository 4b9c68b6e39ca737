"""The VNeID slot: configured only by environment variables; a button only when configured."""

from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.models import User
from accounts.oidc import providers_from_env

ENV = {
    "VNEID_OIDC_CLIENT_ID": "cong-dvc-hue",
    "VNEID_OIDC_CLIENT_SECRET": "bi-mat",
    "VNEID_OIDC_SERVER_URL": "https://sso.vneid.example.vn",
}
LOGIN_URL = "/accounts/oidc/vneid/login/"
CALLBACK_URL = "/accounts/oidc/vneid/login/callback/"
OPENID_CONFIG = {
    "issuer": "https://sso.vneid.example.vn",
    "authorization_endpoint": "https://sso.vneid.example.vn/authorize",
    "token_endpoint": "https://sso.vneid.example.vn/token",
    "userinfo_endpoint": "https://sso.vneid.example.vn/userinfo",
    "jwks_uri": "https://sso.vneid.example.vn/jwks",
    "token_endpoint_auth_methods_supported": ["client_secret_post"],
}


# --- Settings from the environment -----------------------------------------------------------


def test_no_variables_no_provider():
    assert providers_from_env({}) == {}
    assert providers_from_env({"VNEID_OIDC_NAME": "VNeID", "OTHER": "x"}) == {}


def test_the_three_variables_make_one_openid_connect_app():
    config = providers_from_env(ENV)

    (app,) = config["openid_connect"]["APPS"]
    assert app["provider_id"] == "vneid" and app["name"] == "VNeID"
    assert app["client_id"] == "cong-dvc-hue" and app["secret"] == "bi-mat"
    assert app["settings"]["server_url"] == "https://sso.vneid.example.vn"
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert "scope" not in app["settings"]  # allauth's default: openid profile email


def test_optional_variables_name_scope_and_pkce():
    config = providers_from_env(
        {
            **ENV,
            "VNEID_OIDC_NAME": "VNeID (thử nghiệm)",
            "VNEID_OIDC_SCOPE": "openid profile",
            "VNEID_OIDC_PKCE": "0",
        }
    )

    (app,) = config["openid_connect"]["APPS"]
    assert app["name"] == "VNeID (thử nghiệm)"
    assert app["settings"]["scope"] == ["openid", "profile"]
    assert app["settings"]["oauth_pkce_enabled"] is False


def test_a_half_configuration_refuses_to_start_and_names_what_is_missing():
    with pytest.raises(ImproperlyConfigured, match="VNEID_OIDC_CLIENT_SECRET"):
        providers_from_env({"VNEID_OIDC_CLIENT_ID": "x", "VNEID_OIDC_SERVER_URL": "https://a.vn"})


def test_the_server_url_must_be_an_address():
    with pytest.raises(ImproperlyConfigured, match="VNEID_OIDC_SERVER_URL"):
        providers_from_env({**ENV, "VNEID_OIDC_SERVER_URL": "sso.vneid.vn"})


# --- The log-in page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_configuration_the_login_page_has_no_vneid_button(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env({})

    html = client.get(reverse("account_login")).content.decode()

    assert "Log in with" not in html and "/accounts/oidc/" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["account_login", "account_signup"])
def test_when_configured_the_page_shows_a_prominent_vneid_button(client, settings, page):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(ENV)

    html = client.get(reverse(page)).content.decode()

    assert "Log in with VNeID" in html
    assert f'action="{LOGIN_URL}?process=login"' in html and 'class="button-large"' in html
    # First on the page: before the phone/email form.
    assert html.index("Log in with VNeID") < html.index(
        'name="password1"' if "signup" in page else 'name="login"'
    )


@pytest.mark.django_db
def test_the_button_sends_the_person_to_vneid_and_back_into_a_new_account(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(ENV)
    with mock.patch.object(
        OpenIDConnectOAuth2Adapter, "openid_config", new_callable=mock.PropertyMock
    ) as openid_config:
        openid_config.return_value = OPENID_CONFIG

        response = client.post(LOGIN_URL)

        assert response.status_code == 302
        location = urlparse(response["Location"])
        query = parse_qs(location.query)
        assert (
            f"{location.scheme}://{location.netloc}{location.path}"
            == (OPENID_CONFIG["authorization_endpoint"])
        )
        assert query["client_id"] == ["cong-dvc-hue"]
        assert query["redirect_uri"][0].endswith(CALLBACK_URL)
        assert "code_challenge" in query  # PKCE

        userinfo = {"sub": "vneid-123", "name": "Nguyễn Văn An"}
        with (
            mock.patch.object(OAuth2Client, "get_access_token", return_value={"access_token": "t"}),
            mock.patch.object(
                OpenIDConnectOAuth2Adapter, "_fetch_user_info", return_value=userinfo
            ),
        ):
            response = client.get(CALLBACK_URL, {"code": "abc", "state": query["state"][0]})

    assert response.status_code == 302, response.content
    user = User.objects.get()
    assert user.full_name == "Nguyễn Văn An" and user.contact_email == ""
    assert mail.outbox == []
    assert SocialAccount.objects.get(user=user).uid == "vneid-123"
    assert client.session["_auth_user_id"] == str(user.pk)
