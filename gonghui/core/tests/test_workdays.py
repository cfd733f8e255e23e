"""Working days on the calendar loaded from the State Council's 2025 and 2026 notices, and
the deadline rule: the arrival day is not counted, the deadline is the end of the n-th
working day after it, in the project's time zone."""

import datetime as dt
import random
import zoneinfo

import pytest
from django.core.cache import cache

from conftest import make_staff
from gonghui.core import workdays
from gonghui.core.models import CalendarDay
from gonghui.core.services import calendar_day_clear, calendar_day_set
from gonghui.core.workdays import add_workdays, deadline_extend, is_workday, next_workday, workdays_between

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat


def at(text: str, tz=SH) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time.max, tzinfo=SH)


def days(first: str, last: str):
    day = D(first)
    while day <= D(last):
        yield day
        day += dt.timedelta(days=1)


def test_spring_festival_2026_is_nine_days_off_with_two_make_up_saturdays():
    assert all(not is_workday(d) for d in days("2026-02-15", "2026-02-23"))
    assert is_workday(D("2026-02-14")) and is_workday(D("2026-02-28"))  # 周六上班
    assert is_workday(D("2026-02-13")) and is_workday(D("2026-02-24"))
    assert not is_workday(D("2026-02-21"))  # an ordinary Saturday inside the span
    assert set(CalendarDay.objects.filter(date__range=("2026-02-15", "2026-02-23")).values_list("name", flat=True)) == {
        "春节"
    }


def test_national_day_2026_is_seven_days_off_with_a_make_up_sunday_and_saturday():
    assert all(not is_workday(d) for d in days("2026-10-01", "2026-10-07"))
    assert is_workday(D("2026-09-20")) and is_workday(D("2026-10-10"))
    assert not is_workday(D("2026-10-11"))
    # Mid-Autumn is its own span in 2026, Friday to Sunday
    assert all(not is_workday(d) for d in days("2026-09-25", "2026-09-27"))


def test_2025_schedule_is_loaded_too():
    assert not is_workday(D("2025-01-01"))
    assert all(not is_workday(d) for d in days("2025-10-01", "2025-10-08"))
    assert is_workday(D("2025-09-28")) and is_workday(D("2025-10-11"))
    assert is_workday(D("2025-01-26")) and is_workday(D("2025-02-08")) and is_workday(D("2025-04-27"))


def test_both_years_have_248_working_days_and_2027_is_not_invented():
    # 261 weekdays in each year; 2025: 18 weekdays off, 5 make-up days; 2026: 19 and 6.
    assert workdays_between(D("2024-12-31"), D("2025-12-31")) == 248
    assert workdays_between(D("2025-12-31"), D("2026-12-31")) == 248
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert workdays_between(D("2026-12-31"), D("2027-12-31")) == 261  # the default week until staff add 2027


def test_next_workday_is_strictly_after_and_skips_holidays():
    assert next_workday(D("2026-03-06")) == D("2026-03-09")  # Friday → Monday
    assert next_workday(D("2026-02-13")) == D("2026-02-14")  # the make-up Saturday
    assert next_workday(D("2026-02-14")) == D("2026-02-24")
    assert next_workday(D("2026-09-30")) == D("2026-10-08")


def test_deadline_is_end_of_the_nth_working_day_after_arrival_in_local_time():
    deadline = add_workdays(at("2026-03-04 10:00"), 1)  # Wednesday
    assert deadline == end_of("2026-03-05")
    assert deadline.tzinfo.key == "Asia/Shanghai" and deadline.time() == dt.time.max
    assert add_workdays(at("2026-03-04 10:00"), 5) == end_of("2026-03-11")
    assert add_workdays(at("2026-03-04 10:00"), 0) == end_of("2026-03-04")


def test_friday_evening_arrival_counts_from_monday_like_friday_morning():
    assert add_workdays(at("2026-03-06 18:30"), 1) == end_of("2026-03-09")
    assert add_workdays(at("2026-03-06 08:30"), 1) == end_of("2026-03-09")
    assert add_workdays(at("2026-03-07 11:00"), 1) == end_of("2026-03-09")  # Saturday: the same Monday


def test_the_local_date_decides_not_the_utc_date():
    # Sunday 17:00 UTC is Monday 01:00 in Beijing: arrived on Monday, due end of Tuesday.
    assert add_workdays(at("2026-03-08 17:00", dt.UTC), 1) == end_of("2026-03-10")


def test_arrival_on_a_holiday_counts_from_the_first_working_day_after_it():
    assert add_workdays(at("2026-10-03 09:00"), 1) == end_of("2026-10-08")
    # 10/8 Thu, 10/9 Fri, 10/10 make-up Sat, 10/12 Mon, 10/13 Tue
    assert add_workdays(at("2026-10-02 15:00"), 5) == end_of("2026-10-13")


