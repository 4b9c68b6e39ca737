from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from dossiers.signals import dossier_event
        from payments import receivers

        dossier_event.connect(receivers.refund_when_finished, dispatch_uid="payments-refunds")
