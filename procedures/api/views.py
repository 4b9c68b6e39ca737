"""Catalogue API: anonymous, read-only, paginated, answers cached per catalogue generation."""

from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from portal.api import RejectUnknownParams
from procedures import cache
from procedures.api.filters import ProcedureFilter
from procedures.api.serializers import (
    AgencySerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
    SectorSerializer,
)
from procedures.fees import active_discount_rules
from procedures.models import Agency, Procedure, Sector
from procedures.selectors import (
    catalogue_procedures,
    fee_summaries,
    online_discount_rules_for,
    procedure_for_detail,
    today,
)


def _admits_json(accept: str) -> bool:
    """Whether an ``Accept`` header (absent counts as anything) takes ``application/json``."""
    return not accept or any(
        kind in accept for kind in ("application/json", "*/*", "application/*")
    )


class CachedCatalogueMixin:
    """Serve a successful answer from the cache until the catalogue changes.

    The key holds the catalogue generation (bumped by every catalogue edit), the language and
    the full URL, so an edit is visible at once and no two queries share an answer.
    """

    @staticmethod
    def cache_key(request) -> str:
        return f"api:{cache.request_key(request, get_language())}"

    def dispatch(self, request, *args, **kwargs):
        # A hit is answered before DRF sets up the request (authentication, negotiation,
        # throttles, filters): the endpoints are public and a cached answer exists only for a
        # URL that was valid when it was built.
        if request.method == "GET" and _admits_json(request.headers.get("Accept", "")):
            _, body = cache.lookup(self.cache_key(request))
            if body is not None:
                return HttpResponse(body, content_type="application/json")
        return super().dispatch(request, *args, **kwargs)

    def cached(self, request, build):
        # The rendered JSON is cached, so a hit costs no serialisation at all.
        body = cache.remember(self.cache_key(request), lambda: JSONRenderer().render(build()))
        return HttpResponse(body, content_type="application/json")


class ProcedureViewSet(CachedCatalogueMixin, viewsets.ReadOnlyModelViewSet):
    """Published administrative procedures."""

    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    filter_backends = [RejectUnknownParams, DjangoFilterBackend]
    filterset_class = ProcedureFilter
    queryset = Procedure.objects.none()

    def get_serializer_class(self):
        return ProcedureDetailSerializer if self.action == "retrieve" else ProcedureListSerializer

    def get_queryset(self):
        return Procedure.objects.filter(published=True)

    def list(self, request, *args, **kwargs):
        params = {name: request.query_params.get(name, "") for name in ProcedureFilter.base_filters}

        def build():
            # Validated only on a miss: a cached answer exists only for a URL that was valid.
            self.filter_queryset(self.get_queryset())
            page = self.paginate_queryset(catalogue_procedures(**params))
            serializer = ProcedureListSerializer(
                page, many=True, context={"request": request, "fee_summaries": fee_summaries(page)}
            )
            return self.paginator.get_paginated_response(serializer.data).data

        return self.cached(request, build)

    def retrieve(self, request, *args, **kwargs):
        code = kwargs["code"]

        def build():
            self.filter_queryset(self.get_queryset())
            procedure = procedure_for_detail(code=code)
            if procedure is None:
                raise Http404
            rules = active_discount_rules(today())
            context = {
                "request": request,
                "fee_summaries": fee_summaries([procedure], rules=rules),
                "online_rules": online_discount_rules_for(procedure, rules),
            }
            return ProcedureDetailSerializer(procedure, context=context).data

        return self.cached(request, build)


@extend_schema(description="Sectors (lĩnh vực) of the catalogue.")
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = SectorSerializer
    queryset = Sector.objects.order_by("name")
    lookup_field = "code"
    filter_backends = [RejectUnknownParams]


@extend_schema(description="Agencies: the province, its departments, communes and one-stop centre.")
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = AgencySerializer
    queryset = Agency.objects.filter(active=True).select_related("parent").order_by("code")
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    filter_backends = [RejectUnknownParams]
