"""Citizen dossier API representations. They parse input and shape output; services decide."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dossiers import permissions
from dossiers.constants import Delivery, Status
from dossiers.models import Attachment, Dossier, DossierEvent, StoredDocument
from dossiers.results import verify_url
from dossiers.services import missing_items
from portal.api import PrototypeFieldsModelSerializer

# A form value is one scalar: the form has text, number, date, choice and checkbox fields.
_SCALARS = (str, int, float, bool, type(None))


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class StrictInputSerializer(serializers.Serializer):
    """Input serializer that refuses keys it does not know instead of silently ignoring them."""

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    key: [
                        _("Unknown field. Allowed fields: %(allowed)s.")
                        % {"allowed": ", ".join(sorted(self.fields))}
                    ]
                    for key in unknown
                }
            )
        return attrs


# --- Errors (for the schema) ------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable slug, e.g. `not_editable`.")
    detail = serializers.CharField(help_text="A sentence the person can act on.")
    fields = serializers.DictField(
        required=False,
        help_text=(
            "Messages by field: request fields, form keys and `papers` map to lists of "
            "messages; a nested input (e.g. `form_data`) maps to an object of its keys."
        ),
    )


# --- Input ------------------------------------------------------------------------------------


class FormDataField(serializers.DictField):
    """An object of form values keyed by the procedure's field keys; each value a scalar."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        errors = {
            key: [_("A form value must be text, a number, true/false or null.")]
            for key, value in data.items()
            if not isinstance(value, _SCALARS)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return data


class DossierCreateSerializer(StrictInputSerializer):
    procedure = serializers.CharField(max_length=20, help_text="National procedure code.")
    form_data = FormDataField(required=False, default=dict)
    delivery = serializers.ChoiceField(choices=Delivery.choices, default=Delivery.ONLINE)
    postal_address = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when delivery is postal.",
    )


class DossierUpdateSerializer(StrictInputSerializer):
    form_data = FormDataField(
        required=False, help_text="Keys given replace the stored ones; others are kept."
    )
    delivery = serializers.ChoiceField(choices=Delivery.choices, required=False)
    postal_address = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AttachmentCreateSerializer(StrictInputSerializer):
    """Either ``file`` (multipart) or ``reuse`` (a document of the citizen's store), not both."""

    document = serializers.IntegerField(min_value=1, help_text="Required-paper id.")
    file = serializers.FileField(
        required=False,
        allow_empty_file=True,  # the paper check answers an empty file with its own message
        help_text="The scanned paper (multipart only).",
    )
    reuse = serializers.UUIDField(
        required=False, help_text="Id of a document of the citizen's store to attach instead."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        has_file, has_reuse = "file" in attrs, "reuse" in attrs
        if has_file and has_reuse:
            message = _("Send either a file or a stored document to reuse, not both.")
            raise serializers.ValidationError({"file": [message], "reuse": [message]})
        if not has_file and not has_reuse:
            raise serializers.ValidationError(
                {
                    "file": [
                        _(
                            "Attach a file (multipart form field “file”) or give the id of a "
                            "document of your store in “reuse”."
                        )
                    ]
                }
            )
        return attrs


class AttachmentUploadSerializer(serializers.Serializer):
    """Schema only: the multipart form."""

    document = serializers.IntegerField(help_text="Required-paper id.")
    file = serializers.FileField(help_text="PDF, JPG or PNG as the paper accepts.")


class AttachmentReuseSerializer(serializers.Serializer):
    """Schema only: the JSON body to attach a stored document."""

    document = serializers.IntegerField(help_text="Required-paper id.")
    reuse = serializers.UUIDField(help_text="Id of a document of the citizen's store.")


class WithdrawSerializer(StrictInputSerializer):
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Required."
    )


class MessageInputSerializer(StrictInputSerializer):
    body = serializers.CharField(
        max_length=4000, help_text="The message, at most 4,000 characters."
    )


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField(source="created_at")
    from_applicant = serializers.SerializerMethodField(
        help_text="True when the applicant wrote it; false for the agency."
    )
    author_name = serializers.SerializerMethodField(help_text="The officer's name, or null.")
    body = serializers.CharField()

    def get_from_applicant(self, message) -> bool:
        return message.author_id == message.dossier.applicant_id

    def get_author_name(self, message) -> str | None:
        if message.author_id == message.dossier.applicant_id or message.author is None:
            return None
        return message.author.display_name


class LookupQuerySerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="Dossier code from the receipt.")
    id_number = serializers.CharField(max_length=20, help_text="The applicant's 12-digit CCCD.")


