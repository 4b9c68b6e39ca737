"""Việt Nam's public holidays 2025–2027 as they affect a state office's calendar (pure data).

Loaded into ``procedures.Holiday`` by migration ``0003_load_holidays``; after that the admin site
is the place to correct or extend them (the calendar reads the table, not this file).

Legal basis: Labour Code 2019 art. 112(1) — Tết Dương lịch 1 day (1/1), Tết Âm lịch 5 days,
Giỗ Tổ Hùng Vương 1 day (10/3 lunar), Ngày Chiến thắng 1 day (30/4), Quốc tế Lao động 1 day (1/5),
Quốc khánh 2 days (2/9 and the day before or after it); art. 112(3): each year the Prime Minister
fixes the actual Tết days and the second Quốc khánh day; art. 111(3): a holiday falling on the
weekly rest day is compensated on the next working day. Swaps (a weekday off against a Saturday
worked) are announced each year for civil servants.

Only dates that change the office calendar are listed:

* ``"holiday"``: a Monday–Friday the office is closed (the holiday itself, its compensatory day,
  or a bridge day swapped against a Saturday);
* ``"workday"``: a weekend day the office works (the Saturday of such a swap).

A holiday falling on a weekend is therefore not listed itself, only its compensatory weekday
(26/4/2026 is a Sunday: 27/4/2026 is listed).

Status of the entries:

* 2025 — **announced** (MOLISA notice on Tết Ất Tỵ and Quốc khánh 2025; Prime Minister's swap of
  Fri 2/5/2025 against Sat 26/4/2025).
* 2026 — **announced**: Tết Dương lịch with the swap of Fri 2/1 against Sat 10/1 (document
  12729/VPCP-KGVX of 25/12/2025); Tết Bính Ngọ Mon 16/2 – Fri 20/2 and Quốc khánh Tue 1/9 –
  Wed 2/9 with the swap of Mon 31/8 against Sat 22/8 (Prime Minister's approval of the Ministry of
  Home Affairs' plan, October 2025); Giỗ Tổ and 30/4–1/5 follow the Labour Code directly.
* 2027 — **provisional**: derived from the Labour Code and the lunar calendar (Tết Đinh Mùi
  = Sat 6/2/2027, 10/3 lunar = Fri 16/4/2027) until the government's annual notice. The entries
  in ``PROVISIONAL_DATES`` are choices the government has not made yet (the Tết days and the
  second Quốc khánh day); swaps may also be added. Admins adjust them in the admin site.

Not listed (not law yet): Ngày Văn hóa Việt Nam (24/11), chosen by Politburo Resolution
80-NQ/TW as a paid day off but awaiting the amendment of Labour Code art. 112.
"""

from __future__ import annotations

from datetime import date

HOLIDAY = "holiday"  # = procedures.constants.DayKind.HOLIDAY (no Django import here)
WORKDAY = "workday"  # = procedures.constants.DayKind.WORKDAY

TET_DUONG_LICH = "Tết Dương lịch"
TET_NGUYEN_DAN = "Tết Nguyên đán"
GIO_TO = "Giỗ Tổ Hùng Vương (10/3 âm lịch)"
CHIEN_THANG = "Ngày Chiến thắng (30/4)"
LAO_DONG = "Ngày Quốc tế Lao động (1/5)"
QUOC_KHANH = "Quốc khánh (2/9)"
PROVISIONAL = " (dự kiến)"

