"""Every write of notifications: the outbox, its delivery, the sweeps and scans, the centre.

The outbox (ARCHITECTURE.md "Side effects after commit"): ``notify`` writes one row per
recipient and channel inside the caller's transaction, so a step and its notifications commit
or roll back together; after commit a Celery task delivers each row. ``notification_deliver``
claims a row with one conditional UPDATE (pending → sending), so of two tasks for one row only
one sends it; a failed send goes back to pending with a later ``next_attempt_at`` (exponential
backoff) until the attempts run out, then stays failed for an admin to see. ``outbox_sweep``
re-queues pending rows nobody delivered (the broker was down) and fails rows whose worker died
mid-send: their outcome is unknown, and sending them again could send them twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.sms import send_sms
from dossiers.constants import Status
from dossiers.models import Dossier
from notifications import rules
from notifications.constants import DIGESTIBLE_KINDS, DigestMode, Kind, NotifyChannel, State
from notifications.messages import Message, render
from notifications.models import Notification, NotificationPreference, Reminder
from notifications.sms import sms_text
from portal.errors import DomainError

logger = logging.getLogger(__name__)

# A worker that claimed a row and did not finish within this time died mid-send.
SENDING_TIMEOUT = dt.timedelta(minutes=30)
# A pending row not picked up within this time after it was due was never queued.
QUEUE_GRACE = dt.timedelta(minutes=5)
# Rows per delivery task: one claim, one read and one mail session for them all.
DELIVERY_BATCH = 50


# --- preferences ----------------------------------------------------------------------------------


def preference_of(user: User) -> NotificationPreference:
    """The person's choices, or the defaults: citizens hear by every channel they have;
    officers by email and in the portal (SMS only if they ask), at once."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        staff = user.is_officer or user.is_staff
        return NotificationPreference(user=user, sms=bool(user.phone) and not staff)


def channels_for(user: User, preference: NotificationPreference) -> list[str]:
    """The channels a message to ``user`` goes by: the centre always; email and SMS when chosen
    and the person has an address for them."""
    channels = [NotifyChannel.INAPP]
    if preference.email and user.contact_email:
        channels.append(NotifyChannel.EMAIL)
    if preference.sms and user.phone:
        channels.append(NotifyChannel.SMS)
    return channels


@transaction.atomic
def preference_update(
    *, user: User, email: bool, sms: bool, language: str, digest: str | None = None
) -> NotificationPreference:
    """Save the person's choices. A channel needs its address (an email, a phone number);
    ``digest`` counts only for officers (citizens' messages are never held back)."""
    if language not in dict(settings.LANGUAGES):
        message = _("Choose Vietnamese or English.")
        raise DomainError(message, code="invalid", fields={"language": [message]})
    if digest is not None and digest not in DigestMode.values:
        message = _("Choose at once or a daily digest.")
        raise DomainError(message, code="invalid", fields={"digest": [message]})
    if email and not user.contact_email:
        message = _("Add an email address to your account first.")
        raise DomainError(message, code="invalid", fields={"email": [message]})
    if sms and not user.phone:
        message = _("Add a phone number to your profile first.")
        raise DomainError(message, code="invalid", fields={"sms": [message]})
    preference, _created = NotificationPreference.objects.get_or_create(
        user=user, defaults={"sms": preference_of(user).sms}
    )
    preference.email = bool(email)
    preference.sms = bool(sms)
    if digest is not None and (user.is_officer or user.is_portal_admin):
        preference.digest = digest
    preference.save()
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return preference


# --- writing the outbox ---------------------------------------------------------------------------


def notify(
    *,
    kind: str,
    recipients: Iterable[User],
    key: str,
    context: dict,
    dossier: Dossier | None = None,
) -> list[Notification]:
    """Write the rows of one message to ``recipients`` (inside the caller's transaction) and
    queue their delivery after commit. ``key`` names what the message is about; the same key
    is never written twice to one person and channel. Officers on a daily digest get their
    email and SMS held for it (the centre shows it at once), deadlines excepted."""
    now = timezone.now()
    rows = []
    for user in {user.pk: user for user in recipients if user is not None}.values():
        preference = preference_of(user)
        held = kind in DIGESTIBLE_KINDS and preference.digest == DigestMode.DAILY
        for channel in channels_for(user, preference):
            if channel == NotifyChannel.INAPP:
                state, sent_at = State.SENT, now
            else:
                state, sent_at = (State.HELD if held else State.PENDING), None
            rows.append(
                Notification(
                    recipient=user,
                    channel=channel,
                    kind=kind,
                    key=key,
                    dossier=dossier,
                    context=context,
                    state=state,
                    sent_at=sent_at,
                    next_attempt_at=now if state == State.PENDING else None,
                )
            )
    created = Notification.objects.bulk_create(rows)
    queue_delivery([row.pk for row in created if row.state == State.PENDING])
    return created


