"""cccd_errors with hand-checked numbers (digits 1-3 province, 4 century and sex, 5-6 year)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.identity import cccd_errors, validate_cccd


@pytest.mark.parametrize(
    ("number", "birth_date", "sex"),
    [
        ("046095012345", dt.date(1995, 3, 14), "male"),  # Huế, 0: man born 19xx, 95
        ("046195012345", dt.date(1995, 3, 14), "female"),  # 1: woman born 19xx
        ("046203012345", dt.date(2003, 7, 1), "male"),  # 2: man born 20xx, 03
        ("001303000001", dt.date(2003, 7, 1), "female"),  # Hà Nội, 3: woman born 20xx
    ],
)
def test_numbers_that_agree_with_birth_date_and_sex_have_no_errors(number, birth_date, sex):
    assert cccd_errors(number, birth_date=birth_date, sex=sex) == []
    validate_cccd(number)


@pytest.mark.parametrize("number", ["04609501234", "0460950123456", "04609501234x", ""])
def test_a_number_that_is_not_12_digits_has_one_plain_error(number):
    assert cccd_errors(number) == [
        "A CCCD number has exactly 12 digits, with no spaces or letters."
    ]
    with pytest.raises(ValidationError):
        validate_cccd(number)


def test_an_unknown_province_code_is_named():
    assert cccd_errors("999095012345") == [
        "The first three digits (999) are not a province code. Check the number on your card."
    ]


def test_birth_year_and_sex_are_checked_only_when_given():
    assert cccd_errors("046095012345") == []
    assert cccd_errors("046095012345", birth_date=dt.date(2095, 1, 1)) == [
        "The CCCD says born in 1995 (digits 4 to 6), but the date of birth is in 2095."
    ]
    assert cccd_errors("046203012345", sex="female") == [
        "The 4th digit of the CCCD is for a man; the sex given is female."
    ]
