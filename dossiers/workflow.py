"""The officers' workflow: one table of allowed transitions, and one service per transition.

Every service locks the dossier, checks who may act and from which status, applies the step,
writes the new status and an event in one transaction (ARCHITECTURE.md "State machine by hand").
A step not allowed in the current status is refused with 409 naming that status, so of two
officers acting on one dossier at once exactly one wins; the other learns what happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.constants import Duty, Role
from accounts.models import User
from accounts.staff import is_staff_member
from dossiers import results
from dossiers.constants import FEE_SETTLED, Delivery, FeeState, PostalState, Status
from dossiers.documents import FORM_OF_ACTION
from dossiers.files import check_upload
from dossiers.models import Dossier, DossierEvent, ResultHandover
from dossiers.signals import record_event
from portal.errors import DomainError
from portal.tasks import enqueue_on_commit
from portal.text import format_vnd
from procedures import cache as catalogue_cache
from procedures.constants import Channel
from procedures.models import Agency
from procedures.selectors import work_calendar
from procedures.workdays import WorkCalendar

ALL_DUTIES = frozenset(Duty.values)


@dataclass(frozen=True)
class Transition:
    """``sources``: statuses the step may start from; ``target``: the status it leads to (None:
    the status stays, e.g. assigning); ``duties``: which officers may take it."""

    sources: frozenset[int]
    target: int | None
    duties: frozenset[str]


def _t(sources, target, duties) -> Transition:
    return Transition(frozenset(sources), target, frozenset(duties))


S = Status
INTAKE, SPECIALIST, LEADER = Duty.INTAKE, Duty.SPECIALIST, Duty.LEADER
# Statuses in which the processing clock runs (or is paused for a supplement).
OPEN = frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.AWAITING_PAYMENT})

TRANSITIONS: dict[str, Transition] = {
    "receive": _t({S.SUBMITTED}, S.RECEIVED, {INTAKE, LEADER}),
    "request_supplement": _t(
        {S.SUBMITTED, S.RECEIVED, S.PROCESSING}, S.SUPPLEMENT, {INTAKE, SPECIALIST, LEADER}
    ),
    "refuse": _t({S.SUBMITTED}, S.REFUSED, {INTAKE, LEADER}),
    # Processing starts after the receipt, or again once the fee is paid.
    "start": _t({S.RECEIVED, S.AWAITING_PAYMENT}, S.PROCESSING, {SPECIALIST, LEADER}),
    "assign": _t({S.RECEIVED, S.PROCESSING}, None, {INTAKE, LEADER}),
    "transfer": _t({S.RECEIVED, S.PROCESSING}, None, {LEADER}),
    "request_payment": _t({S.RECEIVED, S.PROCESSING}, S.AWAITING_PAYMENT, ALL_DUTIES),
    "apologize": _t(
        {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.AWAITING_PAYMENT}, None, {INTAKE, LEADER}
    ),
    "approve": _t({S.PROCESSING}, S.PROCESSED, {LEADER}),
    "return": _t({S.PROCESSED}, S.RETURNED, {INTAKE, LEADER}),
    # What the post office reports about a result sent by post (the status stays 10).
    "postal_update": _t({S.RETURNED}, None, {INTAKE, LEADER}),
    "stop": _t({S.WITHDRAWAL}, S.STOPPED, {INTAKE, LEADER}),
}


# --- who serves which dossier -------------------------------------------------------------------


def _province_root(agency: Agency) -> Agency:
    while agency.parent_id is not None:
        agency = agency.parent
    return agency


def served_agency_ids(user) -> frozenset[int]:
    """Agencies whose dossiers an officer handles: his own, or, at the province's one-stop
    centre, every agency of the province. Read on every staff request, so kept per agency in the
    catalogue cache (an agency edit bumps it) and once per user object."""
    cached = getattr(user, "_served_agency_ids", None)
    if cached is not None:
        return cached
    served: frozenset[int] = frozenset()
    if getattr(user, "is_officer", False) and user.agency_id:
        served = catalogue_cache.remember(
            f"served-agencies:{user.agency_id}", lambda: _agencies_served_by(user.agency_id)
        )
    user._served_agency_ids = served
    return served


def _agencies_served_by(agency_id: int) -> frozenset[int]:
    agency = Agency.objects.get(pk=agency_id)
    if agency.is_one_stop_centre:
        return frozenset(_descendant_ids(_province_root(agency)))
    return frozenset({agency.pk})


def _descendant_ids(root: Agency) -> set[int]:
    ids, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


def serves(user, dossier: Dossier) -> bool:
    """The officer works for the dossier's agency (or the province centre); admins serve all.
    A draft is its author's alone."""
    if not is_staff_member(user) or dossier.status == Status.DRAFT:
        return False
    return user.is_portal_admin or dossier.agency_id in served_agency_ids(user)


