"""Writes for the organisation tree, employers and service points.

Each function checks the actor's permission and scope, validates, runs in one transaction
with what it depends on locked, keeps the per-unit counts current and writes the audit row.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record, diff, snapshot
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.orgs.models import ALLOWED_CHILDREN, Employer, ServicePoint, Unit, UnitCounts, UnitKind
from gonghui.orgs.validators import normalise_uscc

UNIT_FIELDS = ("name", "short_name", "kind", "division_code", "address", "phone", "chair_name", "is_active")
EMPLOYER_FIELDS = (
    "name",
    "uscc",
    "industry",
    "ownership",
    "size",
    "headcount",
    "address",
    "district",
    "unit",
    "has_own_union",
    "contact_name",
    "contact_phone",
    "is_active",
)
SERVICE_POINT_FIELDS = (
    "kind",
    "name",
    "code",
    "unit",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "facilities",
    "sign_and_place",
    "chair_name",
    "chair_phone",
    "chair_email",
    "staff_on_duty",
    "rules",
    "service_items",
    "procedures",
    "is_public",
)


def check_permission(by, permission: str) -> None:
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def check_unit_in_scope(unit: Unit | None, field: str = "unit") -> None:
    if unit is None or not path_in_scope(unit.path):
        raise ValidationError({field: _("所选单位不存在或不在您的管辖范围内。")})


def unit_counts_add(*, unit: Unit, **deltas) -> None:
    """Adjust a unit's direct counts by the given amounts (atomic ``F()`` updates)."""
    with scopes_disabled():
        updated = UnitCounts.objects.filter(unit_id=unit.pk).update(**{k: F(k) + v for k, v in deltas.items()})
        if not updated:
            UnitCounts.objects.create(unit_id=unit.pk, **deltas)


# --- Units ---------------------------------------------------------------------------


def _validated(instance, fields, exclude=()):
    try:
        instance.full_clean(
            exclude=[f.name for f in instance._meta.fields if f.name not in fields or f.name in exclude]
        )
    except ValidationError as e:
        raise ValidationError(e.message_dict) from e


def unit_create_root(*, name: str, division_code: str = "", **extra) -> Unit:
    """The city federation. Set-up only (management commands), never from a request."""
    with scopes_disabled(), transaction.atomic():
        unit = Unit.objects.add_root(
            instance=Unit(name=name, kind=UnitKind.CITY_FEDERATION, division_code=division_code, **extra)
        )
        UnitCounts.objects.create(unit=unit)
        audit_record(actor=None, action=AuditAction.CREATE, obj=unit, actor_name="system")
    return unit


def unit_create(*, by, parent: Unit, kind: str, name: str, **fields) -> Unit:
    check_permission(by, "orgs.manage_units")
    check_unit_in_scope(parent, "parent")
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationError(
            {
                "kind": _("“%(child)s”不能设在“%(parent)s”之下。")
                % {"child": UnitKind(kind).label, "parent": UnitKind(parent.kind).label}
            }
        )
    candidate = Unit(name=name, kind=kind, **fields)
    _validated(candidate, UNIT_FIELDS)
    with transaction.atomic(), scopes_disabled():
        # Lock the parent: treebeard computes the next sibling path from it.
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        unit = Unit.objects.add_child(parent, instance=candidate)
        UnitCounts.objects.create(unit=unit)
        audit_record(actor=by, action=AuditAction.CREATE, obj=unit, changes=diff({}, snapshot(unit, UNIT_FIELDS)))
    return unit


def unit_update(*, by, unit: Unit, **changes) -> Unit:
    check_permission(by, "orgs.manage_units")
    check_unit_in_scope(unit)
    if "kind" in changes and changes["kind"] != unit.kind:
        raise ValidationError({"kind": _("单位类型建立后不能修改。")})
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        before = snapshot(locked, UNIT_FIELDS)
        for k, v in changes.items():
            if k not in UNIT_FIELDS:
                raise ValidationError({k: _("该字段不能修改。")})
            setattr(locked, k, v)
        _validated(locked, UNIT_FIELDS)
        delta = diff(before, snapshot(locked, UNIT_FIELDS))
        if delta:
            locked.save(update_fields=[*delta.keys(), "updated_at"])
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=delta)
    return locked


# --- Employers ------------------------------------------------------------------------


def _check_employer_placement(employer: Employer) -> None:
    check_unit_in_scope(employer.unit, "unit")
    if employer.district_id is None or employer.district.kind != UnitKind.DISTRICT_UNION:
        raise ValidationError({"district": _("请选择所在区。")})


