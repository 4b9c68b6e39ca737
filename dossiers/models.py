"""Dossiers, their papers and history, and the citizen's document store (Kho dữ liệu)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dossiers.constants import (
    EDITABLE,
    FEE_PAYABLE,
    Delivery,
    DocumentKind,
    FeeState,
    PostalState,
    ResultSource,
    Status,
    StoredKind,
)
from procedures.constants import Channel


def stored_file_path(instance: StoredDocument, filename: str) -> str:
    """Random storage name: the citizen's file name never reaches the disk or a URL."""
    return f"papers/{instance.owner_id}/{uuid.uuid4().hex}.{instance.extension}"


class StoredDocument(models.Model):
    """A file kept for its owner: a paper they uploaded or a result issued to them.

    Deleting from the store hides it (``deleted_at``); the file stays while a dossier uses it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stored_documents"
    )
    kind = models.CharField(max_length=10, choices=StoredKind.choices, default=StoredKind.PAPER)
    title = models.CharField(_("type of paper"), max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=stored_file_path, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "deleted_at", "-created_at"], name="store_owner")]

    def __str__(self) -> str:
        return f"{self.title} ({self.filename})"


class Dossier(models.Model):
    """An application (hồ sơ). ``id`` is random so no one can guess another person's dossier."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("dossier code"), max_length=40, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers"
    )
    version = models.ForeignKey(
        "procedures.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers"
    )
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.PROTECT, related_name="dossiers"
    )
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.DRAFT)
    channel = models.PositiveSmallIntegerField(choices=Channel.choices, default=Channel.ONLINE)
    form_data = models.JSONField(default=dict, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.ONLINE)
    postal_address = models.CharField(max_length=500, blank=True)
    fee = models.JSONField(null=True, blank=True, help_text="Quote frozen at submission.")
    fee_net = models.PositiveIntegerField(null=True, blank=True)
    # --- the fee's payment (the payments app writes these through dossier_fee_settle) ---
    fee_state = models.CharField(
        _("fee state"), max_length=10, choices=FeeState.choices, default=FeeState.NONE
    )
    fee_paid_at = models.DateTimeField(_("fee paid at"), null=True, blank=True)
    fee_paid_channel = models.PositiveSmallIntegerField(
        _("fee paid"),
        choices=Channel.choices,
        null=True,
        blank=True,
        help_text="Online (a payment gateway) or at the counter; the online payment rate reads it.",
    )
    withdrawal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # --- the officers' side (issue 4) ---
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
    )
    paused_since = models.DateTimeField(
        null=True, blank=True, help_text="Clock stopped since: waiting for the citizen's papers."
    )
    supplement_requests = models.PositiveSmallIntegerField(
        default=0, help_text="How many times papers were asked for; a second request counts late."
    )
    apologized_at = models.DateTimeField(null=True, blank=True)
    original_due_at = models.DateTimeField(
        null=True, blank=True, help_text="The due date before the one re-dating (form 04)."
    )
    intake_token = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The counter form's one-time token: the same form sent twice files once.",
    )
    result = models.ForeignKey(
        StoredDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="result_of",
        help_text="The result document, attached at approval.",
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["applicant", "status", "-updated_at"], name="dossier_applicant"),
            models.Index(fields=["agency", "status", "due_at"], name="dossier_agency_queue"),
            models.Index(fields=["submitted_at"], name="dossier_submitted"),
            # Officer queues: by agency and status, sorted by due or received date, or "mine".
            models.Index(
                fields=["agency", "status", "received_at"], name="dossier_agency_received"
            ),
            models.Index(
                fields=["agency", "assigned_to", "status", "due_at"], name="dossier_agency_assignee"
            ),
            # A queue's first page read in the order it is shown, stopping after a page, for the
            # queues that span several statuses (a sort of 100,000s of rows otherwise; see
            # docs/performance.md). Descending orders are backward scans (nulls first).
            models.Index(
                fields=["agency", "due_at", "submitted_at", "id"], name="dossier_agency_due_order"
            ),
            models.Index(
                fields=["agency", "received_at", "submitted_at", "id"],
                name="dossier_agency_recv_order",
            ),
            models.Index(fields=["agency", "submitted_at", "id"], name="dossier_agency_sub_order"),
            # The province one-stop centre's queues span every agency of the province.
            models.Index(fields=["due_at", "submitted_at", "id"], name="dossier_due_order"),
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status=Status.SUBMITTED),
                name="dossier_new_order",
            ),
            # The hourly deadline scan (notifications): open dossiers whose clock runs, by due
            # date; and the reminder of drafts left alone for a week.
            models.Index(
                fields=["due_at"],
                condition=Q(
                    status__in=[Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT]
                ),
                name="dossier_clock_running",
            ),
            models.Index(
                fields=["updated_at"], condition=Q(status=Status.DRAFT), name="dossier_draft_idle"
            ),
            # Search by the start of a dossier code (LIKE 'prefix%' on PostgreSQL).
            models.Index(
                fields=["code"], name="dossier_code_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(code__isnull=False),
                name="dossier_code_after_draft",
            ),
            models.CheckConstraint(
                condition=~Q(delivery=Delivery.POSTAL) | ~Q(postal_address=""),
                name="dossier_postal_needs_address",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"draft {self.id}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def fee_payable(self) -> bool:
        """The fee is owed and may be paid now (online or at the counter)."""
        return self.fee_state == FeeState.DUE and self.status in FEE_PAYABLE

    @property
    def result_handover(self) -> ResultHandover | None:
        """How the result was handed over (status 10), or None. Django remembers the answer,
        absent included, so asking again costs nothing (and nothing with ``select_related``)."""
        try:
            return self.handover
        except models.ObjectDoesNotExist:
            return None


class Attachment(models.Model):
    """A paper attached to a dossier for one required-paper slot of its procedure version.

    Nothing is deleted once submitted: a supplement adds a new attachment and marks the old one
    ``superseded_at``, so every version of the papers is kept.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document_id = models.PositiveBigIntegerField(help_text="Required-paper id in the version.")
    document_name = models.CharField(max_length=500)
    stored = models.ForeignKey(StoredDocument, on_delete=models.PROTECT, related_name="uses")
    reused = models.BooleanField(default=False, help_text="Picked from the citizen's store.")
    round = models.PositiveSmallIntegerField(default=0, help_text="0 at filing, n at supplement n.")
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "document_id"],
                condition=Q(superseded_at__isnull=True),
                name="attachment_one_current_per_slot",
            )
        ]

    def __str__(self) -> str:
        return self.document_name


class DossierEvent(models.Model):
    """One step of a dossier's history; append-only (form 06 prints these)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(max_length=10)
    action = models.CharField(max_length=40)
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the step decided: items asked for, agencies of a transfer, new due date…",
    )
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class DailySequence(models.Model):
    """Last dossier number given by an agency on a day; locked while a code is allocated."""

    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="daily_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


