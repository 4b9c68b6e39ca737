"""Form values are checked against the version's fields with a plain message per problem."""

import pytest

from dossiers.files import safe_filename, sniff_type
from dossiers.form_data import validate_form_data

FIELDS = [
    {"key": "ho_ten", "label": "Họ tên", "field_type": "text", "required": True},
    {"key": "so_ban", "label": "Số bản", "field_type": "number", "required": False},
    {"key": "ngay_sinh", "label": "Ngày sinh", "field_type": "date", "required": True},
    {"key": "gioi_tinh", "label": "Giới tính", "field_type": "choice", "required": True,
     "choices": ["Nam", "Nữ"]},
    {"key": "cam_doan", "label": "Cam đoan", "field_type": "checkbox", "required": True},
    {"key": "cccd", "label": "CCCD", "field_type": "cccd", "required": True},
    {"key": "dien_thoai", "label": "Điện thoại", "field_type": "phone", "required": False},
    {"key": "email", "label": "Email", "field_type": "email", "required": False},
]  # fmt: skip
VALID = {
    "ho_ten": " Trần Thị Bình ",
    "so_ban": "2",
    "ngay_sinh": "25/12/1995",
    "gioi_tinh": "Nữ",
    "cam_doan": "on",
    "cccd": "046195012345",
    "dien_thoai": "0912 345 678",
    "email": "Binh@Example.VN",
}


def test_valid_values_are_cleaned():
    cleaned, errors = validate_form_data(FIELDS, VALID)

    assert errors == {}
    assert cleaned == {
        "ho_ten": "Trần Thị Bình",
        "so_ban": 2,
        "ngay_sinh": "1995-12-25",
        "gioi_tinh": "Nữ",
        "cam_doan": True,
        "cccd": "046195012345",
        "dien_thoai": "0912345678",
        "email": "binh@example.vn",
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("so_ban", "hai"),
        ("ngay_sinh", "31/02/2020"),
        ("ngay_sinh", "hôm qua"),
        ("gioi_tinh", "Khác"),
        ("cccd", "12345"),
        ("cccd", "999195012345"),
        ("dien_thoai", "12345"),
        ("email", "khong-phai-email"),
        ("ho_ten", "x" * 1001),
        ("cam_doan", "maybe"),
    ],
)
def test_each_wrong_value_gets_its_own_message(key, value):
    _, errors = validate_form_data(FIELDS, VALID | {key: value})

    assert list(errors) == [key] and errors[key][0]


def test_missing_required_values_are_errors_only_when_complete():
    _, strict = validate_form_data(FIELDS, {})
    _, draft = validate_form_data(FIELDS, {}, require_all=False)

    assert set(strict) == {"ho_ten", "ngay_sinh", "gioi_tinh", "cam_doan", "cccd"}
    assert draft == {}


def test_an_unticked_required_checkbox_is_missing():
    _, errors = validate_form_data(FIELDS, VALID | {"cam_doan": False})

    assert "cam_doan" in errors


def test_unknown_keys_are_reported_not_dropped():
    _, errors = validate_form_data(FIELDS, VALID | {"mat_khau": "x"})

    assert "mat_khau" in errors


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"%PDF-1.7", "pdf"), (b"\xff\xd8\xff\xe1", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"),
     (b"GIF89a", None), (b"<html>", None), (b"", None)],
)  # fmt: skip
def test_type_is_read_from_content(head, kind):
    assert sniff_type(head) == kind


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\an\\Giấy khai sinh.PDF", "Giấy_khai_sinh.pdf"),
        ("", "tai-lieu.pdf"),
        ("...", "tai-lieu.pdf"),
        ("ảnh.exe", "ảnh.pdf"),
    ],
)
def test_file_names_are_made_safe(name, safe):
    assert safe_filename(name, "pdf") == safe
