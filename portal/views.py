"""Project-wide views: health check, error pages and the benchmark's ceiling view."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User


def health(request):
    """200 when the database answers; used by docker-compose and load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bare_ok(request):
    """The cheapest Django answer through the full middleware stack: the benchmark's ceiling."""
    return HttpResponse("ok", content_type="text/plain")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def switch_language(request):
    """Switch the interface language by a plain link (``?language=en&next=/path``).

    Choosing a language is harmless, so a GET without a CSRF token is fine; it keeps pages free
    of per-visitor tokens. ``next`` must point back into the portal.
    """
    language = request.GET.get("language", "")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language != language:
            # Messages sent later (email, SMS) follow the language the person reads the portal in.
            User.objects.filter(pk=user.pk).update(language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response
