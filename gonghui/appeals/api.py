"""Appeals in the JSON API: list, read and register for integrators (staff tokens, scoped
like every read), and the SMS gateway's endpoint for incoming text messages."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import APIKeyHeader
from pydantic import Field

from gonghui.appeals import selectors, services
from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.models import AppealStatus, Channel, Difficulty
from gonghui.appeals.sms_inbound import sms_receive
from gonghui.core.api_paging import PageParams, page_of
from gonghui.core.scoping import path_in_scope


class GatewayToken(APIKeyHeader):
    """``X-SMS-Gateway-Token``: the shared secret in the SMS_INBOUND_TOKEN setting; with
    no token configured the endpoint accepts nothing."""

    param_name = "X-SMS-Gateway-Token"

    def authenticate(self, request, key):
        expected = getattr(settings, "SMS_INBOUND_TOKEN", "")
        if expected and key and constant_time_compare(key, expected):
            return "sms-gateway"
        return None


router = Router(tags=["12351 SMS gateway"], auth=GatewayToken())


class InboundIn(Schema):
    sender: str = Field(min_length=1, max_length=20, description="发信手机号")
    text: str = Field(min_length=1, max_length=1000, description="短信内容")


class InboundOut(Schema):
    action: str
    ticket: str = ""
    reply: str


@router.post("/sms/inbound", response=InboundOut, summary="接收短信诉求")
def inbound(request, payload: InboundIn):
    return sms_receive(sender=payload.sender, text=payload.text)


# --- Appeals for integrators (staff tokens, scoped like every read) -------------------------

appeals_router = Router(tags=["12351 appeals"])


class AppealOut(Schema):
    id: int
    ticket: str
    channel: Channel
    status: AppealStatus
    category: AppealCategory
    category_suggested: str
    difficulty: Difficulty
    unit_id: int
    unit_name: str
    worker_name: str
    phone: str = Field(description="脱敏显示 masked")
    employer_id: int | None
    employer_name: str
    workers_involved: int
    amount: str | None
    received_at: str
    accept_due: str
    reply_due: str
    resolve_due: str
    overdue: bool
    escalation_level: int
    reply: str


def appeal_out(a) -> dict:
    return {
        "id": a.pk,
        "ticket": a.ticket,
        "channel": a.channel,
        "status": a.status,
        "category": a.category,
        "category_suggested": a.category_suggested,
        "difficulty": a.difficulty,
        "unit_id": a.unit_id,
        "unit_name": a.unit.name,
        "worker_name": a.worker_name,
        "phone": a.phone_masked,
        "employer_id": a.employer_id,
        "employer_name": a.employer.name if a.employer_id else a.employer_name,
        "workers_involved": a.workers_involved,
        "amount": str(a.amount) if a.amount is not None else None,
        "received_at": a.received_at.isoformat(),
        "accept_due": a.accept_due.isoformat(),
        "reply_due": a.reply_due.isoformat(),
        "resolve_due": a.resolve_due.isoformat(),
        "overdue": a.overdue,
        "escalation_level": a.escalation_level,
        "reply": a.reply,
    }


class AppealFilters(PageParams):
    view: str = Field("all", description="todo | overdue | escalated | all")
    status: AppealStatus | None = None
    category: AppealCategory | None = None
    q: str | None = Field(None, max_length=50, description="受理编号、职工姓名或单位")


class AppealIn(Schema):
    channel: Channel = Channel.HOTLINE
    worker_name: str = Field(max_length=40)
    phone: str = Field(max_length=20)
    description: str = Field(max_length=5000)
    employer_id: int | None = None
    employer_name: str = Field("", max_length=200)
    workplace: str = Field("", max_length=200)
    workers_involved: int = 1
    amount: str | None = None
    category: AppealCategory | None = None
    difficulty: Difficulty = Difficulty.NORMAL


def _require(request, permission):
    if not request.user.can(permission):
        raise PermissionDenied


@appeals_router.get("/appeals", response=dict, summary="诉求列表 Appeals in scope")
def list_appeals(request, f: Query[AppealFilters]):
    _require(request, "appeals.view")
    view = f.view if f.view in selectors.LIST_VIEWS else "all"
    qs = selectors.appeal_list(
        user=request.user, view=view, q=f.q or "", status=f.status or "", category=f.category or ""
    )
    return page_of(qs, f, appeal_out)


@appeals_router.get("/appeals/{appeal_id}", response=AppealOut, summary="诉求详情")
def get_appeal(request, appeal_id: int):
    _require(request, "appeals.view")
    return appeal_out(selectors.appeal_get_brief(appeal_id))


class AppealReceiptOut(Schema):
    """What a caller learns of an appeal it registered that the routing sent to a union
    outside its own part of the tree: the receipt a worker is given (受理回执), nothing of
    the case itself, which it may not read."""

    id: int
    ticket: str
    channel: Channel
    status: AppealStatus
    unit_id: int
    unit_name: str
    received_at: str
    in_scope: bool = Field(False, description="False: 已转交其他工会办理，本账号无权查看详情")


@appeals_router.post("/appeals", response={201: AppealOut | AppealReceiptOut}, summary="登记诉求 Register an appeal")
def create_appeal(request, payload: AppealIn):
    from gonghui.orgs.models import Employer

    _require(request, "appeals.intake")
    employer = None
    if payload.employer_id is not None:
        employer = Employer.objects.filter(pk=payload.employer_id).first()  # scoped
        if employer is None:
            raise ValidationError({"employer_id": [_("用人单位不存在或不在您的管辖范围内。")]})
    appeal = services.appeal_submit(
        by=request.user,
        channel=payload.channel,
        worker_name=payload.worker_name,
        phone=payload.phone,
        description=payload.description,
        employer=employer,
        employer_name=payload.employer_name,
        workplace=payload.workplace,
        workers_involved=payload.workers_involved,
        amount=payload.amount,
        category=payload.category or "",
        difficulty=payload.difficulty,
    )
    if not path_in_scope(appeal.unit.path):
        # Routed elsewhere (a station's intake of a case in another district): registered
        # all the same; the caller gets the receipt, not a 404 for what it just created.
        return Status(
            201,
            {
                "id": appeal.pk,
                "ticket": appeal.ticket,
                "channel": appeal.channel,
                "status": appeal.status,
                "unit_id": appeal.unit_id,
                "unit_name": appeal.unit.name,
                "received_at": appeal.received_at.isoformat(),
                "in_scope": False,
            },
        )
    return Status(201, appeal_out(selectors.appeal_get_brief(appeal.pk)))
