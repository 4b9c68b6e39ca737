"""The working-day calendar: every expected value below is worked out by hand in its comment.

Reference week (no holiday): Mon 9 Mar 2026 … Fri 13 Mar 2026, Sat 14, Sun 15, Mon 16 Mar 2026.
Default office hours 07:00–11:30 (4.5 h) and 13:30–17:00 (3.5 h): 8 h a day.
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from procedures.holidays_data import HOLIDAYS, PROVISIONAL_DATES
from procedures.workdays import MAX_SCAN_DAYS, WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
H = timedelta(hours=1)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """An aware local (Asia/Ho_Chi_Minh) datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def same_instant(actual: datetime, expected: datetime) -> None:
    assert actual == expected
    assert actual.tzinfo is not None
    assert actual.utcoffset() == timedelta(hours=7)  # always returned in Vietnamese time


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# Tết Bính Ngọ 2026 as announced: Mon 16 – Fri 20 Feb off.
TET_2026 = [date(2026, 2, d) for d in range(16, 21)]
# 30/4 – 1/5 2026 (Thu, Fri).
MAY_2026 = [date(2026, 4, 30), date(2026, 5, 1)]
# 2025: 30/4 Wed, 1/5 Thu, 2/5 Fri off; Sat 26/4 worked in exchange.
MAY_2025 = [date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)]
SAT_26_APR_2025 = date(2025, 4, 26)


# ---- days ------------------------------------------------------------------------------------


class TestDays:
    def test_weekdays_work_weekends_do_not(self, cal):
        assert cal.is_working_day(date(2026, 3, 9))  # Mon
        assert cal.is_working_day(date(2026, 3, 13))  # Fri
        assert not cal.is_working_day(date(2026, 3, 14))  # Sat
        assert not cal.is_working_day(date(2026, 3, 15))  # Sun

    def test_holiday_is_off_and_makeup_saturday_works(self):
        cal = WorkCalendar(holidays=MAY_2025, workdays=[SAT_26_APR_2025])
        assert not cal.is_working_day(date(2025, 5, 2))  # Fri, swapped day off
        assert cal.is_working_day(SAT_26_APR_2025)  # Sat, make-up day
        assert not cal.is_working_day(date(2025, 4, 27))  # Sun

    def test_workday_wins_over_holiday(self):
        cal = WorkCalendar(holidays=[date(2026, 3, 9)], workdays=[date(2026, 3, 9)])
        assert cal.is_working_day(date(2026, 3, 9))

    def test_aware_datetime_is_taken_as_its_local_date(self, cal):
        # Fri 13 Mar 2026 20:00 UTC = Sat 14 Mar 03:00 in Việt Nam → not a working day.
        assert not cal.is_working_day(datetime(2026, 3, 13, 20, tzinfo=UTC))

    def test_next_working_day_skips_weekend_and_is_strict(self, cal):
        assert cal.next_working_day(date(2026, 3, 9)) == date(2026, 3, 10)  # Mon → Tue
        assert cal.next_working_day(date(2026, 3, 13)) == date(2026, 3, 16)  # Fri → Mon
        assert cal.next_working_day(date(2026, 3, 14)) == date(2026, 3, 16)  # Sat → Mon

    def test_next_working_day_skips_tet(self):
        cal = WorkCalendar(holidays=TET_2026)
        # Fri 13 Feb → Sat 14 … Sun 22 all off → Mon 23 Feb.
        assert cal.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)

    def test_day_length(self, cal):
        assert cal.day_length == 8 * H  # 4.5 h + 3.5 h


# ---- adding working time ---------------------------------------------------------------------


