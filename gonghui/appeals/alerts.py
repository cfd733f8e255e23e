"""Early warning (早发现、早报告): rules that look at each new appeal against the recent
ones and raise an alert for the district (and so the city) to acknowledge, handle and
close.

- same employer: ``threshold`` appeals about one employer within ``window_days``;
- many workers: one appeal involving ``threshold`` or more workers;
- keywords: words that signal collective action (停工, 集体上访 …), and words such as 欠薪
  in the ``window_days`` before a public holiday (节前欠薪);
- repeat worker: ``threshold`` appeals from one phone number within ``window_days``.

One situation raises one open alert (a partial unique index on kind + key); later appeals
join it. Everything here runs with scopes disabled: it is the system's own check, not a
person's read.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.appeals.models import (
    ALERT_PIPELINE,
    Alert,
    AlertEvent,
    AlertKind,
    AlertRule,
    AlertStatus,
    Appeal,
    AppealStatus,
)
from gonghui.core import workdays
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scopes_disabled
from gonghui.orgs.models import Unit

# Appeals that do not count towards a pattern: repeats already merged, taken back.
NOT_COUNTED = (AppealStatus.DUPLICATE, AppealStatus.WITHDRAWN)

DEFAULT_RULES = {
    AlertKind.SAME_EMPLOYER: {"threshold": 3, "window_days": 7},
    AlertKind.MANY_WORKERS: {"threshold": 10, "window_days": 1},
    AlertKind.KEYWORDS: {
        "threshold": 1,
        "window_days": 15,
        "keywords": "集体上访\n集体讨薪\n停工\n罢工\n堵门\n堵路\n拉横幅\n围堵\n聚集\n跳楼\n爬塔吊\n群体",
        "holiday_keywords": "欠薪\n拖欠工资\n工资没发\n讨薪",
    },
    AlertKind.REPEAT_WORKER: {"threshold": 3, "window_days": 30},
}


def rules() -> dict[str, AlertRule]:
    return {r.kind: r for r in AlertRule.objects.filter(is_active=True)}


def district_of(unit: Unit) -> Unit:
    """The district union above (or at) a unit; the root for city-level units."""
    if unit.depth <= 2:
        return unit
    with scopes_disabled():
        return Unit.objects.get(path=unit.path[: 2 * Unit.steplen])


def holiday_ahead(today: dt.date, within_days: int) -> str | None:
    """The name of a public holiday starting within the coming days, if any."""
    from gonghui.core.models import CalendarDay

    row = (
        CalendarDay.objects.filter(is_workday=False, date__gt=today, date__lte=today + dt.timedelta(days=within_days))
        .exclude(name="")
        .order_by("date")
        .first()
    )
    return row.name if row else None


def _raise(kind, key, unit, title, appeals, employer=None) -> Alert:
    """Open an alert for the situation or add the appeals to the open one."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                alert = (
                    Alert.objects.select_for_update()
                    .filter(kind=kind, key=key)
                    .exclude(status=AlertStatus.CLOSED)
                    .first()
                )
                created = alert is None
                if created:
                    alert = Alert.objects.create(
                        kind=kind,
                        key=key[:80],
                        unit=unit,
                        title=title[:200],
                        employer=employer,
                        raised_at=timezone.now(),
                    )
                    AlertEvent.objects.create(
                        alert=alert, to_status=AlertStatus.OPEN, note=title[:2000], at=timezone.now()
                    )
                    audit_record(
                        actor=None, actor_name="early-warning", action=AuditAction.CREATE, obj=alert, note=kind
                    )
                else:
                    alert.title = title[:200]
                    alert.save(update_fields=["title"])
                alert.appeals.add(*appeals)
                return alert
        except IntegrityError:
            continue  # another appeal opened it at the same moment: join that one
    raise RuntimeError("could not raise alert")  # pragma: no cover


