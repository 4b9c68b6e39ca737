"""Notification centre API: the caller's own notifications and settings, nobody else's."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.staff import has_second_factor, is_staff_member, mfa_refusal
from dossiers.api.serializers import ErrorSerializer
from notifications import selectors, services
from notifications.api.serializers import (
    MarkedSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    UnreadSerializer,
)
from portal.api import Pagination


class OwnNotifications(IsAuthenticated):
    """Logged in; staff also with their two-factor log-in (403 ``mfa_required``)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if is_staff_member(request.user) and not has_second_factor(request.user):
            raise mfa_refusal()
        return True


class NotificationListView(APIView):
    permission_classes = [OwnNotifications]

    @extend_schema(
        operation_id="notifications_list",
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):
        """The caller's notifications, newest first, paginated."""
        unread_only = request.query_params.get("unread") in ("1", "true")
        rows = selectors.centre(request.user, unread_only=unread_only)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        data = NotificationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class UnreadCountView(APIView):
    permission_classes = [OwnNotifications]

    @extend_schema(operation_id="notifications_unread_count", responses=UnreadSerializer)
    def get(self, request):
        """How many of the caller's notifications are unread (the header's badge)."""
        return Response({"unread": selectors.unread_count(request.user)})


class MarkReadView(APIView):
    permission_classes = [OwnNotifications]

    @extend_schema(
        operation_id="notifications_read",
        request=None,
        responses={
            200: NotificationSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such notification of yours."),
        },
    )
    def post(self, request, pk: int):
        """Mark one notification read (again is harmless)."""
        row = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationSerializer(row, context={"request": request}).data)


class MarkAllReadView(APIView):
    permission_classes = [OwnNotifications]

    @extend_schema(operation_id="notifications_read_all", request=None, responses=MarkedSerializer)
    def post(self, request):
        """Mark all the caller's notifications read."""
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


class PreferenceView(APIView):
    permission_classes = [OwnNotifications]

    def _answer(self, user):
        preference = services.preference_of(user)
        data = {
            "email": preference.email,
            "sms": preference.sms,
            "language": user.language,
            "can_email": bool(user.contact_email),
            "can_sms": bool(user.phone),
        }
        if user.is_officer or user.is_portal_admin:
            data["digest"] = preference.digest
        return Response(data)

    @extend_schema(operation_id="notification_preferences_get", responses=PreferenceSerializer)
    def get(self, request):
        """How the caller is notified."""
        return self._answer(request.user)

    @extend_schema(
        operation_id="notification_preferences_update",
        request=PreferenceSerializer,
        responses={
            200: PreferenceSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid input; see `fields`."),
        },
    )
    def put(self, request):
        """Choose channels (the portal's centre is always on), language and, for officers,
        immediate messages or a daily digest."""
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.preference_update(
            user=request.user,
            email=data["email"],
            sms=data["sms"],
            language=data["language"],
            digest=data.get("digest"),
        )
        return self._answer(request.user)
