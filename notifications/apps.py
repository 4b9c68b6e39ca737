from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from dossiers.signals import dossier_event, dossier_message_posted
        from notifications import receivers

        dossier_event.connect(receivers.on_dossier_event, dispatch_uid="notifications-events")
        dossier_message_posted.connect(
            receivers.on_dossier_message, dispatch_uid="notifications-messages"
        )
