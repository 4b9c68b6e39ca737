"""The unread count shown beside "Notifications" in every page's header."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def unread(request) -> dict:
    """``unread_notifications``: counted only if the page shows it (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from notifications.selectors import unread_count

        return unread_count(user)

    return {"unread_notifications": SimpleLazyObject(count)}
