"""Public catalogue pages: home, the searchable list, a procedure's detail."""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from procedures import cache
from procedures.constants import ServiceLevel
from procedures.fees import active_discount_rules
from procedures.forms import CatalogueFilterForm
from procedures.models import Procedure
from procedures.selectors import (
    catalogue_procedures,
    fee_summaries,
    online_discount_rules_for,
    procedure_for_detail,
    procedure_form_schema,
    sectors_with_counts,
    today,
)

PAGE_SIZE = 20


def home(request):
    """Search box first, then sectors to browse, and why filing online pays."""

    def counts():
        published = Procedure.objects.filter(published=True)
        return {
            "sectors": list(sectors_with_counts()),
            "procedure_count": published.count(),
            "online_count": published.exclude(service_level=ServiceLevel.OFFLINE).count(),
        }

    context = {"form": CatalogueFilterForm(), **cache.remember(f"home:{get_language()}", counts)}
    return render(request, "procedures/home.html", context)


class BadPage(Exception):
    """The requested page number is not a page of the results."""


def _results_html(request, form: CatalogueFilterForm) -> str:
    """The rendered results list for valid filters; raises ``BadPage`` for a bad page number."""
    paginator = Paginator(catalogue_procedures(**form.filters()), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        raise BadPage(_("The page number must be a whole number.")) from None
    except EmptyPage:
        raise BadPage(
            _("That page does not exist; there are %(n)d pages.") % {"n": paginator.num_pages}
        ) from None
    context = {
        "page": page,
        "summaries": fee_summaries(list(page.object_list)),
        "query_without_page": _query_without_page(request),
    }
    return render_to_string("procedures/_results.html", context, request=request)


def _stateless_visitor(request) -> bool:
    """A visitor with no session and no pending flash message: every such visitor gets the same
    page for the same URL and language, so the whole page can be cached."""
    return (
        request.method == "GET"
        and not request.htmx
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def catalogue(request):
    """The catalogue with filters. For visitors without a session the whole page is cached until
    the catalogue changes; otherwise the rendered filters and results are. An htmx request gets
    only the results list."""
    if _stateless_visitor(request):
        key = f"page-full:{cache.request_key(request, get_language())}"
        current, cached = cache.lookup(key)
        if cached is not None:
            return HttpResponse(cached)
        response = _catalogue(request)
        if response.status_code == 200 and not response.cookies:
            cache.store(key, current, response.content)
        return response
    return _catalogue(request)


def _catalogue(request):
    form = CatalogueFilterForm(request.GET)
    status, results_html = 200, ""
    if not form.is_valid():
        status = 400
        filters_html = _filters_html(request, form)
    else:
        try:
            filters_html, results_html = cache.remember(
                f"page-body:{cache.request_key(request, get_language())}",
                lambda: (_filters_html(request, form), _results_html(request, form)),
            )
        except BadPage as bad_page:
            status = 400
            filters_html = _filters_html(request, form)
            results_html = render_to_string(
                "procedures/_page_error.html",
                {"message": str(bad_page), "query_without_page": _query_without_page(request)},
            )
    if request.htmx:
        return HttpResponse(results_html, status=status)
    context = {
        "form": form,
        "filters_html": mark_safe(filters_html),  # noqa: S308 (rendered from our template)
        "results_html": mark_safe(results_html),  # noqa: S308
    }
    return render(request, "procedures/catalogue.html", context, status=status)


def _filters_html(request, form: CatalogueFilterForm) -> str:
    return render_to_string("procedures/_filters.html", {"form": form}, request=request)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def procedure_detail(request, code: str):
    procedure = procedure_for_detail(code=code)
    if procedure is None:
        raise Http404(_("No published procedure has this code."))
    rules = active_discount_rules(today())
    summary = fee_summaries([procedure], rules=rules)[procedure.pk]
    context = {
        "procedure": procedure,
        "summary": summary,
        "online_rules": online_discount_rules_for(procedure, rules),
        "schema": procedure_form_schema(procedure),
        "description": procedure.localized("description"),
        "steps": [s.strip() for s in procedure.localized("steps").splitlines() if s.strip()],
        "legal_basis": [s.strip() for s in procedure.legal_basis.splitlines() if s.strip()],
        "days_saved": procedure.processing_days - procedure.effective_online_days,
    }
    return render(request, "procedures/detail.html", context)
