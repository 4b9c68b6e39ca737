"""Reads shared by the notification centre's page and API."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.constants import NotifyChannel
from notifications.models import Notification


def centre(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first (scoped before anything is read)."""
    rows = Notification.objects.filter(recipient=user, channel=NotifyChannel.INAPP)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.select_related("dossier").order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(
        recipient=user, channel=NotifyChannel.INAPP, read_at__isnull=True
    ).count()
