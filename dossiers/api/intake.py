"""Counter and postal intake: an officer files a dossier for a citizen (API.md
``POST /api/v1/officer/dossiers/``), on the same URL as the officer's queue."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from accounts.services import citizen_for_counter
from dossiers import services
from dossiers.api import officer
from dossiers.api.serializers import FormDataField
from dossiers.constants import Delivery
from portal.errors import DomainError
from portal.http import client_ip
from procedures.constants import Channel
from procedures.models import Procedure

# The channels of counter intake: in person (1) or by post (3).
COUNTER_CHANNELS = [(Channel.COUNTER, "counter"), (Channel.POSTAL, "postal")]


class ApplicantSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    id_number = serializers.CharField(max_length=20, help_text="12-digit CCCD.")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class CounterIntakeSerializer(serializers.Serializer):
    procedure = serializers.CharField(max_length=30, help_text="Procedure code.")
    form_data = FormDataField(required=False, default=dict)
    channel = serializers.ChoiceField(
        choices=COUNTER_CHANNELS,
        default=Channel.COUNTER,
        help_text="1 at the counter, 3 by post.",
    )
    delivery = serializers.ChoiceField(choices=Delivery.choices, default=Delivery.COUNTER)
    postal_address = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    applicant = ApplicantSerializer()
    request_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A random id of this filing: sending it again (a retry, a double click) "
        "answers the dossier already filed instead of filing a second one.",
    )


class OfficerDossiersView(officer.OfficerQueueView):
    """The queue (GET) and counter intake (POST)."""

    @extend_schema(
        summary="File a dossier for a citizen at the counter or by post",
        description=(
            "The citizen is found by CCCD or their account is created (they set a password "
            "later with the email or phone given). The dossier is checked in full, gets its "
            "code and the counter price, and starts in status 1; receive it next."
        ),
        request=CounterIntakeSerializer,
        responses={201: officer.OfficerDossierDetailSerializer, **officer.ERRORS},
    )
    def post(self, request, *args, **kwargs):
        body = CounterIntakeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        procedure = (
            Procedure.objects.select_related("agency")
            .filter(code=data["procedure"], published=True)
            .first()
        )
        if procedure is None:
            message = _("No published procedure has this code.")
            raise DomainError(message, code="invalid", fields={"procedure": [message]})
        with transaction.atomic():  # a refused dossier leaves no new account behind
            applicant, _created = citizen_for_counter(**data["applicant"])
            dossier = services.dossier_file_for_citizen(
                officer=request.user,
                applicant=applicant,
                procedure=procedure,
                form_data=data["form_data"],
                channel=data["channel"],
                delivery=data["delivery"],
                postal_address=data["postal_address"],
                ip=client_ip(request),
                intake_token=data["request_id"],
            )
        return officer._detail(request, dossier, status_code=status.HTTP_201_CREATED)
