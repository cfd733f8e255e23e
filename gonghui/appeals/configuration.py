"""Writes for the 12351 settings the city federation keeps: routing rules (分派规则),
deadline policies (办理时限) and the early-warning thresholds (预警规则).

They apply to the whole city, so only staff of the tree's root with ``appeals.configure``
change them; a district's administrator holds the same permission for their district but
is refused here. Every change locks the row, checks it field by field (Chinese messages per
field) and writes an audit entry with the old and new values.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.appeals import alerts
from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.models import AlertRule, DeadlinePolicy, Difficulty, RoutingRule
from gonghui.core.audit import audit_record, diff, snapshot
from gonghui.core.models import AuditAction
from gonghui.orgs.models import Unit, UnitKind

ROUTING_FIELDS = ("name", "priority", "category", "district", "keyword", "target", "is_active")
DEADLINE_FIELDS = ("category", "difficulty", "accept_days", "reply_days", "resolve_days", "remind_days")
MAX_DEADLINE_DAYS = 60
MAX_PRIORITY = 9999


def may_configure(user) -> bool:
    """Whether the user keeps the city's appeal settings: ``appeals.configure`` at the root."""
    unit = getattr(user, "unit", None)
    return bool(user is not None and user.can("appeals.configure") and unit is not None and unit.depth == 1)


def check_city_configurer(by) -> None:
    if by is None or not by.can("appeals.configure"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    if not may_configure(by):
        raise PermissionDenied(_("诉求分派规则、办理时限和预警阈值由市总工会统一设置。"))


# --- Routing rules --------------------------------------------------------------------------


def _check_routing(*, name, priority, category, district, keyword, target) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("请填写规则名称。")]
    elif len(name) > 80:
        errors["name"] = [_("规则名称最多80个字。")]
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= MAX_PRIORITY:
        errors["priority"] = [_("优先级须为1至9999之间的整数。")]
    category = category or ""
    if category and category not in AppealCategory.values:
        errors["category"] = [_("未知的诉求类别。")]
    if district is not None and district.kind != UnitKind.DISTRICT_UNION:
        errors["district"] = [_("所在区须为区总工会。")]
    keyword = (keyword or "").strip()
    if len(keyword) > 40:
        errors["keyword"] = [_("关键词最多40个字。")]
    if target is None:
        errors["target"] = [_("请选择承办单位。")]
    elif not target.is_active:
        errors["target"] = [_("该单位已停用，不能承办诉求。")]
    if not (category or district is not None or keyword) and "category" not in errors:
        # A rule without a condition would take every appeal of the city.
        errors["keyword"] = [_("请至少设置诉求类别、所在区或关键词中的一项，否则全部诉求都将分派给该单位。")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "priority": priority,
        "category": category,
        "district": district,
        "keyword": keyword,
        "target": target,
    }


def routing_rule_create(
    *,
    by,
    name: str,
    target: Unit | None,
    priority: int = 100,
    category: str = "",
    district: Unit | None = None,
    keyword: str = "",
    is_active: bool = True,
) -> RoutingRule:
    check_city_configurer(by)
    clean = _check_routing(
        name=name, priority=priority, category=category, district=district, keyword=keyword, target=target
    )
    with transaction.atomic():
        rule = RoutingRule.objects.create(**clean, is_active=bool(is_active), updated_by=by)
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=rule,
            scope_path=by.unit.path,
            changes={k: [None, v] for k, v in snapshot(rule, ROUTING_FIELDS).items()},
        )
    return rule


def routing_rule_update(
    *,
    by,
    rule: RoutingRule,
    name: str,
    target: Unit | None,
    priority: int,
    category: str = "",
    district: Unit | None = None,
    keyword: str = "",
    is_active: bool = True,
) -> RoutingRule:
    check_city_configurer(by)
    clean = _check_routing(
        name=name, priority=priority, category=category, district=district, keyword=keyword, target=target
    )
    with transaction.atomic():
        locked = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(locked, ROUTING_FIELDS)
        for attr, value in {**clean, "is_active": bool(is_active)}.items():
            setattr(locked, attr, value)
        changes = diff(before, snapshot(locked, ROUTING_FIELDS))
        if changes:
            locked.updated_by = by
            locked.save(update_fields=[*ROUTING_FIELDS, "updated_by", "updated_at"])
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, scope_path=by.unit.path, changes=changes)
    return locked


