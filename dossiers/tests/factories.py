"""Dossier factories with a trait per state: ``DossierFactory(submitted=True)``."""

import datetime as dt
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers.constants import Delivery, FeeState, PostalState, Status, StoredKind
from dossiers.models import Attachment, Dossier, ResultHandover, StoredDocument
from portal import pdf as portal_pdf
from procedures.constants import Channel
from procedures.services import procedure_publish
from procedures.tests.factories import ProcedureFactory


def blank_pdf(pages: int = 1) -> bytes:
    """A real, minimal PDF of blank A4 pages (with its cross-reference table): signable."""
    return portal_pdf.blank(pages)


PDF_BYTES = blank_pdf()
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name="giay-to.pdf", size=None):
    content = PDF_BYTES if size is None else PDF_BYTES + b"0" * (size - len(PDF_BYTES))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def jpeg_upload(name="anh-chup.jpg"):
    return SimpleUploadedFile(name, JPEG_BYTES, content_type="image/jpeg")


def published_procedure(**kwargs):
    """A published procedure with a version (dossiers need one)."""
    procedure = ProcedureFactory(**kwargs)
    procedure_publish(procedure=procedure)
    return procedure


class StoredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoredDocument

    owner = factory.SubFactory(UserFactory)
    title = "Căn cước công dân"
    filename = "cccd.pdf"
    extension = "pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = "0" * 64
    file = factory.django.FileField(from_func=lambda: io.BytesIO(PDF_BYTES), filename="x.pdf")

    class Params:
        deleted = factory.Trait(deleted_at=factory.LazyFunction(timezone.now))


def sample_fee(gross: int = 100_000, percent: int = 40) -> dict:
    """A frozen quote of one fee item (code ``le-phi``) with the online discount applied, as
    ``procedures.fees.FeeQuote.as_dict`` writes it."""
    discount = (gross * percent + 50) // 100
    rule = {"name": "Giảm 40% lệ phí nộp trực tuyến", "legal_basis": "NQ 18/2023", "percent": 40}
    line = {
        "code": "le-phi",
        "name": "Lệ phí",
        "category": "ho-tich",
        "unit": "hồ sơ",
        "quantity": 1,
        "unit_amount": gross,
        "gross": gross,
        "discount": discount,
        "net": gross - discount,
        "rule": rule if discount else None,
    }
    return {
        "procedure": "1.000000",
        "channel": 2,
        "on_date": "2026-11-23",
        "items": [line],
        "gross": gross,
        "discount": discount,
        "net": gross - discount,
        "rule": rule if discount else None,
    }


def _hours_ago(hours: float):
    return factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=hours))


