"""Catalogue search ignores case and Vietnamese accents, on SQLite and on PostgreSQL."""

import pytest

from portal.text import normalize_search
from procedures.selectors import catalogue_procedures
from procedures.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KẾT HÔN", "dang ky ket hon"),
        ("  Cấp   Phiếu lý lịch  ", "cap phieu ly lich"),
        ("Chứng thực bản sao từ bản chính", "chung thuc ban sao tu ban chinh"),
    ],
)
def test_normalize_search_folds_case_accents_and_spaces(text, folded):
    assert normalize_search(text) == folded


@pytest.mark.parametrize(
    "query",
    ["khai sinh", "KHAI SINH", "Khai sinh", "dang ky khai sinh", "ĐĂNG KÝ khai sinh", "1.001193"],
)
def test_search_finds_birth_registration_however_typed(query):
    birth = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    ProcedureFactory(name="Đăng ký kết hôn")

    assert list(catalogue_procedures(search=query)) == [birth]


def test_every_word_must_match_in_any_order():
    ProcedureFactory(name="Đăng ký khai sinh")
    death = ProcedureFactory(name="Đăng ký khai tử")

    assert list(catalogue_procedures(search="tử khai")) == [death]


def test_search_ignores_unpublished_procedures():
    ProcedureFactory(name="Đăng ký khai sinh", draft=True)

    assert list(catalogue_procedures(search="khai sinh")) == []


def test_search_text_follows_renames():
    procedure = ProcedureFactory(name="Đăng ký tạm trú")
    procedure.name = "Đăng ký thường trú"
    procedure.save(update_fields=["name"])

    assert list(catalogue_procedures(search="thuong tru")) == [procedure]
    assert list(catalogue_procedures(search="tam tru")) == []


def test_search_treats_like_wildcards_as_text():
    ProcedureFactory(name="Đăng ký khai sinh")

    assert list(catalogue_procedures(search="%")) == []
    assert list(catalogue_procedures(search="_")) == []


@pytest.mark.postgres
def test_postgres_has_the_trigram_index():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'procedure_search_trgm'")
        row = cursor.fetchone()
    assert row is not None and "gin_trgm_ops" in row[0]