class TestAddWorkingDays:
    def test_ten_o_clock_monday_plus_one_day(self, cal):
        # Mon 10:00 + 8 h: Mon 10:00–11:30 1.5 h, 13:30–17:00 3.5 h (5 h), Tue 07:00 + 3 h.
        same_instant(cal.add_working_days(at(2026, 3, 9, 10), 1), at(2026, 3, 10, 10))

    def test_after_hours_receipt(self, cal):
        # Mon 18:00 → next working instant Tue 07:00; + 8 h = Tue 17:00 (end of period kept).
        same_instant(cal.add_working_days(at(2026, 3, 9, 18), 1), at(2026, 3, 10, 17))

    def test_friday_afternoon_skips_weekend(self, cal):
        # Fri 16:00: 1 h left on Friday; Mon 07:00 + 7 h = 07:00–11:30 (4.5) + 13:30 + 2.5 = 16:00.
        same_instant(cal.add_working_days(at(2026, 3, 13, 16), 1), at(2026, 3, 16, 16))

    def test_receipt_on_weekend(self, cal):
        # Sat 10:00 → Mon 07:00; + 8 h = Mon 17:00.
        same_instant(cal.add_working_days(at(2026, 3, 14, 10), 1), at(2026, 3, 16, 17))

    def test_receipt_during_lunch_break(self, cal):
        # Mon 12:00 → Mon 13:30; Mon 13:30–17:00 3.5 h, Tue 07:00–11:30 4.5 h = 8 h → Tue 11:30.
        same_instant(cal.add_working_days(at(2026, 3, 9, 12), 1), at(2026, 3, 10, 11, 30))

    def test_receipt_on_a_holiday(self):
        cal = WorkCalendar(holidays=MAY_2026)
        # Thu 30 Apr (holiday) 10:00 → Fri 1 May off, weekend → Mon 4 May 07:00;
        # 16 h = Mon 8 h + Tue 8 h → Tue 5 May 17:00.
        same_instant(cal.add_working_days(at(2026, 4, 30, 10), 2), at(2026, 5, 5, 17))

    def test_tet_2026(self):
        cal = WorkCalendar(holidays=TET_2026)
        # Fri 13 Feb 10:00 + 24 h: Fri 5 h (19 left); Sat 14 – Sun 22 off; Mon 23 8 h (11 left);
        # Tue 24 8 h (3 left); Wed 25 07:00 + 3 h = 10:00.
        same_instant(cal.add_working_days(at(2026, 2, 13, 10), 3), at(2026, 2, 25, 10))

    def test_makeup_saturday_counts(self):
        cal = WorkCalendar(holidays=MAY_2025, workdays=[SAT_26_APR_2025])
        # Fri 25 Apr 2025 10:00 + 1 day → Sat 26 Apr 10:00 (a working day).
        same_instant(cal.add_working_days(at(2025, 4, 25, 10), 1), at(2025, 4, 26, 10))
        # Tue 29 Apr 10:00 + 16 h: Tue 5 h (11 left); Wed 30 – Sun 4 May off; Mon 5 May 8 h
        # (3 left); Tue 6 May 07:00 + 3 h = 10:00.
        same_instant(cal.add_working_days(at(2025, 4, 29, 10), 2), at(2025, 5, 6, 10))

    def test_zero_days_inside_and_outside_working_time(self, cal):
        same_instant(cal.add_working_days(at(2026, 3, 9, 10), 0), at(2026, 3, 9, 10))
        same_instant(cal.add_working_days(at(2026, 3, 13, 18), 0), at(2026, 3, 16, 7))

    def test_sixty_days_is_twelve_weeks(self, cal):
        # 60 working days without holidays = 12 weeks: Mon 9 Mar + 84 days = Mon 1 Jun 10:00.
        same_instant(cal.add_working_days(at(2026, 3, 9, 10), 60), at(2026, 6, 1, 10))

    def test_long_spans_do_not_iterate_minute_by_minute(self, cal):
        # 2,500 working days = 500 weeks exactly; must return promptly (steps by day).
        start = at(2026, 3, 9, 10)
        same_instant(cal.add_working_days(start, 2500), start + timedelta(weeks=500))

    def test_input_in_utc_output_in_vietnam(self, cal):
        # 03:00 UTC = 10:00 in Việt Nam, Mon 9 Mar → Tue 10 Mar 10:00 +07:00 (= 03:00 UTC).
        result = cal.add_working_days(datetime(2026, 3, 9, 3, tzinfo=UTC), 1)
        same_instant(result, at(2026, 3, 10, 10))
        assert result.tzinfo.key == "Asia/Ho_Chi_Minh"
        # Sun 8 Mar 23:30 UTC = Mon 9 Mar 06:30 local → next working instant Mon 07:00.
        same_instant(
            cal.add_working_days(datetime(2026, 3, 8, 23, 30, tzinfo=UTC), 0), at(2026, 3, 9, 7)
        )


