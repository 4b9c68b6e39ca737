"""Channels, delivery states and the kinds of notification the portal sends."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotifyChannel(models.TextChoices):
    """How a notification reaches its recipient."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")
    INAPP = "inapp", _("In the portal")  # the notification centre; always on


class State(models.TextChoices):
    """Where an outbox row stands. Only ``pending`` rows are ever sent; a row leaves ``sending``
    only as ``sent`` or ``failed`` (never back to ``pending``), so it is sent at most once."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # gave up after the retries; an admin may send it again
    HELD = "held", _("Held for the daily digest")
    DIGESTED = "digested", _("Sent in a daily digest")


class DigestMode(models.TextChoices):
    """When an officer hears about work: at once, or in one email a day."""

    IMMEDIATE = "immediate", _("At once, one message per event")
    DAILY = "daily", _("Once a day, in one digest")


class Kind(models.TextChoices):
    """What a notification says (notifications/messages.py writes each one)."""

    # --- to the citizen ---
    SUBMITTED = "submitted", _("Dossier submitted")
    FILED_AT_COUNTER = "filed_at_counter", _("Dossier filed for you at the counter")
    RECEIVED = "received", _("Dossier received")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Papers to add")
    PAYMENT_REQUESTED = "payment_requested", _("Fee to pay")
    FEE_PAID = "fee_paid", _("Fee paid")
    APOLOGY = "apology", _("Apology and new date")
    RESULT_READY = "result_ready", _("Result ready")
    RETURNED = "returned", _("Result handed over")
    POSTAL_FAILED = "postal_failed", _("Result not delivered by post")
    REFUSED = "refused", _("Dossier not accepted")
    STOPPED = "stopped", _("Processing stopped")
    REFUND = "refund", _("Fee refund")
    AGENCY_MESSAGE = "agency_message", _("Message from the agency")
    DRAFT_REMINDER = "draft_reminder", _("Draft not submitted yet")
    # --- to officers ---
    NEW_DOSSIER = "new_dossier", _("New dossier in the queue")
    ASSIGNED = "assigned", _("Dossier assigned to you")
    SUPPLEMENT_ANSWERED = "supplement_answered", _("Citizen added the papers")
    CITIZEN_MESSAGE = "citizen_message", _("Message from the citizen")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Citizen asks to withdraw")
    DUE_SOON = "due_soon", _("Due within one working day")
    OVERDUE = "overdue", _("Overdue")
    DIGEST = "digest", _("Daily digest")


# Kinds addressed to officers.
OFFICER_KINDS = frozenset(
    {
        Kind.NEW_DOSSIER,
        Kind.ASSIGNED,
        Kind.SUPPLEMENT_ANSWERED,
        Kind.CITIZEN_MESSAGE,
        Kind.WITHDRAWAL_REQUESTED,
        Kind.DUE_SOON,
        Kind.OVERDUE,
    }
)
# What a daily digest may hold back: officers' news, not deadlines (a dossier due within a day
# cannot wait for tomorrow morning's digest).
DIGESTIBLE_KINDS = OFFICER_KINDS - {Kind.DUE_SOON, Kind.OVERDUE}
