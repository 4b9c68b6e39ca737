"""What the notifications app does when a dossier changes (``dossiers.signals``): it writes the
outbox rows in the step's own transaction (``notifications.services``)."""

from __future__ import annotations


def on_dossier_event(sender, *, dossier, event, **kwargs) -> None:
    from notifications.services import notify_event

    notify_event(dossier=dossier, event=event)


def on_dossier_message(sender, *, dossier, message, **kwargs) -> None:
    from notifications.services import notify_message

    notify_message(dossier=dossier, message=message)
