"""The 12-digit personal identification number (CCCD / số định danh cá nhân).

Digits 1–3: province where the birth was registered; digit 4: century and sex; digits 5–6: the
last two digits of the birth year; digits 7–12: random (Circular 07/2016/TT-BCA, 59/2021/TT-BCA).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROVINCE_CODES = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh",
    "030": "Hải Dương", "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình",
    "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An",
    "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận",
    "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

MALE, FEMALE = "male", "female"  # the values of accounts.constants.Sex
# Century of birth by the pair of 4th digits (even: male, odd: female).
_CENTURY_START = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 2300}


def cccd_errors(
    number: str, *, birth_date: dt.date | None = None, sex: str | None = None
) -> list[str]:
    """Every reason ``number`` is not a valid CCCD for that birth date and sex, in plain words.

    Birth date and sex are checked only when given. Empty list: valid.
    """
    if len(number) != 12 or not number.isdigit():
        return [_("A CCCD number has exactly 12 digits, with no spaces or letters.")]
    errors = []
    if number[:3] not in PROVINCE_CODES:
        errors.append(
            _(
                "The first three digits (%(code)s) are not a province code. "
                "Check the number on your card."
            )
            % {"code": number[:3]}
        )
    digit = int(number[3])
    century_start = _CENTURY_START[digit - digit % 2]
    if birth_date is not None:
        year = century_start + int(number[4:6])
        if birth_date.year != year:
            errors.append(
                _(
                    "The CCCD says born in %(year)d (digits 4 to 6), "
                    "but the date of birth is in %(birth)d."
                )
                % {"year": year, "birth": birth_date.year}
            )
    if sex in (MALE, FEMALE):
        card_sex = MALE if digit % 2 == 0 else FEMALE
        if card_sex != sex:
            errors.append(
                _("The 4th digit of the CCCD is for a man; the sex given is female.")
                if card_sex == MALE
                else _("The 4th digit of the CCCD is for a woman; the sex given is male.")
            )
    return errors


def validate_cccd(value: str) -> None:
    """Django validator: 12 digits and a real province code."""
    errors = cccd_errors(value)
    if errors:
        raise ValidationError(errors)
