"""Notifications in the admin: the outbox, read-only, with failed rows easy to find and send
again; people's notification settings."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import services
from notifications.constants import State
from notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "channel",
        "recipient",
        "state",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["state", "channel", "kind", "created_at"]
    search_fields = ["recipient__email", "recipient__phone", "key", "dossier__code"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = [
        "recipient",
        "channel",
        "kind",
        "key",
        "dossier",
        "context",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "read_at",
        "digest",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, row: Notification) -> str:
        return row.last_error[:80]

    @admin.action(description=_("Send the selected failed notifications again"))
    def send_again(self, request, queryset):
        count = sum(
            services.notification_resend(notification=row)
            for row in queryset.filter(state=State.FAILED)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued again.",
                "%(count)d notifications queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "digest", "updated_at"]
    list_filter = ["email", "sms", "digest"]
    search_fields = ["user__email", "user__phone"]
    raw_id_fields = ["user"]