# (date, Vietnamese name, kind)
HOLIDAYS: list[tuple[date, str, str]] = [
    # ---- 2025: announced -----------------------------------------------------------------------
    (date(2025, 1, 1), TET_DUONG_LICH, HOLIDAY),  # Wed
    # Tết Ất Tỵ (mùng 1 = Wed 29/1/2025): off Sat 25/1 – Sun 2/2, i.e. the five weekdays below.
    (date(2025, 1, 27), f"{TET_NGUYEN_DAN} Ất Tỵ (28 tháng Chạp)", HOLIDAY),
    (date(2025, 1, 28), f"{TET_NGUYEN_DAN} Ất Tỵ (29 tháng Chạp)", HOLIDAY),
    (date(2025, 1, 29), f"{TET_NGUYEN_DAN} Ất Tỵ (mùng 1)", HOLIDAY),
    (date(2025, 1, 30), f"{TET_NGUYEN_DAN} Ất Tỵ (mùng 2)", HOLIDAY),
    (date(2025, 1, 31), f"{TET_NGUYEN_DAN} Ất Tỵ (mùng 3)", HOLIDAY),
    (date(2025, 4, 7), GIO_TO, HOLIDAY),  # Mon
    # 30/4 Wed, 1/5 Thu; Fri 2/5 off in exchange for working Sat 26/4.
    (date(2025, 4, 26), "Làm bù cho ngày nghỉ 2/5/2025", WORKDAY),
    (date(2025, 4, 30), CHIEN_THANG, HOLIDAY),
    (date(2025, 5, 1), LAO_DONG, HOLIDAY),
    (date(2025, 5, 2), "Nghỉ hoán đổi dịp 30/4 – 1/5 (làm bù thứ Bảy 26/4/2025)", HOLIDAY),
    # Quốc khánh: Mon 1/9 and Tue 2/9 (off Sat 30/8 – Tue 2/9).
    (date(2025, 9, 1), f"{QUOC_KHANH}, ngày liền kề", HOLIDAY),
    (date(2025, 9, 2), QUOC_KHANH, HOLIDAY),
    # ---- 2026: announced -----------------------------------------------------------------------
    (date(2026, 1, 1), TET_DUONG_LICH, HOLIDAY),  # Thu
    (date(2026, 1, 2), "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/1/2026)", HOLIDAY),
    (date(2026, 1, 10), "Làm bù cho ngày nghỉ 2/1/2026", WORKDAY),
    # Tết Bính Ngọ (mùng 1 = Tue 17/2/2026): off Sat 14/2 – Sun 22/2, i.e. the five weekdays below.
    (date(2026, 2, 16), f"{TET_NGUYEN_DAN} Bính Ngọ (29 tháng Chạp)", HOLIDAY),
    (date(2026, 2, 17), f"{TET_NGUYEN_DAN} Bính Ngọ (mùng 1)", HOLIDAY),
    (date(2026, 2, 18), f"{TET_NGUYEN_DAN} Bính Ngọ (mùng 2)", HOLIDAY),
    (date(2026, 2, 19), f"{TET_NGUYEN_DAN} Bính Ngọ (mùng 3)", HOLIDAY),
    (date(2026, 2, 20), f"{TET_NGUYEN_DAN} Bính Ngọ (mùng 4)", HOLIDAY),
    # 10/3 lunar = Sun 26/4/2026: compensatory day off Mon 27/4 (art. 111(3)).
    (date(2026, 4, 27), f"Nghỉ bù {GIO_TO} (26/4/2026 là Chủ nhật)", HOLIDAY),
    (date(2026, 4, 30), CHIEN_THANG, HOLIDAY),  # Thu
    (date(2026, 5, 1), LAO_DONG, HOLIDAY),  # Fri
    # Quốc khánh: Tue 1/9 and Wed 2/9; Mon 31/8 off in exchange for working Sat 22/8.
    (date(2026, 8, 22), "Làm bù cho ngày nghỉ 31/8/2026", WORKDAY),
    (date(2026, 8, 31), "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8/2026)", HOLIDAY),
    (date(2026, 9, 1), f"{QUOC_KHANH}, ngày liền kề", HOLIDAY),
    (date(2026, 9, 2), QUOC_KHANH, HOLIDAY),
    # ---- 2027: PROVISIONAL until the government's notice (Labour Code 2019 art. 111–112) -------
    (date(2027, 1, 1), TET_DUONG_LICH, HOLIDAY),  # Fri
    # Tết Đinh Mùi: mùng 1 = Sat 6/2/2027, 29 tháng Chạp (last day of the year) = Fri 5/2.
    # Five Tết days, mùng 1–2 falling on the weekend compensated on weekdays: as in 2024 (same
    # weekday layout) the five weekdays Thu 4/2 – Wed 10/2 are assumed.
    (date(2027, 2, 4), f"{TET_NGUYEN_DAN} Đinh Mùi (28 tháng Chạp){PROVISIONAL}", HOLIDAY),
    (date(2027, 2, 5), f"{TET_NGUYEN_DAN} Đinh Mùi (29 tháng Chạp){PROVISIONAL}", HOLIDAY),
    (date(2027, 2, 8), f"{TET_NGUYEN_DAN} Đinh Mùi (mùng 3){PROVISIONAL}", HOLIDAY),
    (date(2027, 2, 9), f"{TET_NGUYEN_DAN} Đinh Mùi (mùng 4){PROVISIONAL}", HOLIDAY),
    (date(2027, 2, 10), f"{TET_NGUYEN_DAN} Đinh Mùi (mùng 5){PROVISIONAL}", HOLIDAY),
    (date(2027, 4, 16), GIO_TO, HOLIDAY),  # Fri; 10/3 Đinh Mùi computed from the lunar calendar
    (date(2027, 4, 30), CHIEN_THANG, HOLIDAY),  # Fri
    # 1/5/2027 is a Saturday: compensatory day off Mon 3/5 (art. 111(3)).
    (date(2027, 5, 3), f"Nghỉ bù {LAO_DONG} (1/5/2027 là thứ Bảy)", HOLIDAY),
    (date(2027, 9, 2), QUOC_KHANH, HOLIDAY),  # Thu
    (date(2027, 9, 3), f"{QUOC_KHANH}, ngày liền kề{PROVISIONAL}", HOLIDAY),  # Fri (or Wed 1/9)
]

# Entries whose date is a government choice not yet announced (names end with "(dự kiến)").
PROVISIONAL_DATES: frozenset[date] = frozenset(
    day for day, name, _kind in HOLIDAYS if name.endswith(PROVISIONAL)
)
