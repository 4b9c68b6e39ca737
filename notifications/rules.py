"""Who hears about what: the dossier events that concern a citizen or an officer, and the facts
each message is written from.

Citizens hear about every step of their dossier that changes what they can expect or must do.
Officers hear about work arriving for them: a new dossier at their desk, one assigned to them, a
citizen who answered or wrote, a withdrawal to decide, and (from the hourly scan) deadlines.
The one who took a step is not told about it, except a citizen's submission, which is
confirmed to them with its code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from accounts.constants import Duty, Role
from accounts.models import User
from dossiers.constants import PostalState, Status
from dossiers.workflow import serves
from notifications.constants import Kind
from procedures import cache as catalogue_cache
from procedures.models import Agency

# The citizen's message for each step of the dossier's history ("postal_update" only when the
# post office brought the result back; "fee_exempt" and "assign"/"transfer"/"start" tell the
# citizen nothing new).
CITIZEN_KIND = {
    "submit": Kind.SUBMITTED,
    "file_for_citizen": Kind.FILED_AT_COUNTER,
    "receive": Kind.RECEIVED,
    "request_supplement": Kind.SUPPLEMENT_REQUESTED,
    "request_payment": Kind.PAYMENT_REQUESTED,
    "fee_paid": Kind.FEE_PAID,
    "apologize": Kind.APOLOGY,
    "approve": Kind.RESULT_READY,
    "return": Kind.RETURNED,
    "postal_update": Kind.POSTAL_FAILED,
    "refuse": Kind.REFUSED,
    "stop": Kind.STOPPED,
    "refund_started": Kind.REFUND,
    "refunded": Kind.REFUND,
}


@dataclass(frozen=True)
class Addressed:
    """One message of one event: its kind and who gets it."""

    kind: str
    recipients: tuple[User, ...]
    for_officers: bool


def addressed_for_event(dossier, event) -> list[Addressed]:
    """The messages a dossier event gives rise to (none for most internal steps)."""
    messages: list[Addressed] = []
    action = event.action
    citizen_kind = CITIZEN_KIND.get(action)
    if action == "postal_update" and (event.data or {}).get("state") != PostalState.FAILED:
        citizen_kind = None
    # The citizen's own submission is confirmed to them (with the code: their proof of filing).
    if citizen_kind is not None and (dossier.applicant_id != event.actor_id or action == "submit"):
        messages.append(Addressed(citizen_kind, (applicant_of(dossier),), for_officers=False))

    officers: list[User] = []
    officer_kind = None
    if action == "submit":
        officer_kind, officers = Kind.NEW_DOSSIER, desk_officers(dossier.agency, province=True)
    elif action == "transfer":
        officer_kind, officers = Kind.NEW_DOSSIER, desk_officers(dossier.agency)
    elif action == "assign":
        assignee = dossier.assigned_to
        officer_kind, officers = Kind.ASSIGNED, [assignee] if assignee else []
    elif action == "supplement":
        officer_kind, officers = Kind.SUPPLEMENT_ANSWERED, handlers(dossier, asked=True)
    elif action == "withdraw":
        officer_kind, officers = Kind.WITHDRAWAL_REQUESTED, desk_officers(dossier.agency)
    if officer_kind is not None:
        officers = [officer for officer in officers if officer.pk != event.actor_id]
        if officers:
            messages.append(Addressed(officer_kind, tuple(officers), for_officers=True))
    return messages


def addressed_for_message(dossier, message) -> list[Addressed]:
    """A message on the dossier's thread: the citizen's goes to whoever handles the dossier,
    the agency's to the citizen; internal notes to no one."""
    if message.internal:
        return []
    if message.author_id == dossier.applicant_id:
        officers = handlers(dossier)
        return [Addressed(Kind.CITIZEN_MESSAGE, tuple(officers), True)] if officers else []
    return [Addressed(Kind.AGENCY_MESSAGE, (applicant_of(dossier),), False)]


# --- recipients ---------------------------------------------------------------------------------


def applicant_of(dossier) -> User:
    """The dossier's applicant with their notification choices, in one query."""
    return User.objects.select_related("notification_preference").get(pk=dossier.applicant_id)


def _officers() -> Q:
    return Q(role=Role.OFFICER, is_active=True)