def routing_rule_deactivate(*, by, rule: RoutingRule) -> RoutingRule:
    """停用: the rule stays on record (audit, history) and is no longer tried."""
    check_city_configurer(by)
    with transaction.atomic():
        locked = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        if not locked.is_active:
            raise ValidationError(_("该规则已停用。"))
        locked.is_active = False
        locked.updated_by = by
        locked.save(update_fields=["is_active", "updated_by", "updated_at"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            scope_path=by.unit.path,
            changes={"is_active": [True, False]},
        )
    return locked


# --- Deadline policies ----------------------------------------------------------------------


def _check_days(*, accept_days, reply_days, resolve_days, remind_days) -> None:
    errors: dict[str, list[str]] = {}
    days = {"accept_days": accept_days, "reply_days": reply_days, "resolve_days": resolve_days}
    labels = {"accept_days": _("受理时限"), "reply_days": _("答复时限"), "resolve_days": _("办结时限")}
    for name, value in days.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DEADLINE_DAYS:
            errors[name] = [_("%(label)s须为1至60个工作日。") % {"label": labels[name]}]
    if not isinstance(remind_days, int) or isinstance(remind_days, bool) or remind_days < 0:
        errors["remind_days"] = [_("提前提醒须为不小于0的整数（工作日）。")]
    if not errors:
        if accept_days > reply_days:
            errors["reply_days"] = [_("答复时限不能短于受理时限。")]
        if reply_days > resolve_days:
            errors["resolve_days"] = [_("办结时限不能短于答复时限。")]
        if remind_days >= reply_days:
            errors["remind_days"] = [_("提前提醒的天数须少于答复时限。")]
    if errors:
        raise ValidationError(errors)


def deadline_policy_create(
    *,
    by,
    category: str,
    difficulty: str,
    accept_days: int,
    reply_days: int,
    resolve_days: int,
    remind_days: int,
) -> DeadlinePolicy:
    """A policy for a category and difficulty; a blank category is the default."""
    check_city_configurer(by)
    errors = {}
    if category and category not in AppealCategory.values:
        errors["category"] = [_("未知的诉求类别。")]
    if difficulty not in Difficulty.values:
        errors["difficulty"] = [_("未知的难度。")]
    if errors:
        raise ValidationError(errors)
    _check_days(accept_days=accept_days, reply_days=reply_days, resolve_days=resolve_days, remind_days=remind_days)
    try:
        with transaction.atomic():
            policy = DeadlinePolicy.objects.create(
                category=category or "",
                difficulty=difficulty,
                accept_days=accept_days,
                reply_days=reply_days,
                resolve_days=resolve_days,
                remind_days=remind_days,
                updated_by=by,
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                obj=policy,
                scope_path=by.unit.path,
                changes={k: [None, v] for k, v in snapshot(policy, DEADLINE_FIELDS).items()},
            )
    except IntegrityError:
        raise ValidationError({"category": [_("该类别和难度的办理时限已存在，请直接修改。")]}) from None
    return policy


def deadline_policy_update(
    *,
    by,
    policy: DeadlinePolicy,
    accept_days: int,
    reply_days: int,
    resolve_days: int,
    remind_days: int,
) -> DeadlinePolicy:
    """Change a policy's working days. Appeals already registered keep their deadlines; the
    new days apply to appeals registered or re-categorised from now on."""
    check_city_configurer(by)
    _check_days(accept_days=accept_days, reply_days=reply_days, resolve_days=resolve_days, remind_days=remind_days)
    with transaction.atomic():
        locked = DeadlinePolicy.objects.select_for_update().get(pk=policy.pk)
        before = snapshot(locked, DEADLINE_FIELDS)
        locked.accept_days, locked.reply_days = accept_days, reply_days
        locked.resolve_days, locked.remind_days = resolve_days, remind_days
        changes = diff(before, snapshot(locked, DEADLINE_FIELDS))
        if changes:
            locked.updated_by = by
            locked.save(
                update_fields=["accept_days", "reply_days", "resolve_days", "remind_days", "updated_by", "updated_at"]
            )
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, scope_path=by.unit.path, changes=changes)
    return locked


# --- Alert thresholds -----------------------------------------------------------------------


def alert_thresholds_update(
    *,
    by,
    kind: str,
    threshold: int,
    window_days: int,
    keywords: str = "",
    holiday_keywords: str = "",
    is_active: bool = True,
) -> AlertRule:
    """The early-warning rule for a kind, through ``alerts.alert_rule_update`` (which
    validates, locks and audits) once it is clear the change comes from the city."""
    check_city_configurer(by)

    def lines(text: str) -> str:
        return "\n".join(dict.fromkeys(w.strip() for w in (text or "").splitlines() if w.strip()))

    return alerts.alert_rule_update(
        by=by,
        kind=kind,
        threshold=threshold,
        window_days=window_days,
        keywords=lines(keywords),
        holiday_keywords=lines(holiday_keywords),
        is_active=is_active,
    )
