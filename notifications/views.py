"""The notification centre and the notification settings (log-in needed for both).

Thin views: reads through ``notifications.selectors``, writes through ``notifications.services``.
Another person's notification, or none, is a plain 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.staff import has_second_factor, is_staff_member, mfa_refusal
from notifications import selectors, services
from notifications.forms import PreferenceForm
from notifications.messages import render as write_message
from portal.errors import DomainError
from portal.forms import show_error

PAGE_SIZE = 20


def own_notifications(view):
    """Log in; staff also need their two-factor log-in (their notifications name citizens and
    quote their messages), as on every staff page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_staff_member(request.user) and not has_second_factor(request.user):
            messages.warning(request, str(mfa_refusal().message))
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper


@own_notifications
def centre(request):
    """The person's notifications, newest first, 20 a page; ``?unread=1`` shows unread only."""
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.centre(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = [(row, write_message(row.kind, row.context)) for row in page.object_list]
    return render(
        request,
        "notifications/centre.html",
        {"page": page, "items": items, "unread_only": unread_only},
    )


@own_notifications
@require_POST
def open_notification(request, notification_id: int):
    """Mark the notification read and go to the page it is about."""
    try:
        row = services.notification_mark_read(user=request.user, notification_id=notification_id)
    except DomainError as error:
        raise Http404(error.message) from error
    target = write_message(row.kind, row.context).path
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)):
        target = "notifications:centre"  # only pages of the portal: never an open redirect
    return redirect(target)


@own_notifications
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:centre")


@own_notifications
@require_http_methods(["GET", "POST"])
def preferences(request):
    """How the person wants to hear from the portal: channels, language, officers' digest."""
    user = request.user
    current = services.preference_of(user)
    initial = {
        "email": current.email,
        "sms": current.sms,
        "language": user.language,
        "digest": current.digest,
    }
    form = PreferenceForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_update(
                user=user,
                email=data["email"],
                sms=data["sms"],
                language=data["language"],
                digest=data.get("digest"),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
