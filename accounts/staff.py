"""The gate in front of everything staff use: officers and admins must have two-factor log-in
(TOTP, django-allauth MFA) before any staff page, the admin site or a staff endpoint answers.

``STAFF_REQUIRE_MFA`` (default on) can be switched off only for local experiments.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from portal.errors import DomainError


def is_staff_member(user) -> bool:
    """An officer or an admin."""
    return bool(user and user.is_authenticated and (user.is_officer or user.is_portal_admin))


def has_second_factor(user) -> bool:
    if not getattr(settings, "STAFF_REQUIRE_MFA", True):
        return True
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user, types=["totp"])


def mfa_refusal() -> DomainError:
    return DomainError(
        _(
            "Staff accounts must turn on two-factor log-in first: open "
            "“Two-factor authentication” in your account and scan the code with an "
            "authenticator app."
        ),
        code="mfa_required",
        status=403,
    )


class IsStaffWithSecondFactor(BasePermission):
    """DRF permission for staff endpoints: 401 anonymous, 403 for citizens, 403 ``mfa_required``
    for staff without TOTP."""

    message = _("Only officers and administrators may use this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not is_staff_member(user):
            return False
        if not has_second_factor(user):
            raise mfa_refusal()
        return True


def staff_required(view):
    """Page decorator: log in, be staff, have TOTP (else go and set it up)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(user):
            raise PermissionDenied
        if not has_second_factor(user):
            messages.warning(request, str(mfa_refusal().message))
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper


class AdminSecondFactorMiddleware:
    """The admin site answers staff only once they have TOTP; its own password-only log-in form
    is replaced by the portal's (allauth's, which asks for the code)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/login"):
            from django.contrib.auth import REDIRECT_FIELD_NAME
            from django.utils.http import url_has_allowed_host_and_scheme

            target = request.GET.get(REDIRECT_FIELD_NAME) or "/admin/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/admin/"
            return redirect_to_login(target)
        if request.path.startswith("/admin/"):
            user = getattr(request, "user", None)
            if user is not None and is_staff_member(user) and not has_second_factor(user):
                messages.warning(request, str(mfa_refusal().message))
                return redirect("mfa_activate_totp")
        return self.get_response(request)
