from decimal import Decimal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from gonghui.core.api_paging import PageParams, page_of
from gonghui.orgs import selectors, services
from gonghui.orgs.models import (
    EmployerSize,
    Industry,
    Ownership,
    ServicePointKind,
    Unit,
    UnitKind,
)

router = Router()


# --- Units ------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: UnitKind
    kind_label: str
    division_code: str
    parent_id: int | None
    depth: int
    path: str
    address: str
    phone: str
    chair_name: str
    is_active: bool


class UnitIn(Schema):
    parent_id: int
    kind: UnitKind
    name: str = Field(min_length=1, max_length=120)
    short_name: str = Field("", max_length=60)
    division_code: str = Field("", max_length=12)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    chair_name: str = Field("", max_length=60)


class UnitPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    short_name: str | None = Field(None, max_length=60)
    division_code: str | None = Field(None, max_length=12)
    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    chair_name: str | None = Field(None, max_length=60)
    is_active: bool | None = None


class UnitFilters(PageParams):
    kind: UnitKind | None = None
    parent: int | None = None
    q: str | None = None


def _parent_ids(units):
    """Parent ids from the paths, with one query for the whole page."""
    parent_paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    ids = dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "id")) if parent_paths else {}
    return ids


def _unit_out(unit, parent_ids):
    return {
        "id": unit.pk,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "kind_label": str(UnitKind(unit.kind).label),
        "division_code": unit.division_code,
        "parent_id": parent_ids.get(unit.path[: -Unit.steplen]),
        "depth": unit.depth,
        "path": unit.path,
        "address": unit.address,
        "phone": unit.phone,
        "chair_name": unit.chair_name,
        "is_active": unit.is_active,
    }


@router.get("/units", response=dict, tags=["units"], summary="工会组织列表 List units in scope")
def list_units(request, filters: Query[UnitFilters]):
    parent = selectors.unit_get(filters.parent) if filters.parent else None
    qs = selectors.unit_list(kind=filters.kind, parent=parent, q=filters.q)
    page = page_of(qs, filters, lambda u: u)
    parent_ids = _parent_ids(page["results"])
    page["results"] = [_unit_out(u, parent_ids) for u in page["results"]]
    return page


@router.get("/units/{unit_id}", response=UnitOut, tags=["units"])
def get_unit(request, unit_id: int):
    unit = selectors.unit_get(unit_id)
    return _unit_out(unit, _parent_ids([unit]))


@router.get("/units/{unit_id}/totals", response=dict, tags=["units"], summary="子树统计 Subtree totals")
def unit_totals(request, unit_id: int):
    unit = selectors.unit_get(unit_id)
    return {"unit_id": unit.pk, **selectors.subtree_totals(unit)}


@router.post("/units", response={201: UnitOut}, tags=["units"])
def create_unit(request, payload: UnitIn):
    parent = selectors.unit_get(payload.parent_id)
    data = payload.dict(exclude={"parent_id"})
    unit = services.unit_create(by=request.user, parent=parent, **data)
    return Status(201, _unit_out(unit, _parent_ids([unit])))


@router.patch("/units/{unit_id}", response=UnitOut, tags=["units"])
def update_unit(request, unit_id: int, payload: UnitPatch):
    unit = selectors.unit_get(unit_id)
    unit = services.unit_update(by=request.user, unit=unit, **payload.dict(exclude_unset=True))
    return _unit_out(unit, _parent_ids([unit]))


# --- Employers ---------------------------------------------------------------------------


class EmployerOut(Schema):
    id: int
    name: str
    uscc: str
    industry: Industry
    ownership: Ownership
    size: EmployerSize
    headcount: int
    address: str
    district_id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    has_own_union: bool
    contact_name: str
    contact_phone: str
    is_active: bool


class EmployerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(min_length=1, max_length=30)
    industry: Industry
    ownership: Ownership
    size: EmployerSize
    headcount: int = Field(0, ge=0)
    address: str = Field("", max_length=200)
    district_id: int
    unit_id: int
    has_own_union: bool = False
    contact_name: str = Field("", max_length=60)
    contact_phone: str = Field("", max_length=40)


class EmployerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    uscc: str | None = Field(None, min_length=1, max_length=30)
    industry: Industry | None = None
    ownership: Ownership | None = None
    size: EmployerSize | None = None
    headcount: int | None = Field(None, ge=0)
    address: str | None = Field(None, max_length=200)
    district_id: int | None = None
    unit_id: int | None = None
    has_own_union: bool | None = None
    contact_name: str | None = Field(None, max_length=60)
    contact_phone: str | None = Field(None, max_length=40)
    is_active: bool | None = None


