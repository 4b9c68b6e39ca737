"""Reads of dossiers, always scoped to the person asking before anything is read."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from dossiers.constants import FINISHED, Status
from dossiers.models import Attachment, Dossier, DossierEvent, IssuedDocument, StoredDocument


def citizen_dossiers(user) -> QuerySet[Dossier]:
    """The citizen's own dossiers, ready for lists (procedure and agency joined)."""
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure", "agency")
        .order_by("-updated_at")
    )


def _history_prefetches() -> list[Prefetch]:
    return [
        Prefetch("documents", queryset=IssuedDocument.objects.order_by("created_at")),
        Prefetch(
            "events", queryset=DossierEvent.objects.select_related("actor").order_by("at", "id")
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.select_related("stored").order_by("created_at"),
        ),
    ]


def with_history(dossier: Dossier, *, new: bool = False) -> Dossier:
    """Load the events and papers of a dossier already in memory, e.g. the one a service just
    saved, instead of reading it again: two queries, or one for a ``new`` draft (no papers)."""
    documents, events, attachments = _history_prefetches()
    if new:
        prefetch_related_objects([dossier], events)
        dossier._prefetched_objects_cache["attachments"] = dossier.attachments.none()
        dossier._prefetched_objects_cache["documents"] = dossier.documents.none()
    else:
        prefetch_related_objects([dossier], documents, events, attachments)
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


# --- officers -------------------------------------------------------------------------------

# The workspace's queues: which statuses each shows (due soon and overdue also look at due_at).
RUNNING = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT)
QUEUES = {
    "new": (Status.SUBMITTED,),
    "in_progress": (Status.RECEIVED, Status.PROCESSING, Status.WITHDRAWAL, Status.PROCESSED),
    "waiting": (Status.SUPPLEMENT, Status.AWAITING_PAYMENT),
    "due_soon": RUNNING,
    "overdue": RUNNING,
    "finished": (Status.REFUSED, Status.STOPPED, Status.RETURNED),
}
ORDERINGS = {
    "due_at": ("due_at", "submitted_at", "id"),
    "-due_at": ("-due_at", "-submitted_at", "-id"),
    "received_at": ("received_at", "submitted_at", "id"),
    "-received_at": ("-received_at", "-submitted_at", "-id"),
    "submitted_at": ("submitted_at", "id"),
    "-submitted_at": ("-submitted_at", "-id"),
}


# The start of a dossier code: three digits and a dot ("000.21…"), the way codes begin.
CODE_LIKE = re.compile(r"^\d{3}\.")


def staff_dossiers(user) -> QuerySet[Dossier]:
    """Every non-draft dossier of the agencies ``user`` serves (all for an admin), with what a
    queue row shows joined in. Scoped before anything is read."""
    from dossiers import workflow

    queryset = Dossier.objects.exclude(status=Status.DRAFT).select_related(
        # handover: which steps a returned dossier offers (a postal delivery to record)
        "procedure",
        "agency",
        "applicant",
        "assigned_to",
        "handover",
    )
    if getattr(user, "is_portal_admin", False):
        return queryset
    return queryset.filter(agency_id__in=workflow.served_agency_ids(user))


def due_soon_limit(now):
    """The end of the next working day's worth of office time: "due soon" is before it."""
    from procedures.selectors import work_calendar

    return work_calendar().add_working_days(now, 1)


# Where each duty starts when no queue is chosen.
DEFAULT_QUEUE = {"intake": "new", "specialist": "in_progress", "leader": "in_progress"}


def default_queue(user) -> str:
    return DEFAULT_QUEUE.get(getattr(user, "duty", ""), "new")


def queue_condition(name: str, now, soon) -> Q:
    """The rows of one queue ("all": every row), for filtering or for one count per tab."""
    if name == "all":
        return Q()
    condition = Q(status__in=QUEUES[name])
    if name == "overdue":
        condition &= Q(due_at__lt=now)
    elif name == "due_soon":
        condition &= Q(due_at__gte=now, due_at__lt=soon)
    return condition


def served_procedures(user) -> QuerySet:
    """The procedures of the agencies a staff member serves (all for an admin)."""
    from dossiers import workflow
    from procedures.models import Procedure

    if user.is_portal_admin:
        return Procedure.objects.all()
    return Procedure.objects.filter(agency_id__in=workflow.served_agency_ids(user))


def officer_queue(
    user,
    *,
    queue: str = "",
    status: int | None = None,
    procedure: str = "",
    sector: str = "",
    channel: int | None = None,
    due_before=None,
    assigned_to_me: bool = False,
    search: str = "",
    ordering: str = "due_at",
    now=None,
) -> QuerySet[Dossier]:
    """A queue of the workspace, filtered and sorted. Filters are already validated."""
    from django.db.models import F
    from django.utils import timezone

    now = now or timezone.now()
    queryset = staff_dossiers(user)
    if queue and queue != "all":
        soon = due_soon_limit(now) if queue == "due_soon" else None
        queryset = queryset.filter(queue_condition(queue, now, soon))
    if status is not None:
        queryset = queryset.filter(status=status)
    if procedure:
        queryset = queryset.filter(procedure__code=procedure)
    if sector:
        queryset = queryset.filter(procedure__sector__code=sector)
    if channel is not None:
        queryset = queryset.filter(channel=channel)
    if due_before is not None:
        queryset = queryset.filter(due_at__lt=due_before)
    if assigned_to_me:
        queryset = queryset.filter(assigned_to=user)
    search = (search or "").strip()
    if search:
        if search.isdigit() and len(search) == 12:  # a CCCD number
            queryset = queryset.filter(applicant__id_number=search)
        elif CODE_LIKE.match(search):
            # Codes are upper case ("000.21.30.H57-…"): a case-sensitive prefix uses the index.
            queryset = queryset.filter(code__startswith=search.upper())
        else:
            queryset = queryset.filter(applicant__full_name__icontains=search)
    if queue == "new" and ordering == "due_at":
        # New dossiers have no due date yet: this is the same order, and it can use an index.
        ordering = "submitted_at"
    fields = ORDERINGS[ordering]
    # Ascending puts dossiers without the date last, descending first: the exact reverse, so
    # one index serves both directions (a backward scan).
    order = [
        F(name.lstrip("-")).desc(nulls_first=True)
        if name.startswith("-")
        else F(name).asc(nulls_last=True)
        for name in fields
    ]
    return queryset.order_by(*order)


def staff_dossier(user, dossier_id) -> Dossier | None:
    """One dossier the staff member serves, with its history and papers; None otherwise."""
    try:
        return (
            staff_dossiers(user)
            .select_related("version", "result")
            .prefetch_related(*_history_prefetches())
            .get(pk=dossier_id)
        )
    except (Dossier.DoesNotExist, ValidationError, ValueError):
        return None
