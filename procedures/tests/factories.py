"""Factories for catalogue data. Traits name states: ``ProcedureFactory(published=True)``."""

import datetime as dt

import factory

from procedures.constants import Channel, FieldType, Level, ServiceLevel
from procedures.models import (
    Agency,
    DiscountRule,
    ExemptGroup,
    FeeCategory,
    FeeItem,
    FormField,
    Holiday,
    Procedure,
    RequiredDocument,
    Sector,
)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"000.{n // 100 % 100:02d}.{n % 100:02d}.H57")
    name = factory.Sequence(lambda n: f"UBND xã Thử Nghiệm {n}")
    level = Level.COMMUNE

    class Params:
        province = factory.Trait(
            code="000.00.00.H57", name="UBND thành phố Huế", level=Level.PROVINCE, parent=None
        )
        one_stop_centre = factory.Trait(
            level=Level.PROVINCE,
            is_one_stop_centre=True,
            name="Trung tâm Phục vụ hành chính công",
        )


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class FeeCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeCategory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Loại phí {n}")


class ExemptGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExemptGroup
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"group-{n}")
    name = factory.Sequence(lambda n: f"Nhóm miễn phí {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    sector = factory.SubFactory(SectorFactory)
    level = Level.COMMUNE
    agency = factory.SubFactory(AgencyFactory)
    service_level = ServiceLevel.FULL
    processing_days = 3
    published = True

    class Params:
        draft = factory.Trait(published=False)
        offline = factory.Trait(service_level=ServiceLevel.OFFLINE)
        same_day = factory.Trait(processing_days=0)


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(int)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Trường {n}")
    field_type = FieldType.TEXT
    required = True

    class Params:
        choice = factory.Trait(field_type=FieldType.CHOICE, choices="Nam\nNữ")
        optional = factory.Trait(required=False)


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(int)
    name = factory.Sequence(lambda n: f"Giấy tờ {n}")
    required = True

    class Params:
        optional = factory.Trait(required=False)
        reusable_paper = factory.Trait(reusable=True)


class FeeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeItem

    procedure = factory.SubFactory(ProcedureFactory)
    code = factory.Sequence(lambda n: f"fee-{n}")
    name = "Lệ phí"
    amount = 100_000
    category = factory.SubFactory(FeeCategoryFactory)
    valid_from = dt.date(2020, 1, 1)

    class Params:
        expired = factory.Trait(valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2021, 12, 31))


class DiscountRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountRule
        skip_postgeneration_save = True

    name = "Nghị quyết 18/2023/NQ-HĐND: giảm 40% lệ phí khi nộp trực tuyến"
    legal_basis = "Nghị quyết số 18/2023/NQ-HĐND tỉnh Thừa Thiên Huế"
    percent = 40
    channel = Channel.ONLINE
    valid_from = dt.date(2023, 9, 1)

    class Params:
        inactive = factory.Trait(active=False)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def procedures(self, create, extracted, **kwargs):
        if create and extracted:
            self.procedures.set(extracted)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday
        django_get_or_create = ["date"]

    date = dt.date(2026, 9, 2)
    name = "Quốc khánh"
