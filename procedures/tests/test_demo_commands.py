"""The demo catalogue (load_demo) and the synthetic catalogue (generate_catalogue)."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from portal.text import normalize_search
from procedures import demo_data
from procedures.constants import Channel, Level
from procedures.fees import fee_quote
from procedures.form_schema import form_definition_errors
from procedures.models import (
    Agency,
    DiscountRule,
    FeeItem,
    FormField,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
)
from procedures.selectors import catalogue_procedures
from procedures.services import procedure_publish

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 23)
BIRTH = "1.001193"
MARITAL_STATUS = "1.004873"
PERMANENT_RESIDENCE = "1.004222"
HOUSEHOLD_BUSINESS = "2.000720"


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def quote(code: str, channel: int, on_date: dt.date = ON):
    return fee_quote(procedure=Procedure.objects.get(code=code), channel=channel, on_date=on_date)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Agency, Procedure, FormField, RequiredDocument, FeeItem, DiscountRule)
    } | {"versions": ProcedureVersion.objects.count(), "users": get_user_model().objects.count()}


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return load_demo()


def test_load_demo_creates_the_catalogue_and_the_admin(demo):
    published = Procedure.objects.filter(published=True)
    assert published.count() >= 14
    assert Agency.objects.filter(level=Level.COMMUNE).count() >= 2
    assert Agency.objects.filter(is_one_stop_centre=True, level=Level.PROVINCE).count() == 1
    assert Agency.objects.get(code="000.00.00.H57").name == "UBND thành phố Huế"
    communes_used = set(
        published.filter(level=Level.COMMUNE).values_list("agency__code", flat=True)
    )
    assert len(communes_used) >= 2
    for procedure in published:
        assert procedure.form_fields.exists(), procedure.code
        assert procedure.required_documents.exists(), procedure.code
        assert procedure.versions.count() == 1, procedure.code
    admin = get_user_model().objects.get(email=demo_data.DEMO_ADMIN_EMAIL)
    assert admin.is_superuser and admin.is_staff
    assert admin.full_name == "Quản trị viên Demo"
    assert admin.check_password("DemoAdmin@2026")
    assert "Demo admin: admin@demo.dichvucong.vn / DemoAdmin@2026" in demo
    assert "http://127.0.0.1:8000/admin/" in demo


def test_load_demo_twice_changes_nothing(demo):
    before = counts()
    hashes = dict(ProcedureVersion.objects.values_list("procedure__code", "content_hash"))
    out = load_demo()
    assert counts() == before
    assert dict(ProcedureVersion.objects.values_list("procedure__code", "content_hash")) == hashes
    assert set(ProcedureVersion.objects.values_list("number", flat=True)) == {1}
    assert "created" not in out.split("Demo admin")[0]


def test_load_demo_restores_edited_data_without_duplicates(demo):
    procedure = Procedure.objects.get(code=BIRTH)
    procedure.form_fields.filter(key="quoc_tich").delete()
    FormField.objects.create(procedure=procedure, key="thua", label="Thừa", field_type="text")
    procedure.required_documents.update(name="Đã sửa")
    before = counts()
    load_demo()
    assert counts() == before
    keys = list(procedure.form_fields.values_list("key", flat=True))
    assert "thua" not in keys and keys.count("quoc_tich") == 1
    assert not procedure.required_documents.filter(name="Đã sửa").exists()


def test_existing_admin_password_is_kept_unless_reset(demo):
    admin = get_user_model().objects.get(email=demo_data.DEMO_ADMIN_EMAIL)
    admin.set_password("Changed@2026")
    admin.save()
    out = load_demo()
    admin.refresh_from_db()
    assert admin.check_password("Changed@2026")
    assert "left unchanged" in out
    load_demo("--reset-admin-password")
    admin.refresh_from_db()
    assert admin.check_password("DemoAdmin@2026")


def test_no_admin_option(db):
    out = load_demo("--no-admin")
    assert not get_user_model().objects.filter(email=demo_data.DEMO_ADMIN_EMAIL).exists()
    assert "Demo admin" not in out


def test_birth_registration_is_free(demo):
    assert quote(BIRTH, Channel.COUNTER).net == 0
    assert quote(BIRTH, Channel.ONLINE).net == 0


def test_permanent_residence_costs_half_online(demo):
    assert quote(PERMANENT_RESIDENCE, Channel.COUNTER).net == 20_000
    online = quote(PERMANENT_RESIDENCE, Channel.ONLINE)
    assert online.net == 10_000
    assert "75/2022" in online.rule.legal_basis


def test_household_business_gets_the_resolution_18_discount(demo):
    assert quote(HOUSEHOLD_BUSINESS, Channel.COUNTER).net == 100_000
    online = quote(HOUSEHOLD_BUSINESS, Channel.ONLINE)
    assert online.net == 60_000
    assert online.rule.percent == 40
    assert "18/2023" in online.rule.legal_basis


def test_marital_status_certificate_discount(demo):
    assert quote(MARITAL_STATUS, Channel.COUNTER).net == 15_000
    assert quote(MARITAL_STATUS, Channel.ONLINE).net == 9_000


def test_judicial_record_is_not_discounted(demo):
    code = Procedure.objects.get(sector__code="ly-lich-tu-phap").code
    assert quote(code, Channel.COUNTER).net == 200_000
    assert quote(code, Channel.ONLINE).net == 200_000


def test_the_discount_starts_on_1_september_2023(demo):
    assert quote(HOUSEHOLD_BUSINESS, Channel.ONLINE, dt.date(2023, 8, 31)).net == 100_000
    assert quote(HOUSEHOLD_BUSINESS, Channel.ONLINE, dt.date(2023, 9, 1)).net == 60_000


def test_every_demo_form_is_sound(demo):
    for procedure in Procedure.objects.filter(code__in=[p["code"] for p in demo_data.PROCEDURES]):
        fields = [
            {
                "key": f.key,
                "label": f.label,
                "label_en": f.label_en,
                "field_type": f.field_type,
                "required": f.required,
                "choices": f.choice_list,
                "help_text": f.help_text,
            }
            for f in procedure.form_fields.all()
        ]
        assert 4 <= len(fields) <= 10, procedure.code
        assert form_definition_errors(fields) == [], procedure.code


def test_demo_data_is_consistent():
    codes = [p["code"] for p in demo_data.PROCEDURES]
    assert len(codes) == len(set(codes)) == 14
    agencies = {a["code"]: a for a in demo_data.AGENCIES}
    for p in demo_data.PROCEDURES:
        assert agencies[p["agency"]]["level"] == p["level"], p["code"]
        assert 2 <= len(p["papers"]) <= 5, p["code"]


def test_generate_catalogue_creates_searchable_published_procedures(db):
    out = StringIO()
    call_command("generate_catalogue", "--count", "50", stdout=out)
    generated = Procedure.objects.filter(code__startswith="8.")
    assert generated.count() == 50
    assert not generated.filter(published=False).exists()
    assert not generated.filter(search_text="").exists()
    assert ProcedureVersion.objects.filter(procedure__in=generated, number=1).count() == 50
    assert FormField.objects.filter(procedure__in=generated).count() == 100
    assert RequiredDocument.objects.filter(procedure__in=generated).count() == 100
    assert FeeItem.objects.filter(procedure__in=generated).count() == 50
    assert "Created 50" in out.getvalue()

    sample = generated.order_by("code").first()
    ascii_name = normalize_search(sample.name).upper()  # "CAP LAI GIAY PHEP ..."
    assert ascii_name.isascii()
    assert sample in catalogue_procedures(search=ascii_name)
    assert sample in catalogue_procedures(search=sample.name)
    # The version carries the same hash procedure_publish computes: publishing adds nothing.
    assert procedure_publish(procedure=sample).number == 1


def test_generate_catalogue_continues_codes(db):
    call_command("generate_catalogue", count=3, stdout=StringIO())
    call_command("generate_catalogue", count=2, stdout=StringIO())
    codes = sorted(Procedure.objects.values_list("code", flat=True))
    assert codes == [f"8.{n:06d}" for n in range(1, 6)]


def test_generate_catalogue_after_demo_keeps_demo_codes(demo):
    call_command("generate_catalogue", count=5, stdout=StringIO())
    assert Procedure.objects.count() == len(demo_data.PROCEDURES) + 5
    assert not Procedure.objects.filter(code__startswith="8.", agency__is_one_stop_centre=True)


@pytest.mark.parametrize("count", ["0", "-1"])
def test_generate_catalogue_rejects_a_bad_count(db, count):
    with pytest.raises(CommandError):
        call_command("generate_catalogue", "--count", count)
    assert not Procedure.objects.exists()
