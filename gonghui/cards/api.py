"""The venue terminal's API: one call verifies a card and records the use."""

import datetime as dt

from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field

from gonghui.cards import selectors, services


class VenueToken(HttpBearer):
    """``Authorization: Bearer gv_…`` — a venue terminal's token (``manage.py`` or staff
    create it); resolved by the middleware."""

    def authenticate(self, request, token):
        return getattr(request, "venue", None)


router = Router(tags=["venue terminal"], auth=VenueToken())


class VerifyIn(Schema):
    benefit_id: int
    idempotency_key: str = Field(min_length=1, max_length=80, description="同一次扫码重复提交只记录一次")
    token: str = Field("", max_length=400, description="会员出示的动态二维码内容")
    card_number: str = Field("", max_length=24)
    phone_last4: str = Field("", max_length=4, description="用卡号核验时：会员手机号后四位")


class VerifyOut(Schema):
    ok: bool
    code: str
    message: str
    member_name: str
    benefit: str
    quota_left: dict
    redemption_id: int | None


@router.post("/venue/verify", response=VerifyOut, summary="核验并核销 Verify a card and record the use")
def verify(request, payload: VerifyIn):
    verdict = services.card_verify_and_redeem(
        venue=request.auth,
        benefit_id=payload.benefit_id,
        idempotency_key=payload.idempotency_key,
        token=payload.token,
        number=payload.card_number,
        phone_last4=payload.phone_last4,
    )
    return verdict.__dict__


class RedemptionOut(Schema):
    id: int
    at: dt.datetime
    benefit: str
    member_name: str


@router.get("/venue/redemptions", response=list[RedemptionOut], summary="本场馆核销记录 This venue's redemptions")
def redemptions(request, limit: int = 50):
    return [
        {"id": r.pk, "at": r.at, "benefit": r.benefit.name, "member_name": services.mask_name(r.member.name)}
        for r in selectors.venue_redemptions(request.auth, limit=limit)
    ]