class TestAddWorkingHours:
    def test_across_lunch(self, cal):
        # 11:00 + 1 h: 11:00–11:30 0.5 h, then 13:30 + 0.5 h = 14:00.
        same_instant(cal.add_working_hours(at(2026, 3, 9, 11), 1), at(2026, 3, 9, 14))

    def test_landing_on_end_of_period_stays(self, cal):
        # 07:00 + 4.5 h = 11:30 (not 13:30); 07:00 + 8 h = 17:00 (not 07:00 next day).
        same_instant(cal.add_working_hours(at(2026, 3, 9, 7), 4.5), at(2026, 3, 9, 11, 30))
        same_instant(cal.add_working_hours(at(2026, 3, 9, 7), 8), at(2026, 3, 9, 17))

    def test_from_end_of_period(self, cal):
        # 11:30 + 0 stays; 11:30 + 1 h = 14:30.
        same_instant(cal.add_working_hours(at(2026, 3, 9, 11, 30), 0), at(2026, 3, 9, 11, 30))
        same_instant(cal.add_working_hours(at(2026, 3, 9, 11, 30), 1), at(2026, 3, 9, 14, 30))

    def test_zero_outside_working_time_moves_to_next_working_instant(self, cal):
        same_instant(cal.add_working_hours(at(2026, 3, 9, 12), 0), at(2026, 3, 9, 13, 30))
        same_instant(cal.add_working_hours(at(2026, 3, 9, 18), 0), at(2026, 3, 10, 7))
        same_instant(cal.add_working_hours(at(2026, 3, 9, 6), 0), at(2026, 3, 9, 7))

    def test_fractional_hours_overnight(self, cal):
        # Mon 16:00 + 1.25 h: 1 h to 17:00, Tue 07:00 + 0.25 h = 07:15.
        same_instant(cal.add_working_hours(at(2026, 3, 9, 16), 1.25), at(2026, 3, 10, 7, 15))

    def test_add_working_time_is_additive(self, cal):
        start = at(2026, 3, 9, 10, 20)
        for first in (H / 2, 3 * H, 8 * H, 13 * H):
            for second in (0 * H, H, 7 * H):
                two_steps = cal.add_working_time(cal.add_working_time(start, first), second)
                assert two_steps == cal.add_working_time(start, first + second)


# ---- durations -------------------------------------------------------------------------------


class TestWorkingTimeBetween:
    def test_one_working_day(self, cal):
        # Mon 10:00 → Tue 10:00: Mon 1.5 + 3.5 h, Tue 3 h = 8 h.
        assert cal.working_time_between(at(2026, 3, 9, 10), at(2026, 3, 10, 10)) == 8 * H

    def test_lunch_not_counted(self, cal):
        # 09:00 → 15:00: 09:00–11:30 2.5 h + 13:30–15:00 1.5 h = 4 h.
        assert cal.working_time_between(at(2026, 3, 9, 9), at(2026, 3, 9, 15)) == 4 * H

    def test_over_a_weekend(self, cal):
        # Fri 16:00 → Mon 08:00: Fri 1 h + Mon 1 h = 2 h.
        assert cal.working_time_between(at(2026, 3, 13, 16), at(2026, 3, 16, 8)) == 2 * H

    def test_full_week(self, cal):
        # Mon 00:00 → next Mon 00:00: 5 × 8 h = 40 h.
        assert cal.working_time_between(at(2026, 3, 9), at(2026, 3, 16)) == 40 * H

    def test_over_tet(self):
        cal = WorkCalendar(holidays=TET_2026)
        # Fri 13 Feb 00:00 → Tue 24 Feb 00:00: Fri 8 h + Mon 23 8 h = 16 h.
        assert cal.working_time_between(at(2026, 2, 13), at(2026, 2, 24)) == 16 * H

    def test_reversed_or_empty_interval_is_zero(self, cal):
        assert cal.working_time_between(at(2026, 3, 9, 15), at(2026, 3, 9, 10)) == timedelta()
        assert cal.working_time_between(at(2026, 3, 9, 10), at(2026, 3, 9, 10)) == timedelta()

    def test_mixed_zones(self, cal):
        # 02:00 UTC = 09:00 local, to 15:00 local: 4 h as above.
        assert (
            cal.working_time_between(datetime(2026, 3, 9, 2, tzinfo=UTC), at(2026, 3, 9, 15))
            == 4 * H
        )


