"""The citizen's dossier pages through the Django test client: the filing wizard, papers,
submitting, "My dossiers", a dossier, the document store, downloads and who may see what.

Assertions look at structure, status codes and data, not at interface words (the interface is
translated); words from the fixtures (Vietnamese data) are fine.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from dossiers.constants import Delivery, Status
from dossiers.models import Attachment, DailySequence, Dossier, DossierEvent, StoredDocument
from dossiers.tests.factories import (
    PDF_BYTES,
    AttachmentFactory,
    DossierFactory,
    StoredDocumentFactory,
    jpeg_upload,
    pdf_upload,
)
from procedures.services import procedure_publish
from procedures.tests.factories import (
    DiscountRuleFactory,
    FeeItemFactory,
    FormFieldFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
)

pytestmark = pytest.mark.django_db

CCCD = "046095000123"
VALID_INFO = {
    "ho_ten": "Trần Thị Bình",
    "cccd": CCCD,
    "ngay_sinh": "1995-03-14",
    "gioi_tinh": "Nữ",
    "so_dien_thoai": "0912345678",
    "delivery": Delivery.ONLINE,
    "postal_address": "",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def procedure():
    """A fully online procedure: five fields, three papers, 100,000 đ with 40% off online."""
    procedure = ProcedureFactory(name="Đăng ký tạm trú", processing_days=3)
    FormFieldFactory(procedure=procedure, key="ho_ten", label="Họ, chữ đệm và tên")
    FormFieldFactory(procedure=procedure, key="cccd", label="Số định danh", field_type="cccd")
    FormFieldFactory(procedure=procedure, key="ngay_sinh", label="Ngày sinh", field_type="date")
    FormFieldFactory(procedure=procedure, key="gioi_tinh", label="Giới tính", choice=True)
    FormFieldFactory(
        procedure=procedure,
        key="so_dien_thoai",
        label="Số điện thoại",
        field_type="phone",
        optional=True,
    )
    RequiredDocumentFactory(procedure=procedure, name="Tờ khai thay đổi thông tin", max_size_mb=1)
    RequiredDocumentFactory(
        procedure=procedure,
        name="Căn cước công dân",
        accepted_types="pdf,jpg",
        reusable_paper=True,
        note="Bản chụp hai mặt",
    )
    RequiredDocumentFactory(procedure=procedure, name="Giấy tờ khác", optional=True)
    fee = FeeItemFactory(procedure=procedure, amount=100_000, legal_basis="Thông tư 75/2022")
    DiscountRuleFactory(categories=[fee.category])
    procedure_publish(procedure=procedure)
    return procedure


@pytest.fixture
def citizen():
    return UserFactory(
        full_name="Trần Thị Bình", id_number=CCCD, phone="0912345678", address="12 Lê Lợi, Huế"
    )


@pytest.fixture
def other():
    return UserFactory()


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def slots(dossier: Dossier) -> list[dict]:
    return dossier.version.snapshot["required_documents"]


def url(name: str, *args) -> str:
    return reverse(f"dossiers:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def start_draft(client, procedure) -> Dossier:
    response = client.post(url("start", procedure.code))
    dossier = Dossier.objects.filter(procedure=procedure).latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == url("step_info", dossier.pk)
    return dossier


def fill_papers(client, dossier: Dossier) -> None:
    first, second, _optional = slots(dossier)
    client.post(url("paper_upload", dossier.pk, first["id"]), {"file": pdf_upload()})
    client.post(url("paper_upload", dossier.pk, second["id"]), {"photo": jpeg_upload()})


# --- Start -----------------------------------------------------------------------------------


def test_procedure_page_links_to_the_wizard_only_when_online(client, procedure):
    html = client.get(reverse("procedures:detail", args=[procedure.code])).content.decode()
    assert f'href="{url("start", procedure.code)}"' in html

    offline = ProcedureFactory(offline=True)
    procedure_publish(procedure=offline)
    html = client.get(reverse("procedures:detail", args=[offline.code])).content.decode()
    assert url("start", offline.code) not in html


def test_start_needs_login_then_prefills_the_draft_from_the_profile(client, procedure, citizen):
    response = client.get(url("start", procedure.code))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={url('start', procedure.code)}" in response["Location"]

    client.force_login(citizen)
    page = client.get(url("start", procedure.code))
    assert page.status_code == 200
    assert Dossier.objects.count() == 0  # GET never writes
    dossier = start_draft(client, procedure)

    assert dossier.status == Status.DRAFT and dossier.applicant == citizen
    assert dossier.form_data == {
        "ho_ten": "Trần Thị Bình",
        "cccd": CCCD,
        "so_dien_thoai": "0912345678",
    }
    assert dossier.events.get().action == "create"


def test_prefill_leaves_fields_about_other_people_empty(signed_in, citizen):
    procedure = ProcedureFactory()
    FormFieldFactory(procedure=procedure, key="ho_ten_tre", label="Tên của trẻ")
    FormFieldFactory(procedure=procedure, key="cccd_me", label="CCCD mẹ", field_type="cccd")
    FormFieldFactory(procedure=procedure, key="ho_ten_nguoi_yeu_cau", label="Người yêu cầu")
    FormFieldFactory(
        procedure=procedure, key="noi_cu_tru", label="Nơi cư trú", field_type="address"
    )
    FormFieldFactory(procedure=procedure, key="email", label="Thư điện tử", field_type="email")
    procedure_publish(procedure=procedure)

    dossier = start_draft(signed_in, procedure)

    assert dossier.form_data == {
        "ho_ten_nguoi_yeu_cau": "Trần Thị Bình",
        "noi_cu_tru": "12 Lê Lợi, Huế",
        "email": citizen.email,
    }


def test_an_existing_draft_is_offered_before_starting_another(signed_in, procedure, citizen):
    draft = DossierFactory(applicant=citizen, procedure=procedure)
    Dossier.objects.filter(pk=draft.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))

    html = signed_in.get(url("start", procedure.code)).content.decode()
    assert f'href="{url("resume", draft.pk)}"' in html
    assert f'action="{url("start", procedure.code)}"' in html  # "Start a new one"

    new = start_draft(signed_in, procedure)
    assert new.pk != draft.pk
    assert Dossier.objects.filter(applicant=citizen).count() == 2


def test_a_double_tap_on_start_makes_one_draft(signed_in, procedure):
    first = start_draft(signed_in, procedure)
    again = signed_in.post(url("start", procedure.code))

    assert again["Location"] == url("step_info", first.pk)
    assert Dossier.objects.count() == 1


def test_start_of_an_offline_or_unknown_procedure(signed_in):
    offline = ProcedureFactory(offline=True)
    procedure_publish(procedure=offline)

    response = signed_in.post(url("start", offline.code))
    assert response.status_code == 302
    assert response["Location"] == reverse("procedures:detail", args=[offline.code])
    assert Dossier.objects.count() == 0
    assert signed_in.get(url("start", "9.999999")).status_code == 404


def test_a_staff_account_is_told_it_cannot_file(client, procedure):
    client.force_login(UserFactory(officer=True))

    response = client.post(url("start", procedure.code))

    assert response["Location"] == reverse("procedures:detail", args=[procedure.code])
    assert messages_of(response)
    assert Dossier.objects.count() == 0


# --- The whole wizard ------------------------------------------------------------------------


def test_happy_path_through_the_four_steps_to_a_code(signed_in, procedure, citizen):
    dossier = start_draft(signed_in, procedure)

    # Step 1: the progress indicator marks the step; the fields have phone-friendly inputs.
    html = signed_in.get(url("step_info", dossier.pk)).content.decode()
    assert re.search(
        r'<li class="is-current" aria-current="step">\s*<span class="step-inner">', html
    )
    assert html.count('aria-current="step"') == 1
    assert 'inputmode="numeric"' in html and 'maxlength="12"' in html
    assert 'type="date"' in html and 'type="tel"' in html
    assert 'type="radio" name="gioi_tinh"' in html and 'name="delivery"' in html
    response = signed_in.post(url("step_info", dossier.pk), {**VALID_INFO, "next": "1"})
    assert response.status_code == 302
    assert response["Location"] == url("step_papers", dossier.pk)

    # Step 2: one slot per paper, camera and file inputs accepting what the slot accepts.
    html = signed_in.get(url("step_papers", dossier.pk)).content.decode()
    for slot in slots(dossier):
        assert f'id="slot-{slot["id"]}"' in html
    assert 'accept="application/pdf,image/jpeg,image/png"' in html
    assert 'accept="application/pdf,image/jpeg"' in html
    assert 'capture="environment"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Bản chụp hai mặt" in html  # the paper's note
    assert "js/upload.js" in html and "<progress" in html and "data-max-bytes" in html
    fill_papers(signed_in, dossier)
    assert dossier.attachments.count() == 2

    # Step 3: values, papers, fee online beside the counter, the estimate, nothing missing.
    response = signed_in.get(url("step_review", dossier.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Trần Thị Bình" in html and "14/03/1995" in html
    assert "60.000 đ" in html and "100.000 đ" in html and "40.000 đ" in html
    assert "18/2023" in html  # legal basis of the discount rule
    assert response.context["problems"] == []
    assert re.search(r'class="estimate">\d\d/\d\d/\d{4} \d\d:\d\d<', html)
    assert f'class="button" href="{url("step_submit", dossier.pk)}"' in html

    # Step 4: declare and submit.
    assert signed_in.get(url("step_submit", dossier.pk)).status_code == 200
    response = signed_in.post(url("step_submit", dossier.pk), {"declaration": "on"})
    dossier.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("detail", dossier.pk) + "?submitted=1"
    assert dossier.status == Status.SUBMITTED
    assert re.fullmatch(r"\d{3}\.\d{2}\.\d{2}\.H57-\d{6}-0001", dossier.code)
    assert dossier.fee_net == 60_000
    assert dossier.form_data["ngay_sinh"] == "1995-03-14"

    page = signed_in.get(response["Location"])
    html = page.content.decode()
    assert f'<p class="big-code">{dossier.code}</p>' in html
    assert any(dossier.code in m for m in messages_of(page))


def test_the_estimate_uses_the_working_day_calendar(signed_in, procedure, citizen, monkeypatch):
    dossier = DossierFactory(applicant=citizen, procedure=procedure)
    # Friday 10:00 in Huế + 3 working days = Wednesday 10:00.
    friday = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: friday)

    html = signed_in.get(url("step_review", dossier.pk)).content.decode()

    assert '<strong class="estimate">25/11/2026 10:00</strong>' in html


# --- Step 1: nothing typed is lost ----------------------------------------------------------


def test_invalid_values_are_saved_and_shown_with_errors(signed_in, procedure, citizen):
    dossier = DossierFactory(applicant=citizen, procedure=procedure)
    typed = {**VALID_INFO, "cccd": "12345", "so_dien_thoai": "12", "ho_ten": "", "next": "1"}

    response = signed_in.post(url("step_info", dossier.pk), typed)

    dossier.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200  # the draft was saved: not a 400
    assert dossier.form_data["cccd"] == "12345"
    assert dossier.form_data["so_dien_thoai"] == "12"
    assert dossier.form_data["gioi_tinh"] == "Nữ"
    assert 'class="error-summary" role="alert"' in html
    for key in ("cccd", "so_dien_thoai", "ho_ten"):
        assert f'href="#id_{key}"' in html  # the summary links to the field
        assert f'id="id_{key}-error"' in html  # the message sits next to it
    assert 'value="12345"' in html  # shown again as typed
    assert 'aria-invalid="true"' in html
    assert dossier.status == Status.DRAFT


def test_save_draft_keeps_going_values_and_stays(signed_in, procedure, citizen):
    dossier = DossierFactory(applicant=citizen, procedure=procedure)

    partial = {"ho_ten": "Trần Thị Bình", "cccd": "", "delivery": "online", "save": "1"}
    response = signed_in.post(url("step_info", dossier.pk), partial)

    assert response.status_code == 302
    assert response["Location"] == url("step_info", dossier.pk)
    dossier.refresh_from_db()
    assert dossier.form_data["ho_ten"] == "Trần Thị Bình"

    # "Next" with a required value missing does not go on, but keeps what was typed.
    response = signed_in.post(url("step_info", dossier.pk), {**partial, "next": "1"})
    assert response.status_code == 200
    assert 'id="id_cccd-error"' in response.content.decode()


def test_postal_delivery_without_address_keeps_the_form(signed_in, procedure, citizen):
    dossier = DossierFactory(applicant=citizen, procedure=procedure)
    typed = {**VALID_INFO, "delivery": Delivery.POSTAL, "postal_address": "", "next": "1"}

    response = signed_in.post(url("step_info", dossier.pk), typed)

    dossier.refresh_from_db()
    assert response.status_code == 200
    assert 'id="id_postal_address-error"' in response.content.decode()
    assert dossier.form_data["ho_ten"] == "Trần Thị Bình"

    typed["postal_address"] = "5 Hùng Vương, Huế"
    assert signed_in.post(url("step_info", dossier.pk), typed).status_code == 302
    dossier.refresh_from_db()
    assert (dossier.delivery, dossier.postal_address) == (Delivery.POSTAL, "5 Hùng Vương, Huế")


def test_review_lists_what_is_missing_with_links_to_fix_it(signed_in, procedure, citizen):
    dossier = DossierFactory(applicant=citizen, procedure=procedure, form_data={"cccd": "1"})

    response = signed_in.get(url("step_review", dossier.pk))

    html = response.content.decode()
    assert f'href="{url("step_info", dossier.pk)}?check=1#id_cccd"' in html
    assert f'href="{url("step_info", dossier.pk)}?check=1#id_ho_ten"' in html
    assert f'href="{url("step_papers", dossier.pk)}"' in html
    assert f'class="button" href="{url("step_submit", dossier.pk)}"' not in html
    # Step 1 opened from such a link shows the required-but-empty errors too.
    html = signed_in.get(url("step_info", dossier.pk) + "?check=1").content.decode()
    assert 'id="id_ho_ten-error"' in html


# --- Step 2: uploads -------------------------------------------------------------------------


@pytest.fixture
def draft(citizen, procedure):
    return DossierFactory(applicant=citizen, procedure=procedure, form_data={"ho_ten": "Bình"})


def _upload_refused(client, dossier, slot_id, upload, field="file"):
    data = {} if upload is None else {field: upload}
    response = client.post(url("paper_upload", dossier.pk, slot_id), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'<p class="error-text" id="slot-{slot_id}-error">\S', html)
    assert 'class="error-summary" role="alert"' in html and f'href="#slot-{slot_id}"' in html
    dossier.refresh_from_db()
    assert dossier.form_data == {"ho_ten": "Bình"}  # the rest of the dossier is untouched
    return response


def test_upload_of_a_wrong_type_is_refused_next_to_its_slot(signed_in, draft):
    slot = slots(draft)[0]
    # Named and labelled as a PDF, but the content is something else.
    fake = SimpleUploadedFile("hoa-don.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")

    _upload_refused(signed_in, draft, slot["id"], fake)
    assert not draft.attachments.exists()
    assert not StoredDocument.objects.exists()


def test_upload_too_large_and_empty_are_refused(signed_in, draft):
    slot = slots(draft)[0]  # at most 1 MB
    _upload_refused(signed_in, draft, slot["id"], pdf_upload(size=1024 * 1024 + 1))
    _upload_refused(signed_in, draft, slot["id"], SimpleUploadedFile("rong.pdf", b""))
    _upload_refused(signed_in, draft, slot["id"], None)  # nothing chosen at all
    assert not draft.attachments.exists()


def test_a_path_in_the_file_name_never_reaches_the_disk(signed_in, draft, media):
    slot = slots(draft)[0]

    response = signed_in.post(
        url("paper_upload", draft.pk, slot["id"]), {"file": pdf_upload("../../etc/passwd.pdf")}
    )

    assert response.status_code == 302
    stored = draft.attachments.get().stored
    assert stored.filename == "passwd.pdf"
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(media.resolve()) and "etc" not in path.parts
    assert path.name != "passwd.pdf"  # stored under a random name

    # The same name with content that is not a PDF is refused without a crash.
    bad = SimpleUploadedFile("../../etc/passwd.pdf", b"root:x:0:0:root:/root:/bin/bash\n")
    _upload_refused(signed_in, draft, slot["id"], bad)


def test_upload_script_gets_json_with_progress_friendly_answers(signed_in, draft):
    slot = slots(draft)[0]
    upload_url = url("paper_upload", draft.pk, slot["id"])
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    refused = signed_in.post(upload_url, {"file": SimpleUploadedFile("a.pdf", b"xx")}, **xhr)
    assert refused.status_code == 400
    assert refused.json()["ok"] is False and refused.json()["error"]

    accepted = signed_in.post(upload_url, {"file": pdf_upload()}, **xhr)
    assert accepted.status_code == 200
    assert accepted.json() == {
        "ok": True,
        "redirect": url("step_papers", draft.pk) + f"#slot-{slot['id']}",
    }


def test_replace_and_remove_a_paper_of_a_draft(signed_in, draft):
    slot = slots(draft)[0]
    signed_in.post(url("paper_upload", draft.pk, slot["id"]), {"file": pdf_upload("a.pdf")})
    signed_in.post(url("paper_upload", draft.pk, slot["id"]), {"file": pdf_upload("b.pdf")})
    current = draft.attachments.get()
    assert current.stored.filename == "b.pdf"

    html = signed_in.get(url("step_papers", draft.pk)).content.decode()
    assert "b.pdf" in html and url("paper_remove", draft.pk, current.pk) in html

    response = signed_in.post(url("paper_remove", draft.pk, current.pk))
    assert response.status_code == 302
    assert not draft.attachments.exists()
    assert StoredDocument.objects.filter(owner=draft.applicant).count() == 2  # kept in the store


def test_reuse_from_the_store_marks_the_paper_reused(signed_in, draft, citizen):
    old = StoredDocumentFactory(owner=citizen, title="Ảnh cũ", filename="anh.pdf")
    same = StoredDocumentFactory(owner=citizen, title="Căn cước công dân", filename="cccd.pdf")
    png = StoredDocumentFactory(owner=citizen, title="Căn cước công dân", extension="png")
    StoredDocumentFactory(owner=citizen, title="Căn cước công dân", deleted=True)
    slot = slots(draft)[1]  # Căn cước công dân, pdf or jpg

    response = signed_in.get(url("step_papers", draft.pk))
    picked = next(s for s in response.context["slots"] if s.id == slot["id"])
    assert picked.matching == [same]  # the same paper first
    assert picked.others == [old]  # a PNG is not offered to a PDF/JPG slot; deleted ones never
    assert png not in picked.others

    response = signed_in.post(url("paper_reuse", draft.pk, slot["id"]), {"stored": same.pk})
    assert response.status_code == 302
    attachment = draft.attachments.get()
    assert attachment.reused is True and attachment.stored == same
    html = signed_in.get(url("step_papers", draft.pk)).content.decode()
    assert 'class="tag tag-reuse"' in html


def test_reuse_of_someone_elses_or_a_deleted_document_is_404(signed_in, draft, other, citizen):
    slot = slots(draft)[1]
    theirs = StoredDocumentFactory(owner=other)
    deleted = StoredDocumentFactory(owner=citizen, deleted=True)
    for stored in (theirs.pk, deleted.pk, "not-a-uuid", ""):
        response = signed_in.post(url("paper_reuse", draft.pk, slot["id"]), {"stored": stored})
        assert response.status_code == 404
    assert not draft.attachments.exists()


def test_unknown_paper_slot_is_404(signed_in, draft):
    assert (
        signed_in.post(url("paper_upload", draft.pk, 999999), {"file": pdf_upload()}).status_code
        == 404
    )


# --- Step 4: submitting ----------------------------------------------------------------------


@pytest.fixture
def complete(signed_in, draft):
    signed_in.post(url("step_info", draft.pk), {**VALID_INFO, "save": "1"})
    fill_papers(signed_in, draft)
    draft.refresh_from_db()
    return draft


def test_submit_needs_the_declaration(signed_in, complete):
    response = signed_in.post(url("step_submit", complete.pk), {})

    complete.refresh_from_db()
    assert response.status_code == 400
    assert 'id="id_declaration-error"' in response.content.decode()
    assert complete.status == Status.DRAFT and complete.code is None


def test_double_submit_gives_one_code_and_one_dossier(signed_in, complete):
    first = signed_in.post(url("step_submit", complete.pk), {"declaration": "on"})
    second = signed_in.post(url("step_submit", complete.pk), {"declaration": "on"})

    complete.refresh_from_db()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == url("detail", complete.pk)
    assert any(complete.code in m for m in messages_of(second))
    assert Dossier.objects.count() == 1
    assert DailySequence.objects.get().last == 1
    assert complete.events.filter(action="submit").count() == 1


def test_incomplete_dossier_goes_back_to_the_review(signed_in, draft):
    assert signed_in.get(url("step_submit", draft.pk))["Location"] == url("step_review", draft.pk)

    response = signed_in.post(url("step_submit", draft.pk), {"declaration": "on"})

    draft.refresh_from_db()
    assert response["Location"] == url("step_review", draft.pk)
    assert draft.status == Status.DRAFT


def test_editing_after_submission_is_refused(signed_in, complete):
    signed_in.post(url("step_submit", complete.pk), {"declaration": "on"})
    complete.refresh_from_db()
    before = dict(complete.form_data)
    attachment = complete.attachments.first()
    slot = slots(complete)[0]
    detail = url("detail", complete.pk)

    for step in ("step_info", "step_papers", "step_review"):
        assert signed_in.get(url(step, complete.pk))["Location"] == detail
    response = signed_in.post(url("step_info", complete.pk), {**VALID_INFO, "ho_ten": "X"})
    assert response["Location"] == detail
    response = signed_in.post(url("paper_upload", complete.pk, slot["id"]), {"file": pdf_upload()})
    assert response["Location"] == detail
    xhr = signed_in.post(
        url("paper_upload", complete.pk, slot["id"]),
        {"file": pdf_upload()},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert xhr.status_code == 409
    assert signed_in.post(url("paper_remove", complete.pk, attachment.pk))["Location"] == detail
    assert signed_in.post(url("delete", complete.pk))["Location"] == detail

    complete.refresh_from_db()
    assert complete.form_data == before
    assert complete.attachments.count() == 2
    assert Dossier.objects.filter(pk=complete.pk).exists()


# --- Session timeout and resuming --------------------------------------------------------------


def test_draft_survives_a_logout_and_resumes_after_login(client, citizen, procedure):
    client.force_login(citizen)
    dossier = start_draft(client, procedure)
    typed = {**VALID_INFO, "cccd": "0460", "save": "1"}
    client.post(url("step_info", dossier.pk), typed)
    client.logout()

    # The session ended: the next POST goes to the login page, back to this step afterwards.
    response = client.post(url("step_info", dossier.pk), {**VALID_INFO, "next": "1"})
    assert response.status_code == 302
    login = reverse("account_login")
    assert response["Location"] == f"{login}?next={url('step_info', dossier.pk)}"

    assert client.login(email=citizen.email, password=PASSWORD)
    assert client.get(url("resume", dossier.pk))["Location"] == url("step_info", dossier.pk)
    html = client.get(url("step_info", dossier.pk)).content.decode()
    assert 'value="Trần Thị Bình"' in html and 'value="0460"' in html
    assert (
        'value="Nữ" checked' in html
        or 'checked value="Nữ"' in html
        or re.search(r'<input[^>]*value="Nữ"[^>]*checked', html)
    )


def test_resume_goes_to_the_first_step_that_needs_something(signed_in, complete):
    assert signed_in.get(url("resume", complete.pk))["Location"] == url("step_review", complete.pk)
    complete.attachments.all().delete()
    assert signed_in.get(url("resume", complete.pk))["Location"] == url("step_papers", complete.pk)


# --- Permissions: every page -------------------------------------------------------------------


@pytest.fixture
def owned(citizen, procedure):
    """A draft with a paper, a submitted dossier and a stored document, all the citizen's."""
    draft = DossierFactory(applicant=citizen, procedure=procedure)
    attachment = AttachmentFactory(dossier=draft, document_id=slots(draft)[0]["id"])
    submitted = DossierFactory(applicant=citizen, procedure=procedure, submitted=True)
    supplement = DossierFactory(applicant=citizen, procedure=procedure, supplement=True)
    return {
        "draft": draft,
        "attachment": attachment,
        "submitted": submitted,
        "supplement": supplement,
        "stored": attachment.stored,
        "slot": slots(draft)[1]["id"],
    }


