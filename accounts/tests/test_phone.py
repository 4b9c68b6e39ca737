"""Vietnamese mobile numbers: every spelling of one number is one canonical +84… form."""

import pytest
from django.core.exceptions import ValidationError

from accounts.phone import format_phone, mask_phone, normalize_phone, try_normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "(0912) 345 678",
        "+84912345678",
        "+84 912 345 678",
        "+84 0912 345 678",
        "84912345678",
        "0084912345678",
        "912345678",
        " 0912\u00a0345\u00a0678 ",
    ],
)
def test_every_spelling_of_a_mobile_number_gives_the_e164_form(typed):
    assert normalize_phone(typed) == "+84912345678"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "091234567",  # 9 digits
        "09123456789",  # 11 digits
        "0212345678",  # not a mobile prefix
        "02343822527",  # a Huế landline: cannot receive SMS codes
        "+1 202 555 0143",  # not Vietnamese
        "0912abc678",
        "01612345678",  # an 11-digit number from before the 2018 renumbering
    ],
)
def test_what_is_not_a_vietnamese_mobile_number_is_refused_with_an_example(typed):
    with pytest.raises(ValidationError) as error:
        normalize_phone(typed)

    assert "0912 345 678" in error.value.messages[0]
    assert try_normalize_phone(typed) is None


def test_numbers_are_shown_the_way_people_write_them():
    assert format_phone("+84912345678") == "0912 345 678"
    assert format_phone(None) == ""
    assert mask_phone("+84912345678") == "+84*****5678"