def issued_document_path(instance: IssuedDocument, filename: str) -> str:
    return f"documents/{instance.dossier_id}/{uuid.uuid4().hex}.pdf"


class IssuedDocument(models.Model):
    """A form the agency issued for a dossier (receipt, supplement request, refusal, apology),
    made once from the step's event and kept; the citizen and the officers download it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    event = models.ForeignKey(DossierEvent, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=2, choices=DocumentKind.choices)
    number = models.PositiveSmallIntegerField(help_text="The n-th document of this kind.")
    code = models.CharField(
        _("document code"),
        max_length=60,
        unique=True,
        help_text="<dossier code>-KQ<n> (results), -BL<n> (fee receipts), -M<form>-<n> (forms).",
    )
    file = models.FileField(upload_to=issued_document_path, max_length=300)
    size = models.PositiveIntegerField()
    # Indexed: the verification page finds an uploaded PDF by its hash.
    sha256 = models.CharField(
        max_length=64, db_index=True, help_text="Of the file as issued (signed)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # --- the agency's digital signature (dossiers/signing.py); empty when issued unsigned ---
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    signature_level = models.CharField(max_length=5, blank=True, help_text="PAdES B-B or B-T.")
    source = models.CharField(
        max_length=10, choices=ResultSource.choices, blank=True, help_text="Results only."
    )

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["created_at"]
        constraints = [
            # Issuing is idempotent: a retried task finds the document of its event.
            models.UniqueConstraint(fields=["event", "kind"], name="issued_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier}"

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    @staticmethod
    def code_for(dossier_code: str, kind: str, number: int) -> str:
        if kind in (DocumentKind.RESULT, DocumentKind.FEE_RECEIPT):
            return f"{dossier_code}-{kind}{number}"
        return f"{dossier_code}-M{kind}-{number}"


class ResultHandover(models.Model):
    """How a dossier's result reached the citizen (→10): online download, at the counter
    (who received it, when) or by post (BCCI: address, tracking number, delivery state)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="handover")
    method = models.CharField(_("method"), max_length=10, choices=Delivery.choices)
    handed_at = models.DateTimeField(_("handed over at"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recipient_name = models.CharField(_("received by"), max_length=200, blank=True)
    recipient_id_number = models.CharField(_("their ID number"), max_length=20, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=500, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    postal_state = models.CharField(
        _("delivery state"), max_length=10, choices=PostalState.choices, blank=True
    )
    postal_updated_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(
        null=True, blank=True, help_text="First download of the result by the citizen."
    )

    class Meta:
        verbose_name = _("result handover")
        verbose_name_plural = _("result handovers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="counter") | ~Q(recipient_name=""),
                name="handover_counter_names_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(method="postal") | (~Q(tracking_number="") & ~Q(postal_address="")),
                name="handover_postal_tracked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.dossier}"


class DossierMessage(models.Model):
    """A message on a dossier: between the citizen and the agency, or an officers' internal
    note (``internal``), which the citizen never sees. Append-only."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    internal = models.BooleanField(default=False)
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier message")
        verbose_name_plural = _("dossier messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["dossier", "internal", "created_at"], name="message_thread")
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.body[:40]}"


def export_path(instance: QueueExport, filename: str) -> str:
    return f"exports/{instance.officer_id}/{instance.pk}.{instance.kind}"


class QueueExport(models.Model):
    """A large export of an officer's queue, built in the background."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_exports"
    )
    kind = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    query = models.CharField(max_length=1000, blank=True, help_text="The queue page's filters.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("queue export")
        verbose_name_plural = _("queue exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
