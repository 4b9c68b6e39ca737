"""Officer workspace API (../shared/API.md "Officer workspace"): queues and transitions.

Every endpoint answers staff with two-factor log-in only (``IsStaffWithSecondFactor``); a dossier
of an agency the officer does not serve is a 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.staff import IsStaffWithSecondFactor
from dossiers import selectors, services, workflow
from dossiers.api import serializers as s
from dossiers.api.views import file_response
from dossiers.constants import Delivery, PostalState, Status
from dossiers.models import Dossier, DossierEvent
from portal.api import CappedCountPagination, PrototypeFieldsModelSerializer, RejectUnknownParams
from portal.http import client_ip
from procedures.constants import Channel

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input; see `fields`."),
    403: OpenApiResponse(
        s.ErrorSerializer,
        description="Not staff, no two-factor log-in (`mfa_required`), or not your duty.",
    ),
    404: OpenApiResponse(s.ErrorSerializer, description="No such dossier in your agencies."),
    409: OpenApiResponse(
        s.ErrorSerializer, description="Not possible in the current status (`fields.status`)."
    ),
}


def due_state(dossier: Dossier, now: dt.datetime, soon: dt.datetime) -> str | None:
    """``overdue`` / ``due_soon`` / ``on_time`` while the clock runs; None otherwise."""
    if dossier.due_at is None or dossier.status not in selectors.RUNNING:
        return None
    if dossier.due_at < now:
        return "overdue"
    if dossier.due_at < soon:
        return "due_soon"
    return "on_time"


# --- serializers ----------------------------------------------------------------------------


class OfficerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class OfficerDossierListSerializer(PrototypeFieldsModelSerializer):
    procedure = s.RefSerializer(read_only=True)
    agency = s.RefSerializer(read_only=True)
    applicant_name = serializers.CharField(source="applicant.display_name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    assigned_to = OfficerRefSerializer(read_only=True, allow_null=True)
    due_state = serializers.SerializerMethodField(
        help_text="`overdue`, `due_soon` (within one working day) or `on_time` while the "
        "clock runs; null otherwise."
    )
    actions = serializers.SerializerMethodField(
        help_text="Steps you may take now (names as in the action URLs, with `_` for `-`)."
    )

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "procedure",
            "agency",
            "applicant_name",
            "status",
            "status_display",
            "channel",
            "submitted_at",
            "received_at",
            "due_at",
            "due_state",
            "supplement_requests",
            "assigned_to",
            "actions",
        ]

    def get_due_state(self, dossier) -> str | None:
        return due_state(dossier, self.context["now"], self.context["soon"])

    def get_actions(self, dossier) -> list[str]:
        return workflow.allowed_now(self.context["request"].user, dossier)


class OfficerEventSerializer(PrototypeFieldsModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default="", read_only=True)

    class Meta:
        model = DossierEvent
        fields = ["at", "actor", "actor_role", "action", "from_status", "to_status", "note", "data"]


class OfficerAttachmentSerializer(s.AttachmentSerializer):
    def get_url(self, attachment) -> str:
        url = reverse(
            "dossiers-api:officer-attachment-file",
            kwargs={"pk": attachment.dossier_id, "attachment_id": attachment.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class OfficerDossierDetailSerializer(s.IssuedDocumentsFields, OfficerDossierListSerializer):
    """One dossier for the officers serving it: the applicant, history, papers, documents."""

    applicant = serializers.SerializerMethodField()
    events = OfficerEventSerializer(many=True, read_only=True)
    attachments = OfficerAttachmentSerializer(many=True, read_only=True)

    class Meta(OfficerDossierListSerializer.Meta):
        fields = [
            *OfficerDossierListSerializer.Meta.fields,
            "applicant",
            "form_data",
            "delivery",
            "postal_address",
            "fee",
            "fee_net",
            "fee_state",
            "fee_paid_at",
            "fee_paid_channel",
            "paused_since",
            "apologized_at",
            "original_due_at",
            "finished_at",
            "events",
            "attachments",
            "documents",
            "handover",
        ]

    def get_applicant(self, dossier) -> dict:
        person = dossier.applicant
        return {
            "full_name": person.full_name,
            "id_number": person.id_number,
            "phone": person.phone,
            "email": person.contact_email,
        }


def _detail(request, dossier: Dossier, *, status_code=status.HTTP_200_OK) -> Response:
    dossier = selectors.staff_dossier(request.user, dossier.pk)
    if dossier is None:  # e.g. transferred away: no longer ours to show
        return Response(status=status.HTTP_204_NO_CONTENT)
    now = timezone.now()
    context = {"request": request, "now": now, "soon": selectors.due_soon_limit(now)}
    return Response(OfficerDossierDetailSerializer(dossier, context=context).data, status_code)


# --- the queue --------------------------------------------------------------------------------


class QueueQuerySerializer(serializers.Serializer):
    queue = serializers.ChoiceField(choices=list(selectors.QUEUES), required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    procedure = serializers.CharField(required=False, max_length=30)
    sector = serializers.CharField(required=False, max_length=30)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    overdue = serializers.BooleanField(required=False)
    due_before = serializers.DateTimeField(required=False)
    assigned_to = serializers.ChoiceField(choices=["me"], required=False)
    search = serializers.CharField(required=False, max_length=100)
    ordering = serializers.ChoiceField(choices=list(selectors.ORDERINGS), required=False)


class OfficerQueueView(ListAPIView):
    """The dossiers of your agencies, by queue, filtered, sorted by due date by default."""

    permission_classes = [IsStaffWithSecondFactor]
    serializer_class = OfficerDossierListSerializer
    filter_backends = [RejectUnknownParams]
    # A queue may hold millions of rows: count at most 10,000 of them (``count_capped``).
    pagination_class = CappedCountPagination
    extra_query_params = ("page", "page_size", *QueueQuerySerializer().fields)

    def get_queryset(self):
        query = QueueQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        queue = data.get("queue", "")
        if data.get("overdue"):
            queue = "overdue"
        return selectors.officer_queue(
            self.request.user,
            queue=queue,
            status=data.get("status"),
            procedure=data.get("procedure", ""),
            sector=data.get("sector", ""),
            channel=data.get("channel"),
            due_before=data.get("due_before"),
            assigned_to_me=data.get("assigned_to") == "me",
            search=data.get("search", ""),
            ordering=data.get("ordering", "due_at"),
        )

    def get_serializer_context(self):
        now = timezone.now()
        return {
            **super().get_serializer_context(),
            "now": now,
            "soon": selectors.due_soon_limit(now),
        }

    @extend_schema(
        summary="Officer queue",
        parameters=[QueueQuerySerializer],
        responses={200: OfficerDossierListSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OfficerDossierView(APIView):
    permission_classes = [IsStaffWithSecondFactor]

    @extend_schema(
        summary="A dossier, as officers see it",
        responses={200: OfficerDossierDetailSerializer, **ERRORS},
    )
    def get(self, request, pk):
        dossier = selectors.staff_dossier(request.user, pk)
        if dossier is None:
            raise Http404
        return _detail(request, dossier)


class OfficerAttachmentFileView(APIView):
    permission_classes = [IsStaffWithSecondFactor]

    @extend_schema(
        summary="A paper of a dossier, for officers",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The file."),
            404: ERRORS[404],
        },
    )
    def get(self, request, pk, attachment_id):
        dossier = selectors.staff_dossier(request.user, pk)
        if dossier is None:
            raise Http404
        for attachment in dossier.attachments.all():
            if str(attachment.pk) == str(attachment_id):
                return file_response(attachment.stored)
        raise Http404


GENERATED = "generated"

# --- transitions ------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    expected_status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="The status you saw; if it changed meanwhile the step is refused with 409.",
    )


class SupplementRequestSerializer(StepSerializer):
    items = serializers.ListField(
        child=serializers.CharField(max_length=500), allow_empty=False, max_length=50
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ReasonSerializer(StepSerializer):
    reason = serializers.CharField(max_length=4000)


class NoteSerializer(StepSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class AssignSerializer(StepSerializer):
    officer = serializers.IntegerField(help_text="Id of a specialist or leader of the agency.")


class TransferSerializer(StepSerializer):
    agency = serializers.CharField(max_length=20, help_text="Unit code of the receiving agency.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ApologySerializer(StepSerializer):
    reason = serializers.CharField(max_length=4000)
    new_due_at = serializers.DateTimeField()


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "binary"},
            {"type": "string", "enum": [GENERATED]},
        ]
    }
)
class ResultField(serializers.Field):
    """The result: a PDF file (multipart), or ``"generated"`` to make it from the
    procedure's result template."""

    default_error_messages = {
        "invalid": _(
            'Send the result as a PDF file, or "generated" to make it from the procedure\'s '
            "result template."
        )
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            if data.strip() == GENERATED:
                return GENERATED
            self.fail("invalid")
        if hasattr(data, "read") and hasattr(data, "size"):
            return data
        self.fail("invalid")

    def to_representation(self, value):  # never sent back
        return None


class ApproveSerializer(StepSerializer):
    result = ResultField(
        help_text="The result PDF (multipart), or `generated` (its template, JSON or form)."
    )


class ReturnSerializer(StepSerializer):
    method = serializers.ChoiceField(choices=Delivery.choices)
    recipient_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="`counter`: who received the result (required).",
    )
    recipient_id_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    postal_address = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="`postal`: where it is sent (default: the address the citizen gave).",
    )
    tracking_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="`postal`: the parcel's tracking number (required).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class PostalUpdateSerializer(StepSerializer):
    state = serializers.ChoiceField(choices=[PostalState.DELIVERED, PostalState.FAILED])
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