def employer_create(*, by, **fields) -> Employer:
    check_permission(by, "orgs.manage_employers")
    fields["uscc"] = normalise_uscc(fields.get("uscc", ""))
    employer = Employer(**fields)
    _check_employer_placement(employer)
    _validated(employer, EMPLOYER_FIELDS, exclude=("uscc",))
    _check_uscc(employer)
    with transaction.atomic():
        employer.save()
        unit_counts_add(unit=employer.unit, employers=1, unionised_employers=int(employer.has_own_union))
        audit_record(
            actor=by, action=AuditAction.CREATE, obj=employer, changes=diff({}, snapshot(employer, EMPLOYER_FIELDS))
        )
    return employer


def _check_uscc(employer: Employer) -> None:
    from gonghui.orgs.validators import validate_uscc

    try:
        validate_uscc(employer.uscc)
    except ValidationError as e:
        raise ValidationError({"uscc": e.messages}) from e
    # Uniqueness across the whole city, not just the visible part: a code belongs to one
    # employer, and the message must not reveal another district's record.
    with scopes_disabled():
        clash = Employer.objects.filter(uscc=employer.uscc).exclude(pk=employer.pk).exists()
    if clash:
        raise ValidationError({"uscc": _("该统一社会信用代码已登记，请勿重复录入。")})


def employer_update(*, by, employer: Employer, **changes) -> Employer:
    check_permission(by, "orgs.manage_employers")
    check_unit_in_scope(employer.unit)
    if "uscc" in changes:
        changes["uscc"] = normalise_uscc(changes["uscc"])
    with transaction.atomic():
        locked = Employer.objects.select_for_update().select_related("unit").get(pk=employer.pk)
        old_unit, old_union = locked.unit, locked.has_own_union
        before = snapshot(locked, EMPLOYER_FIELDS)
        for k, v in changes.items():
            if k not in EMPLOYER_FIELDS:
                raise ValidationError({k: _("该字段不能修改。")})
            setattr(locked, k, v)
        _check_employer_placement(locked)
        _validated(locked, EMPLOYER_FIELDS, exclude=("uscc",))
        _check_uscc(locked)
        delta = diff(before, snapshot(locked, EMPLOYER_FIELDS))
        if delta:
            locked.save(update_fields=[*delta.keys(), "updated_at"])
            if old_unit.pk != locked.unit_id or old_union != locked.has_own_union:
                unit_counts_add(unit=old_unit, employers=-1, unionised_employers=-int(old_union))
                unit_counts_add(unit=locked.unit, employers=1, unionised_employers=int(locked.has_own_union))
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=delta)
    return locked


# --- Service points --------------------------------------------------------------------


def _check_service_point_code(point: ServicePoint) -> None:
    with scopes_disabled():
        clash = ServicePoint.objects.filter(code=point.code).exclude(pk=point.pk).exists()
    if clash:
        raise ValidationError({"code": _("该公开编号已被使用，请换一个。")})


def service_point_create(*, by, **fields) -> ServicePoint:
    check_permission(by, "orgs.manage_service_points")
    point = ServicePoint(**fields)
    check_unit_in_scope(point.unit if point.unit_id else None)
    _validated(point, SERVICE_POINT_FIELDS)
    _check_service_point_code(point)
    with transaction.atomic():
        point.save()
        unit_counts_add(unit=point.unit, service_points=1)
        audit_record(
            actor=by, action=AuditAction.CREATE, obj=point, changes=diff({}, snapshot(point, SERVICE_POINT_FIELDS))
        )
    return point


def service_point_update(*, by, point: ServicePoint, **changes) -> ServicePoint:
    check_permission(by, "orgs.manage_service_points")
    check_unit_in_scope(point.unit)
    with transaction.atomic():
        locked = ServicePoint.objects.select_for_update().select_related("unit").get(pk=point.pk)
        old_unit = locked.unit
        before = snapshot(locked, SERVICE_POINT_FIELDS)
        for k, v in changes.items():
            if k not in SERVICE_POINT_FIELDS:
                raise ValidationError({k: _("该字段不能修改。")})
            setattr(locked, k, v)
        check_unit_in_scope(locked.unit)
        _validated(locked, SERVICE_POINT_FIELDS)
        _check_service_point_code(locked)
        delta = diff(before, snapshot(locked, SERVICE_POINT_FIELDS))
        if delta:
            locked.save(update_fields=[*delta.keys(), "updated_at"])
            if old_unit.pk != locked.unit_id:
                unit_counts_add(unit=old_unit, service_points=-1)
                unit_counts_add(unit=locked.unit, service_points=1)
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=delta)
    return locked
