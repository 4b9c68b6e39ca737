"""Dossier statuses (national synchronisation codes), result delivery methods, document kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.IntegerChoices):
    """Codes of Decree 118/2025 / Circular 03/2025 as synced to the national portal; 0 is ours."""

    DRAFT = 0, _("Draft")  # only its author sees it
    SUBMITTED = 1, _("Submitted online")  # mới đăng ký
    RECEIVED = 2, _("Received")  # được tiếp nhận: the clock runs
    REFUSED = 3, _("Not accepted")  # không được tiếp nhận (form 03)
    PROCESSING = 4, _("Being processed")  # đang xử lý
    SUPPLEMENT = 5, _("Papers to add")  # yêu cầu bổ sung (form 02): the citizen must act
    AWAITING_PAYMENT = 6, _("Fee to pay")  # yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWAL = 7, _("Withdrawal requested")  # rút hồ sơ
    STOPPED = 8, _("Stopped")  # dừng xử lý
    PROCESSED = 9, _("Result ready")  # đã xử lý xong
    RETURNED = 10, _("Result returned")  # đã trả kết quả


# Statuses in which the citizen may still change the form and the papers.
EDITABLE = {Status.DRAFT, Status.SUPPLEMENT}
# Statuses from which the citizen may ask to withdraw the dossier.
WITHDRAWABLE = {
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT,
    Status.AWAITING_PAYMENT,
}
FINISHED = {Status.REFUSED, Status.STOPPED, Status.RETURNED}
# Statuses in which an owed fee may be paid: from submission on, and still after the result was
# handed over unpaid (procedures that do not make the result wait for the fee); not while the
# citizen asks to withdraw, nor once the dossier is refused or stopped (the fee is cancelled).
FEE_PAYABLE = {
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT,
    Status.AWAITING_PAYMENT,
    Status.PROCESSED,
    Status.RETURNED,
}


class Delivery(models.TextChoices):
    """How the citizen wants the result."""

    ONLINE = "online", _("Download online")
    COUNTER = "counter", _("Collect at the counter")
    POSTAL = "postal", _("By post (BCCI)")


class StoredKind(models.TextChoices):
    """What a document of the citizen's store is."""

    PAPER = "paper", _("Paper uploaded by the citizen")
    RESULT = "result", _("Result issued by an agency")


class DocumentKind(models.TextChoices):
    """Forms of Circular 01/2018 (kept by Decree 118/2025) the portal issues for a dossier."""

    # Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    RECEIPT = "01", _("Receipt and appointment (form 01)")
    SUPPLEMENT_REQUEST = "02", _("Request to complete the dossier (form 02)")
    REFUSAL = "03", _("Refusal to accept the dossier (form 03)")
    APOLOGY = "04", _("Apology and new appointment (form 04)")
    RESULT = "KQ", _("Result")  # kết quả giải quyết: signed at approval (→9)
    FEE_RECEIPT = "BL", _("Fee receipt")  # biên lai điện tử: issued when the fee is paid


class FeeState(models.TextChoices):
    """Where a dossier's fee stands; the payments app moves it, the workflow reads it."""

    NONE = "none", _("No fee")  # nothing to pay (free procedure, or not submitted yet)
    DUE = "due", _("Not paid yet")  # the frozen quote's net amount is owed
    PAID = "paid", _("Paid")  # online or at the counter, with a receipt
    EXEMPT = "exempt", _("Exempt")  # an officer recorded the applicant's exemption and why
    REFUNDING = "refunding", _("Refund in progress")  # paid, then refused or stopped
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Not owed: the dossier was closed")  # refused or stopped unpaid


# Fee states in which nothing more is owed: the result may be handed over.
FEE_SETTLED = {FeeState.NONE, FeeState.PAID, FeeState.EXEMPT}


class ResultSource(models.TextChoices):
    """Where a result document came from."""

    GENERATED = "generated", _("Generated from the procedure's result template")
    UPLOADED = "uploaded", _("PDF uploaded by the officer")


class PostalState(models.TextChoices):
    """Where a result sent by post (BCCI) is."""

    SENT = "sent", _("Handed to the post office")
    DELIVERED = "delivered", _("Delivered to the citizen")
    FAILED = "failed", _("Returned by the post office: not delivered")
