"""Working days (工作日): the default week of Monday–Friday work and Saturday–Sunday rest,
corrected by the calendar's ``CalendarDay`` rows (public holidays, make-up working days
调休上班).

The counting rule, used everywhere a deadline is "within n working days":

* Only the local date (the project's ``TIME_ZONE``, not a user's) of an instant matters.
* The day something arrives is not counted; counting starts with the first working day
  after it (民法典 第二百零一条: 开始的当日不计入，自下一日开始计算). So whatever the hour of
  arrival — office hours, Friday evening, 3 a.m. — and whether the arrival day is a working
  day or a rest day, day 1 is the next working day.
* The deadline is the end (23:59:59.999999, local) of the n-th working day so counted. A
  rest day can therefore never be the last day (compare 第二百零三条).
* ``workdays_between`` counts the same way and is the inverse:
  ``workdays_between(t, add_workdays(t, n)) == n``.
* A paused clock gives back the working days the pause reached into after the day it
  began (``deadline_extend``): pausing and resuming on the same day gives back nothing,
  a pause from Friday evening to Monday morning gives back Monday.

Dates outside the years the calendar has rows for fall back to the default week.

The overrides are loaded once per process into a memo and re-read when they change: the
services bump a version token in Django's cache after commit and drop this process's memo
at once; other processes notice the new token within ``RECHECK_SECONDS``. Looking the
token up costs a cache round-trip, so it is not done on every call: thousands of
deadlines on one page cost no query and at most one cache read.
"""

import bisect
import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

VERSION_KEY = "gonghui:workdays:version"
RECHECK_SECONDS = 5.0

_ONE_DAY = dt.timedelta(days=1)


def default_is_workday(day: dt.date) -> bool:
    """The default week: Monday to Friday work, Saturday and Sunday rest."""
    return day.weekday() < 5


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable snapshot of the overrides: ``{date: is_workday}``."""

    overrides: dict[dt.date, bool]
    _sorted: list[dt.date] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_sorted", sorted(self.overrides))

    def is_workday(self, day: dt.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        return day.weekday() < 5  # default_is_workday, inlined: this is the hot path

    def nth_workday_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (``day`` itself for n == 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        while n:
            day += _ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def count_after(self, first: dt.date, last: dt.date) -> int:
        """Working days d with ``first < d <= last`` (negative when ``last < first``)."""
        if last < first:
            return -self.count_after(last, first)
        count = _weekdays_after(first, last)
        # Correct the plain weekday count by the overrides inside (first, last].
        lo = bisect.bisect_right(self._sorted, first)
        hi = bisect.bisect_right(self._sorted, last)
        for day in self._sorted[lo:hi]:
            if self.overrides[day] != default_is_workday(day):
                count += 1 if self.overrides[day] else -1
        return count


def _weekdays_after(first: dt.date, last: dt.date) -> int:
    """Mondays–Fridays d with ``first < d <= last``, for ``first <= last``."""

    def weekdays_up_to(day: dt.date) -> int:
        # Weekdays from an arbitrary Monday epoch through ``day``.
        ordinal = day.toordinal() - 1  # date(1, 1, 1) is a Monday: ordinal 0 is a Monday
        weeks, rest = divmod(ordinal, 7)
        return weeks * 5 + min(rest + 1, 5)

    return weekdays_up_to(last) - weekdays_up_to(first)


# --- The memo -------------------------------------------------------------------------

_lock = threading.Lock()
_memo: tuple[str, WorkCalendar] | None = None
_checked_at = 0.0


def _shared_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # First use, or the cache lost it: any fresh token makes every process reload.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or ""
    return version


def _load() -> WorkCalendar:
    from gonghui.core.models import CalendarDay

    return WorkCalendar(dict(CalendarDay.objects.values_list("date", "is_workday")))


def current_calendar() -> WorkCalendar:
    """The calendar in force, from this process's memo when it is still current."""
    global _memo, _checked_at
    memo, now = _memo, time.monotonic()
    if memo is not None and now - _checked_at < RECHECK_SECONDS:
        return memo[1]
    with _lock:
        version = _shared_version()
        if _memo is None or _memo[0] != version:
            # Version first, rows second: a change committed in between is read now and
            # read again on the next check, never missed.
            _memo = (version, _load())
        _checked_at = now
        return _memo[1]


def calendar_changed() -> None:
    """Called by the calendar services after a change is committed."""
    global _memo
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _memo = None


def forget() -> None:
    """Drop this process's memo (tests: the database was rolled back underneath it)."""
    global _memo
    _memo = None


# --- The functions the domains use ------------------------------------------------------


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, timezone.get_default_timezone()).date()
    return value


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=timezone.get_default_timezone())


def is_workday(day: dt.date | dt.datetime) -> bool:
    """Whether ``day`` (a date, or an aware datetime's local date) is a working day."""
    return current_calendar().is_workday(_local_date(day))


def next_workday(day: dt.date | dt.datetime) -> dt.date:
    """The first working day strictly after ``day``."""
    return current_calendar().nth_workday_after(_local_date(day), 1)


def add_workdays(start: dt.datetime, n: int) -> dt.datetime:
    """The deadline for something that arrived at ``start`` and is due within ``n``
    working days: the end of the n-th working day after the arrival day (see the module's
    docstring). ``n == 0`` is the end of the arrival day itself. ``start`` must be aware.

    Applied to a deadline it moves it by n more working days, so successive extensions
    add up: ``add_workdays(add_workdays(t, a), b) == add_workdays(t, a + b)``.
    """
    if timezone.is_naive(start):
        raise ValueError("add_workdays needs an aware datetime")
    return _end_of(current_calendar().nth_workday_after(_local_date(start), n))


def workdays_between(start: dt.datetime | dt.date, end: dt.datetime | dt.date) -> int:
    """Working days elapsed from ``start`` to ``end``: those after the start's local date up
    to and including the end's (0 on the same day; negative if ``end`` is earlier).
    Handled on the day of arrival is 0, by the end of the next working day 1."""
    return current_calendar().count_after(_local_date(start), _local_date(end))


def deadline_extend(deadline: dt.datetime, paused_from: dt.datetime, paused_to: dt.datetime) -> dt.datetime:
    """``deadline`` moved by the working days a clock stood paused from ``paused_from`` to
    ``paused_to`` (e.g. while waiting for the worker's documents, 补正材料). Several pauses:
    sum their ``workdays_between`` and ``add_workdays(deadline, total)`` once."""
    return add_workdays(deadline, max(0, workdays_between(paused_from, paused_to)))