def _due_from_calendar(dossier) -> dt.datetime:
    """The due date the receipt would give: the calendar's, for the dossier's channel."""
    from procedures.workdays import WorkCalendar

    procedure = dossier.procedure
    days = (
        procedure.effective_online_days
        if dossier.channel == Channel.ONLINE
        else procedure.processing_days
    )
    return WorkCalendar.from_db().due_at(dossier.received_at, days)


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier; ``DossierFactory(<state>=True)`` for every status of the workflow, with the
    dates a real one would have: submitted before received (the due date from the calendar),
    finished last. Override ``received_at`` and the due date follows."""

    class Meta:
        model = Dossier
        skip_postgeneration_save = True  # the hand-over (a related row) changes no field

    applicant = factory.SubFactory(UserFactory)
    procedure = factory.LazyFunction(published_procedure)
    version = factory.LazyAttribute(lambda o: o.procedure.versions.order_by("-number").first())
    agency = factory.LazyAttribute(lambda o: o.procedure.agency)
    status = Status.DRAFT
    channel = Channel.ONLINE
    # As at submission: a submitted dossier with a fee owes it (traits may say otherwise).
    fee_state = factory.LazyAttribute(
        lambda o: FeeState.DUE if o.fee_net and o.status != Status.DRAFT else FeeState.NONE
    )

    class Params:
        submitted = factory.Trait(
            status=Status.SUBMITTED,
            code=factory.Sequence(lambda n: f"000.00.00.H57-261123-{n:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        # Intake refused it (form 03): never received, finished at once.
        refused = factory.Trait(
            submitted=True,
            status=Status.REFUSED,
            submitted_at=_hours_ago(2),
            finished_at=factory.LazyFunction(timezone.now),
        )
        # Received (form 01): the clock runs from ``received_at`` to ``due_at``.
        received = factory.Trait(
            submitted=True,
            status=Status.RECEIVED,
            submitted_at=_hours_ago(2),
            received_at=_hours_ago(1),
            due_at=factory.LazyAttribute(_due_from_calendar),
        )
        processing = factory.Trait(received=True, status=Status.PROCESSING)
        # Papers asked for after the receipt: the clock is paused since the request.
        supplement = factory.Trait(
            received=True,
            status=Status.SUPPLEMENT,
            paused_since=factory.LazyFunction(timezone.now),
            supplement_requests=1,
        )
        # A fee of 100,000 at the counter, 60,000 filed online (40% off), owed.
        fee_due = factory.Trait(
            fee=factory.LazyFunction(sample_fee), fee_net=60_000, fee_state=FeeState.DUE
        )
        fee_paid = factory.Trait(
            fee_due=True,
            fee_state=FeeState.PAID,
            fee_paid_at=factory.LazyFunction(timezone.now),
            fee_paid_channel=Channel.ONLINE,
        )
        awaiting_payment = factory.Trait(
            received=True,
            status=Status.AWAITING_PAYMENT,
            fee_state=FeeState.DUE,
            fee=factory.LazyAttribute(
                lambda o: {"items": [], "gross": o.fee_net, "discount": 0, "net": o.fee_net}
            ),
            fee_net=50_000,
        )
        withdrawal = factory.Trait(
            received=True,
            status=Status.WITHDRAWAL,
            withdrawal_reason="Nộp nhầm thủ tục",
        )
        # Approved: the result is in the applicant's store; not yet handed over.
        processed = factory.Trait(
            received=True,
            status=Status.PROCESSED,
            result=factory.SubFactory(
                StoredDocumentFactory,
                owner=factory.SelfAttribute("..applicant"),
                kind=StoredKind.RESULT,
                title="Kết quả",
                filename="ket-qua.pdf",
            ),
        )
        returned = factory.Trait(
            processed=True,
            status=Status.RETURNED,
            finished_at=factory.LazyFunction(timezone.now),
            handover=factory.RelatedFactory(
                "dossiers.tests.factories.ResultHandoverFactory", factory_related_name="dossier"
            ),
        )
        # Returned by post (BCCI): the parcel is on its way.
        posted = factory.Trait(
            returned=True,
            delivery=Delivery.POSTAL,
            postal_address="12 Lê Lợi, phường Phú Hội, Huế",
        )
        stopped = factory.Trait(
            withdrawal=True,
            status=Status.STOPPED,
            finished_at=factory.LazyFunction(timezone.now),
        )


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    dossier = factory.SubFactory(DossierFactory)
    document_id = 1
    document_name = "Giấy tờ"
    stored = factory.SubFactory(
        StoredDocumentFactory, owner=factory.SelfAttribute("..dossier.applicant")
    )


class ResultHandoverFactory(factory.django.DjangoModelFactory):
    """The hand-over of a returned dossier, by the method the citizen chose."""

    class Meta:
        model = ResultHandover

    method = factory.LazyAttribute(lambda o: o.dossier.delivery)
    handed_at = factory.LazyFunction(timezone.now)
    officer = factory.SubFactory(UserFactory, officer=True)
    recipient_name = factory.LazyAttribute(
        lambda o: (o.dossier.applicant.full_name or "Người nhận") if o.method == "counter" else ""
    )
    postal_address = factory.LazyAttribute(
        lambda o: o.dossier.postal_address if o.method == Delivery.POSTAL else ""
    )
    tracking_number = factory.LazyAttribute(
        lambda o: "EL000123456VN" if o.method == Delivery.POSTAL else ""
    )
    postal_state = factory.LazyAttribute(
        lambda o: PostalState.SENT if o.method == Delivery.POSTAL else ""
    )
