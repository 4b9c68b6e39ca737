"""Citizen dossier API: views parse, call a service, serialize. Owner only; others get 404."""

from __future__ import annotations

import logging
import uuid

import django_filters
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from dossiers import permissions, selectors, services
from dossiers.api import serializers as s
from dossiers.constants import Status, StoredKind
from dossiers.files import safe_filename
from dossiers.models import Attachment, Dossier, StoredDocument
from portal.api import RejectUnknownParams
from portal.errors import DomainError
from portal.http import client_ip, private_file_response
from procedures.models import Procedure

logger = logging.getLogger(__name__)

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input; see `fields`."),
    404: OpenApiResponse(s.ErrorSerializer, description="No such dossier of yours."),
    409: OpenApiResponse(s.ErrorSerializer, description="Not allowed in the current status."),
}
ATTACHMENT_ID = OpenApiParameter(
    "attachment_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Attachment id."
)
DOWNLOAD = (
    "Streams the file as a download (`Content-Disposition: attachment`) under its sanitised "
    "name, whatever `Accept` says. Owner only: anything else is 404."
)
FILE_RESPONSE = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The file, as an attachment (PDF, JPEG or PNG by its content).",
    ),
    404: ERRORS[404],
}


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


class JSONErrorsNegotiation(BaseContentNegotiation):
    """For file downloads: ignore ``Accept`` (the file answers as itself) and give errors as
    JSON, so ``Accept: application/pdf`` is never a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def file_response(stored: StoredDocument) -> FileResponse:
    """Stream a stored file as a download under its sanitised name; never rendered inline."""
    return private_file_response(
        stored.file,
        filename=safe_filename(stored.filename, stored.extension),
        content_type=stored.content_type,
    )


class DossierFilter(django_filters.FilterSet):
    status = django_filters.TypedChoiceFilter(
        choices=Status.choices, coerce=int, help_text="Only dossiers in this status (0–10)."
    )

    class Meta:
        model = Dossier
        fields = ["status"]


class StoredDocumentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=StoredKind.choices)

    class Meta:
        model = StoredDocument
        fields = ["kind"]


@extend_schema_view(
    list=extend_schema(
        summary="My dossiers",
        description="The signed-in citizen's own dossiers, most recently changed first.",
    ),
    retrieve=extend_schema(
        summary="One of my dossiers",
        description=(
            "The dossier with its history, papers and what the citizen may do now "
            "(`actions`). `payment_status` is `not_required` when the net fee is 0, "
            "otherwise null until payments are connected."
        ),
        responses={200: s.DossierDetailSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        summary="Start a draft",
        description=(
            "Creates a draft (status 0, no code yet). Everything typed is kept; "
            "`form_errors` lists what is not valid yet."
        ),
        request=s.DossierCreateSerializer,
        responses={201: s.DossierEditResultSerializer, 400: ERRORS[400]},
    ),
    partial_update=extend_schema(
        summary="Edit a draft or a dossier awaiting a supplement",
        description=(
            "`form_data` keys given replace the stored ones; values are kept even when not "
            "valid yet and listed in `form_errors`. Allowed in status 0 and 5; otherwise 409 "
            "naming the current status."
        ),
        request=s.DossierUpdateSerializer,
        responses={200: s.DossierEditResultSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a draft",
        description="Its uploaded papers stay in the citizen's document store.",
        responses={204: None, 404: ERRORS[404], 409: ERRORS[409]},
    ),
)
class DossierViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The citizen's own dossiers (hồ sơ)."""

    # No PUT: PATCH changes what is given and keeps the rest.

    queryset = Dossier.objects.none()  # for the schema; every read goes through selectors
    serializer_class = s.DossierDetailSerializer
    filter_backends = [RejectUnknownParams, DjangoFilterBackend]
    filterset_class = DossierFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        return selectors.citizen_dossiers(self.request.user)

    def get_serializer_class(self):
        return s.DossierListSerializer if self.action == "list" else s.DossierDetailSerializer

    def get_object(self) -> Dossier:
        """The dossier with its history and papers, for reading; 404 unless it is the caller's."""
        return self._checked(selectors.citizen_dossier(self.request.user, self.kwargs["pk"]))

    def get_dossier_for_action(self) -> Dossier:
        """A bare reference to the caller's dossier with this id: the service's locked read is
        scoped to the caller and answers 404 for anything else (one query for both)."""
        return Dossier(pk=_uuid_or_404(self.kwargs["pk"]), applicant_id=self.request.user.pk)

    def get_dossier_row(self) -> Dossier:
        """The dossier row alone (one query), for reads that need its status."""
        pk = self.kwargs["pk"]
        return self._checked(selectors.citizen_dossier_for_action(self.request.user, pk))

    def _checked(self, dossier: Dossier | None) -> Dossier:
        if dossier is None or not permissions.can_view_dossier(self.request.user, dossier):
            raise Http404
        return dossier

    def _detail(self, dossier: Dossier, *, status_code=status.HTTP_200_OK, form_errors=None):
        """The answer about ``dossier`` as a service just saved it, or as ``get_object`` read
        it (then its history is loaded already)."""
        if not hasattr(dossier, "_prefetched_objects_cache"):
            dossier = selectors.with_history(dossier)
        context = self.get_serializer_context()
        if form_errors is None:
            data = s.DossierDetailSerializer(dossier, context=context).data
        else:
            context["form_errors"] = form_errors
            data = s.DossierEditResultSerializer(dossier, context=context).data
        return Response(data, status=status_code)

    def _parse(self, serializer_class, data=None):
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    # --- CRUD -------------------------------------------------------------------------------

    def retrieve(self, request, *args, **kwargs):
        self.filter_queryset(Dossier.objects.none())  # unknown query parameters are a 400
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = self._parse(s.DossierCreateSerializer)
        # Unpublished procedures are not in the catalogue: to a citizen they do not exist.
        procedure = (
            Procedure.objects.select_related("agency")
            .filter(code=data["procedure"], published=True)
            .first()
        )
        if procedure is None:
            raise DomainError(
                _("No published procedure has this code. Pick the procedure from the catalogue."),
                code="invalid",
                fields={"procedure": [_("Unknown procedure code.")]},
            )
        try:
            dossier, form_errors = services.dossier_create_draft(
                applicant=request.user,
                procedure=procedure,
                form_data=data["form_data"],
                delivery=data["delivery"],
                postal_address=data["postal_address"],
                ip=client_ip(request),
            )
        except DomainError as error:
            if error.code in {"not_online", "not_published"} and not error.fields:
                error.fields = {"procedure": [error.message]}
            raise
        selectors.with_history(dossier, new=True)
        return self._detail(dossier, status_code=status.HTTP_201_CREATED, form_errors=form_errors)

    def partial_update(self, request, *args, **kwargs):
        dossier = self.get_dossier_for_action()
        data = self._parse(s.DossierUpdateSerializer)
        dossier, form_errors = services.dossier_update(dossier=dossier, actor=request.user, **data)
        return self._detail(dossier, form_errors=form_errors)

    def destroy(self, request, *args, **kwargs):
        services.dossier_delete_draft(dossier=self.get_dossier_for_action(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- Transitions ------------------------------------------------------------------------

    @extend_schema(
        summary="Submit a draft",
        description=(
            "Checks completeness, assigns the dossier code, freezes the fee quote (`fee`) and "
            "moves to status 1. Refused with 400 and `fields` listing missing papers "
            "(`papers`) and invalid form values; a second submit is 409."
        ),
        request=None,
        responses={200: s.DossierDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        dossier = services.dossier_submit(
            dossier=self.get_dossier_for_action(), actor=request.user, ip=client_ip(request)
        )
        return self._detail(dossier)

    @extend_schema(
        summary="Send the requested supplement",
        description="After attaching the papers asked for, the dossier goes back to processing.",
        request=None,
        responses={200: s.DossierDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def supplement(self, request, pk=None):
        dossier = services.dossier_answer_supplement(
            dossier=self.get_dossier_for_action(), actor=request.user, ip=client_ip(request)
        )
        return self._detail(dossier)

    @extend_schema(
        methods=["GET"],
        summary="Messages with the agency",
        description="The thread between you and the agency on this dossier, oldest first.",
        request=None,
        responses={200: s.MessageSerializer(many=True), 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="Write to the agency",
        description="Not on a draft (404 as for a dossier that is not yours).",
        request=s.MessageInputSerializer,
        responses={201: s.MessageSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, pk=None):
        dossier = self.get_dossier_row()
        if request.method == "POST":
            data = self._parse(s.MessageInputSerializer)
            message = services.dossier_message_post(
                dossier=dossier, author=request.user, body=data["body"]
            )
            return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)
        if not permissions.can_write_message(request.user, dossier):
            raise Http404
        thread = dossier.messages.filter(internal=False).select_related("author", "dossier")
        return Response(s.MessageSerializer(thread.order_by("created_at", "id"), many=True).data)

    @extend_schema(
        summary="Ask to withdraw the dossier",
        description=(
            "From status 1, 2, 4, 5 or 6 to 7 (withdrawal requested); `reason` is required."
        ),
        request=s.WithdrawSerializer,
        responses={200: s.DossierDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        dossier = self.get_dossier_for_action()
        data = self._parse(s.WithdrawSerializer)
        dossier = services.dossier_withdraw(
            dossier=dossier, actor=request.user, reason=data["reason"], ip=client_ip(request)
        )
        return self._detail(dossier)

    # --- Papers -----------------------------------------------------------------------------

    @extend_schema(
        summary="Attach a paper",
        description=(
            "Multipart `document` + `file` to upload (the file also goes into the citizen's "
            "store), or JSON `{document, reuse}` to attach a document of the citizen's store. "
            "Files are checked by content (PDF/JPG/PNG as the paper accepts: code `file_type`), "
            "size (`file_too_large`) and emptiness (`empty_file`)."
        ),
        request={
            "multipart/form-data": s.AttachmentUploadSerializer,
            "application/json": s.AttachmentReuseSerializer,
        },
        responses={201: s.AttachmentSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="attachments",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def attachments(self, request, pk=None):
        dossier = self.get_dossier_for_action()
        data = self._parse(s.AttachmentCreateSerializer)
        if "file" in data:
            attachment = services.dossier_attach_upload(
                dossier=dossier,
                actor=request.user,
                document_id=data["document"],
                upload=data["file"],
            )
        else:
            stored = selectors.citizen_store(request.user).filter(pk=data["reuse"]).first()
            if stored is None:
                raise DomainError(
                    _("That document is not in your store."),
                    code="not_found",
                    status=404,
                    fields={"reuse": [_("No such document in your store.")]},
                )
            attachment = services.dossier_attach_stored(
                dossier=dossier, actor=request.user, document_id=data["document"], stored=stored
            )
        return Response(
            s.AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _attachment(self, dossier: Dossier) -> Attachment:
        attachment_id = _uuid_or_404(self.kwargs["attachment_id"])
        for attachment in dossier.attachments.all():  # prefetched by the selector
            if attachment.pk == attachment_id:
                return attachment
        raise Http404

    @extend_schema(
        summary="Remove a paper from a draft",
        description="The file stays in the citizen's store. Papers of a submitted dossier: 409.",
        parameters=[ATTACHMENT_ID],
        request=None,
        responses={204: None, 404: ERRORS[404], 409: ERRORS[409]},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"attachments/(?P<attachment_id>[^/.]+)",
        url_name="attachment-detail",
    )
    def attachment_detail(self, request, pk=None, attachment_id=None):
        dossier = self.get_object()
        services.dossier_detach(
            dossier=dossier, actor=request.user, attachment=self._attachment(dossier)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download a paper of the dossier",
        description=DOWNLOAD,
        parameters=[ATTACHMENT_ID],
        responses=FILE_RESPONSE,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[^/.]+)/file",
        url_name="attachment-file",
        content_negotiation_class=JSONErrorsNegotiation,
    )
    def attachment_file(self, request, pk=None, attachment_id=None):
        return file_response(self._attachment(self.get_object()).stored)


@extend_schema_view(
    list=extend_schema(
        summary="My document store",
        description="Papers the citizen uploaded and results issued to them, newest first.",
    ),
    destroy=extend_schema(
        summary="Remove a document from my store",
        description="Dossiers that use it keep their copy.",
        responses={204: None, 404: ERRORS[404]},
    ),
)
class StoredDocumentViewSet(
    mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The citizen's document store (Kho dữ liệu)."""

    queryset = StoredDocument.objects.none()  # for the schema; reads go through selectors
    serializer_class = s.StoredDocumentSerializer
    filter_backends = [RejectUnknownParams, DjangoFilterBackend]
    filterset_class = StoredDocumentFilter

    def get_queryset(self):
        return selectors.citizen_store(self.request.user)

    def get_object(self) -> StoredDocument:
        stored = self.get_queryset().filter(pk=_uuid_or_404(self.kwargs["pk"])).first()
        if stored is None or not permissions.can_view_stored_document(self.request.user, stored):
            raise Http404
        return stored

    def destroy(self, request, *args, **kwargs):
        services.stored_document_delete(stored=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download a document of my store", description=DOWNLOAD, responses=FILE_RESPONSE
    )
    @action(detail=True, methods=["get"], content_negotiation_class=JSONErrorsNegotiation)
    def file(self, request, pk=None):
        return file_response(self.get_object())


class LookupThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` that reads the rates when asked, so a settings change applies."""

    @property
    def THROTTLE_RATES(self):  # noqa: N802 - the name DRF reads
        return api_settings.DEFAULT_THROTTLE_RATES

    def get_ident(self, request):
        # Without NUM_PROXIES, DRF trusts a client-sent X-Forwarded-For, so anyone could reset
        # their allowance with a made-up header. Count by the connection's address instead.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)


class LookupView(APIView):
    """Public lookup of a dossier's progress by its code and the applicant's CCCD."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]
    throttle_scope = "lookup"
    filter_backends = [RejectUnknownParams]
    extra_query_params = ("code", "id_number")

    @extend_schema(
        summary="Look up a dossier by code and CCCD",
        description=(
            "Anonymous and rate limited (429 when exceeded). Answers the status, procedure, "
            "agency and dates, never personal data. A wrong code and a wrong CCCD give the "
            "same 404."
        ),
        parameters=[s.LookupQuerySerializer],
        responses={
            200: s.LookupSerializer,
            400: ERRORS[400],
            404: OpenApiResponse(s.ErrorSerializer, description="No dossier matches."),
            429: OpenApiResponse(s.ErrorSerializer, description="Too many lookups; wait."),
        },
        auth=[],
    )
    def get(self, request):
        RejectUnknownParams().filter_queryset(request, Dossier.objects.none(), self)
        query = s.LookupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dossier = selectors.lookup_dossier(
            code=query.validated_data["code"], id_number=query.validated_data["id_number"]
        )
        if dossier is None:
            raise DomainError(
                _(
                    "No dossier matches this code and CCCD number. Check both against your "
                    "receipt and try again."
                ),
                code="not_found",
                status=404,
            )
        return Response(s.LookupSerializer(dossier).data)
