"""Mediation in the JSON API, for integrators (a district's dashboard, the arbitration
commission's system): cases in scope, one case with its claims, agreement and payments,
and the network's results for a subtree and period. Read-only; scoped like the pages (a
contracted lawyer's token sees only their own cases); workers' phones and ID numbers are
masked."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from gonghui.core.api_paging import PageParams, page_of
from gonghui.core.scoping import scopes_disabled
from gonghui.mediation import results, selectors
from gonghui.mediation.models import CaseStatus
from gonghui.orgs.models import Unit

router = Router(tags=["劳动争议调解 Mediation"])


class CaseFilters(PageParams):
    view: str = Field("all", description="open | flagged | all")
    status: CaseStatus | None = None
    q: str | None = Field(None, max_length=50, description="案件编号、用人单位或职工姓名")


class CaseOut(Schema):
    id: int
    number: str
    status: CaseStatus
    source: str
    body_id: int
    body_name: str
    unit_id: int
    employer_id: int
    employer_name: str
    workers: int
    applied_on: str
    due_on: str
    extended_until: str | None
    flagged: bool = Field(description="已满15日未达成协议 day 15 passed without agreement")
    limitation_warning: bool
    closed_at: str | None


class WorkerOut(Schema):
    name: str
    phone: str = Field(description="脱敏显示 masked")
    id_number: str = Field(description="脱敏显示 masked")


class ClaimOut(Schema):
    type: str
    amount: str
    agreed: str | None


class PaymentOut(Schema):
    paid_on: str
    amount: str


class CaseDetailOut(CaseOut):
    description: str
    worker_list: list[WorkerOut]
    claims: list[ClaimOut]
    claimed: str
    agreed: str | None
    paid: str | None
    outstanding: str | None
    payments: list[PaymentOut]


def case_out(c) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "status": c.status,
        "source": c.source,
        "body_id": c.body_id,
        "body_name": c.body.name,
        "unit_id": c.body.unit_id,
        "employer_id": c.employer_id,
        "employer_name": c.employer.name,
        "workers": getattr(c, "worker_count", None) or c.workers.count(),
        "applied_on": c.applied_on.isoformat(),
        "due_on": c.due_on.isoformat(),
        "extended_until": c.extended_until.isoformat() if c.extended_until else None,
        "flagged": c.flagged_at is not None,
        "limitation_warning": c.limitation_warning,
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
    }


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


@router.get("/mediation/cases", response=dict, summary="调解案件列表 Mediation cases in scope")
def list_cases(request, f: Query[CaseFilters]):
    view = f.view if f.view in ("open", "flagged", "all") else "all"
    cases = selectors.case_list(user=request.user, q=f.q or "", status=f.status or "", view=view)
    if isinstance(cases, list):  # a lawyer's own cases, already read
        size = max(1, min(f.page_size, 200))
        start = (max(1, f.page) - 1) * size
        return {
            "count": len(cases),
            "page": max(1, f.page),
            "page_size": size,
            "has_next": start + size < len(cases),
            "results": [case_out(c) for c in cases[start : start + size]],
        }
    return page_of(cases, f, case_out)


@router.get("/mediation/cases/{case_id}", response=CaseDetailOut, summary="调解案件详情")
def get_case(request, case_id: int):
    case = selectors.case_get(user=request.user, pk=case_id)
    context = selectors.case_context(case)
    totals = context["totals"]
    with scopes_disabled():
        agreed = {a.claim_id: a.amount for a in case.agreement.items.all()} if context["agreement"] else {}
    return {
        **case_out(case),
        "description": case.description,
        "worker_list": [
            {"name": w.name, "phone": w.phone_masked, "id_number": w.id_number_masked} for w in context["workers"]
        ],
        "claims": [
            {"type": c.type, "amount": _money(c.amount), "agreed": _money(agreed.get(c.pk))} for c in context["claims"]
        ],
        "claimed": _money(sum((c.amount for c in context["claims"]), 0) or 0),
        "agreed": _money(totals["agreed"]) if totals else None,
        "paid": _money(totals["paid"]) if totals else None,
        "outstanding": _money(totals["outstanding"]) if totals else None,
        "payments": [{"paid_on": p.paid_on.isoformat(), "amount": _money(p.amount)} for p in context["payments"]],
    }


class ResultsParams(Schema):
    unit_id: int | None = Field(None, description="统计单位，默认本单位")
    start: dt.date | None = Field(None, description="默认本年1月1日")
    end: dt.date | None = Field(None, description="默认今天")


def _rows(rows):
    return [
        {
            "key": str(r["key"]),
            "label": str(r["label"]),
            "opened": r["opened"],
            "claimed": _money(r["claimed"]),
            "agreed": _money(r["agreed"]),
            "paid": _money(r["paid"]),
        }
        for r in rows
    ]


@router.get("/mediation/results", response=dict, summary="调解成效 Results for a subtree and period")
def get_results(request, p: Query[ResultsParams]):
    unit = request.user.unit
    if p.unit_id is not None:
        unit = Unit.objects.filter(pk=p.unit_id).first()  # scoped: another district's is None
        if unit is None:
            raise ValidationError({"unit_id": [_("统计单位不在您的管辖范围内。")]})
    start, end = results.check_period(p.start, p.end)
    r = results.mediation_results(user=request.user, unit=unit, start=start, end=end)
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "opened": r["opened"],
        "closed": r["closed"],
        "agreed_cases": r["agreed_cases"],
        "referred_to_arbitration": r["referred"],
        "withdrawn": r["withdrawn"],
        "agreement_rate": r["agreement_rate"],
        "median_days_to_close": r["median_days"],
        "workers": r["workers"],
        "claimed": _money(r["claimed"]),
        "agreed": _money(r["agreed"]),
        "recovered": _money(r["paid"]),
        "by_body": _rows(r["by_body"]),
        "by_claim_type": _rows(r["by_type"]),
        "by_industry": _rows(r["by_industry"]),
    }
