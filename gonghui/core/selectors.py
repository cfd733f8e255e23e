import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gonghui.core.models import AuditEntry, CalendarDay
from gonghui.core.workdays import WorkCalendar, default_is_workday


def audit_entries(*, actor="", action="", object_type="", object_id="", start: dt.date | None = None, end=None):
    """Audit entries in scope (a district auditor sees the district's events), newest first."""
    qs = AuditEntry.objects.all().order_by("-seq")
    if actor.strip():
        qs = qs.filter(actor_name__icontains=actor.strip())
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id.strip():
        qs = qs.filter(object_id=object_id.strip())
    if start is not None:
        qs = qs.filter(at__date__gte=start)
    if end is not None:
        qs = qs.filter(at__date__lte=end)
    return qs


@dataclass(frozen=True)
class CalendarCell:
    day: dt.date
    is_workday: bool
    name: str  # the holiday or make-up day's name, "" on an ordinary day
    is_override: bool  # a make-up working day or a weekday off: differs from the default week
    is_today: bool


@dataclass(frozen=True)
class CalendarSpan:
    """Consecutive calendar rows with the same name and kind: 春节 2月15日–23日 放假."""

    first: dt.date
    last: dt.date
    name: str
    is_workday: bool


@dataclass(frozen=True)
class CalendarMonth:
    month: int
    weeks: list[list[CalendarCell | None]]  # Monday first; None outside the month
    spans: list[CalendarSpan]  # those touching this month


@dataclass(frozen=True)
class CalendarYear:
    year: int
    months: list[CalendarMonth]
    days: list[CalendarDay]  # the year's rows, for the list below the grids
    workdays: int


def _spans(days: list[CalendarDay]) -> list[CalendarSpan]:
    spans: list[CalendarSpan] = []
    for d in days:
        last = spans[-1] if spans else None
        if (
            last is not None
            and last.name == d.name
            and last.is_workday == d.is_workday
            and d.date - last.last == dt.timedelta(days=1)
        ):
            spans[-1] = CalendarSpan(last.first, d.date, d.name, d.is_workday)
        else:
            spans.append(CalendarSpan(d.date, d.date, d.name, d.is_workday))
    return spans


def calendar_year(year: int) -> CalendarYear:
    """The working-day calendar of one year: month grids and the year's calendar rows.
    The calendar is city-wide, not tree-scoped: everyone sees the same."""
    days = list(CalendarDay.objects.filter(date__year=year).select_related("updated_by").order_by("date"))
    names = {d.date: d.name for d in days}
    work_calendar = WorkCalendar({d.date: d.is_workday for d in days})
    spans = _spans(days)
    today = timezone.localdate()
    weeks_of = calendar.Calendar(firstweekday=0).monthdatescalendar
    months, workday_count = [], 0
    for month in range(1, 13):
        grid = []
        for week in weeks_of(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                is_workday = work_calendar.is_workday(day)
                workday_count += is_workday
                row.append(
                    CalendarCell(
                        day=day,
                        is_workday=is_workday,
                        name=names.get(day, ""),
                        is_override=is_workday != default_is_workday(day),
                        is_today=day == today,
                    )
                )
            grid.append(row)
        touching = [s for s in spans if s.first.month <= month <= s.last.month]
        months.append(CalendarMonth(month=month, weeks=grid, spans=touching))
    return CalendarYear(year=year, months=months, days=days, workdays=workday_count)


def calendar_day_get(day: dt.date) -> CalendarDay | None:
    return CalendarDay.objects.filter(date=day).first()