# ---- due dates -------------------------------------------------------------------------------


class TestSameDay:
    def test_before_cutoff_is_due_end_of_day(self, cal):
        same_instant(cal.due_at(at(2026, 3, 9, 14, 59), 0), at(2026, 3, 9, 17))

    def test_at_cutoff_is_due_next_working_day(self, cal):
        same_instant(cal.due_at(at(2026, 3, 9, 15), 0), at(2026, 3, 10, 17))

    def test_friday_after_cutoff_is_due_monday(self, cal):
        same_instant(cal.due_at(at(2026, 3, 13, 15, 30), 0), at(2026, 3, 16, 17))

    def test_before_a_holiday_is_due_after_it(self):
        cal = WorkCalendar(holidays=MAY_2026)
        # Wed 29 Apr 15:30 → Thu 30, Fri 1 off, weekend → Mon 4 May 17:00.
        same_instant(cal.due_at(at(2026, 4, 29, 15, 30), 0), at(2026, 5, 4, 17))
        # Received on the holiday itself (Thu 30 Apr 10:00) → Mon 4 May 17:00.
        same_instant(cal.due_at(at(2026, 4, 30, 10), 0), at(2026, 5, 4, 17))

    def test_early_morning_counts_for_that_day(self, cal):
        same_instant(cal.due_at(at(2026, 3, 9, 6, 30), 0), at(2026, 3, 9, 17))

    def test_lunch_break_before_cutoff(self, cal):
        same_instant(cal.due_at(at(2026, 3, 9, 12), 0), at(2026, 3, 9, 17))

    def test_weekend_and_evening(self, cal):
        same_instant(cal.due_at(at(2026, 3, 14, 9), 0), at(2026, 3, 16, 17))  # Sat → Mon
        same_instant(cal.due_at(at(2026, 3, 9, 18), 0), at(2026, 3, 10, 17))  # Mon eve → Tue

    def test_makeup_saturday(self):
        cal = WorkCalendar(holidays=MAY_2025, workdays=[SAT_26_APR_2025])
        # Fri 25 Apr 2025 15:30 → next working day is Sat 26 Apr → 17:00.
        same_instant(cal.due_at(at(2025, 4, 25, 15, 30), 0), at(2025, 4, 26, 17))
        # Received on the make-up Saturday morning → due that Saturday 17:00.
        same_instant(cal.due_at(at(2025, 4, 26, 9), 0), at(2025, 4, 26, 17))

    def test_cutoff_from_utc_input(self, cal):
        # 07:59 UTC = 14:59 local → same day; 08:00 UTC = 15:00 local → next day.
        same_instant(cal.due_at(datetime(2026, 3, 9, 7, 59, tzinfo=UTC), 0), at(2026, 3, 9, 17))
        same_instant(cal.due_at(datetime(2026, 3, 9, 8, tzinfo=UTC), 0), at(2026, 3, 10, 17))

    def test_pause_pushes_same_day_deadline(self, cal):
        # Mon 10:00, pause Mon 14:00–16:00 (2 h): Mon 17:00 + 2 h → Tue 09:00.
        pauses = [(at(2026, 3, 9, 14), at(2026, 3, 9, 16))]
        same_instant(cal.due_at(at(2026, 3, 9, 10), 0, pauses=pauses), at(2026, 3, 10, 9))