PAGES = [
    ("get", lambda o: url("step_info", o["draft"].pk)),
    ("post", lambda o: url("step_info", o["draft"].pk)),
    ("get", lambda o: url("step_papers", o["draft"].pk)),
    ("get", lambda o: url("step_review", o["draft"].pk)),
    ("get", lambda o: url("step_submit", o["draft"].pk)),
    ("post", lambda o: url("step_submit", o["draft"].pk)),
    ("get", lambda o: url("resume", o["draft"].pk)),
    ("post", lambda o: url("paper_upload", o["draft"].pk, o["slot"])),
    ("post", lambda o: url("paper_reuse", o["draft"].pk, o["slot"])),
    ("post", lambda o: url("paper_remove", o["draft"].pk, o["attachment"].pk)),
    ("get", lambda o: url("attachment_download", o["draft"].pk, o["attachment"].pk)),
    ("get", lambda o: url("detail", o["draft"].pk)),
    ("get", lambda o: url("delete", o["draft"].pk)),
    ("post", lambda o: url("delete", o["draft"].pk)),
    ("get", lambda o: url("withdraw", o["submitted"].pk)),
    ("post", lambda o: url("withdraw", o["submitted"].pk)),
    ("get", lambda o: url("supplement", o["supplement"].pk)),
    ("post", lambda o: url("supplement", o["supplement"].pk)),
    ("get", lambda o: url("store_download", o["stored"].pk)),
    ("get", lambda o: url("store_delete", o["stored"].pk)),
    ("post", lambda o: url("store_delete", o["stored"].pk)),
]