def _approve_arguments(data) -> dict:
    if data["result"] == GENERATED:
        return {"generate": True}
    return {"result_file": data["result"]}


RETURN_FIELDS = (
    "method",
    "recipient_name",
    "recipient_id_number",
    "postal_address",
    "tracking_number",
    "note",
)


# Each step of the API (``workflow.SERVICES`` with "-" for "_"): its input, and how the input
# reaches the service.
STEPS = {
    "receive": (StepSerializer, lambda d: {}),
    "request-supplement": (
        SupplementRequestSerializer,
        lambda d: {"items": d["items"], "note": d.get("note", "")},
    ),
    "refuse": (ReasonSerializer, lambda d: {"reason": d["reason"]}),
    "start": (StepSerializer, lambda d: {}),
    "assign": (AssignSerializer, lambda d: {"officer_id": d["officer"]}),
    "transfer": (
        TransferSerializer,
        lambda d: {"agency_code": d["agency"], "note": d.get("note", "")},
    ),
    "request-payment": (StepSerializer, lambda d: {}),
    "apologize": (
        ApologySerializer,
        lambda d: {"reason": d["reason"], "new_due_at": d["new_due_at"]},
    ),
    "approve": (ApproveSerializer, _approve_arguments),
    "return": (
        ReturnSerializer,
        lambda d: {key: d.get(key, "") for key in RETURN_FIELDS},
    ),
    "postal-update": (
        PostalUpdateSerializer,
        lambda d: {"state": d["state"], "note": d.get("note", "")},
    ),
    "stop": (NoteSerializer, lambda d: {"note": d.get("note", "")}),
}
ACTION_PATTERN = "|".join(STEPS)