class EmployerFilters(PageParams):
    q: str | None = None
    industry: Industry | None = None
    ownership: Ownership | None = None
    size: EmployerSize | None = None
    has_own_union: bool | None = None
    district: int | None = None
    unit: int | None = Field(None, description="只列出该单位子树内的用人单位")


def _resolve_units(data: dict) -> dict:
    """Turn ``*_id`` fields into units, each looked up within what the user may choose
    (404 like any other unknown id)."""
    if "unit_id" in data:
        data["unit"] = selectors.unit_get(data.pop("unit_id"))
    if "district_id" in data:
        data["district"] = selectors.district_get(data.pop("district_id"))
    return data


@router.get("/employers", response=dict, tags=["employers"], summary="用人单位列表 List employers in scope")
def list_employers(request, filters: Query[EmployerFilters]):
    unit = selectors.unit_get(filters.unit) if filters.unit else None
    qs = selectors.employer_list(
        q=filters.q,
        industry=filters.industry,
        ownership=filters.ownership,
        size=filters.size,
        has_own_union=filters.has_own_union,
        district=filters.district,
        unit=unit,
    )
    return page_of(qs, filters, lambda e: EmployerOut.from_orm(e).dict())


@router.get("/employers/{employer_id}", response=EmployerOut, tags=["employers"])
def get_employer(request, employer_id: int):
    return selectors.employer_get(employer_id)


@router.post("/employers", response={201: EmployerOut}, tags=["employers"])
def create_employer(request, payload: EmployerIn):
    employer = services.employer_create(by=request.user, **_resolve_units(payload.dict()))
    return Status(201, employer)


@router.patch("/employers/{employer_id}", response=EmployerOut, tags=["employers"])
def update_employer(request, employer_id: int, payload: EmployerPatch):
    employer = selectors.employer_get(employer_id)
    changes = _resolve_units(payload.dict(exclude_unset=True))
    return services.employer_update(by=request.user, employer=employer, **changes)


# --- Service points --------------------------------------------------------------------


class ServicePointOut(Schema):
    id: int
    kind: ServicePointKind
    name: str
    code: str
    unit_id: int
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    opening_hours: str
    facilities: str
    sign_and_place: str
    chair_name: str
    chair_phone: str
    chair_email: str
    staff_on_duty: str
    rules: str
    service_items: str
    procedures: str
    is_public: bool


class ServicePointIn(Schema):
    kind: ServicePointKind
    name: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    unit_id: int
    address: str = Field(min_length=1, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    opening_hours: str = Field("", max_length=200)
    facilities: str = ""
    sign_and_place: str = ""
    chair_name: str = Field("", max_length=60)
    chair_phone: str = Field("", max_length=40)
    chair_email: str = Field("", max_length=254)
    staff_on_duty: str = ""
    rules: str = ""
    service_items: str = ""
    procedures: str = ""
    is_public: bool = True


class ServicePointPatch(Schema):
    kind: ServicePointKind | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    unit_id: int | None = None
    address: str | None = Field(None, min_length=1, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    opening_hours: str | None = Field(None, max_length=200)
    facilities: str | None = None
    sign_and_place: str | None = None
    chair_name: str | None = Field(None, max_length=60)
    chair_phone: str | None = Field(None, max_length=40)
    chair_email: str | None = Field(None, max_length=254)
    staff_on_duty: str | None = None
    rules: str | None = None
    service_items: str | None = None
    procedures: str | None = None
    is_public: bool | None = None


class ServicePointFilters(PageParams):
    q: str | None = None
    kind: ServicePointKind | None = None
    unit: int | None = None


@router.get("/service-points", response=dict, tags=["service points"], summary="服务阵地列表 List service points")
def list_service_points(request, filters: Query[ServicePointFilters]):
    unit = selectors.unit_get(filters.unit) if filters.unit else None
    qs = selectors.service_point_list(q=filters.q, kind=filters.kind, unit=unit)
    return page_of(qs, filters, lambda p: ServicePointOut.from_orm(p).dict())


@router.get("/service-points/{point_id}", response=ServicePointOut, tags=["service points"])
def get_service_point(request, point_id: int):
    return selectors.service_point_get(point_id)


@router.post("/service-points", response={201: ServicePointOut}, tags=["service points"])
def create_service_point(request, payload: ServicePointIn):
    point = services.service_point_create(by=request.user, **_resolve_units(payload.dict()))
    return Status(201, point)


@router.patch("/service-points/{point_id}", response=ServicePointOut, tags=["service points"])
def update_service_point(request, point_id: int, payload: ServicePointPatch):
    point = selectors.service_point_get(point_id)
    changes = _resolve_units(payload.dict(exclude_unset=True))
    return services.service_point_update(by=request.user, point=point, **changes)
