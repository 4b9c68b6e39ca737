"""What dossiers tell the rest of the portal (ARCHITECTURE.md: a lower app never imports a
higher one; ``payments`` and ``notifications`` subscribe here instead).

``dossier_event`` is sent for every event written, inside the step's transaction and after the
dossier row is saved: a receiver's writes commit or roll back with the step. Arguments:
``dossier`` (locked, saved) and ``event`` (the ``DossierEvent`` just created). Every event is
written by ``record_event``, so none goes unannounced.

``dossier_message_posted`` is sent, also inside the transaction, for every message written on a
dossier's thread (``dossiers.services.dossier_message_post``). Arguments: ``dossier`` and
``message`` (the ``DossierMessage`` just created).
"""

from __future__ import annotations

from django.dispatch import Signal

dossier_event = Signal()
dossier_message_posted = Signal()


def record_event(
    *,
    dossier,
    actor,
    action: str,
    from_status,
    note: str = "",
    data: dict | None = None,
    ip: str | None = None,
    actor_role: str | None = None,
    before_announcing=None,
):
    """Write one event of ``dossier``'s history (note trimmed) and announce it. ``actor_role``
    defaults to the officer's duty, else the role, else "system" (a gateway's confirmation).
    ``before_announcing(event)`` writes what hangs on the event first (a result document)."""
    from dossiers.models import Dossier, DossierEvent

    if actor_role is None:
        actor_role = (actor.duty or actor.role) if actor is not None else "system"
    event = DossierEvent.objects.create(
        dossier=dossier,
        actor=actor,
        actor_role=actor_role,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        note=(note or "").strip()[:4000],  # one place trims every note
        data=data or {},
        ip=ip,
    )
    if before_announcing is not None:
        before_announcing(event)
    dossier_event.send(sender=Dossier, dossier=dossier, event=event)
    return event