def test_a_make_up_saturday_is_a_working_day_for_deadlines():
    assert add_workdays(at("2026-02-13 20:00"), 1) == end_of("2026-02-14")
    # 2/14 (make-up Sat), then the nine days off, then 2/24–2/27
    assert add_workdays(at("2026-02-13 20:00"), 5) == end_of("2026-02-27")
    # 15 working days: 2/14, 2/24–27, 2/28 (make-up Sat), 3/2–6, 3/9–12
    assert add_workdays(at("2026-02-13 20:00"), 15) == end_of("2026-03-12")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_workdays(dt.datetime(2026, 3, 4, 10, 0), 1)


def test_workdays_between_counts_the_same_way_and_inverts_add_workdays():
    assert workdays_between(at("2026-03-04 09:00"), at("2026-03-04 17:00")) == 0
    assert workdays_between(at("2026-03-06 18:00"), at("2026-03-09 08:00")) == 1
    assert workdays_between(at("2026-03-09 08:00"), at("2026-03-06 18:00")) == -1
    rng = random.Random(12351)
    for _ in range(300):
        start = at("2024-12-01 00:00") + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 800))
        n = rng.randrange(0, 40)
        assert workdays_between(start, add_workdays(start, n)) == n, (start, n)


def test_workdays_between_matches_counting_day_by_day():
    first = D("2024-12-20")
    for offset in range(0, 760, 7):
        a = first + dt.timedelta(days=offset)
        for length in (0, 1, 2, 6, 13, 40, 200):
            b = a + dt.timedelta(days=length)
            expected = sum(1 for d in days(str(a + dt.timedelta(days=1)), str(b)) if is_workday(d))
            assert workdays_between(a, b) == expected, (a, b)


def test_a_pause_gives_back_the_working_days_it_reached_into():
    deadline = add_workdays(at("2026-09-14 10:00"), 15)
    # 9/20 is a make-up Sunday; 9/25–27 Mid-Autumn, 10/1–7 National Day; 10/10 make-up Saturday
    assert deadline == end_of("2026-10-10")
    # Paused Friday 17:00 until Monday 09:00: the make-up Sunday and Monday come back.
    assert deadline_extend(deadline, at("2026-09-18 17:00"), at("2026-09-21 09:00")) == end_of("2026-10-13")
    # Paused and resumed the same day: nothing to give back.
    assert deadline_extend(deadline, at("2026-09-16 09:00"), at("2026-09-16 16:00")) == deadline
    # Paused only over the holiday: no working day was lost.
    assert deadline_extend(deadline, at("2026-10-01 09:00"), at("2026-10-07 20:00")) == deadline


def test_successive_extensions_add_up():
    start = at("2026-09-14 10:00")
    assert add_workdays(add_workdays(start, 7), 8) == add_workdays(start, 15)


@pytest.fixture
def city_admin(city):
    return make_staff(city.root, "unit_admin", username="root_calendar_admin")


def test_calendar_day_set_takes_effect_on_the_next_computation(city_admin, django_capture_on_commit_callbacks):
    wednesday = D("2026-03-11")
    arrival = at("2026-03-10 10:00")
    assert is_workday(wednesday) and add_workdays(arrival, 1) == end_of("2026-03-11")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(by=city_admin, date=wednesday, is_workday=False, name="临时休息")
    assert not is_workday(wednesday)
    assert add_workdays(arrival, 1) == end_of("2026-03-12")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_clear(by=city_admin, date=wednesday)
    assert is_workday(wednesday)


def test_memo_is_not_dropped_before_the_change_is_committed(city_admin, django_capture_on_commit_callbacks):
    """Until the commit, other requests must not cache a calendar that may be rolled back."""
    wednesday = D("2026-03-11")
    assert is_workday(wednesday)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_day_set(by=city_admin, date=wednesday, is_workday=False, name="临时休息")
    assert callbacks == [workdays.calendar_changed]
    assert is_workday(wednesday)  # still the memo from before


def test_another_process_change_is_seen_once_the_version_moves(monkeypatch):
    wednesday = D("2026-03-11")
    monkeypatch.setattr(workdays, "RECHECK_SECONDS", 0)
    assert is_workday(wednesday)
    # What another process's calendar_day_set does: commit the row, then bump the version.
    CalendarDay.objects.create(date=wednesday, is_workday=False, name="临时休息")
    assert is_workday(wednesday), "the memo is only re-read when the version moves"
    cache.set(workdays.VERSION_KEY, "changed-elsewhere", timeout=None)
    assert not is_workday(wednesday)


def test_ten_thousand_deadlines_cost_at_most_one_query(django_assert_max_num_queries, django_assert_num_queries):
    start = at("2025-12-01 08:00")
    starts = [start + dt.timedelta(minutes=97 * i) for i in range(10_000)]
    with django_assert_max_num_queries(1):
        deadlines = [add_workdays(s, 15) for s in starts]
    with django_assert_num_queries(0):
        for s, d in zip(starts, deadlines):
            assert workdays_between(s, d) == 15
            assert is_workday(d)