class TestDueAtDays:
    def test_equals_add_working_days_without_pauses(self, cal):
        # Mon 10:00 + 3 days = Thu 12 Mar 10:00.
        same_instant(cal.due_at(at(2026, 3, 9, 10), 3), at(2026, 3, 12, 10))

    def test_tet_2026(self):
        cal = WorkCalendar(holidays=TET_2026)
        # See TestAddWorkingDays.test_tet_2026: Wed 25 Feb 10:00.
        same_instant(cal.due_at(at(2026, 2, 13, 10), 3), at(2026, 2, 25, 10))

    def test_two_day_supplement_wait_adds_two_working_days(self, cal):
        # Pause Tue 10 Mar 10:00 → Thu 12 Mar 10:00 = Tue 5 h + Wed 8 h + Thu 3 h = 16 h.
        # Due Thu 12 Mar 10:00 + 16 h: Thu 5 h (11 left), Fri 8 h (3 left), Mon 16 07:00 + 3 h.
        pauses = [(at(2026, 3, 10, 10), at(2026, 3, 12, 10))]
        same_instant(cal.due_at(at(2026, 3, 9, 10), 3, pauses=pauses), at(2026, 3, 16, 10))

    def test_overlapping_pauses_are_not_double_counted(self, cal):
        # Tue 10:00 → Wed 10:00 and Tue 14:00 → Thu 10:00 merge into Tue 10:00 → Thu 10:00
        # (16 h, as above) → Mon 16 Mar 10:00. Counted twice they would give 8 h + 14 h.
        pauses = [
            (at(2026, 3, 10, 14), at(2026, 3, 12, 10)),
            (at(2026, 3, 10, 10), at(2026, 3, 11, 10)),
        ]
        same_instant(cal.due_at(at(2026, 3, 9, 10), 3, pauses=pauses), at(2026, 3, 16, 10))

    def test_adjacent_pauses_add_up(self, cal):
        # Tue 10:00 → Wed 10:00 (8 h) then Wed 10:00 → Thu 10:00 (8 h) = 16 h → Mon 16 Mar 10:00.
        pauses = [
            (at(2026, 3, 10, 10), at(2026, 3, 11, 10)),
            (at(2026, 3, 11, 10), at(2026, 3, 12, 10)),
        ]
        same_instant(cal.due_at(at(2026, 3, 9, 10), 3, pauses=pauses), at(2026, 3, 16, 10))

    def test_weekend_or_lunch_pause_adds_nothing(self, cal):
        pauses = [
            (at(2026, 3, 14, 8), at(2026, 3, 15, 18)),  # Sat 08:00 → Sun 18:00
            (at(2026, 3, 10, 11, 30), at(2026, 3, 10, 13, 30)),  # Tue lunch
        ]
        same_instant(cal.due_at(at(2026, 3, 9, 10), 3, pauses=pauses), at(2026, 3, 12, 10))

    def test_pause_before_receipt_is_clipped(self, cal):
        # Pause Fri 6 Mar 10:00 → Mon 9 Mar 11:00, receipt Mon 10:00: only 10:00–11:00 counts
        # (1 h) → Thu 12 Mar 10:00 + 1 h = 11:00.
        pauses = [(at(2026, 3, 6, 10), at(2026, 3, 9, 11))]
        same_instant(cal.due_at(at(2026, 3, 9, 10), 3, pauses=pauses), at(2026, 3, 12, 11))

    def test_reversed_pause_refused(self, cal):
        with pytest.raises(ValueError):
            cal.due_at(at(2026, 3, 9, 10), 3, pauses=[(at(2026, 3, 11), at(2026, 3, 10))])

    def test_pause_spanning_tet(self):
        cal = WorkCalendar(holidays=TET_2026)
        # Received Mon 9 Feb 10:00, 3 days → Thu 12 Feb 10:00. Pause Thu 12 Feb 10:00 →
        # Tue 24 Feb 10:00 = Thu 5 h + Fri 13 8 h + Mon 23 8 h + Tue 24 3 h = 24 h (3 days);
        # Thu 12 Feb 10:00 + 24 h: Thu 5 (19), Fri 8 (11), Mon 23 8 (3), Tue 24 07:00 + 3 = 10:00.
        pauses = [(at(2026, 2, 12, 10), at(2026, 2, 24, 10))]
        same_instant(cal.due_at(at(2026, 2, 9, 10), 3, pauses=pauses), at(2026, 2, 24, 10))


# ---- validation ------------------------------------------------------------------------------


