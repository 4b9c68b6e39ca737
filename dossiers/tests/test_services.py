"""Filing rules: drafts keep everything, papers are checked, submission is complete and unique."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.models import Attachment, Dossier, DossierEvent, StoredDocument
from dossiers.services import (
    dossier_answer_supplement,
    dossier_attach_stored,
    dossier_attach_upload,
    dossier_create_draft,
    dossier_delete_draft,
    dossier_detach,
    dossier_submit,
    dossier_update,
    dossier_withdraw,
    missing_items,
    stored_document_delete,
)
from dossiers.tests.factories import (
    PNG_BYTES,
    DossierFactory,
    StoredDocumentFactory,
    jpeg_upload,
    pdf_upload,
    published_procedure,
)
from portal.errors import DomainError
from procedures.tests.factories import (
    DiscountRuleFactory,
    FeeCategoryFactory,
    FeeItemFactory,
    ProcedureFactory,
)

pytestmark = pytest.mark.django_db
CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")


def _slots(procedure):
    return procedure.versions.order_by("-number").first().snapshot["required_documents"]


def _complete_draft(procedure, form):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=procedure, form_data=form)
    dossier_attach_upload(
        dossier=dossier, actor=citizen, document_id=_slots(procedure)[0]["id"], upload=pdf_upload()
    )
    return citizen, dossier


def test_draft_keeps_invalid_values_and_reports_them(birth_procedure):
    citizen = UserFactory()

    dossier, errors = dossier_create_draft(
        applicant=citizen, procedure=birth_procedure, form_data={"ngay_sinh": "30/02/2026"}
    )

    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT and dossier.code is None
    assert dossier.form_data == {"ngay_sinh": "30/02/2026"}  # kept as typed
    assert "ngay_sinh" in errors and "ho_ten_tre" not in errors  # missing is not an error yet
    assert DossierEvent.objects.filter(dossier=dossier, action="create").exists()


def test_update_merges_values_and_reports_wrong_ones(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)

    dossier, errors = dossier_update(
        dossier=dossier, actor=citizen, form_data={"ho_ten_tre": "An", "cccd_me": "123"}
    )
    dossier, errors = dossier_update(dossier=dossier, actor=citizen, form_data={"gioi_tinh": "X"})

    assert dossier.form_data == {"ho_ten_tre": "An", "cccd_me": "123", "gioi_tinh": "X"}
    assert set(errors) == {"cccd_me", "gioi_tinh"}


def test_offline_or_unpublished_procedure_cannot_be_filed_online():
    citizen = UserFactory()
    with pytest.raises(DomainError) as offline:
        dossier_create_draft(applicant=citizen, procedure=published_procedure(offline=True))
    with pytest.raises(DomainError):
        dossier_create_draft(applicant=citizen, procedure=ProcedureFactory(draft=True))
    assert offline.value.code == "not_online"


def test_postal_delivery_needs_an_address(birth_procedure):
    with pytest.raises(DomainError) as refused:
        dossier_create_draft(applicant=UserFactory(), procedure=birth_procedure, delivery="postal")

    assert "postal_address" in refused.value.fields


def test_submission_assigns_code_status_version_and_frozen_fee(birth_procedure, valid_form):
    category = FeeCategoryFactory(code="civil_status")
    FeeItemFactory(procedure=birth_procedure, category=category, amount=15_000)
    DiscountRuleFactory(categories=[category])
    citizen, dossier = _complete_draft(birth_procedure, valid_form)

    dossier = dossier_submit(dossier=dossier, actor=citizen)

    assert dossier.status == Status.SUBMITTED and dossier.channel == 2
    assert CODE.match(dossier.code) and dossier.code.startswith(birth_procedure.agency.code)
    assert dossier.code.endswith("-0001")
    assert dossier.fee["gross"] == 15_000 and dossier.fee["net"] == 9_000
    assert dossier.fee["rule"]["percent"] == 40 and dossier.fee_net == 9_000
    assert dossier.version == birth_procedure.versions.order_by("-number").first()
    assert dossier.events.last().to_status == Status.SUBMITTED


def test_the_frozen_fee_ignores_later_rule_changes(birth_procedure, valid_form):
    category = FeeCategoryFactory(code="civil_status")
    item = FeeItemFactory(procedure=birth_procedure, category=category, amount=15_000)
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    dossier_submit(dossier=dossier, actor=citizen)

    item.amount = 50_000
    item.save()

    dossier.refresh_from_db()
    assert dossier.fee["net"] == 15_000


def test_codes_count_per_agency_and_day(birth_procedure, valid_form):
    codes = []
    for _ in range(3):
        citizen, dossier = _complete_draft(birth_procedure, valid_form)
        codes.append(dossier_submit(dossier=dossier, actor=citizen).code)

    assert [c[-4:] for c in codes] == ["0001", "0002", "0003"]


def test_incomplete_submission_lists_everything_missing(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(
        applicant=citizen, procedure=birth_procedure, form_data={"gioi_tinh": "Khác"}
    )

    with pytest.raises(DomainError) as refused:
        dossier_submit(dossier=dossier, actor=citizen)

    fields = refused.value.fields
    assert refused.value.code == "incomplete"
    assert {"ho_ten_tre", "ngay_sinh", "gioi_tinh", "cccd_me", "papers"} <= set(fields)
    assert len(fields["papers"]) == 1  # the optional paper is not listed
    assert "Giấy chứng sinh" in fields["papers"][0]
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT and dossier.code is None


def test_second_submission_is_refused_and_keeps_the_code(birth_procedure, valid_form):
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    first = dossier_submit(dossier=dossier, actor=citizen)

    with pytest.raises(DomainError) as refused:
        dossier_submit(dossier=dossier, actor=citizen)

    assert refused.value.status == 409
    dossier.refresh_from_db()
    assert dossier.code == first.code
    assert dossier.events.filter(action="submit").count() == 1


def test_editing_after_submission_is_refused(birth_procedure, valid_form):
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    dossier_submit(dossier=dossier, actor=citizen)

    with pytest.raises(DomainError) as refused:
        dossier_update(dossier=dossier, actor=citizen, form_data={"ho_ten_tre": "Khác"})
    with pytest.raises(DomainError):
        dossier_attach_upload(
            dossier=dossier,
            actor=citizen,
            document_id=_slots(birth_procedure)[0]["id"],
            upload=pdf_upload(),
        )

    assert refused.value.status == 409


def test_upload_goes_to_the_store_under_a_random_name(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)

    attachment = dossier_attach_upload(
        dossier=dossier,
        actor=citizen,
        document_id=_slots(birth_procedure)[0]["id"],
        upload=pdf_upload(name="../../etc/passwd.pdf"),
    )

    stored = attachment.stored
    assert stored.owner == citizen and stored.title == "Giấy chứng sinh"
    assert stored.filename == "passwd.pdf"
    assert "passwd" not in stored.file.name and ".." not in stored.file.name
    assert stored.file.name.startswith(f"papers/{citizen.pk}/")
    assert len(stored.sha256) == 64


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (pdf_upload(size=1024 * 1024 + 1), "file_too_large"),
        (SimpleUploadedFile("trong.pdf", b"", "application/pdf"), "empty_file"),
    ],
)
def test_oversize_and_empty_files_are_refused(birth_procedure, upload, code):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)

    with pytest.raises(DomainError) as refused:
        dossier_attach_upload(
            dossier=dossier,
            actor=citizen,
            document_id=_slots(birth_procedure)[0]["id"],
            upload=upload,
        )

    assert refused.value.code == code
    assert not StoredDocument.objects.exists() and not Attachment.objects.exists()


def test_disguised_file_is_refused_by_its_content(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)
    fake = SimpleUploadedFile("giay-chung-sinh.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    png_for_pdf_only = SimpleUploadedFile("ket-hon.pdf", PNG_BYTES, "application/pdf")

    with pytest.raises(DomainError) as disguised:
        dossier_attach_upload(
            dossier=dossier,
            actor=citizen,
            document_id=_slots(birth_procedure)[0]["id"],
            upload=fake,
        )
    with pytest.raises(DomainError) as wrong_type:
        dossier_attach_upload(
            dossier=dossier,
            actor=citizen,
            document_id=_slots(birth_procedure)[1]["id"],
            upload=png_for_pdf_only,
        )

    assert disguised.value.code == wrong_type.value.code == "file_type"


def test_a_phone_photo_is_accepted_where_images_are(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)

    attachment = dossier_attach_upload(
        dossier=dossier,
        actor=citizen,
        document_id=_slots(birth_procedure)[0]["id"],
        upload=jpeg_upload("IMG_2026.HEIC.jpg"),
    )

    assert attachment.stored.content_type == "image/jpeg"


def test_replacing_a_draft_paper_keeps_one_per_slot(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)
    slot = _slots(birth_procedure)[0]["id"]

    dossier_attach_upload(dossier=dossier, actor=citizen, document_id=slot, upload=pdf_upload())
    dossier_attach_upload(dossier=dossier, actor=citizen, document_id=slot, upload=jpeg_upload())

    assert dossier.attachments.count() == 1
    assert StoredDocument.objects.filter(owner=citizen).count() == 2  # both stay in the store


def test_reuse_from_the_store_is_marked_and_limited_to_the_owner(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)
    own = StoredDocumentFactory(owner=citizen)
    someone_elses = StoredDocumentFactory()
    slot = _slots(birth_procedure)[0]["id"]

    attachment = dossier_attach_stored(dossier=dossier, actor=citizen, document_id=slot, stored=own)
    with pytest.raises(DomainError) as refused:
        dossier_attach_stored(
            dossier=dossier, actor=citizen, document_id=slot, stored=someone_elses
        )

    assert attachment.reused is True
    assert refused.value.status == 404


def test_unknown_paper_slot_is_refused(birth_procedure):
    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)

    with pytest.raises(DomainError) as refused:
        dossier_attach_upload(
            dossier=dossier, actor=citizen, document_id=999_999, upload=pdf_upload()
        )

    assert "document" in refused.value.fields


def test_detach_and_delete_only_while_draft(birth_procedure, valid_form):
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    attachment = dossier.attachments.get()
    dossier_submit(dossier=dossier, actor=citizen)

    with pytest.raises(DomainError):
        dossier_detach(dossier=dossier, actor=citizen, attachment=attachment)
    with pytest.raises(DomainError):
        dossier_delete_draft(dossier=dossier, actor=citizen)

    draft = DossierFactory(applicant=citizen)
    dossier_delete_draft(dossier=draft, actor=citizen)
    assert not Dossier.objects.filter(pk=draft.pk).exists()


def test_withdrawal_needs_a_reason_and_a_submitted_dossier(birth_procedure, valid_form):
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    with pytest.raises(DomainError):
        dossier_withdraw(dossier=dossier, actor=citizen, reason="Đổi ý")  # still a draft
    dossier_submit(dossier=dossier, actor=citizen)
    with pytest.raises(DomainError) as no_reason:
        dossier_withdraw(dossier=dossier, actor=citizen, reason="  ")

    dossier = dossier_withdraw(dossier=dossier, actor=citizen, reason="Nộp nhầm thủ tục")

    assert "reason" in no_reason.value.fields
    assert dossier.status == Status.WITHDRAWAL
    assert dossier.events.last().note == "Nộp nhầm thủ tục"


def test_supplement_keeps_old_papers_and_returns_to_the_previous_status(
    birth_procedure, valid_form
):
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    dossier_submit(dossier=dossier, actor=citizen)
    # An officer asks for a supplement at intake (issue 4 builds that action).
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.SUPPLEMENT)
    DossierEvent.objects.create(
        dossier=dossier,
        actor_role="officer",
        action="request_supplement",
        from_status=Status.SUBMITTED,
        to_status=Status.SUPPLEMENT,
    )
    dossier.refresh_from_db()
    slot = _slots(birth_procedure)[0]["id"]

    new = dossier_attach_upload(
        dossier=dossier, actor=citizen, document_id=slot, upload=jpeg_upload()
    )
    dossier = dossier_answer_supplement(dossier=dossier, actor=citizen)

    versions = dossier.attachments.filter(document_id=slot).order_by("created_at")
    assert versions.count() == 2 and versions[0].superseded_at is not None
    assert new.round == 1
    assert dossier.status == Status.SUBMITTED
    code_before = dossier.code
    with pytest.raises(DomainError):
        dossier_answer_supplement(dossier=dossier, actor=citizen)
    assert dossier.code == code_before


def test_missing_items_is_empty_for_a_complete_draft(birth_procedure, valid_form):
    _, dossier = _complete_draft(birth_procedure, valid_form)

    assert missing_items(dossier) == {}


def test_store_deletion_hides_the_document_but_dossiers_keep_it(birth_procedure, valid_form):
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    stored = dossier.attachments.get().stored

    stored_document_delete(stored=stored, actor=citizen)
    with pytest.raises(DomainError):
        stored_document_delete(stored=StoredDocumentFactory(), actor=citizen)

    stored.refresh_from_db()
    assert stored.deleted_at is not None
    assert dossier.attachments.get().stored == stored and stored.file.storage.exists(
        stored.file.name
    )


def test_admin_lists_dossiers_but_cannot_rewrite_them(admin_client, birth_procedure, valid_form):
    citizen, dossier = _complete_draft(birth_procedure, valid_form)
    dossier = dossier_submit(dossier=dossier, actor=citizen)

    listing = admin_client.get("/admin/dossiers/dossier/")
    view = admin_client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/")
    change = admin_client.post(f"/admin/dossiers/dossier/{dossier.pk}/change/", {"status": 10})

    assert listing.status_code == 200 and dossier.code in listing.content.decode()
    dossier.refresh_from_db()
    assert view.status_code == 200 and "Giấy chứng sinh" in view.content.decode()
    assert change.status_code == 403 and dossier.status == Status.SUBMITTED


def test_staff_accounts_cannot_file_for_themselves(birth_procedure):
    for staff in (UserFactory(officer=True), UserFactory(admin=True)):
        with pytest.raises(DomainError) as refused:
            dossier_create_draft(applicant=staff, procedure=birth_procedure)
        assert refused.value.code == "not_citizen"


def test_a_failed_attach_leaves_no_file_behind(birth_procedure, monkeypatch, settings):
    import dossiers.services as services

    citizen = UserFactory()
    dossier, _ = dossier_create_draft(applicant=citizen, procedure=birth_procedure)

    def broken_attach(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_attach", broken_attach)
    with pytest.raises(RuntimeError):
        dossier_attach_upload(
            dossier=dossier,
            actor=citizen,
            document_id=_slots(birth_procedure)[0]["id"],
            upload=pdf_upload(),
        )

    papers = settings.MEDIA_ROOT / "papers"
    assert not papers.exists() or not any(p.is_file() for p in papers.rglob("*"))
