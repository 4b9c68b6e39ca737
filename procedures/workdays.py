"""The working-day calendar: deadlines of dossiers counted in office time.

Rules (DOMAIN.md, "Dossier lifecycle"; Decree 118/2025, Circular 03/2025):

* A **working day** is Monday–Friday unless it is listed as a public holiday, plus any date listed
  as a make-up working day (a Saturday worked in exchange for a bridge day off, for example).
* **Working time** exists only inside the office periods of a working day, by default
  07:00–11:30 and 13:30–17:00 (8 hours a day); both come from settings.
* Everything is computed in local wall-clock time of Asia/Ho_Chi_Minh (``settings.TIME_ZONE``;
  Việt Nam has no daylight saving time). Inputs are aware datetimes in any zone; naive datetimes
  are refused with ``ValueError``. Outputs are aware datetimes in the calendar's zone.
* A period is treated as closed: its end instant (11:30, 17:00) still belongs to it, so adding
  8 hours from 07:00 gives 17:00 the same day, and adding nothing to 17:00 stays at 17:00.

The class is pure (no database access) except for :meth:`WorkCalendar.from_db`, which reads the
``procedures.Holiday`` table in one query.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "DEFAULT_PERIODS",
    "DEFAULT_SAME_DAY_CUTOFF",
    "LOCAL_TZ",
    "MAX_SCAN_DAYS",
    "WorkCalendar",
    "parse_cutoff",
    "parse_periods",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
DEFAULT_SAME_DAY_CUTOFF = time(15, 0)
# A calendar that finds no working day within this many consecutive days is broken (every day a
# holiday, say); it raises instead of looping forever. Three years is far beyond any real gap.
MAX_SCAN_DAYS = 3 * 366

ONE_DAY = timedelta(days=1)


def _parse_hhmm(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"expected HH:MM, got {text!r}")
    return time(int(hours), int(minutes))


def parse_periods(values: Iterable[str]) -> tuple[tuple[time, time], ...]:
    """Parse ``["07:00-11:30", "13:30-17:00"]`` into ``((time(7), time(11, 30)), …)``."""
    periods = []
    for value in values:
        start, sep, end = str(value).partition("-")
        if not sep:
            raise ValueError(f"expected HH:MM-HH:MM, got {value!r}")
        periods.append((_parse_hhmm(start), _parse_hhmm(end)))
    return tuple(periods)


def parse_cutoff(value: str | time) -> time:
    """Parse ``"15:00"`` into ``time(15)``; a ``time`` passes through."""
    return value if isinstance(value, time) else _parse_hhmm(str(value))


def _validate_periods(periods: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    result = tuple((start, end) for start, end in periods)
    if not result:
        raise ValueError("a working day needs at least one working period")
    previous_end: time | None = None
    for start, end in result:
        if not isinstance(start, time) or not isinstance(end, time):
            raise TypeError("working periods are pairs of datetime.time")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("working periods are local wall-clock times, without tzinfo")
        if start >= end:
            raise ValueError(f"working period {start:%H:%M}-{end:%H:%M} ends before it starts")
        if previous_end is not None and start < previous_end:
            raise ValueError("working periods must be in order and must not overlap")
        previous_end = end
    return result


class WorkCalendar:
    """Working days and office hours, and deadline arithmetic over them.

    ``holidays`` are days off (a holiday on a weekend changes nothing); ``workdays`` are working
    days even on a weekend, and win over ``holidays`` if a date is in both. ``periods`` are the
    office periods of every working day in local time, ordered and not overlapping.
    ``same_day_cutoff`` is the time after which a same-day procedure is due the next working day.
    ``tz`` is the zone of the office (Asia/Ho_Chi_Minh unless told otherwise).
    """

    def __init__(
        self,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        same_day_cutoff: time = DEFAULT_SAME_DAY_CUTOFF,
        tz: tzinfo | str = LOCAL_TZ,
    ) -> None:
        self.holidays: frozenset[date] = frozenset(_as_date(d) for d in holidays)
        self.workdays: frozenset[date] = frozenset(_as_date(d) for d in workdays)
        self.periods = _validate_periods(periods)
        if not isinstance(same_day_cutoff, time):
            raise TypeError("same_day_cutoff must be a datetime.time")
        self.same_day_cutoff = same_day_cutoff
        self.tz: tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.day_length: timedelta = sum(
            (_delta(start, end) for start, end in self.periods), timedelta()
        )

    def __repr__(self) -> str:
        periods = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.periods)
        return (
            f"<WorkCalendar {periods}, cut-off {self.same_day_cutoff:%H:%M}, "
            f"{len(self.holidays)} holidays, {len(self.workdays)} make-up workdays>"
        )

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def from_settings(
        cls, *, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
    ) -> WorkCalendar:
        """A calendar with the given dates and the office hours, cut-off and zone of settings.

        Reads ``PORTAL_WORKING_HOURS`` (``["07:00-11:30", "13:30-17:00"]``),
        ``PORTAL_SAME_DAY_CUTOFF`` (``"15:00"``) and ``TIME_ZONE``.
        """
        hours = getattr(settings, "PORTAL_WORKING_HOURS", None)
        cutoff = getattr(settings, "PORTAL_SAME_DAY_CUTOFF", None)
        try:
            periods = _validate_periods(DEFAULT_PERIODS if hours is None else parse_periods(hours))
            same_day_cutoff = DEFAULT_SAME_DAY_CUTOFF if cutoff is None else parse_cutoff(cutoff)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"PORTAL_WORKING_HOURS / PORTAL_SAME_DAY_CUTOFF are invalid: {exc}"
            ) from exc
        return cls(
            holidays=holidays,
            workdays=workdays,
            periods=periods,
            same_day_cutoff=same_day_cutoff,
            tz=ZoneInfo(settings.TIME_ZONE or "Asia/Ho_Chi_Minh"),
        )

    @classmethod
    def from_db(cls) -> WorkCalendar:
        """The calendar of the ``procedures.Holiday`` table (one query) and of settings."""
        from procedures.constants import DayKind
        from procedures.models import Holiday

        holidays: list[date] = []
        workdays: list[date] = []
        for day, kind in Holiday.objects.values_list("date", "kind"):
            (workdays if kind == DayKind.WORKDAY else holidays).append(day)
        return cls.from_settings(holidays=holidays, workdays=workdays)

    # --- days ---------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri not listed as a holiday, or any date listed as a make-up workday.

        An aware datetime is taken as its local date.
        """
        day = self._local_date(day)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``.

        Raises ``ValueError`` if none exists within ``MAX_SCAN_DAYS`` days.
        """
        day = self._local_date(day)
        for _ in range(MAX_SCAN_DAYS):
            day += ONE_DAY
            if self.is_working_day(day):
                return day
        raise self._no_working_day(day)

    # --- durations ----------------------------------------------------------------------------

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time inside ``[start, end]``; zero if ``end <= start``."""
        return self._between(self._to_local(start), self._to_local(end))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant reached by advancing ``amount`` of office time from ``start``.

        Only working time counts. A start outside working time first moves to the next working
        instant, so adding zero there gives that instant (12:00 → 13:30, 18:00 → 07:00 of the
        next working day); inside working time adding zero returns the start. A result landing
        exactly on the end of a period stays there: 07:00 + 8 h = 17:00 the same day.
        The loop steps by period, never by minute. ``amount < 0`` raises ``ValueError``.
        """
        if not isinstance(amount, timedelta):
            raise TypeError("amount must be a timedelta")
        if amount < timedelta():
            raise ValueError("cannot add a negative amount of working time")
        return self._aware(self._advance(self._to_local(start), amount))

    def add_working_hours(self, start: datetime, hours: float | int) -> datetime:
        """``add_working_time(start, timedelta(hours=hours))``; 11:00 + 1 h = 14:00."""
        if isinstance(hours, bool) or not isinstance(hours, int | float):
            raise TypeError("hours must be a number")
        if not math.isfinite(hours) or hours < 0:
            raise ValueError("working hours must be a finite number, not negative")
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``add_working_time(start, days × length of a working day)``.

        10:00 Mon + 1 = 10:00 Tue; 18:00 Mon + 1 = 17:00 Tue; 16:00 Fri + 1 = 16:00 Mon.
        """
        self._check_days(days)
        return self.add_working_time(start, days * self.day_length)

    # --- deadlines ----------------------------------------------------------------------------

    def due_at(
        self,
        received_at: datetime,
        days: int,
        *,
        pauses: Iterable[tuple[datetime, datetime]] = (),
    ) -> datetime:
        """The due date of a dossier received at ``received_at`` with a limit of ``days``.

        ``days == 0`` (same-day procedure): received on a working day strictly before the
        same-day cut-off (15:00) and before the end of the office day → the end of that day
        (17:00; a receipt before 07:00 counts for that day). Received at or after the cut-off, or
        on a non-working day → the end of the next working day.

        ``days >= 1``: ``add_working_days(received_at, days)``.

        ``pauses`` are intervals during which the clock stops (waiting for the citizen's
        supplement). The working time inside them, merged so overlaps count once and clipped to
        start no earlier than ``received_at``, pushes the result later through working time:
        ``add_working_time(received_at, days × day + paused)``; for ``days == 0`` the paused time
        is added to the same-day deadline. A pause ending before it starts raises ``ValueError``.
        """
        self._check_days(days)
        received = self._to_local(received_at)
        paused = self._paused_time(received, pauses)
        if days == 0:
            day = received.date()
            day_end = self.periods[-1][1]
            if not (
                self.is_working_day(day)
                and received.time() < self.same_day_cutoff
                and received.time() < day_end
            ):
                day = self.next_working_day(day)
            deadline = datetime.combine(day, day_end)
            return self._aware(self._advance(deadline, paused) if paused else deadline)
        return self._aware(self._advance(received, days * self.day_length + paused))

    # --- internals (naive local wall-clock datetimes) ------------------------------------------

    def _to_local(self, value: datetime) -> datetime:
        if not isinstance(value, datetime):
            raise TypeError(f"expected an aware datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: give a time zone")
        return value.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.tz)

    def _local_date(self, day: date) -> date:
        if isinstance(day, datetime):
            return self._to_local(day).date()
        if not isinstance(day, date):
            raise TypeError(f"expected a date, got {type(day).__name__}")
        return day

    @staticmethod
    def _check_days(days: int) -> None:
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError("days must be an integer")
        if days < 0:
            raise ValueError("the number of working days cannot be negative")

    def _no_working_day(self, after: date) -> ValueError:
        return ValueError(
            f"the calendar has no working day in the {MAX_SCAN_DAYS} days up to {after}: "
            "check the holiday table"
        )

    def _advance(self, start: datetime, amount: timedelta) -> datetime:
        remaining = amount
        current = start
        day = start.date()
        idle_days = 0
        while True:
            if self.is_working_day(day):
                idle_days = 0
                if current <= datetime.combine(day, self.periods[0][0]) and (
                    remaining > self.day_length
                ):
                    remaining -= self.day_length  # the whole day is consumed
                else:
                    for period_start, period_end in self.periods:
                        end = datetime.combine(day, period_end)
                        if current > end:
                            continue
                        begin = max(current, datetime.combine(day, period_start))
                        available = end - begin
                        if remaining <= available:
                            return begin + remaining
                        remaining -= available
            else:
                idle_days += 1
                if idle_days > MAX_SCAN_DAYS:
                    raise self._no_working_day(day)
            day += ONE_DAY
            current = datetime.combine(day, time.min)

    def _between(self, start: datetime, end: datetime) -> timedelta:
        total = timedelta()
        if end <= start:
            return total
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for period_start, period_end in self.periods:
                    begin = max(start, datetime.combine(day, period_start))
                    finish = min(end, datetime.combine(day, period_end))
                    if finish > begin:
                        total += finish - begin
            day += ONE_DAY
        return total

    def _paused_time(
        self, received: datetime, pauses: Iterable[tuple[datetime, datetime]]
    ) -> timedelta:
        intervals = []
        for pause_start, pause_end in pauses:
            begin, end = self._to_local(pause_start), self._to_local(pause_end)
            if end < begin:
                raise ValueError("a pause cannot end before it starts")
            begin = max(begin, received)  # the clock only runs from receipt
            if end > begin:
                intervals.append((begin, end))
        intervals.sort()
        merged: list[list[datetime]] = []
        for begin, end in intervals:
            if merged and begin <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([begin, end])
        return sum((self._between(begin, end) for begin, end in merged), timedelta())


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        raise TypeError("holidays and workdays are dates, not datetimes")
    if not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return value


def _delta(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)
