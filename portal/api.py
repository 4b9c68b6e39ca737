"""API plumbing shared by every app: error shape, pagination, strict query parameters."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator as DjangoPaginator
from django.db import OperationalError, connection, transaction
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every error as ``{"code", "detail", "fields"?}`` with a 4xx status.

    Validation errors keep DRF's per-field messages under ``fields``; the ``detail`` sentence
    tells the person what to do next.
    """
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.fields:
            body["fields"] = exc.fields
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "code": "invalid",
            "detail": _("Some values are not valid. Correct the fields listed and try again."),
            "fields": fields,
        }
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    response.data = {
        "code": getattr(exc, "default_code", None) or _CODES.get(response.status_code, "error"),
        "detail": str(detail),
    }
    return response


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination that answers 400, not 404, for a page that does not exist."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    "page_size": [
                        _("Page size must be a whole number from 1 to %(max)d.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError(
                {"page": [_("Page must be a whole number, 1 or more.")]}
            )
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            last = self.page.paginator.num_pages if hasattr(self, "page") else None
            last = (
                last or self.django_paginator_class(queryset, self.get_page_size(request)).num_pages
            )
            raise exceptions.ValidationError(
                {
                    "page": [
                        _("Page %(page)s does not exist; the last page is %(last)d.")
                        % {"page": raw, "last": last}
                    ]
                }
            ) from None


def capped_count(queryset, cap: int, budget_ms: int = 30) -> int:
    """How many rows, counting at most ``cap + 1`` (ids only, unordered: the page's joins and
    sort do not change the count). On PostgreSQL the count also has a time budget: a filter no
    index serves could make counting cost far more than the page; over budget the answer is
    ``cap + 1``, "more than the cap"."""
    ids = queryset.order_by().values("pk")[: cap + 1]
    if connection.vendor != "postgresql":
        return ids.count()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(budget_ms)}")
            count = ids.count()
            # Inside an outer transaction SET LOCAL would outlive this block.
            cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
            return count
    except OperationalError:  # the count ran over its budget and was cancelled
        return cap + 1


class CappedCountPaginator(DjangoPaginator):
    """Counts at most ``cap`` rows: on a queue of millions an exact ``COUNT(*)`` would cost more
    than the page itself, and nobody pages past the first few hundred rows anyway.

    On PostgreSQL the count also has a time budget (``budget_ms``): a filter no index serves
    (a name inside a large agency) could make counting cost far more than the page. Over
    budget, the count is reported as "more than the cap"; the pages themselves stay exact.
    """

    cap = 10_000
    budget_ms = 30

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap, self.budget_ms)


class CappedCountPagination(Pagination):
    """Page-number pagination whose ``count`` stops at 10,000 (``count_capped`` says so), so a
    page costs the same whatever the size of the queue."""

    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        count = self.page.paginator.count
        capped = count > CappedCountPaginator.cap
        response.data["count"] = min(count, CappedCountPaginator.cap)
        response.data["count_capped"] = capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": (
                "True when there are more than 10,000 rows, or counting them would take too "
                "long (`count` is then 10,000): narrow the filters."
            ),
        }
        return schema


class RejectUnknownParams:
    """DRF filter backend: a query parameter the view does not know is a 400, not silently ignored.

    Allowed: the view's filterset fields, its ``extra_query_params``, pagination and ``format``.
    """

    always_allowed = {"page", "page_size", "format", "lang"}

    def filter_queryset(self, request, queryset, view):
        allowed = set(self.always_allowed) | set(getattr(view, "extra_query_params", ()))
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [
                        _("Unknown parameter. Allowed parameters: %(allowed)s.")
                        % {"allowed": ", ".join(sorted(allowed))}
                    ]
                    for name in unknown
                }
            )
        return queryset

    def get_schema_operation_parameters(self, view):
        return []


class PrototypeFieldsModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that builds its fields from the model once per class.

    DRF introspects the model on every instantiation, the largest share of serializing one
    dossier (docs/performance.md). The fields depend only on the class, so the first instance
    keeps unbound prototypes and every instance gets fresh copies of them, as DRF itself does
    with declared fields.
    """

    _prototypes: dict[type, dict] = {}

    def get_fields(self):
        cls = type(self)
        prototypes = PrototypeFieldsModelSerializer._prototypes.get(cls)
        if prototypes is None:
            prototypes = PrototypeFieldsModelSerializer._prototypes[cls] = super().get_fields()
        return copy.deepcopy(prototypes)