class OfficerStepView(APIView):
    """`POST /api/v1/dossiers/{id}/<action>/` for the officers' steps (the citizen's own steps
    are on the citizen viewset)."""

    permission_classes = [IsStaffWithSecondFactor]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="Take a workflow step",
        operation_id="v1_dossiers_step",
        description=(
            "`receive` (1→2, sets `due_at`), `request-supplement` `{items, note}` (1|2|4→5), "
            "`refuse` `{reason}` (1→3), `start` (2|6→4), `assign` `{officer}`, `transfer` "
            "`{agency}`, `request-payment` (2|4→6), `apologize` `{reason, new_due_at}` (once), "
            "`approve` `{result}`: a multipart PDF or `generated` (4→9, signed), `return` "
            "`{method, recipient_name, postal_address, tracking_number, note}` (9→10), "
            "`postal-update` `{state}` (10), `stop` (7→8). Optional `expected_status` refuses "
            "a step taken on a stale page."
        ),
        request=StepSerializer,
        responses={200: OfficerDossierDetailSerializer, 204: None, **ERRORS},
    )
    def post(self, request, pk, action):
        dossier = selectors.staff_dossier(request.user, pk)
        if dossier is None:
            raise Http404
        serializer_class, arguments = STEPS[action]
        service = workflow.SERVICES[action.replace("-", "_")]
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = service(
            dossier=dossier,
            actor=request.user,
            ip=client_ip(request),
            expected_status=data.get("expected_status"),
            **arguments(data),
        )
        return _detail(request, saved)


# --- messages and internal notes -------------------------------------------------------------


class OfficerMessageSerializer(s.MessageSerializer):
    internal = serializers.BooleanField(help_text="An internal note the applicant never sees.")


class OfficerMessageInputSerializer(s.MessageInputSerializer):
    internal = serializers.BooleanField(
        required=False, default=False, help_text="True for an internal note."
    )


class OfficerMessagesView(APIView):
    """The thread with the applicant and the internal notes of a dossier."""

    permission_classes = [IsStaffWithSecondFactor]

    def _dossier(self, request, pk) -> Dossier:
        dossier = selectors.staff_dossier(request.user, pk)
        if dossier is None:
            raise Http404
        return dossier

    @extend_schema(
        summary="Messages and internal notes of a dossier",
        responses={200: OfficerMessageSerializer(many=True), **ERRORS},
    )
    def get(self, request, pk):
        dossier = self._dossier(request, pk)
        thread = dossier.messages.select_related("author", "dossier").order_by("created_at", "id")
        return Response(OfficerMessageSerializer(thread, many=True).data)

    @extend_schema(
        summary="Write to the applicant, or an internal note",
        request=OfficerMessageInputSerializer,
        responses={201: OfficerMessageSerializer, **ERRORS},
    )
    def post(self, request, pk):
        dossier = self._dossier(request, pk)
        body = OfficerMessageInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.dossier_message_post(
            dossier=dossier,
            author=request.user,
            body=body.validated_data["body"],
            internal=body.validated_data["internal"],
        )
        return Response(OfficerMessageSerializer(message).data, status=status.HTTP_201_CREATED)