def desk_officers(agency: Agency, *, province: bool = False) -> list[User]:
    """The agency's intake officers and leaders (who receive and dispatch dossiers); with
    ``province``, also those of the province's one-stop centre, whose queue holds every new
    dossier of the province."""
    agency_ids = {agency.pk}
    if province:
        agency_ids |= one_stop_centres_for(agency)
    return list(
        User.objects.filter(
            _officers(), agency_id__in=agency_ids, duty__in=(Duty.INTAKE, Duty.LEADER)
        ).select_related("notification_preference")
    )


def leaders(agency_id: int) -> list[User]:
    return list(
        User.objects.filter(_officers(), agency_id=agency_id, duty=Duty.LEADER).select_related(
            "notification_preference"
        )
    )


def handlers(dossier, *, asked: bool = False) -> list[User]:
    """Who handles the dossier now: the officer it is assigned to; else, for an answered
    supplement (``asked``), the officer who asked for it; else the agency's desk."""
    if dossier.assigned_to_id:
        assignee = (
            User.objects.filter(_officers(), pk=dossier.assigned_to_id)
            .select_related("notification_preference")
            .first()
        )
        if assignee is not None:
            return [assignee]
    if asked:
        request = (
            dossier.events.filter(action="request_supplement")
            .order_by("-at", "-id")
            .values_list("actor_id", flat=True)
            .first()
        )
        asker = (
            User.objects.filter(_officers(), pk=request)
            .select_related("notification_preference")
            .first()
            if request
            else None
        )
        # Still serving the dossier: the province centre's officer, yes; the old agency's
        # officer after a transfer, no.
        if asker is not None and serves(asker, dossier):
            return [asker]
    return desk_officers(dossier.agency)


def one_stop_centres_for(agency: Agency) -> frozenset[int]:
    """The one-stop centres of the agency's province (kept in the catalogue cache)."""
    return catalogue_cache.remember(
        f"one-stop-centres:{agency.pk}", lambda: _centres_of_province(agency.pk)
    )


def _centres_of_province(agency_id: int) -> frozenset[int]:
    agency = Agency.objects.get(pk=agency_id)
    while agency.parent_id is not None:
        agency = agency.parent
    centres, frontier = set(), [agency.pk]
    while frontier:
        children = list(
            Agency.objects.filter(parent_id__in=frontier).values_list("pk", "is_one_stop_centre")
        )
        centres |= {pk for pk, centre in children if centre}
        frontier = [pk for pk, _centre in children]
    return frozenset(centres - {agency_id})


# --- the facts a message is written from --------------------------------------------------------


def dossier_facts(dossier, *, for_officers: bool) -> dict:
    """What every dossier message may name, as JSON: code, procedure and agency (both
    languages), due date, fee, how the result is delivered, and the page to open."""
    procedure, agency = dossier.procedure, dossier.agency
    if for_officers:
        path = reverse("officer:dossier", args=[dossier.pk])
    elif dossier.status == Status.DRAFT:
        path = reverse("dossiers:resume", args=[dossier.pk])
    else:
        path = reverse("dossiers:detail", args=[dossier.pk])
    return {
        "code": dossier.code or "",
        "procedure": procedure.name,
        "procedure_en": procedure.name_en,
        "agency": agency.name,
        "agency_en": agency.name_en,
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        "amount": dossier.fee_net or 0,
        "delivery": dossier.delivery,
        "address": dossier.postal_address,
        "path": path,
    }


def event_facts(event) -> dict:
    """What the step itself decided: its note, the papers asked for, the new date, how the
    result was handed over, the refund."""
    data = event.data or {}
    facts: dict = {"note": event.note}
    if event.action == "request_supplement":
        facts["items"] = [str(item) for item in data.get("items") or []]
    if event.action == "apologize":
        facts["previous_due_at"] = data.get("previous_due_at")
        facts["due_at"] = data.get("due_at")
    if event.action in ("return", "postal_update"):
        for name in ("method", "recipient_name", "tracking_number"):
            if data.get(name):
                facts[name] = data[name]
    if event.action == "refunded":
        facts["done"] = True
    if event.action in ("fee_paid", "refund_started", "refunded") and data.get("amount"):
        facts["amount"] = data["amount"]
    return facts
