"""Dossier factories with a trait per state: ``DossierFactory(submitted=True)``."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.models import Attachment, Dossier, StoredDocument
from procedures.services import procedure_publish
from procedures.tests.factories import ProcedureFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
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


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    applicant = factory.SubFactory(UserFactory)
    procedure = factory.LazyFunction(published_procedure)
    version = factory.LazyAttribute(lambda o: o.procedure.versions.order_by("-number").first())
    agency = factory.LazyAttribute(lambda o: o.procedure.agency)
    status = Status.DRAFT

    class Params:
        submitted = factory.Trait(
            status=Status.SUBMITTED,
            code=factory.Sequence(lambda n: f"000.00.00.H57-261123-{n:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        supplement = factory.Trait(
            status=Status.SUPPLEMENT,
            code=factory.Sequence(lambda n: f"000.00.00.H57-261123-{n + 5000:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(
            status=Status.RETURNED,
            code=factory.Sequence(lambda n: f"000.00.00.H57-261123-{n + 8000:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
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