class TestValidation:
    def test_naive_datetimes_refused(self, cal):
        naive = datetime(2026, 3, 9, 10)
        with pytest.raises(ValueError):
            cal.add_working_days(naive, 1)
        with pytest.raises(ValueError):
            cal.add_working_hours(naive, 1)
        with pytest.raises(ValueError):
            cal.add_working_time(naive, H)
        with pytest.raises(ValueError):
            cal.due_at(naive, 0)
        with pytest.raises(ValueError):
            cal.working_time_between(naive, at(2026, 3, 10))
        with pytest.raises(ValueError):
            cal.working_time_between(at(2026, 3, 9), naive)
        with pytest.raises(ValueError):
            cal.due_at(at(2026, 3, 9, 10), 1, pauses=[(naive, at(2026, 3, 10))])
        with pytest.raises(ValueError):
            cal.is_working_day(naive)

    def test_negative_amounts_refused(self, cal):
        start = at(2026, 3, 9, 10)
        with pytest.raises(ValueError):
            cal.add_working_days(start, -1)
        with pytest.raises(ValueError):
            cal.due_at(start, -1)
        with pytest.raises(ValueError):
            cal.add_working_hours(start, -0.5)
        with pytest.raises(ValueError):
            cal.add_working_hours(start, float("nan"))
        with pytest.raises(ValueError):
            cal.add_working_time(start, -H)

    def test_wrong_types_refused(self, cal):
        start = at(2026, 3, 9, 10)
        with pytest.raises(TypeError):
            cal.add_working_days(start, 1.5)
        with pytest.raises(TypeError):
            cal.add_working_time(start, 3)
        with pytest.raises(TypeError):
            WorkCalendar(holidays=[datetime(2026, 3, 9, tzinfo=VN)])

    def test_bad_periods_refused(self):
        with pytest.raises(ValueError):
            WorkCalendar(periods=[])
        with pytest.raises(ValueError):
            WorkCalendar(periods=[(time(11), time(9))])
        with pytest.raises(ValueError):
            WorkCalendar(periods=[(time(7), time(12)), (time(11), time(17))])

    def test_calendar_without_working_days_raises(self):
        # Every weekday of 2026–2031 is a holiday: no working day within the 3-year scan.
        start = date(2026, 1, 1)
        every_day = [start + timedelta(days=n) for n in range(6 * 366)]
        cal = WorkCalendar(holidays=every_day)
        assert MAX_SCAN_DAYS < 6 * 366
        with pytest.raises(ValueError, match="no working day"):
            cal.add_working_days(at(2026, 3, 9, 10), 1)
        with pytest.raises(ValueError, match="no working day"):
            cal.add_working_hours(at(2026, 3, 9, 10), 0)
        with pytest.raises(ValueError, match="no working day"):
            cal.next_working_day(date(2026, 3, 9))
        with pytest.raises(ValueError, match="no working day"):
            cal.due_at(at(2026, 3, 9, 10), 0)


# ---- settings --------------------------------------------------------------------------------


class TestFromSettings:
    def test_defaults_from_settings(self, settings):
        settings.PORTAL_WORKING_HOURS = ["07:00-11:30", "13:30-17:00"]
        settings.PORTAL_SAME_DAY_CUTOFF = "15:00"
        cal = WorkCalendar.from_settings(holidays=TET_2026)
        assert cal.periods == ((time(7), time(11, 30)), (time(13, 30), time(17)))
        assert cal.same_day_cutoff == time(15)
        assert cal.tz.key == "Asia/Ho_Chi_Minh"
        assert not cal.is_working_day(date(2026, 2, 17))

    def test_other_hours_and_cutoff(self, settings):
        settings.PORTAL_WORKING_HOURS = ["08:00-12:00", "13:00-16:00"]
        settings.PORTAL_SAME_DAY_CUTOFF = "14:00"
        cal = WorkCalendar.from_settings()
        assert cal.day_length == 7 * H  # 4 h + 3 h
        # 13:59 → same day, ends 16:00; 14:00 → next working day 16:00.
        same_instant(cal.due_at(at(2026, 3, 9, 13, 59), 0), at(2026, 3, 9, 16))
        same_instant(cal.due_at(at(2026, 3, 9, 14), 0), at(2026, 3, 10, 16))
        # Mon 10:00 + 1 day (7 h): Mon 2 h + 3 h = 5 h, Tue 08:00 + 2 h = 10:00.
        same_instant(cal.add_working_days(at(2026, 3, 9, 10), 1), at(2026, 3, 10, 10))

    def test_invalid_settings(self, settings):
        settings.PORTAL_WORKING_HOURS = ["07:00 to 11:30"]
        with pytest.raises(ImproperlyConfigured):
            WorkCalendar.from_settings()
        settings.PORTAL_WORKING_HOURS = ["07:00-11:30"]
        settings.PORTAL_SAME_DAY_CUTOFF = "25:00"
        with pytest.raises(ImproperlyConfigured):
            WorkCalendar.from_settings()