def queue_delivery(ids: list[int]) -> None:
    """Hand the rows to the broker after commit. A broker that is down costs one failed
    publish, not one per row: the rest wait for the sweep like the first."""
    if not ids:
        return

    def publish() -> None:
        from notifications.tasks import deliver_notifications

        for start in range(0, len(ids), DELIVERY_BATCH):
            try:
                deliver_notifications.delay(ids[start : start + DELIVERY_BATCH])
            except Exception:  # broker down: the sweep re-queues them when it is back
                logger.warning("Broker down: %d notification(s) wait for the sweep", len(ids))
                return

    transaction.on_commit(publish, robust=True)


def notify_event(*, dossier: Dossier, event) -> list[Notification]:
    """The notifications of one dossier event (``dossiers.signals.dossier_event``)."""
    created: list[Notification] = []
    for addressed in rules.addressed_for_event(dossier, event):
        context = {
            **rules.dossier_facts(dossier, for_officers=addressed.for_officers),
            **{k: v for k, v in rules.event_facts(event).items() if v is not None},
        }
        created += notify(
            kind=addressed.kind,
            recipients=addressed.recipients,
            key=f"event:{event.pk}:{addressed.kind}",
            context=context,
            dossier=dossier,
        )
    return created


def notify_message(*, dossier: Dossier, message) -> list[Notification]:
    """The notification of a message written on a dossier's thread."""
    created: list[Notification] = []
    for addressed in rules.addressed_for_message(dossier, message):
        context = {
            **rules.dossier_facts(dossier, for_officers=addressed.for_officers),
            "message": message.body[:500],
        }
        created += notify(
            kind=addressed.kind,
            recipients=addressed.recipients,
            key=f"message:{message.pk}",
            context=context,
            dossier=dossier,
        )
    return created


# --- delivery -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: ``sent``, ``skipped`` (not pending: sent or being sent
    by another task, or held), ``retry`` (in ``retry_in`` seconds) or ``failed``."""

    result: str
    retry_in: int | None = None


class Undeliverable(Exception):
    """The recipient has no address on this channel any more: trying again will not help."""


def backoff_seconds(attempts: int) -> int:
    """1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failure, at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


def notification_deliver(*, notification_id: int) -> Outcome:
    """Send one pending row, at most once (``notifications_deliver`` for one id)."""
    return notifications_deliver(ids=[notification_id]).get(notification_id, Outcome("skipped"))


