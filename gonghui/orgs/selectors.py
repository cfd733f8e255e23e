"""Scoped reads for the organisation tree. Every function here answers only from the active
organisation scope (see core/scoping.py); an object outside it raises ``DoesNotExist``."""

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.shortcuts import get_object_or_404

from gonghui.orgs.models import Employer, ServicePoint, Unit, UnitCounts, UnitKind

COUNT_FIELDS = ("employers", "unionised_employers", "service_points", "staff", "members", "cards")


def unit_get(pk) -> Unit:
    return get_object_or_404(Unit.objects.all(), pk=pk)


def unit_list(*, kind=None, parent=None, q=None):
    qs = Unit.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(division_code__startswith=q))
    return qs.order_by("path")


def scope_roots(user) -> list[Unit]:
    """The top of what the user sees: their own unit."""
    return [user.unit] if user.unit_id else []


def subtree_totals(unit: Unit) -> dict:
    """Counts for a whole subtree, summed from per-unit tallies (never a table scan)."""
    agg = UnitCounts.objects.filter(unit__path__startswith=unit.path).aggregate(
        **{f: Coalesce(Sum(f), Value(0), output_field=IntegerField()) for f in COUNT_FIELDS},
        units=Count("unit"),
    )
    return agg


def children_with_totals(unit: Unit) -> list[tuple[Unit, dict]]:
    """Each direct child of ``unit`` with the totals of its own subtree: one grouped query."""
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    if not children:
        return []
    width = (unit.depth + 1) * Unit.steplen
    rows = (
        UnitCounts.objects.filter(unit__path__startswith=unit.path, unit__depth__gt=unit.depth)
        .annotate(branch=Substr("unit__path", 1, width))
        .values("branch")
        .annotate(**{f: Sum(f) for f in COUNT_FIELDS}, units=Count("unit"))
    )
    by_branch = {r["branch"]: r for r in rows}
    empty = dict.fromkeys((*COUNT_FIELDS, "units"), 0)
    return [(child, by_branch.get(child.path, empty)) for child in children]


def district_choices():
    """Districts an employer in scope may be located in: the districts in scope, or — for
    staff above or beside the district level with none below them (the industry line) —
    every district, since a district is a place as well as a union."""
    from gonghui.core.scoping import scopes_disabled

    in_scope = Unit.objects.filter(kind=UnitKind.DISTRICT_UNION).order_by("path")
    if in_scope.exists():
        return in_scope
    with scopes_disabled():
        return Unit.objects.filter(kind=UnitKind.DISTRICT_UNION).order_by("path")


def district_get(pk) -> Unit:
    return get_object_or_404(district_choices(), pk=pk)


def employer_list(*, q=None, industry=None, ownership=None, size=None, has_own_union=None, district=None, unit=None):
    qs = Employer.objects.select_related("unit", "district")
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.upper()))
    if industry:
        qs = qs.filter(industry=industry)
    if ownership:
        qs = qs.filter(ownership=ownership)
    if size:
        qs = qs.filter(size=size)
    if has_own_union is not None:
        qs = qs.filter(has_own_union=has_own_union)
    if district:
        qs = qs.filter(district_id=district)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("name", "id")


def employer_get(pk) -> Employer:
    return get_object_or_404(Employer.objects.select_related("unit", "district"), pk=pk)


def service_point_list(*, q=None, kind=None, unit=None):
    qs = ServicePoint.objects.select_related("unit")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("unit__path", "name", "id")


def service_point_get(pk) -> ServicePoint:
    return get_object_or_404(ServicePoint.objects.select_related("unit"), pk=pk)


def service_point_public(code: str) -> ServicePoint:
    """The public page of a service point: anyone may read it, so no scope applies —
    only points marked public are returned."""
    from gonghui.core.scoping import scopes_disabled

    with scopes_disabled():
        return get_object_or_404(ServicePoint.objects.select_related("unit"), code=code, is_public=True)
