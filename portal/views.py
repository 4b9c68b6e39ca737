"""Project-wide views: health check, error pages and the benchmark's ceiling view."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render


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
