"""Writes for what the domains share. The working-day calendar (工作日历) is one for the
whole city, so only city-level staff (of the tree's root unit) holding ``calendar.manage``
edit it."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.core import workdays
from gonghui.core.audit import audit_record, diff, snapshot
from gonghui.core.models import AuditAction, CalendarDay

CALENDAR_DAY_FIELDS = ("date", "is_workday", "name")


def can_manage_calendar(staff) -> bool:
    """City-level staff with ``calendar.manage``. A district's admin holds the permission
    too (it comes with the role) but the calendar is not the district's to change."""
    if staff is None or not getattr(staff, "is_authenticated", False) or not staff.can("calendar.manage"):
        return False
    # depth 1 is the tree's root (the city federation); a staff's scope is its unit's subtree.
    return staff.unit_id is not None and staff.unit.depth == 1


def check_calendar_manager(by) -> None:
    if not can_manage_calendar(by):
        raise PermissionDenied(_("只有市总工会的管理人员可以修改工作日历。"))


def calendar_day_set(*, by, date: dt.date, is_workday: bool, name: str) -> CalendarDay:
    """Make ``date`` a working day or a day off under ``name`` (e.g. 春节, 春节调休上班),
    creating or changing its row. Deadlines computed afterwards follow the new calendar."""
    check_calendar_manager(by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称，如“春节”或“春节调休上班”。")})
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        raise ValidationError({"name": _("名称太长。")})
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            try:
                with transaction.atomic():
                    day = CalendarDay.objects.create(date=date, is_workday=is_workday, name=name, updated_by=by)
            except IntegrityError:
                # Someone created the same date a moment ago: change theirs instead.
                day = CalendarDay.objects.select_for_update().get(date=date)
            else:
                audit_record(
                    actor=by,
                    action=AuditAction.CREATE,
                    obj=day,
                    changes=diff({}, snapshot(day, CALENDAR_DAY_FIELDS)),
                )
                transaction.on_commit(workdays.calendar_changed)
                return day
        before = snapshot(day, CALENDAR_DAY_FIELDS)
        day.is_workday, day.name, day.updated_by = is_workday, name, by
        changes = diff(before, snapshot(day, CALENDAR_DAY_FIELDS))
        if not changes:
            return day
        day.save(update_fields=["is_workday", "name", "updated_by", "updated_at"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=day, changes=changes)
        transaction.on_commit(workdays.calendar_changed)
    return day


def calendar_day_clear(*, by, date: dt.date) -> None:
    """Return ``date`` to the default week (Monday–Friday work, Saturday–Sunday rest)."""
    check_calendar_manager(by)
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise ValidationError({"date": _("这一天没有特别安排，无需清除。")})
        before = snapshot(day, CALENDAR_DAY_FIELDS)
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            obj=day,
            changes={k: [v, None] for k, v in before.items()},
        )
        day.delete()
        transaction.on_commit(workdays.calendar_changed)
