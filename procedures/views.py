"""Public catalogue pages: home, the searchable list, a procedure's detail."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

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
    context = {
        "form": CatalogueFilterForm(),
        "sectors": sectors_with_counts(),
        "procedure_count": Procedure.objects.filter(published=True).count(),
        "online_count": Procedure.objects.filter(published=True)
        .exclude(service_level=ServiceLevel.OFFLINE)
        .count(),
    }
    return render(request, "procedures/home.html", context)


def catalogue(request):
    """The catalogue with filters; an htmx request gets only the results fragment."""
    form = CatalogueFilterForm(request.GET or None)
    status = 200
    page = None
    error = ""
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.filters() if form.is_bound else {}
        paginator = Paginator(catalogue_procedures(**filters), PAGE_SIZE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            status, error = 400, _("The page number must be a whole number.")
        except EmptyPage:
            status = 400
            error = _("That page does not exist; there are %(n)d pages.") % {
                "n": paginator.num_pages
            }
    context = {
        "form": form,
        "page": page,
        "summaries": fee_summaries(list(page.object_list)) if page else {},
        "page_error": error,
        "query_without_page": _query_without_page(request),
    }
    template = "procedures/_results.html" if request.htmx else "procedures/catalogue.html"
    return render(request, template, context, status=status)


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
