import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import Field

from gonghui.members import selectors, services
from gonghui.members.models import MemberStatus, Platform
from gonghui.orgs import selectors as org_selectors

router = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="脱敏显示 masked, e.g. 110105********123X")
    phone: str = Field(description="脱敏显示 masked, e.g. 138****5678")
    birth_date: dt.date
    sex: str
    unit_id: int
    unit_name: str
    employer_id: int | None
    employer_name: str | None
    is_new_form_worker: bool
    platform: str
    status: MemberStatus
    joined_on: dt.date
    left_on: dt.date | None


def member_out(m) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "id_number": m.id_number_masked,
        "phone": m.phone_masked,
        "birth_date": m.birth_date,
        "sex": m.sex,
        "unit_id": m.unit_id,
        "unit_name": m.unit.name,
        "employer_id": m.employer_id,
        "employer_name": m.employer.name if m.employer_id else None,
        "is_new_form_worker": m.is_new_form_worker,
        "platform": m.platform,
        "status": m.status,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


class MemberPage(Schema):
    results: list[MemberOut]
    next_after: str | None = Field(description="传给 after 取下一页 pass as `after` for the next page")


class MemberFilters(Schema):
    q: str | None = Field(None, description="身份证号/手机号精确匹配，拼音首字母或全拼前缀，或姓名前缀")
    status: MemberStatus | None = None
    unit: int | None = Field(None, description="该工会子树内 within this union's subtree")
    new_form: bool | None = None
    platform: Platform | None = None
    after: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get("/members", response=MemberPage, summary="会员查询 Search members in scope")
def list_members(request, f: Query[MemberFilters]):
    _require(request, "members.view")
    unit = org_selectors.unit_get(f.unit) if f.unit else None
    qs = selectors.member_search(q=f.q, status=f.status, unit=unit, new_form=f.new_form, platform=f.platform)
    rows, next_after = selectors.keyset_page(qs, after=f.after, limit=f.limit)
    return {"results": [member_out(m) for m in rows], "next_after": next_after}


@router.get("/members/{member_id}", response=MemberOut)
def get_member(request, member_id: int):
    _require(request, "members.view")
    return member_out(selectors.member_get(member_id))


class MemberIn(Schema):
    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=1, max_length=30)
    phone: str = Field(min_length=1, max_length=30)
    unit_id: int
    employer_id: int | None = None
    is_new_form_worker: bool = False
    platform: Platform | None = None
    joined_on: dt.date | None = None


class MemberPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=40)
    id_number: str | None = Field(None, min_length=1, max_length=30)
    phone: str | None = Field(None, min_length=1, max_length=30)
    employer_id: int | None = None
    is_new_form_worker: bool | None = None
    platform: Platform | None = None


def _employer(employer_id):
    return org_selectors.employer_get(employer_id) if employer_id else None


@router.post("/members", response={201: MemberOut})
def create_member(request, payload: MemberIn):
    try:
        member = services.member_create(
            by=request.user,
            name=payload.name,
            id_number=payload.id_number,
            phone=payload.phone,
            unit=org_selectors.unit_get(payload.unit_id),
            employer=_employer(payload.employer_id),
            is_new_form_worker=payload.is_new_form_worker,
            platform=payload.platform or "",
            joined_on=payload.joined_on,
        )
    except services.DuplicateMember as dup:
        # 409 with the existing record's id when the caller may see it.
        from gonghui.api import api

        body = {"detail": dup.message_dict["id_number"][0], "errors": dup.message_dict}
        if dup.existing is not None:
            body["existing_id"] = dup.existing.pk
        return api.create_response(request, body, status=409)
    return Status(201, member_out(member))


@router.patch("/members/{member_id}", response=MemberOut)
def update_member(request, member_id: int, payload: MemberPatch):
    member = selectors.member_get(member_id)
    changes = payload.dict(exclude_unset=True)
    if "employer_id" in changes:
        changes["employer"] = _employer(changes.pop("employer_id"))
    if "platform" in changes:
        changes["platform"] = changes["platform"] or ""
    return member_out(services.member_update(by=request.user, member=member, **changes))


class TransferIn(Schema):
    to_unit_id: int
    reason: str = Field(min_length=1, max_length=200)
    on: dt.date | None = None


class LeaveIn(Schema):
    reason: str = Field(min_length=1, max_length=200)
    on: dt.date | None = None


class RejoinIn(Schema):
    unit_id: int
    reason: str = Field("", max_length=200)


@router.post("/members/{member_id}/transfer", response=MemberOut, summary="会员关系转接 Transfer to another union")
def transfer_member(request, member_id: int, payload: TransferIn):
    member = selectors.member_get(member_id)
    to_unit = selectors.unit_for_transfer(payload.to_unit_id)
    return member_out(
        services.member_transfer(by=request.user, member=member, to_unit=to_unit, reason=payload.reason, on=payload.on)
    )


@router.post("/members/{member_id}/leave", response=MemberOut, summary="退会 Leave the union")
def leave_member(request, member_id: int, payload: LeaveIn):
    member = selectors.member_get(member_id)
    return member_out(services.member_leave(by=request.user, member=member, reason=payload.reason, on=payload.on))


@router.post("/members/{member_id}/rejoin", response=MemberOut, summary="重新入会 Rejoin")
def rejoin_member(request, member_id: int, payload: RejoinIn):
    member = selectors.member_get(member_id)
    unit = org_selectors.unit_get(payload.unit_id)
    return member_out(services.member_rejoin(by=request.user, member=member, unit=unit, reason=payload.reason))


class RevealIn(Schema):
    field: str = Field(pattern="^(id_number|phone)$")


@router.post("/members/{member_id}/reveal", response=dict, summary="查看明文（留痕）Reveal, audited")
def reveal_member(request, member_id: int, payload: RevealIn):
    member = selectors.member_get(member_id)
    return {
        "field": payload.field,
        "value": services.member_reveal(by=request.user, member=member, field=payload.field),
    }


class EventOut(Schema):
    kind: str
    kind_label: str
    from_unit: str | None
    to_unit: str | None
    reason: str
    occurred_on: dt.date


@router.get("/members/{member_id}/history", response=list[EventOut], summary="会籍变动 Membership history")
def member_history(request, member_id: int):
    _require(request, "members.view")
    member = selectors.member_get(member_id)
    return [
        {
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),
            "from_unit": e.from_unit.name if e.from_unit_id else None,
            "to_unit": e.to_unit.name if e.to_unit_id else None,
            "reason": e.reason,
            "occurred_on": e.occurred_on,
        }
        for e in selectors.member_history(member)
    ]


def _require(request, permission):
    from django.core.exceptions import PermissionDenied

    if not request.user.can(permission):
        raise PermissionDenied