def notifications_deliver(*, ids: list[int]) -> dict[int, Outcome]:
    """Send the pending rows among ``ids``, each at most once, through one mail connection.

    The rows are claimed by one UPDATE (pending → sending, stamped with a fresh claim token), so
    a row taken by another worker, already sent, held or failed is skipped; a task run twice
    sends nothing the second time. Each row's failure is its own: it goes back to pending with
    a later attempt, or to failed when the attempts are spent or it cannot be delivered.
    Returns the outcome of each row claimed."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = Notification.objects.filter(pk__in=ids, state=State.PENDING).update(
        state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now, claim=token
    )
    if not claimed:
        return {}
    rows = list(
        Notification.objects.filter(claim=token, state=State.SENDING)
        .select_related("recipient")
        .prefetch_related(_digest_items)
    )
    outcomes: dict[int, Outcome] = {}
    sent: list[int] = []
    with mail_connection() as connection:
        for row in rows:
            try:
                send(row, connection=connection)
            except Exception as error:  # noqa: BLE001 — any channel failure is recorded
                outcomes[row.pk] = _failed(row, error)
            else:
                sent.append(row.pk)
                outcomes[row.pk] = Outcome("sent")
    if sent:
        Notification.objects.filter(pk__in=sent, claim=token, state=State.SENDING).update(
            state=State.SENT, last_error="", sent_at=timezone.now()
        )
    return outcomes


_digest_items = Prefetch(
    "items", queryset=Notification.objects.order_by("created_at", "id"), to_attr="digest_items"
)


@contextmanager
def mail_connection():
    """One connection of the mail backend for a batch (one SMTP session, not one per email).
    A server that cannot be reached fails each email of the batch, to be tried again."""
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # noqa: BLE001 — each send raises again and is recorded per row
        logger.warning("Mail server unreachable", exc_info=True)
    try:
        yield connection
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 — closing a broken session must not lose outcomes
            logger.warning("Mail connection did not close cleanly", exc_info=True)


def _failed(row: Notification, error: Exception) -> Outcome:
    error_text = f"{type(error).__name__}: {error}"[:2000]
    if isinstance(error, Undeliverable) or row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        _finish(row, State.FAILED, last_error=error_text)
        logger.warning("Notification %s failed for good: %s", row.pk, error_text)
        return Outcome("failed")
    delay = backoff_seconds(row.attempts)
    _finish(
        row,
        State.PENDING,
        last_error=error_text,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
    )
    return Outcome("retry", retry_in=delay)


def _finish(row: Notification, state: str, **fields) -> None:
    Notification.objects.filter(pk=row.pk, claim=row.claim, state=State.SENDING).update(
        state=state, **fields
    )


def send(row: Notification, connection=None) -> None:
    """Write the row's message in its recipient's language and send it on its channel."""
    user = row.recipient
    message = render(row.kind, _context_of(row), user.language)
    if row.channel == NotifyChannel.EMAIL:
        _send_email(user, message, row, connection)
    elif row.channel == NotifyChannel.SMS:
        if not user.phone:
            raise Undeliverable("no phone number")
        send_sms(user.phone, sms_text(message.sms))
    # in-app rows are delivered by being written


def _context_of(row: Notification) -> dict:
    if row.kind != Kind.DIGEST:
        return row.context
    items = getattr(row, "digest_items", None)
    if items is None:
        items = row.items.order_by("created_at", "id")
    entries = [[item.kind, item.context] for item in items]
    return {**row.context, "entries": entries}


def _send_email(user: User, message: Message, row: Notification, connection=None) -> None:
    address = user.contact_email
    if not address:
        raise Undeliverable("no email address")
    with translation.override(user.language):
        context = {
            "message": message,
            "name": user.display_name,
            "settings_url": f"{settings.PORTAL_BASE_URL}{reverse('notifications:preferences')}",
            "language": user.language,
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        to=[address],
        headers={"Auto-Submitted": "auto-generated", "X-Portal-Notification": str(row.pk)},
        connection=connection,
    )
    mail.attach_alternative(html, "text/html")
    mail.send()


# --- sweeps and scans (Celery beat) ---------------------------------------------------------------


def outbox_sweep(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Re-queue pending rows that were due a while ago and never delivered (the broker was
    down, the task lost), and fail rows stuck in "sending" (their worker died)."""
    now = now or timezone.now()
    stuck = Notification.objects.filter(
        state=State.SENDING, next_attempt_at__lt=now - SENDING_TIMEOUT
    ).update(
        state=State.FAILED,
        last_error="Interrupted while sending: it may or may not have arrived. Send it again "
        "only after checking.",
    )
    ids = list(
        Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now - QUEUE_GRACE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        # Due again in QUEUE_GRACE: not re-queued by the next sweep while the broker has it.
        Notification.objects.filter(pk__in=ids, state=State.PENDING).update(next_attempt_at=now)
        with transaction.atomic():
            queue_delivery(ids)
    return {"requeued": len(ids), "interrupted": stuck}


def notification_resend(*, notification: Notification) -> bool:
    """An admin sends a failed row again (a fresh set of attempts)."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, state=State.FAILED).update(
            state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if updated:
            queue_delivery([notification.pk])
    return bool(updated)


def digests_send(*, limit: int = 5000) -> int:
    """Gather each officer's held messages into one digest per channel and queue it."""
    pairs = (
        Notification.objects.filter(state=State.HELD)
        .values_list("recipient_id", "channel")
        .distinct()
        .order_by("recipient_id", "channel")[:limit]
    )
    sent = 0
    for recipient_id, channel in list(pairs):
        with transaction.atomic():
            held = list(
                Notification.objects.select_for_update()
                .filter(recipient_id=recipient_id, channel=channel, state=State.HELD)
                .order_by("id")
            )
            if not held:
                continue
            digest = Notification.objects.create(
                recipient_id=recipient_id,
                channel=channel,
                kind=Kind.DIGEST,
                key=f"digest:{held[-1].pk}",
                context={"path": reverse("officer:queue"), "count": len(held)},
                next_attempt_at=timezone.now(),
            )
            Notification.objects.filter(pk__in=[row.pk for row in held]).update(
                state=State.DIGESTED, digest=digest, sent_at=timezone.now()
            )
            queue_delivery([digest.pk])
            sent += 1
    return sent


# Open statuses in which the processing clock runs (a supplement request pauses it).
CLOCK_RUNNING = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT)