# --- Output -----------------------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EventSerializer(PrototypeFieldsModelSerializer):
    from_status = serializers.IntegerField(
        allow_null=True, help_text="Status code before (null when created); codes as `status`."
    )
    to_status = serializers.IntegerField(help_text="Status code after; codes as `status`.")
    items = serializers.SerializerMethodField(
        help_text="For a supplement request: every paper or piece of information asked for."
    )

    class Meta:
        model = DossierEvent
        fields = ["at", "actor_role", "action", "from_status", "to_status", "note", "items"]

    def get_items(self, event) -> list[str]:
        return list((event.data or {}).get("items", []))


class AttachmentSerializer(PrototypeFieldsModelSerializer):
    document = serializers.IntegerField(source="document_id", help_text="Required-paper id.")
    filename = serializers.CharField(source="stored.filename")
    size = serializers.IntegerField(source="stored.size", help_text="Bytes.")
    content_type = serializers.CharField(source="stored.content_type")
    current = serializers.SerializerMethodField(
        help_text="False once a newer version of the paper replaced it (supplement)."
    )
    url = serializers.SerializerMethodField(help_text="Where the owner downloads the file.")

    class Meta:
        model = Attachment
        fields = [
            "id",
            "document",
            "document_name",
            "filename",
            "size",
            "content_type",
            "reused",
            "round",
            "current",
            "created_at",
            "url",
        ]

    def get_current(self, attachment) -> bool:
        return attachment.superseded_at is None

    def get_url(self, attachment) -> str:
        url = reverse(
            "dossiers-api:dossier-attachment-file",
            kwargs={"pk": attachment.dossier_id, "attachment_id": attachment.pk},
        )
        return _absolute(self.context.get("request"), url)


class IssuedDocumentSerializer(serializers.Serializer):
    """Receipts and letters issued for the dossier (forms 01–04)."""

    kind = serializers.CharField(
        help_text=(
            "01 receipt, 02 supplement request, 03 refusal, 04 apology (forms), KQ the result."
        )
    )
    title = serializers.CharField()
    code = serializers.CharField(help_text="`<dossier code>-KQ<n>` for a result.")
    created_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="The PDF (owner and staff serving the dossier).")
    signed = serializers.BooleanField(help_text="Signed with the agency's certificate (PAdES).")
    signed_at = serializers.DateTimeField(allow_null=True)
    verify_url = serializers.URLField(help_text="The public verification page of the document.")


class HandoverSerializer(serializers.Serializer):
    """How the result was handed over (status 10)."""

    method = serializers.CharField(help_text="online, counter or postal.")
    handed_at = serializers.DateTimeField()
    recipient_name = serializers.CharField(help_text="counter: who received it.")
    postal_address = serializers.CharField(help_text="postal: where it was sent.")
    tracking_number = serializers.CharField(help_text="postal: the parcel's tracking number.")
    postal_state = serializers.CharField(help_text="postal: sent, delivered or failed.")


def issued_documents_data(request, dossier) -> list[dict]:
    """The documents issued for ``dossier`` (prefetched by the detail selectors)."""
    return [
        {
            "kind": document.kind,
            "title": document.get_kind_display(),
            "code": document.code,
            "created_at": document.created_at,
            "url": _absolute(
                request, reverse("dossiers:issued_document", args=[dossier.pk, document.pk])
            ),
            "signed": document.signed,
            "signed_at": document.signed_at,
            "verify_url": verify_url(document.code),
        }
        for document in dossier.documents.all()
    ]


def handover_data(dossier) -> dict | None:
    """The hand-over of a returned dossier; None before (only status 10 has one)."""
    handover = dossier.result_handover if dossier.status == Status.RETURNED else None
    if handover is None:
        return None
    return {
        "method": handover.method,
        "handed_at": handover.handed_at,
        "recipient_name": handover.recipient_name,
        "postal_address": handover.postal_address,
        "tracking_number": handover.tracking_number,
        "postal_state": handover.postal_state,
    }


class IssuedDocumentsFields(serializers.Serializer):
    """``documents`` and ``handover`` of a dossier's detail, for the citizen and the officers."""

    documents = serializers.SerializerMethodField()
    handover = serializers.SerializerMethodField()

    @extend_schema_field(IssuedDocumentSerializer(many=True))
    def get_documents(self, dossier) -> list[dict]:
        return issued_documents_data(self.context.get("request"), dossier)

    @extend_schema_field(HandoverSerializer(allow_null=True))
    def get_handover(self, dossier) -> dict | None:
        return handover_data(dossier)


class FeeLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_amount = serializers.IntegerField()
    gross = serializers.IntegerField()
    discount = serializers.IntegerField()
    net = serializers.IntegerField()
    rule = serializers.DictField(allow_null=True)


