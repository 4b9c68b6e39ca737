"""What the payments app does when a dossier changes (``dossiers.signals.dossier_event``)."""

from __future__ import annotations


def refund_when_finished(sender, *, dossier, event, **kwargs) -> None:
    """A paid dossier refused or stopped: its fee is to be refunded (same transaction)."""
    if event.action in ("refuse", "stop"):
        from payments.services import refund_for_closed_dossier

        refund_for_closed_dossier(dossier=dossier, action=event.action)