@pytest.mark.parametrize(("method", "make_url"), PAGES)
def test_another_citizen_gets_404_on_every_page(client, owned, other, method, make_url):
    client.force_login(other)
    response = getattr(client, method)(make_url(owned))
    assert response.status_code == 404
    assert Dossier.objects.filter(pk=owned["draft"].pk).exists()
    assert owned["draft"].attachments.exists()
    assert StoredDocument.objects.get(pk=owned["stored"].pk).deleted_at is None


@pytest.mark.parametrize(("method", "make_url"), PAGES)
def test_anonymous_is_sent_to_login_on_every_page(client, owned, method, make_url):
    target = make_url(owned)
    response = getattr(client, method)(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={target}"


@pytest.mark.parametrize("name", ["list", "store"])
def test_anonymous_is_sent_to_login_on_the_lists(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "path",
    [
        "/ho-so/not-a-uuid/",
        "/ho-so/12345678-1234-1234-1234-123456789012/",
        "/ho-so/12345678-1234-1234-1234-123456789012/nop/thong-tin/",
        "/kho-giay-to/12345678-1234-1234-1234-123456789012/tai-ve/",
    ],
)
def test_malformed_or_unknown_ids_are_404(signed_in, path):
    assert signed_in.get(path).status_code == 404


def test_an_attachment_of_another_dossier_is_404_even_for_its_owner(signed_in, owned):
    response = signed_in.get(
        url("attachment_download", owned["submitted"].pk, owned["attachment"].pk)
    )
    assert response.status_code == 404


# --- Downloads -------------------------------------------------------------------------------


def test_paper_download_is_an_attachment_with_a_safe_name(signed_in, draft):
    slot = slots(draft)[0]
    signed_in.post(
        url("paper_upload", draft.pk, slot["id"]), {"file": pdf_upload('x/"bad" name;.pdf')}
    )
    attachment = draft.attachments.get()

    response = signed_in.get(url("attachment_download", draft.pk, attachment.pk))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="{attachment.stored.filename}"' in disposition
    assert '"bad"' not in disposition and "/" not in attachment.stored.filename
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_stored_file_gone_from_storage_is_a_404_not_a_crash(signed_in, owned):
    stored = owned["stored"]
    stored.file.delete(save=False)  # the row outlived its file

    assert signed_in.get(url("store_download", stored.pk)).status_code == 404
    dossier_copy = url("attachment_download", owned["draft"].pk, owned["attachment"].pk)
    assert signed_in.get(dossier_copy).status_code == 404


def test_store_download_and_a_deleted_document_still_in_a_dossier(signed_in, owned):
    stored = owned["stored"]
    response = signed_in.get(url("store_download", stored.pk))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")

    signed_in.post(url("store_delete", stored.pk))
    assert signed_in.get(url("store_download", stored.pk)).status_code == 404
    # The dossier that uses it keeps its copy.
    dossier_copy = url("attachment_download", owned["draft"].pk, owned["attachment"].pk)
    assert signed_in.get(dossier_copy).status_code == 200


# --- My dossiers -----------------------------------------------------------------------------


def _make_dossiers(citizen, procedure, n: int) -> None:
    traits = [{}, {"submitted": True}, {"supplement": True}, {"returned": True}]
    for i in range(n):
        DossierFactory(applicant=citizen, procedure=procedure, **traits[i % len(traits)])


def test_my_dossiers_groups_and_shows_the_next_step(signed_in, citizen, procedure, other):
    draft = DossierFactory(applicant=citizen, procedure=procedure)
    submitted = DossierFactory(applicant=citizen, procedure=procedure, submitted=True)
    supplement = DossierFactory(applicant=citizen, procedure=procedure, supplement=True)
    returned = DossierFactory(applicant=citizen, procedure=procedure, returned=True)
    theirs = DossierFactory(applicant=other, procedure=procedure, submitted=True)

    response = signed_in.get(url("list"))

    html = response.content.decode()
    sections = {s["name"]: [c["dossier"] for c in s["cards"]] for s in response.context["sections"]}
    assert sections == {
        "action": [supplement],
        "drafts": [draft],
        "in_progress": [submitted],
        "finished": [returned],
    }
    assert theirs.code not in html
    assert submitted.code in html and "Đăng ký tạm trú" in html
    assert f'href="{url("resume", draft.pk)}"' in html
    assert f'href="{url("supplement", supplement.pk)}"' in html
    assert f'href="{url("detail", returned.pk)}"' in html


def test_my_dossiers_paginates_each_section_by_20(signed_in, citizen, procedure):
    for _ in range(23):
        DossierFactory(applicant=citizen, procedure=procedure)

    first = signed_in.get(url("list"))
    second = signed_in.get(url("list"), {"drafts": 2})

    assert len(first.context["sections"][0]["cards"]) == 20
    assert len(second.context["sections"][0]["cards"]) == 3
    assert "?drafts=2#drafts" in first.content.decode()


def test_my_dossiers_runs_a_constant_number_of_queries(
    signed_in, citizen, procedure, django_assert_max_num_queries
):
    _make_dossiers(citizen, procedure, 2)
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(url("list")).status_code == 200
    _make_dossiers(citizen, procedure, 18)
    with django_assert_max_num_queries(len(few.captured_queries) + 6):  # +2 per new section
        response = signed_in.get(url("list"))
    assert sum(len(s["cards"]) for s in response.context["sections"]) == 20
    with CaptureQueriesContext(connection) as many:
        signed_in.get(url("list"))
    _make_dossiers(citizen, procedure, 40)
    with CaptureQueriesContext(connection) as more:
        signed_in.get(url("list"))
    assert len(more.captured_queries) == len(many.captured_queries)


def test_my_dossiers_empty_state(signed_in):
    response = signed_in.get(url("list"))
    assert response.status_code == 200
    assert response.context["sections"] == []
    assert reverse("procedures:catalogue") in response.content.decode()


# --- A dossier -------------------------------------------------------------------------------


def test_dossier_page_shows_history_papers_fee_and_actions(signed_in, complete):
    signed_in.post(url("step_submit", complete.pk), {"declaration": "on"})
    complete.refresh_from_db()

    response = signed_in.get(url("detail", complete.pk))

    html = response.content.decode()
    assert complete.code in html
    assert [e.action for e in response.context["events"]] == ["submit"]
    assert 'class="timeline"' in html
    for attachment in complete.attachments.all():
        assert url("attachment_download", complete.pk, attachment.pk) in html
    assert "60.000 đ" in html  # the frozen fee
    assert url("withdraw", complete.pk) in html
    assert url("delete", complete.pk) not in html and url("resume", complete.pk) not in html


def test_dossier_page_of_a_free_procedure_says_no_fee(signed_in, citizen):
    dossier = DossierFactory(
        applicant=citizen, submitted=True, fee={"net": 0, "items": [], "discount": 0}, fee_net=0
    )
    response = signed_in.get(url("detail", dossier.pk))
    assert response.status_code == 200
    assert (
        "amount" not in response.content.decode().split('id="fee-title"')[1].split("</section>")[0]
    )


def test_delete_a_draft_after_confirming(signed_in, draft):
    confirm = signed_in.get(url("delete", draft.pk))
    assert confirm.status_code == 200
    assert 'method="post"' in confirm.content.decode()
    assert Dossier.objects.filter(pk=draft.pk).exists()

    response = signed_in.post(url("delete", draft.pk))

    assert response["Location"] == url("list")
    assert not Dossier.objects.filter(pk=draft.pk).exists()


def test_withdraw_needs_a_reason(signed_in, citizen, procedure):
    dossier = DossierFactory(applicant=citizen, procedure=procedure, submitted=True)
    assert signed_in.get(url("withdraw", dossier.pk)).status_code == 200

    refused = signed_in.post(url("withdraw", dossier.pk), {"reason": "  "})
    assert refused.status_code == 400
    assert 'id="id_reason-error"' in refused.content.decode()

    response = signed_in.post(url("withdraw", dossier.pk), {"reason": "Nộp nhầm thủ tục"})
    dossier.refresh_from_db()
    assert response["Location"] == url("detail", dossier.pk)
    assert dossier.status == Status.WITHDRAWAL
    assert dossier.withdrawal_reason == "Nộp nhầm thủ tục"
    # A draft cannot be withdrawn: its page says so instead.
    draft = DossierFactory(applicant=citizen, procedure=procedure)
    assert signed_in.post(url("withdraw", draft.pk), {"reason": "x"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_answer_a_supplement_with_a_new_version_of_a_paper(signed_in, citizen, procedure):
    dossier = DossierFactory(
        applicant=citizen, procedure=procedure, supplement=True, form_data=dict(VALID_INFO)
    )
    dossier.form_data.pop("delivery")
    dossier.form_data.pop("postal_address")
    dossier.save()
    first, second, _optional = slots(dossier)
    old = AttachmentFactory(dossier=dossier, document_id=first["id"], document_name=first["name"])
    DossierEvent.objects.create(
        dossier=dossier,
        actor_role="officer",
        action="request_supplement",
        from_status=Status.PROCESSING,
        to_status=Status.SUPPLEMENT,
        note="Ảnh căn cước bị mờ, chụp lại hai mặt.",
    )

    page = signed_in.get(url("supplement", dossier.pk))
    assert "Ảnh căn cước bị mờ" in page.content.decode()
    assert "Ảnh căn cước bị mờ" in signed_in.get(url("detail", dossier.pk)).content.decode()

    # Sending before the missing paper is there: refused with the list, nothing changes.
    refused = signed_in.post(url("supplement", dossier.pk))
    assert refused.status_code == 400
    assert url("supplement", dossier.pk) in refused.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT

    upload = signed_in.post(url("paper_upload", dossier.pk, second["id"]), {"file": pdf_upload()})
    assert upload["Location"] == url("supplement", dossier.pk) + f"#slot-{second['id']}"
    signed_in.post(url("paper_upload", dossier.pk, first["id"]), {"file": pdf_upload("moi.pdf")})
    old.refresh_from_db()
    assert old.superseded_at is not None  # every version is kept

    response = signed_in.post(url("supplement", dossier.pk))
    dossier.refresh_from_db()
    assert response["Location"] == url("detail", dossier.pk)
    assert dossier.status == Status.PROCESSING
    html = signed_in.get(url("detail", dossier.pk)).content.decode()
    assert url("attachment_download", dossier.pk, old.pk) in html  # the earlier version
    assert Attachment.objects.filter(dossier=dossier).count() == 3


def test_supplement_can_correct_the_information_outside_the_filing_steps(signed_in, citizen):
    dossier = DossierFactory(applicant=citizen, supplement=True)

    html = signed_in.get(url("step_info", dossier.pk)).content.decode()
    assert 'aria-current="step"' not in html  # no "step 1 of 4" for a filed dossier
    assert url("supplement", dossier.pk) in html
    response = signed_in.post(url("step_info", dossier.pk), {"delivery": "counter", "next": "1"})
    dossier.refresh_from_db()
    assert response["Location"] == url("supplement", dossier.pk)
    assert dossier.delivery == Delivery.COUNTER


# --- Document store ---------------------------------------------------------------------------


def test_store_lists_own_documents_with_their_use(signed_in, owned, other, citizen):
    StoredDocumentFactory(owner=other, filename="cua-nguoi-khac.pdf")
    StoredDocumentFactory(owner=citizen, filename="da-xoa.pdf", deleted=True)

    response = signed_in.get(url("store"))

    html = response.content.decode()
    documents = list(response.context["page"].object_list)
    assert documents == [owned["stored"]]
    assert documents[0].dossier_count == 1
    assert "cua-nguoi-khac.pdf" not in html and "da-xoa.pdf" not in html
    assert url("store_download", owned["stored"].pk) in html


def test_store_delete_asks_first_then_hides_the_document(signed_in, owned):
    stored = owned["stored"]
    assert signed_in.get(url("store_delete", stored.pk)).status_code == 200
    stored.refresh_from_db()
    assert stored.deleted_at is None

    response = signed_in.post(url("store_delete", stored.pk))

    stored.refresh_from_db()
    assert response["Location"] == url("store")
    assert stored.deleted_at is not None
    assert owned["draft"].attachments.get().stored == stored  # the dossier keeps it


def test_navigation_shows_my_pages_only_when_signed_in(client, citizen):
    assert url("list") not in client.get("/").content.decode()
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert f'href="{url("list")}"' in html and f'href="{url("store")}"' in html