def deadlines_scan(*, now: dt.datetime | None = None, limit: int = 2000) -> dict[str, int]:
    """Tell officers about dossiers due within one working day and dossiers overdue, once per
    dossier, level and due date (``Reminder``)."""
    from procedures.selectors import work_calendar

    now = now or timezone.now()
    calendar = work_calendar()
    horizon = calendar.add_working_time(now, calendar.day_length)
    counts = {}
    for level, window in (
        (Reminder.Level.OVERDUE, Q(due_at__lte=now)),
        (Reminder.Level.DUE_SOON, Q(due_at__gt=now, due_at__lte=horizon)),
    ):
        alerted = Reminder.objects.filter(
            dossier=OuterRef("pk"), level=level, moment=OuterRef("due_at")
        )
        due = (
            Dossier.objects.filter(window, status__in=CLOCK_RUNNING)
            .filter(~Exists(alerted))
            .select_related("procedure", "agency")
            .order_by("due_at")[:limit]
        )
        counts[level] = 0
        for dossier in due:
            counts[level] += _alert(dossier, level)
    return counts


def _alert(dossier: Dossier, level: str) -> int:
    with transaction.atomic():
        _alert_row, created = Reminder.objects.get_or_create(
            dossier=dossier, level=level, moment=dossier.due_at
        )
        if not created:  # another scan got there first
            return 0
        recipients = rules.handlers(dossier)
        if level == Reminder.Level.OVERDUE:
            recipients += rules.leaders(dossier.agency_id)
        kind = Kind.OVERDUE if level == Reminder.Level.OVERDUE else Kind.DUE_SOON
        notify(
            kind=kind,
            recipients=recipients,
            key=f"{level}:{dossier.pk}:{dossier.due_at.isoformat()}",
            context=rules.dossier_facts(dossier, for_officers=True),
            dossier=dossier,
        )
    return 1


DRAFT_IDLE = dt.timedelta(days=7)


def drafts_remind(*, now: dt.datetime | None = None, limit: int = 2000) -> int:
    """Remind citizens of drafts left unsubmitted for 7 days (once per draft and last edit)."""
    now = now or timezone.now()
    reminded = Reminder.objects.filter(
        dossier=OuterRef("pk"), level=Reminder.Level.DRAFT, moment=OuterRef("updated_at")
    )
    drafts = (
        Dossier.objects.filter(status=Status.DRAFT, updated_at__lte=now - DRAFT_IDLE)
        .filter(~Exists(reminded))
        .select_related("procedure", "agency", "applicant")
        .order_by("updated_at")[:limit]
    )
    count = 0
    for dossier in drafts:
        with transaction.atomic():
            _row, created = Reminder.objects.get_or_create(
                dossier=dossier, level=Reminder.Level.DRAFT, moment=dossier.updated_at
            )
            if created:
                notify(
                    kind=Kind.DRAFT_REMINDER,
                    recipients=[dossier.applicant],
                    key=f"draft:{dossier.pk}:{dossier.updated_at.isoformat()}",
                    context=rules.dossier_facts(dossier, for_officers=False),
                    dossier=dossier,
                )
                count += 1
    return count


# --- the notification centre ----------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the person's in-app notifications read (again is harmless). Another
    person's, or none, is the same 404."""
    row = Notification.objects.filter(
        pk=notification_id, recipient=user, channel=NotifyChannel.INAPP
    ).first()
    if row is None:
        raise DomainError(_("No such notification of yours."), code="not_found", status=404)
    if row.read_at is None:
        row.read_at = timezone.now()
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=row.read_at)
    return row


def notifications_mark_all_read(*, user: User) -> int:
    """Mark all the person's in-app notifications read; how many were unread."""
    return Notification.objects.filter(
        recipient=user, channel=NotifyChannel.INAPP, read_at__isnull=True
    ).update(read_at=timezone.now())