def alerts_check(appeal: Appeal) -> list[Alert]:
    """Run every active rule for a new appeal; returns the alerts it raised or joined."""
    if appeal.status in NOT_COUNTED:
        return []
    active = rules()
    district = district_of(appeal.unit)
    raised = []
    now = appeal.received_at

    rule = active.get(AlertKind.SAME_EMPLOYER)
    if rule and (appeal.employer_id or appeal.employer_name):
        since = now - dt.timedelta(days=rule.window_days)
        same = Appeal.objects.filter(received_at__gt=since).exclude(status__in=NOT_COUNTED)
        if appeal.employer_id:
            same, key, name = (
                same.filter(employer_id=appeal.employer_id),
                f"employer:{appeal.employer_id}",
                appeal.employer.name,
            )
        else:
            same, key, name = (
                same.filter(employer_name=appeal.employer_name),
                f"employer-name:{appeal.employer_name}",
                appeal.employer_name,
            )
        found = list(same)
        if len(found) >= rule.threshold:
            title = _("%(name)s：%(days)s日内%(n)s件诉求") % {"name": name, "days": rule.window_days, "n": len(found)}
            raised.append(_raise(AlertKind.SAME_EMPLOYER, key, district, title, found, appeal.employer))

    rule = active.get(AlertKind.MANY_WORKERS)
    if rule and appeal.workers_involved >= rule.threshold:
        title = _("诉求%(t)s涉及%(n)s名职工") % {"t": appeal.ticket, "n": appeal.workers_involved}
        raised.append(_raise(AlertKind.MANY_WORKERS, f"appeal:{appeal.pk}", district, title, [appeal], appeal.employer))

    rule = active.get(AlertKind.KEYWORDS)
    if rule:
        words = [w for w in rule.keyword_list() if w in appeal.description]
        holiday = holiday_ahead(timezone.localdate(now), rule.window_days) if rule.holiday_keyword_list() else None
        if holiday:
            words += [w for w in rule.holiday_keyword_list() if w in appeal.description]
        if words:
            subject = appeal.employer.name if appeal.employer_id else (appeal.employer_name or appeal.ticket)
            key = f"employer:{appeal.employer_id}" if appeal.employer_id else f"appeal:{appeal.pk}"
            title = _("%(s)s：出现“%(w)s”") % {"s": subject, "w": "、".join(dict.fromkeys(words))}
            if holiday:
                title += _("（%(h)s前）") % {"h": holiday}
            raised.append(_raise(AlertKind.KEYWORDS, key, district, title, [appeal], appeal.employer))

    rule = active.get(AlertKind.REPEAT_WORKER)
    if rule:
        since = now - dt.timedelta(days=rule.window_days)
        same = list(
            Appeal.objects.filter(phone_hash=appeal.phone_hash, received_at__gt=since).exclude(status__in=NOT_COUNTED)
        )
        if len(same) >= rule.threshold:
            title = _("职工%(p)s：%(days)s日内%(n)s次诉求") % {
                "p": appeal.phone_masked,
                "days": rule.window_days,
                "n": len(same),
            }
            key = "phone:" + bytes(appeal.phone_hash).hex()[:32]
            raised.append(_raise(AlertKind.REPEAT_WORKER, key, district, title, same))
    return raised


# --- Handling an alert ----------------------------------------------------------------------


def _check(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _move(*, by, alert: Alert, to: str, note: str = "", **fields) -> Alert:
    _check(by, "appeals.handle")
    with transaction.atomic():
        locked = Alert.objects.select_for_update(of=("self",)).select_related("unit").get(pk=alert.pk)  # scoped
        if to not in ALERT_PIPELINE[locked.status]:
            raise ValidationError(
                _("预警当前为“%(s)s”，不能改为“%(t)s”。")
                % {"s": locked.get_status_display(), "t": AlertStatus(to).label}
            )
        before = locked.status
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        if note:
            stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
            locked.note = (locked.note + f"\n[{stamp} {by.get_username()}] {note}").strip()[-2000:]
        locked.save(update_fields=["status", "note", *fields])
        AlertEvent.objects.create(
            alert=locked, from_status=before, to_status=to, note=note[:2000], by=by, at=timezone.now()
        )
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, to]}, note=note[:500])
    return locked


def alert_acknowledge(*, by, alert: Alert) -> Alert:
    """签收: someone in the district (or the city) has seen it and owns it."""
    return _move(by=by, alert=alert, to=AlertStatus.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=timezone.now())


def alert_handle(*, by, alert: Alert, note: str) -> Alert:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写处置措施。")]})
    return _move(by=by, alert=alert, to=AlertStatus.HANDLING, note=note)


def alert_close(*, by, alert: Alert, note: str) -> Alert:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("关闭预警须填写处置结果。")]})
    return _move(by=by, alert=alert, to=AlertStatus.CLOSED, note=note, closed_by=by, closed_at=timezone.now())


def alert_rule_update(
    *,
    by,
    kind: str,
    threshold: int,
    window_days: int,
    keywords: str = "",
    holiday_keywords: str = "",
    is_active: bool = True,
) -> AlertRule:
    """City staff tune a rule's thresholds."""
    _check(by, "appeals.configure")
    errors = {}
    if kind not in AlertKind.values:
        errors["kind"] = [_("未知的预警类型。")]
    if not isinstance(threshold, int) or threshold < 1:
        errors["threshold"] = [_("阈值须为正整数。")]
    if not isinstance(window_days, int) or not 1 <= window_days <= 365:
        errors["window_days"] = [_("统计天数须在1至365之间。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule, _created = AlertRule.objects.select_for_update().get_or_create(
            kind=kind, defaults={"threshold": threshold, "window_days": window_days}
        )
        before = {"threshold": rule.threshold, "window_days": rule.window_days, "is_active": rule.is_active}
        rule.threshold, rule.window_days, rule.is_active = threshold, window_days, is_active
        rule.keywords, rule.holiday_keywords = keywords.strip(), holiday_keywords.strip()
        rule.updated_by = by
        rule.save()
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=rule,
            changes={k: [v, getattr(rule, k)] for k, v in before.items() if v != getattr(rule, k)},
        )
    return rule


def workdays_open(alert: Alert) -> int:
    """Working days since the alert was raised (for the list's "open for" column)."""
    return workdays.workdays_between(alert.raised_at, timezone.now())
