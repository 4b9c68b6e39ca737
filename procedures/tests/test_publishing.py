"""Publishing creates immutable versions; malformed form definitions are refused with reasons."""

import pytest
from django.urls import reverse

from portal.errors import DomainError
from procedures.models import FormField, ProcedureVersion
from procedures.services import procedure_publish, procedure_unpublish
from procedures.tests.factories import FormFieldFactory, ProcedureFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db


def test_first_publication_creates_version_one_with_a_snapshot():
    procedure = ProcedureFactory(draft=True, name="Đăng ký khai tử")
    FormFieldFactory(procedure=procedure, key="ho_ten", label="Họ tên người chết")
    RequiredDocumentFactory(procedure=procedure, name="Giấy báo tử")

    version = procedure_publish(procedure=procedure)

    procedure.refresh_from_db()
    assert procedure.published and version.number == 1
    assert version.snapshot["name"] == "Đăng ký khai tử"
    assert version.snapshot["form_fields"][0]["key"] == "ho_ten"
    assert version.snapshot["required_documents"][0]["name"] == "Giấy báo tử"


def test_publishing_unchanged_content_keeps_the_version():
    procedure = ProcedureFactory()
    first = procedure_publish(procedure=procedure)

    assert procedure_publish(procedure=procedure) == first
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1


def test_a_change_creates_a_new_version_and_the_old_one_stays_as_filed():
    procedure = ProcedureFactory(processing_days=5)
    first = procedure_publish(procedure=procedure)

    procedure.processing_days = 3
    procedure.save()
    second = procedure_publish(procedure=procedure)

    first.refresh_from_db()
    assert second.number == 2
    assert first.snapshot["processing_days"] == 5
    assert second.snapshot["processing_days"] == 3


def test_malformed_form_is_refused_with_every_reason():
    procedure = ProcedureFactory(draft=True)
    FormFieldFactory(procedure=procedure, key="gioi_tinh", field_type="choice", choices="Nam")
    FormFieldFactory(procedure=procedure, key="ho_ten", choices="A\nB")

    with pytest.raises(DomainError) as refused:
        procedure_publish(procedure=procedure)

    assert refused.value.code == "malformed_form"
    assert len(refused.value.fields["form_fields"]) == 2
    procedure.refresh_from_db()
    assert not procedure.published and not procedure.versions.exists()


def test_unpublish_hides_but_keeps_versions():
    procedure = ProcedureFactory()
    procedure_publish(procedure=procedure)

    procedure_unpublish(procedure=procedure)

    procedure.refresh_from_db()
    assert not procedure.published and procedure.versions.count() == 1
    with pytest.raises(DomainError):
        procedure_unpublish(procedure=procedure)


def _admin_change_data(procedure, fields):
    """POST data for the procedure's change form with the given form-field rows."""
    data = {
        "code": procedure.code,
        "name": procedure.name,
        "name_en": "",
        "sector": procedure.sector_id,
        "level": procedure.level,
        "agency": procedure.agency_id,
        "published": "on",
        "service_level": procedure.service_level,
        "processing_days": procedure.processing_days,
        "online_processing_days": "",
        "processing_note": "",
        "description": "",
        "description_en": "",
        "steps": "",
        "steps_en": "",
        "legal_basis": "",
        "result_type": "",
    }
    for prefix, rows in (
        ("form_fields", fields),
        ("required_documents", []),
        ("fee_items", []),
        ("versions", []),
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    for i, row in enumerate(fields):
        data |= {f"form_fields-{i}-{k}": v for k, v in row.items()}
    return data


def test_admin_refuses_a_malformed_form_and_saves_nothing(admin_client):
    procedure = ProcedureFactory()
    rows = [
        {"position": 1, "key": "ho_ten", "label": "Họ tên", "field_type": "text", "required": "on"},
        {
            "position": 2,
            "key": "ho_ten",
            "label": "Họ tên 2",
            "field_type": "choice",
            "choices": "A",
        },
    ]

    response = admin_client.post(
        reverse("admin:procedures_procedure_change", args=[procedure.pk]),
        _admin_change_data(procedure, rows),
    )

    assert response.status_code == 200  # the form is shown again, with the reasons
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "form_fields"
    )
    reasons = formset.non_form_errors()
    assert len(reasons) == 2  # duplicate key, and a choice field with one option
    assert all("ho_ten" in reason for reason in reasons)
    assert not FormField.objects.filter(procedure=procedure).exists()


def test_admin_save_of_a_published_procedure_publishes_a_new_version(admin_client):
    procedure = ProcedureFactory()
    procedure_publish(procedure=procedure)
    rows = [
        {"position": 1, "key": "ho_ten", "label": "Họ tên", "field_type": "text", "required": "on"}
    ]

    response = admin_client.post(
        reverse("admin:procedures_procedure_change", args=[procedure.pk]),
        _admin_change_data(procedure, rows),
    )

    assert response.status_code == 302
    assert procedure.versions.order_by("-number").first().number == 2


def test_the_cached_latest_version_follows_a_new_publication():
    from procedures.selectors import latest_version

    procedure = ProcedureFactory()
    first = procedure_publish(procedure=procedure)
    assert latest_version(procedure) == first  # now cached

    FormFieldFactory(procedure=procedure, key="ghi_chu", label="Ghi chú")
    second = procedure_publish(procedure=procedure)

    assert second.number == first.number + 1
    assert latest_version(procedure) == second