def may(user, dossier: Dossier, action: str) -> bool:
    """Whether ``user`` may take ``action`` on ``dossier`` by duty and agency (not status)."""
    if not serves(user, dossier):
        return False
    return user.is_portal_admin or user.duty in TRANSITIONS[action].duties


def allowed_now(user, dossier: Dossier) -> list[str]:
    """The steps ``user`` may take on ``dossier`` in its current status, in table order."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if dossier.status in transition.sources
        and may(user, dossier, action)
        and not (action == "apologize" and dossier.apologized_at is not None)
        and not (action == "request_payment" and dossier.fee_state != FeeState.DUE)
        and not (
            action == "start"
            and dossier.status == Status.AWAITING_PAYMENT
            and dossier.fee_state == FeeState.DUE
        )
        and not (action == "postal_update" and not _sent_by_post(dossier))
    ]


def _sent_by_post(dossier: Dossier) -> bool:
    handover = dossier.result_handover
    return handover is not None and handover.method == Delivery.POSTAL


# --- the services ---------------------------------------------------------------------------------


def _calendar() -> WorkCalendar:
    return work_calendar()


def _processing_days(dossier: Dossier) -> int:
    """The time limit of the procedure version the dossier was filed under (a filed dossier never
    reads the live catalogue row, which an admin may have changed since); the online time when
    it came online and that is shorter."""
    snapshot = dossier.version.snapshot or {}
    days = snapshot.get("processing_days")
    if days is None:  # a version frozen before the limits were part of the snapshot
        procedure = dossier.procedure
        days, online = procedure.processing_days, procedure.online_processing_days
    else:
        online = snapshot.get("online_processing_days")
    if dossier.channel == Channel.ONLINE and online is not None:
        return min(days, online)
    return days


def _refuse_if_not_allowed(dossier: Dossier, actor: User, action: str) -> None:
    if not serves(actor, dossier):
        raise DomainError(_("No such dossier in your agency."), code="not_found", status=404)
    if not may(actor, dossier, action):
        raise DomainError(
            _("Your duty does not include this step; ask a colleague who may take it."),
            code="permission_denied",
            status=403,
        )
    if dossier.status not in TRANSITIONS[action].sources:
        raise DomainError(
            _(
                "This step is not possible now: the dossier is “%(status)s”. "
                "Someone may have just changed it; reload the page."
            )
            % {"status": dossier.get_status_display()},
            code="conflict",
            status=409,
            fields={"status": [str(dossier.status)]},
        )


def _step(
    *,
    dossier: Dossier,
    actor: User,
    action: str,
    apply=None,
    record=None,
    note: str = "",
    ip: str | None = None,
    expected_status: int | None = None,
) -> Dossier:
    """Lock, check, apply, save and record one step. ``apply(locked, now)`` changes the locked
    dossier and returns the event's ``data``; it may raise ``DomainError`` (nothing is written).
    ``record(locked, event)`` writes what hangs on the event (a result document), in the same
    transaction. ``expected_status`` (from the officer's page) refuses a step taken on a stale
    page."""
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "agency", "version", "applicant")
            .get(pk=dossier.pk)
        )
        if not serves(actor, locked):  # before anything about the dossier is told
            raise DomainError(_("No such dossier in your agency."), code="not_found", status=404)
        if expected_status is not None and locked.status != expected_status:
            raise DomainError(
                _(
                    "Someone changed this dossier while you were looking at it: it is now "
                    "“%(status)s”. Reload the page and check before acting."
                )
                % {"status": locked.get_status_display()},
                code="conflict",
                status=409,
                fields={"status": [str(locked.status)]},
            )
        _refuse_if_not_allowed(locked, actor, action)
        now = timezone.now()
        previous = locked.status
        data = (apply(locked, now) if apply else None) or {}
        target = TRANSITIONS[action].target
        if target is not None:
            locked.status = target
        locked.save()
        event = record_event(
            dossier=locked,
            actor=actor,
            action=action,
            from_status=previous,
            note=note,
            data=data,
            ip=ip,
            before_announcing=(lambda event: record(locked, event)) if record else None,
        )
        if action in FORM_OF_ACTION:  # forms 01–04, made after commit (dossiers/documents.py)
            from dossiers.tasks import issue_document

            enqueue_on_commit(issue_document, event.pk)
    return locked


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, code="invalid", fields={field: [message]})
    return text[:4000]


def dossier_receive(*, dossier: Dossier, actor: User, ip=None, expected_status=None) -> Dossier:
    """Receive a complete dossier (1→2): the clock starts and the due date is set from the
    working-day calendar (the online time when the dossier came online; the 15:00 rule)."""

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        locked.received_at = now
        locked.due_at = _calendar().due_at(now, _processing_days(locked))
        return {"due_at": locked.due_at.isoformat(), "days": _processing_days(locked)}

    return _step(
        dossier=dossier,
        actor=actor,
        action="receive",
        apply=apply,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_request_supplement(
    *, dossier: Dossier, actor: User, items, note: str = "", ip=None, expected_status=None
) -> Dossier:
    """Ask the citizen for everything missing in one request (form 02). While the clock runs it
    is paused until the citizen answers. A second request is allowed but counts as late."""
    if isinstance(items, str):  # one text, one item per line: never one item per character
        items = items.splitlines()
    cleaned = [str(item).strip()[:500] for item in (items or []) if str(item).strip()]
    if not cleaned:
        message = _("List every missing item, one per line.")
        raise DomainError(message, code="invalid", fields={"items": [message]})

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        locked.supplement_requests += 1
        if locked.status != Status.SUBMITTED:  # received: the clock runs, so pause it
            locked.paused_since = now
        return {"items": cleaned, "request": locked.supplement_requests}

    return _step(
        dossier=dossier,
        actor=actor,
        action="request_supplement",
        apply=apply,
        note=note,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_refuse(
    *, dossier: Dossier, actor: User, reason: str, ip=None, expected_status=None
) -> Dossier:
    """Refuse at intake (1→3, form 03), e.g. outside the agency's competence, with the reason."""
    reason = _required_text(reason, "reason", _("Give the reason the citizen will read."))

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        locked.finished_at = now
        _cancel_owed_fee(locked)
        return {}

    return _step(
        dossier=dossier,
        actor=actor,
        action="refuse",
        apply=apply,
        note=reason,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_start(*, dossier: Dossier, actor: User, ip=None, expected_status=None) -> Dossier:
    """Start processing (2→4, or again once the fee is paid, 6→4); a specialist who starts an
    unassigned dossier takes it."""

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        if locked.status == Status.AWAITING_PAYMENT and locked.fee_state == FeeState.DUE:
            raise DomainError(
                _(
                    "The fee is not paid yet. Processing resumes by itself when the citizen "
                    "pays online; record a payment made at the counter on the payment page."
                ),
                code="fee_unpaid",
                status=409,
            )
        if locked.assigned_to_id is None and actor.duty == Duty.SPECIALIST:
            locked.assigned_to = actor
        return {}

    return _step(
        dossier=dossier,
        actor=actor,
        action="start",
        apply=apply,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_assign(
    *, dossier: Dossier, actor: User, officer_id, ip=None, expected_status=None
) -> Dossier:
    """Give the dossier to a specialist (or leader) of its agency."""

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        officer = (
            User.objects.filter(
                pk=officer_id if str(officer_id).isdigit() else None,
                role=Role.OFFICER,
                agency_id=locked.agency_id,
                duty__in=[Duty.SPECIALIST, Duty.LEADER],
                is_active=True,
            ).first()
            if officer_id is not None
            else None
        )
        if officer is None:
            message = _("Choose a specialist or leader of %(agency)s.") % {
                "agency": locked.agency.name
            }
            raise DomainError(message, code="invalid", fields={"officer": [message]})
        previous = locked.assigned_to_id
        locked.assigned_to = officer
        return {"officer": officer.pk, "officer_name": officer.display_name, "previous": previous}

    return _step(
        dossier=dossier,
        actor=actor,
        action="assign",
        apply=apply,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_transfer(
    *,
    dossier: Dossier,
    actor: User,
    agency_code: str,
    note: str = "",
    ip=None,
    expected_status=None,
) -> Dossier:
    """Pass the dossier to another agency (liên thông) under the same code; its history stays
    and it leaves the queues of the sending agency."""
    code = (agency_code or "").strip()

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        target = Agency.objects.filter(code=code, active=True).first()
        if target is None:
            message = _("No active agency has the unit code “%(code)s”.") % {"code": code}
            raise DomainError(message, code="invalid", fields={"agency": [message]})
        if target.pk == locked.agency_id:
            message = _("The dossier is already at %(agency)s.") % {"agency": target.name}
            raise DomainError(message, code="invalid", fields={"agency": [message]})
        data = {"from": locked.agency.code, "to": target.code, "to_name": target.name}
        locked.agency = target
        locked.assigned_to = None
        return data

    return _step(
        dossier=dossier,
        actor=actor,
        action="transfer",
        apply=apply,
        note=note,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_request_payment(
    *, dossier: Dossier, actor: User, ip=None, expected_status=None
) -> Dossier:
    """Ask the citizen to pay the fee frozen at submission (→6)."""

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        if not locked.fee_net:
            raise DomainError(_("This dossier has no fee to pay."), code="invalid", status=400)
        if locked.fee_state != FeeState.DUE:
            raise DomainError(
                _("Nothing to ask for: the fee is “%(state)s”.")
                % {"state": locked.get_fee_state_display()},
                code="conflict",
                status=409,
            )
        return {"amount": locked.fee_net}

    return _step(
        dossier=dossier,
        actor=actor,
        action="request_payment",
        apply=apply,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_apologize(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    new_due_at: dt.datetime | None,
    ip=None,
    expected_status=None,
) -> Dossier:
    """Re-date a dossier that will be late (form 04): once per dossier, at least one working
    day before the due date, to a later date, with the reason the citizen reads."""
    reason = _required_text(reason, "reason", _("Give the reason for the delay."))
    if new_due_at is None:
        message = _("Give the new due date.")
        raise DomainError(message, code="invalid", fields={"new_due_at": [message]})

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        if locked.apologized_at is not None:
            raise DomainError(
                _("This dossier was already re-dated once; it cannot be re-dated again."),
                code="conflict",
                status=409,
            )
        calendar = _calendar()
        if locked.due_at is None or calendar.working_time_between(now, locked.due_at) < (
            calendar.day_length
        ):
            message = _(
                "An apology must be sent at least one working day before the due date (%(due)s)."
            ) % {"due": _local(locked.due_at)}
            raise DomainError(message, code="too_late", fields={"new_due_at": [message]})
        if new_due_at <= locked.due_at:
            message = _("The new due date must be after the current one (%(due)s).") % {
                "due": _local(locked.due_at)
            }
            raise DomainError(message, code="invalid", fields={"new_due_at": [message]})
        locked.original_due_at = locked.due_at
        locked.due_at = new_due_at
        locked.apologized_at = now
        return {
            "previous_due_at": locked.original_due_at.isoformat(),
            "due_at": new_due_at.isoformat(),
        }

    return _step(
        dossier=dossier,
        actor=actor,
        action="apologize",
        apply=apply,
        note=reason,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_approve(
    *,
    dossier: Dossier,
    actor: User,
    result_file=None,
    generate: bool = False,
    ip=None,
    expected_status=None,
) -> Dossier:
    """Approve (4→9) with the result: generated from the procedure's result template
    (``generate``) or a PDF the officer uploads. The result gets its code ``<dossier>-KQ<n>``,
    is signed with the agency's certificate (PAdES) and goes into the citizen's document store.
    A certificate that cannot sign refuses the approval and the dossier stays as it was."""
    if generate == (result_file is not None):
        message = _("Either generate the result from the template or attach it as a PDF file.")
        raise DomainError(message, code="invalid", fields={"result": [message]})
    uploaded = None
    if result_file is not None:
        try:
            check_upload(result_file, accepted=["pdf"], max_size_mb=20)
        except DomainError as error:  # name the field, as every other bad input does
            error.fields = {"result": [error.message]}
            raise
        result_file.seek(0)
        uploaded = result_file.read()
    written: list = []
    prepared: list[results.PreparedResult] = []

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        result = results.prepare_result(locked, pdf=uploaded)
        prepared.append(result)
        stored = results.store_result(locked, result)
        written.append(stored)
        locked.result = stored
        return {
            "result": str(stored.pk),
            "code": result.code,
            "sha256": result.signed.sha256,
            "source": result.source,
        }

    def record(locked: Dossier, event: DossierEvent) -> None:
        written.append(results.record_result(locked, event, prepared[0]))

    try:
        return _step(
            dossier=dossier,
            actor=actor,
            action="approve",
            apply=apply,
            record=record,
            ip=ip,
            expected_status=expected_status,
        )
    except Exception:
        for row in written:  # the rows rolled back; the written files must go too
            row.file.delete(save=False)
        raise


def dossier_return(
    *,
    dossier: Dossier,
    actor: User,
    method: str,
    recipient_name: str = "",
    recipient_id_number: str = "",
    postal_address: str = "",
    tracking_number: str = "",
    note: str = "",
    ip=None,
    expected_status=None,
) -> Dossier:
    """Hand the result over (9→10): online (the citizen downloads it), at the counter (who
    received it) or by post (BCCI: the address and the tracking number)."""
    if method not in Delivery.values:
        message = _("Choose how the result was handed over: online, counter or postal.")
        raise DomainError(message, code="invalid", fields={"method": [message]})
    recipient_name = (recipient_name or "").strip()[:200]
    recipient_id_number = (recipient_id_number or "").strip()[:20]
    tracking_number = (tracking_number or "").strip()[:40]
    if method == Delivery.COUNTER and not recipient_name:
        message = _("Write the name of the person who received the result at the counter.")
        raise DomainError(message, code="invalid", fields={"recipient_name": [message]})
    if method == Delivery.POSTAL and not tracking_number:
        message = _("Write the postal tracking number of the parcel.")
        raise DomainError(message, code="invalid", fields={"tracking_number": [message]})

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        if locked.fee_state not in FEE_SETTLED and locked.procedure.pay_before_result:
            raise DomainError(
                _(
                    "The fee (%(amount)s) is not paid yet, and this procedure hands the "
                    "result over only once it is. Record the payment at the counter first."
                )
                % {"amount": format_vnd(locked.fee_net)},
                code="fee_unpaid",
                status=409,
            )
        address = ((postal_address or "").strip() or locked.postal_address)[:500]
        if method == Delivery.POSTAL and not address:
            message = _("Write the address the result is posted to.")
            raise DomainError(message, code="invalid", fields={"postal_address": [message]})
        locked.finished_at = now
        handover = ResultHandover.objects.create(
            dossier=locked,
            method=method,
            handed_at=now,
            officer=actor,
            recipient_name=recipient_name if method == Delivery.COUNTER else "",
            recipient_id_number=recipient_id_number if method == Delivery.COUNTER else "",
            postal_address=address if method == Delivery.POSTAL else "",
            tracking_number=tracking_number if method == Delivery.POSTAL else "",
            postal_state=PostalState.SENT if method == Delivery.POSTAL else "",
            postal_updated_at=now if method == Delivery.POSTAL else None,
        )
        data = {"method": method}
        for field in ("recipient_name", "postal_address", "tracking_number"):
            if getattr(handover, field):
                data[field] = getattr(handover, field)
        return data

    return _step(
        dossier=dossier,
        actor=actor,
        action="return",
        apply=apply,
        note=note,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_postal_update(
    *, dossier: Dossier, actor: User, state: str, note: str = "", ip=None, expected_status=None
) -> Dossier:
    """Record what the post office reports about a result sent by post: delivered, or
    returned undelivered (the citizen is then asked to collect it at the counter)."""
    if state not in {PostalState.DELIVERED, PostalState.FAILED}:
        message = _("Choose what the post office reported: delivered or not delivered.")
        raise DomainError(message, code="invalid", fields={"state": [message]})

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        handover = locked.result_handover
        if handover is None or handover.method != Delivery.POSTAL:
            raise DomainError(_("This result was not sent by post."), code="conflict", status=409)
        handover.postal_state = state
        handover.postal_updated_at = now
        handover.save(update_fields=["postal_state", "postal_updated_at"])
        return {"state": state, "tracking_number": handover.tracking_number}

    return _step(
        dossier=dossier,
        actor=actor,
        action="postal_update",
        apply=apply,
        note=note,
        ip=ip,
        expected_status=expected_status,
    )


def dossier_stop(
    *, dossier: Dossier, actor: User, note: str = "", ip=None, expected_status=None
) -> Dossier:
    """Stop processing after the citizen asked to withdraw (7→8)."""

    def apply(locked: Dossier, now: dt.datetime) -> dict:
        locked.finished_at = now
        locked.paused_since = None
        _cancel_owed_fee(locked)
        return {}

    return _step(
        dossier=dossier,
        actor=actor,
        action="stop",
        apply=apply,
        note=note,
        ip=ip,
        expected_status=expected_status,
    )


# How a dossier's fee may move, and the event each move writes.
FEE_MOVES: dict[tuple[str, str], str] = {
    (FeeState.DUE, FeeState.PAID): "fee_paid",
    (FeeState.DUE, FeeState.EXEMPT): "fee_exempt",
    (FeeState.PAID, FeeState.REFUNDING): "refund_started",
    (FeeState.REFUNDING, FeeState.REFUNDED): "refunded",
}


def dossier_fee_settle(
    *,
    dossier: Dossier,
    state: str,
    actor: User | None = None,
    channel: int | None = None,
    note: str = "",
    data: dict | None = None,
    ip=None,
) -> tuple[Dossier, DossierEvent]:
    """Move the dossier's fee to ``state`` (the payments app's only way to touch a dossier).

    Paid or exempt while the dossier waits for its fee (status 6): processing resumes (→4).
    ``channel``: how it was paid (online or counter). ``actor`` is None for a gateway's
    confirmation. Any move not in ``FEE_MOVES`` is refused with 409 and nothing is written.
    Joins the caller's transaction."""
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "agency", "applicant")
            .get(pk=dossier.pk)
        )
        action = FEE_MOVES.get((locked.fee_state, state))
        if action is None:
            raise DomainError(
                _("The fee of this dossier is “%(state)s”; it cannot change that way.")
                % {"state": locked.get_fee_state_display()},
                code="fee_conflict",
                status=409,
            )
        previous = locked.status
        locked.fee_state = state
        if state == FeeState.PAID:
            locked.fee_paid_at = timezone.now()
            locked.fee_paid_channel = channel
        if state in FEE_SETTLED and locked.status == Status.AWAITING_PAYMENT:
            locked.status = Status.PROCESSING
        locked.save()
        event = record_event(
            dossier=locked,
            actor=actor,
            action=action,
            from_status=previous,
            note=note,
            data=data,
            ip=ip,
        )
    return locked, event


def _cancel_owed_fee(dossier: Dossier) -> None:
    """A dossier refused or stopped owes nothing any more (a paid one is refunded instead, by
    the payments app when it hears of the step; money arriving later is refunded too)."""
    if dossier.fee_state == FeeState.DUE:
        dossier.fee_state = FeeState.CANCELLED


def resume_clock(dossier: Dossier, now: dt.datetime) -> None:
    """The citizen answered a supplement request: push the due date by the working time the
    clock was paused. Called inside the citizen's locked transaction."""
    if dossier.paused_since is not None and dossier.due_at is not None:
        calendar = _calendar()
        paused = calendar.working_time_between(dossier.paused_since, now)
        if paused:  # no office time passed: the due date stays exactly as it was
            dossier.due_at = calendar.add_working_time(dossier.due_at, paused)
    dossier.paused_since = None


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


# The service of each step of ``TRANSITIONS``, for the pages and the API that take any step.
SERVICES = {
    "receive": dossier_receive,
    "request_supplement": dossier_request_supplement,
    "refuse": dossier_refuse,
    "start": dossier_start,
    "assign": dossier_assign,
    "transfer": dossier_transfer,
    "request_payment": dossier_request_payment,
    "apologize": dossier_apologize,
    "approve": dossier_approve,
    "return": dossier_return,
    "postal_update": dossier_postal_update,
    "stop": dossier_stop,
}
