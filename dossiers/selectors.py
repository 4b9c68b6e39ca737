"""Reads of dossiers, always scoped to the person asking before anything is read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from dossiers.constants import FINISHED, Status
from dossiers.models import Attachment, Dossier, DossierEvent, StoredDocument


def citizen_dossiers(user) -> QuerySet[Dossier]:
    """The citizen's own dossiers, ready for lists (procedure and agency joined)."""
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure", "agency")
        .order_by("-updated_at")
    )


def _history_prefetches() -> list[Prefetch]:
    return [
        Prefetch("events", queryset=DossierEvent.objects.order_by("at", "id")),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.select_related("stored").order_by("created_at"),
        ),
    ]


def with_history(dossier: Dossier, *, new: bool = False) -> Dossier:
    """Load the events and papers of a dossier already in memory, e.g. the one a service just
    saved, instead of reading it again: two queries, or one for a ``new`` draft (no papers)."""
    events, attachments = _history_prefetches()
    if new:
        prefetch_related_objects([dossier], events)
        dossier._prefetched_objects_cache["attachments"] = dossier.attachments.none()
    else:
        prefetch_related_objects([dossier], events, attachments)
    return dossier


def citizen_dossier_for_action(user, dossier_id) -> Dossier | None:
    """One of the citizen's dossiers, the row alone (one query), or None as ``citizen_dossier``.
    For actions: the service re-reads and locks it, and the answer is read afterwards."""
    try:
        return Dossier.objects.filter(applicant=user).get(pk=dossier_id)
    except (Dossier.DoesNotExist, ValidationError, ValueError):
        return None


def citizen_dossier(user, dossier_id) -> Dossier | None:
    """One of the citizen's dossiers with its history and current papers, or None (also for a
    malformed id or another person's dossier: the two answers cannot be told apart)."""
    try:
        return (
            citizen_dossiers(user)
            .select_related("version")
            .prefetch_related(*_history_prefetches())
            .get(pk=dossier_id)
        )
    except (Dossier.DoesNotExist, ValidationError, ValueError):
        return None


def group_for_citizen(dossier: Dossier) -> str:
    """Which tab of "My dossiers" a dossier belongs to."""
    if dossier.status == Status.DRAFT:
        return "drafts"
    if dossier.status in (Status.SUPPLEMENT, Status.AWAITING_PAYMENT):
        return "action"
    if dossier.status in FINISHED:
        return "finished"
    return "in_progress"


def citizen_store(user) -> QuerySet[StoredDocument]:
    """Documents in the citizen's store (not deleted), newest first."""
    return StoredDocument.objects.filter(owner=user, deleted_at__isnull=True).order_by(
        "-created_at"
    )


def lookup_dossier(*, code: str, id_number: str) -> Dossier | None:
    """Public lookup: the submitted dossier with this code whose applicant has this CCCD.

    A wrong code and a wrong CCCD both give None, so the answer reveals nothing.
    """
    code, id_number = (code or "").strip(), (id_number or "").strip()
    if not code or len(id_number) != 12 or not id_number.isdigit():
        return None
    return (
        Dossier.objects.exclude(status=Status.DRAFT)
        .select_related("procedure", "agency")
        .filter(code=code, applicant__id_number=id_number)
        .first()
    )