# ---- the holiday data ------------------------------------------------------------------------


class TestHolidayData:
    def test_shape(self):
        days = [day for day, _name, _kind in HOLIDAYS]
        assert len(days) == len(set(days))  # unique, as the table requires
        assert {day.year for day in days} == {2025, 2026, 2027}
        for day, name, kind in HOLIDAYS:
            assert kind in {"holiday", "workday"}
            assert 0 < len(name) <= 200
            if kind == "holiday":
                assert day.weekday() < 5, day  # only weekdays change the calendar
            else:
                assert day.weekday() >= 5, day

    def test_announced_facts(self):
        rows = {day: kind for day, _name, kind in HOLIDAYS}
        for day in [date(2025, 1, d) for d in range(27, 32)] + TET_2026:
            assert rows[day] == "holiday"
        assert rows[SAT_26_APR_2025] == "workday"
        assert rows[date(2025, 5, 2)] == "holiday"
        assert rows[date(2025, 4, 7)] == "holiday"  # Giỗ Tổ 2025, Mon
        assert rows[date(2026, 4, 27)] == "holiday"  # Giỗ Tổ 2026 (Sun 26/4) compensated
        assert date(2026, 4, 26) not in rows

    def test_provisional_entries_are_2027_only(self):
        assert PROVISIONAL_DATES
        assert all(day.year == 2027 for day in PROVISIONAL_DATES)


# ---- the database ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestFromDb:
    def test_sees_migrated_holidays(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            cal = WorkCalendar.from_db()
        assert not cal.is_working_day(date(2026, 2, 17))  # Tết Bính Ngọ, mùng 1
        assert cal.is_working_day(SAT_26_APR_2025)  # make-up Saturday
        assert not cal.is_working_day(date(2025, 5, 2))
        # Fri 13 Feb 2026 10:00 with 3 days → Wed 25 Feb 10:00 (see test_tet_2026).
        same_instant(cal.due_at(at(2026, 2, 13, 10), 3), at(2026, 2, 25, 10))

    def test_migration_loaded_2026(self):
        from procedures.models import Holiday

        rows = Holiday.objects.filter(date__year=2026)
        # Holidays: 1/1, 2/1, 16–20/2 (5), 27/4, 30/4, 1/5, 31/8, 1/9, 2/9 = 13;
        # make-up workdays: Sat 10/1 and Sat 22/8 = 2.
        assert rows.filter(kind="holiday").count() == 13
        assert rows.filter(kind="workday").count() == 2
        assert rows.count() == 15
        assert Holiday.objects.count() == 13 + 15 + 11  # 2025, 2026, 2027

    def test_admin_changes_are_seen(self):
        from procedures.models import Holiday

        Holiday.objects.create(date=date(2026, 11, 24), name="Ngày Văn hóa Việt Nam")
        assert not WorkCalendar.from_db().is_working_day(date(2026, 11, 24))  # Tue

    def test_migration_is_idempotent_and_reversible(self):
        from django.apps import apps
        from django.db import connection

        from procedures.models import Holiday

        migration = importlib.import_module("procedures.migrations.0003_load_holidays")
        # The functions only read ``schema_editor.connection`` (SQLite refuses a real schema
        # editor inside the test transaction).
        editor = SimpleNamespace(connection=connection)
        Holiday.objects.filter(date=date(2026, 2, 17)).update(name="changed", kind="workday")
        migration.load(apps, editor)
        migration.load(apps, editor)
        assert Holiday.objects.count() == len(HOLIDAYS)
        restored = Holiday.objects.get(date=date(2026, 2, 17))
        assert (restored.name, restored.kind) == ("Tết Nguyên đán Bính Ngọ (mùng 1)", "holiday")
        Holiday.objects.create(date=date(2028, 1, 1), name="Tết Dương lịch")
        migration.unload(apps, editor)
        assert list(Holiday.objects.values_list("date", flat=True)) == [date(2028, 1, 1)]
