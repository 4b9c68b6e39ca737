import pytest

from dossiers.tests.factories import published_procedure
from procedures.services import procedure_publish
from procedures.tests.factories import FormFieldFactory, RequiredDocumentFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded papers go to a temporary folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def birth_procedure(db):
    """A published procedure with a form (name, date, sex, mother's CCCD) and two papers."""
    procedure = published_procedure(name="Đăng ký khai sinh", processing_days=0)
    FormFieldFactory(procedure=procedure, key="ho_ten_tre", label="Họ tên trẻ")
    FormFieldFactory(procedure=procedure, key="ngay_sinh", label="Ngày sinh", field_type="date")
    FormFieldFactory(procedure=procedure, key="gioi_tinh", label="Giới tính", choice=True)
    FormFieldFactory(procedure=procedure, key="cccd_me", label="CCCD của mẹ", field_type="cccd")
    RequiredDocumentFactory(procedure=procedure, name="Giấy chứng sinh", max_size_mb=1)
    RequiredDocumentFactory(
        procedure=procedure, name="Giấy chứng nhận kết hôn", optional=True, accepted_types="pdf"
    )
    procedure_publish(procedure=procedure)
    return procedure


@pytest.fixture
def valid_form():
    return {
        "ho_ten_tre": "Nguyễn Văn An",
        "ngay_sinh": "2026-11-20",
        "gioi_tinh": "Nam",
        "cccd_me": "046195012345",
    }