class FeeRuleSerializer(serializers.Serializer):
    name = serializers.CharField()
    legal_basis = serializers.CharField()
    percent = serializers.IntegerField(allow_null=True)


class FeeSerializer(serializers.Serializer):
    """The fee quote frozen at submission; amounts in VND."""

    procedure = serializers.CharField()
    channel = serializers.IntegerField()
    on_date = serializers.DateField()
    items = FeeLineSerializer(many=True)
    gross = serializers.IntegerField()
    discount = serializers.IntegerField()
    net = serializers.IntegerField()
    rule = FeeRuleSerializer(allow_null=True)


def dossier_actions(user, dossier: Dossier) -> list[str]:
    """What the user may do with the dossier now, by the permission functions."""
    checks = [
        ("edit", permissions.can_edit_dossier),
        ("submit", permissions.can_submit_dossier),
        ("delete", permissions.can_delete_dossier),
        ("withdraw", permissions.can_withdraw_dossier),
        ("supplement", permissions.can_answer_supplement),
    ]
    return [name for name, allowed in checks if allowed(user, dossier)]


_ACTIONS_FIELD = serializers.ListField(
    child=serializers.ChoiceField(choices=["edit", "submit", "delete", "withdraw", "supplement"])
)


class DossierListSerializer(PrototypeFieldsModelSerializer):
    procedure = RefSerializer(read_only=True)
    agency = RefSerializer(read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "procedure",
            "agency",
            "status",
            "status_display",
            "channel",
            "delivery",
            "created_at",
            "updated_at",
            "submitted_at",
            "received_at",
            "due_at",
            "fee_net",
            "actions",
        ]

    @extend_schema_field(_ACTIONS_FIELD)
    def get_actions(self, dossier) -> list[str]:
        return dossier_actions(self.context["request"].user, dossier)


class DossierDetailSerializer(IssuedDocumentsFields, DossierListSerializer):
    """One dossier for its applicant: form, fee, history, papers, documents issued, hand-over."""

    fee = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    payment_status = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    class Meta(DossierListSerializer.Meta):
        fields = [
            *DossierListSerializer.Meta.fields,
            "postal_address",
            "form_data",
            "fee",
            "events",
            "attachments",
            "documents",
            "handover",
            "fee_state",
            "fee_paid_at",
            "fee_paid_channel",
            "payment_status",
            "missing",
        ]

    @extend_schema_field(FeeSerializer(allow_null=True))
    def get_fee(self, dossier) -> dict | None:
        return dossier.fee

    @extend_schema_field(
        {
            "type": "string",
            "nullable": True,
            "enum": ["not_required", "due", "paid", "exempt", "refunding", "refunded", None],
            "description": (
                "`not_required` when the net fee is 0; otherwise the fee state (`due`: pay "
                "through `POST /api/v1/dossiers/{id}/payments/`); null while no fee is known "
                "(draft)."
            ),
        }
    )
    def get_payment_status(self, dossier) -> str | None:
        if dossier.fee_net is None:
            return None
        if dossier.fee_net == 0:
            return "not_required"
        return dossier.fee_state

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": (
                "What still blocks submission while the dossier is editable (form keys and "
                "`papers`); null otherwise."
            ),
        }
    )
    def get_missing(self, dossier) -> dict | None:
        if not dossier.editable:
            return None
        return missing_items(dossier)


class DossierEditResultSerializer(DossierDetailSerializer):
    """The dossier after create or edit, with what is not valid yet."""

    form_errors = serializers.SerializerMethodField()

    class Meta(DossierDetailSerializer.Meta):
        fields = [*DossierDetailSerializer.Meta.fields, "form_errors"]

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Form values not valid yet, by field key (kept in the draft).",
        }
    )
    def get_form_errors(self, dossier) -> dict:
        return self.context.get("form_errors", {})


class StoredDocumentSerializer(PrototypeFieldsModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where the owner downloads the file.")

    class Meta:
        model = StoredDocument
        fields = ["id", "kind", "title", "filename", "extension", "size", "created_at", "url"]

    def get_url(self, stored) -> str:
        url = reverse("dossiers-api:document-file", kwargs={"pk": stored.pk})
        return _absolute(self.context.get("request"), url)


class LookupSerializer(PrototypeFieldsModelSerializer):
    """Public answer: where the dossier stands, nothing about the person."""

    procedure = RefSerializer(read_only=True)
    agency = RefSerializer(read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure",
            "status",
            "status_display",
            "submitted_at",
            "due_at",
            "agency",
        ]
