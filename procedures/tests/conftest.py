import pytest

from procedures.tests.factories import (
    AgencyFactory,
    DiscountRuleFactory,
    FeeCategoryFactory,
    FeeItemFactory,
    FormFieldFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    SectorFactory,
)


@pytest.fixture
def birth_registration(db):
    """Đăng ký khai sinh: free, same day, with a form and papers."""
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        name_en="Birth registration",
        sector=SectorFactory(code="ho-tich", name="Hộ tịch"),
        agency=AgencyFactory(code="000.21.30.H57", name="UBND phường Thuận Hóa"),
        processing_days=0,
        steps="Nộp hồ sơ\nNhận kết quả",
        legal_basis="Luật Hộ tịch 2014",
    )
    FormFieldFactory(procedure=procedure, key="ho_ten_tre", label="Họ, chữ đệm, tên của trẻ")
    FormFieldFactory(procedure=procedure, key="gioi_tinh", label="Giới tính", choice=True)
    RequiredDocumentFactory(procedure=procedure, name="Giấy chứng sinh")
    RequiredDocumentFactory(
        procedure=procedure, name="Giấy chứng nhận kết hôn", optional=True, reusable_paper=True
    )
    return procedure


@pytest.fixture
def business_registration(db):
    """Đăng ký hộ kinh doanh: 100,000 at the counter, 40% off online (Resolution 18/2023)."""
    category = FeeCategoryFactory(code="business_registration", name="Lệ phí đăng ký hộ kinh doanh")
    procedure = ProcedureFactory(
        code="2.000720",
        name="Đăng ký thành lập hộ kinh doanh",
        sector=SectorFactory(code="kinh-doanh", name="Kinh doanh"),
        processing_days=3,
        online_processing_days=2,
    )
    FeeItemFactory(procedure=procedure, code="le-phi", category=category, amount=100_000)
    DiscountRuleFactory(categories=[category])
    return procedure
