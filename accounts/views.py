"""The profile page: always the logged-in person's own ("me"); no id in the address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from accounts.services import profile_update
from portal.errors import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                profile_update(user=user, **form.cleaned_data)
            except DomainError as error:
                for field, field_errors in error.fields.items():
                    for message in field_errors:
                        form.add_error(field if field in form.fields else None, message)
                if not error.fields:
                    form.add_error(None, error.message)
            else:
                messages.success(request, _("Your details are saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(user))
    return render(request, "accounts/profile.html", {"form": form, "profile_user": user})
