"""The outbox (one row per recipient, channel and message), people's choices, deadline alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.constants import DigestMode, Kind, NotifyChannel, State


class Notification(models.Model):
    """One message to one person on one channel, written in the same transaction as what it
    tells (a dossier event), then delivered after commit by a Celery task.

    ``key`` names what the message is about (``event:<id>:<kind>``, ``overdue:<dossier>:<due>``…):
    one row per recipient, channel and key, so writing it twice writes it once. In-app rows are
    ``sent`` from the start: the notification centre is their delivery.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField(_("channel"), max_length=5, choices=NotifyChannel.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    key = models.CharField(max_length=120, help_text="What it is about; unique per recipient.")
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    context = models.JSONField(
        default=dict, blank=True, help_text="The facts the message is written from, when sent."
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Pending: when it is due; sending: when it was claimed."
    )
    claim = models.CharField(
        max_length=32, blank=True, help_text="The token of the delivery that claimed it."
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        help_text="The daily digest that carried this message.",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "key"], name="notification_once_per_key"
            )
        ]
        indexes = [
            # The sweep: pending rows whose attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state=State.PENDING),
                name="notification_pending",
            ),
            # The notification centre and its unread count in the header.
            models.Index(
                fields=["recipient", "channel", "-created_at"], name="notification_centre"
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(channel=NotifyChannel.INAPP, read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient", "channel"],
                condition=Q(state=State.HELD),
                name="notification_held",
            ),
            models.Index(fields=["state", "-created_at"], name="notification_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.channel})"


class NotificationPreference(models.Model):
    """How a person wants to hear from the portal. No row: the defaults of ``defaults_for``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("by email"), default=True)
    sms = models.BooleanField(_("by text message (SMS)"), default=True)
    digest = models.CharField(
        _("officers: when"),
        max_length=10,
        choices=DigestMode.choices,
        default=DigestMode.IMMEDIATE,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class Reminder(models.Model):
    """A reminder already given, so each is given once: a deadline (due within one working day,
    overdue) per dossier and due date (a new due date, after an apology, gets its own), or a
    draft left alone, per draft and last edit."""

    class Level(models.TextChoices):
        DUE_SOON = "due_soon", _("Due within one working day")
        OVERDUE = "overdue", _("Overdue")
        DRAFT = "draft", _("Draft left unsubmitted")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    moment = models.DateTimeField(help_text="The due date reminded of, or the draft's last edit.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "level", "moment"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.dossier_id} {self.moment:%Y-%m-%d %H:%M}"
