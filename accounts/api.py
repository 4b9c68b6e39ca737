"""``GET/PATCH /api/v1/me/``: the authenticated person's own profile.

The view parses, calls ``accounts.services.profile_update`` (the same rules as the profile page)
and answers with the profile; errors come out in the project's ``{"code", "detail", "fields"}``
shape through ``portal.api.exception_handler``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.constants import Sex
from accounts.services import profile_update


class ProfileSerializer(serializers.Serializer):
    """The profile. ``phone`` is answered in the canonical ``+84…`` form and accepted as people
    write it (``0912 345 678``); ``email`` is empty for an account made with a phone only."""

    email = serializers.CharField(source="contact_email", read_only=True)
    full_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    id_number = serializers.CharField(
        max_length=20,
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text="CCCD: 12 digits, consistent with birth_date and sex; one account per number.",
    )
    birth_date = serializers.DateField(allow_null=True, required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, allow_blank=True, required=False)
    phone = serializers.CharField(
        max_length=30,
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text="Vietnamese mobile number; stored and answered as +84XXXXXXXXX.",
    )
    phone_verified = serializers.BooleanField(
        read_only=True, help_text="True once the person typed the code sent to this number."
    )
    address = serializers.CharField(max_length=300, allow_blank=True, required=False)
    role = serializers.CharField(read_only=True)


class MeView(APIView):
    """The person's own profile; there is no way to read or change anyone else's here."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProfileSerializer

    @extend_schema(operation_id="me_retrieve", responses=ProfileSerializer, tags=["me"])
    def get(self, request):
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(
        operation_id="me_partial_update",
        request=ProfileSerializer(partial=True),
        responses=ProfileSerializer,
        tags=["me"],
    )
    def patch(self, request):
        serializer = ProfileSerializer(data=request.data, partial=True)
        if isinstance(request.data, dict):
            self._refuse_unknown(serializer, request.data)
        serializer.is_valid(raise_exception=True)
        user = profile_update(user=request.user, **serializer.validated_data)
        return Response(ProfileSerializer(user).data)

    @staticmethod
    def _refuse_unknown(serializer: ProfileSerializer, data: dict) -> None:
        """A key that cannot be written is a 400, never silently ignored."""
        fields = serializer.fields
        errors = {}
        for key in data:
            if key not in fields:
                errors[key] = [_("There is no such field.")]
            elif fields[key].read_only:
                errors[key] = [_("This cannot be changed here.")]
        if errors:
            raise ValidationError(errors)
