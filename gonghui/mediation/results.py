"""Results of mediation for any subtree and period (调解成效): cases opened and closed,
the agreement rate, median days to close, money claimed, agreed and recovered, cases
referred to arbitration — in total and by body, claim type and industry.

Definitions, so the figures can be checked:
- opened: applied within the period; closed: closed within the period;
- agreement rate: cases that reached an agreement ÷ cases that reached an agreement or
  failed (went to arbitration), among outcomes within the period (withdrawn not counted);
- median days to close: calendar days from application to closing, cases closed within;
- claimed: claims of cases opened within; agreed: agreements signed within; recovered:
  payments made within (what the workers actually received).
"""

import datetime as dt
import io
import statistics
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope
from gonghui.mediation.models import AgreementItem, CaseStatus, Claim, ClaimType, MediationCase, Payment
from gonghui.orgs.models import Industry

ZERO = Decimal("0.00")
MAX_DAYS = 366 * 5


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = start or today.replace(month=1, day=1)
    end = end or today
    if end < start:
        raise ValidationError({"end": [_("结束日期不能早于开始日期。")]})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"end": [_("统计期间最长5年。")]})
    return start, end


def mediation_results(*, user, unit, start: dt.date, end: dt.date) -> dict:
    if not user.can("mediation.view"):
        raise PermissionDenied
    if unit is None or not path_in_scope(unit.path):
        raise ValidationError({"unit": [_("统计单位不在您的管辖范围内。")]})
    cases = MediationCase.objects.filter(body__unit__path__startswith=unit.path)
    opened = cases.filter(applied_on__range=(start, end))
    closed = cases.filter(closed_at__date__range=(start, end))
    outcomes = dict(
        cases.filter(outcome_at__date__range=(start, end)).values_list("status").annotate(n=Count("id")).order_by()
    )
    # An outcome reached and then closed still counts by its outcome: read it from history.
    agreed_n = cases.filter(outcome_at__date__range=(start, end), agreement__isnull=False).count()
    referred_n = (
        cases.filter(outcome_at__date__range=(start, end), events__to_status=CaseStatus.NO_AGREEMENT).distinct().count()
    )
    withdrawn_n = (
        cases.filter(outcome_at__date__range=(start, end), events__to_status=CaseStatus.WITHDRAWN).distinct().count()
    )
    days = [
        (timezone.localdate(closed_at) - applied_on).days
        for applied_on, closed_at in closed.values_list("applied_on", "closed_at")
    ]
    claims = Claim.objects.filter(case__in=opened)
    items = AgreementItem.objects.filter(
        agreement__case__body__unit__path__startswith=unit.path, agreement__signed_on__range=(start, end)
    )
    payments = Payment.objects.filter(
        agreement__case__body__unit__path__startswith=unit.path, paid_on__range=(start, end)
    )

    def grouped(qs, key, measure):
        return {k: v or ZERO for k, v in qs.values_list(key).annotate(s=measure).order_by()}

    def table(key_claim, key_item, key_payment, key_case, labels):
        opened_by = dict(opened.values_list(key_case).annotate(n=Count("id")).order_by())
        claimed_by = grouped(claims, key_claim, Sum("amount"))
        agreed_by = grouped(items, key_item, Sum("amount"))
        paid_by = grouped(payments, key_payment, Sum("amount"))
        keys = set(opened_by) | set(claimed_by) | set(agreed_by) | set(paid_by)
        rows = [
            {
                "key": k,
                "label": labels(k),
                "opened": opened_by.get(k, 0),
                "claimed": claimed_by.get(k, ZERO),
                "agreed": agreed_by.get(k, ZERO),
                "paid": paid_by.get(k, ZERO),
            }
            for k in keys
        ]
        return sorted(rows, key=lambda r: (-r["paid"], -r["claimed"], str(r["label"])))

    from gonghui.mediation.models import MediationBody

    body_names = dict(MediationBody.objects.filter(unit__path__startswith=unit.path).values_list("id", "name"))
    by_body = table(
        "case__body_id",
        "agreement__case__body_id",
        "agreement__case__body_id",
        "body_id",
        lambda k: body_names.get(k, k),
    )
    by_type = _by_claim_type(claims, items, payments)
    industry_label = lambda k: Industry(k).label if k in Industry.values else k  # noqa: E731
    by_industry = table(
        "case__employer__industry",
        "agreement__case__employer__industry",
        "agreement__case__employer__industry",
        "employer__industry",
        industry_label,
    )
    concluded = agreed_n + referred_n
    return {
        "unit": unit,
        "start": start,
        "end": end,
        "opened": opened.count(),
        "closed": len(days),
        "agreed_cases": agreed_n,
        "referred": referred_n,
        "withdrawn": withdrawn_n,
        "outcomes": outcomes,
        "agreement_rate": round(100 * agreed_n / concluded, 1) if concluded else None,
        "median_days": statistics.median(days) if days else None,
        "claimed": claims.aggregate(s=Sum("amount"))["s"] or ZERO,
        "agreed": items.aggregate(s=Sum("amount"))["s"] or ZERO,
        "paid": payments.aggregate(s=Sum("amount"))["s"] or ZERO,
        "workers": opened.aggregate(n=Count("workers"))["n"] or 0,
        "by_body": by_body,
        "by_type": by_type,
        "by_industry": by_industry,
    }


def _by_claim_type(claims, items, payments) -> list[dict]:
    """Per claim type: claims opened, amounts claimed and agreed; payments are not made per
    claim, so what was recovered is shared out in proportion to each agreement's items."""
    counts = dict(claims.values_list("type").annotate(n=Count("id")).order_by())
    claimed = dict(claims.values_list("type").annotate(s=Sum("amount")).order_by())
    agreed = dict(items.values_list("claim__type").annotate(s=Sum("amount")).order_by())
    paid: dict[str, Decimal] = {}
    per_agreement = dict(payments.values_list("agreement_id").annotate(s=Sum("amount")).order_by())
    if per_agreement:
        shares: dict[int, list] = {}
        for agreement_id, kind, amount in AgreementItem.objects.filter(agreement_id__in=per_agreement).values_list(
            "agreement_id", "claim__type", "amount"
        ):
            shares.setdefault(agreement_id, []).append((kind, amount))
        for agreement_id, total_paid in per_agreement.items():
            rows = shares.get(agreement_id, [])
            whole = sum((a for _k, a in rows), ZERO)
            for kind, amount in rows:
                if whole:
                    paid[kind] = paid.get(kind, ZERO) + (total_paid * amount / whole).quantize(Decimal("0.01"))
    keys = set(counts) | set(agreed) | set(paid)
    return sorted(
        (
            {
                "key": k,
                "label": ClaimType(k).label if k in ClaimType.values else k,
                "opened": counts.get(k, 0),
                "claimed": claimed.get(k) or ZERO,
                "agreed": agreed.get(k) or ZERO,
                "paid": paid.get(k, ZERO),
            }
            for k in keys
        ),
        key=lambda r: (-r["claimed"], str(r["label"])),
    )


def bars(rows: list[dict], field: str, width: int = 100) -> list[dict]:
    """Rows for an inline SVG bar chart: each with the bar's length in percent."""
    top = max((r[field] for r in rows), default=0) or 1
    return [{**r, "value": r[field], "pct": round(float(r[field]) * width / float(top), 1)} for r in rows]


def results_xlsx(*, by, result: dict) -> tuple[str, bytes]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if not by.can("mediation.view"):
        raise PermissionDenied
    book = Workbook()
    ws = book.active
    ws.title = _("总体")
    rows = [
        (_("统计单位"), result["unit"].name),
        (_("统计期间"), f"{result['start']} — {result['end']}"),
        (_("新收案件"), result["opened"]),
        (_("结案"), result["closed"]),
        (_("达成协议"), result["agreed_cases"]),
        (_("调解成功率（%）"), result["agreement_rate"]),
        (_("结案天数中位数"), result["median_days"]),
        (_("请求金额（元）"), result["claimed"]),
        (_("协议金额（元）"), result["agreed"]),
        (_("实际履行（元）"), result["paid"]),
        (_("转仲裁"), result["referred"]),
        (_("撤回"), result["withdrawn"]),
    ]
    for row in rows:
        ws.append(row)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 30
    headers = [_("分组"), _("新收案件"), _("请求金额（元）"), _("协议金额（元）"), _("实际履行（元）")]
    for title, key in ((_("按调解组织"), "by_body"), (_("按请求类型"), "by_type"), (_("按行业"), "by_industry")):
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for r in result[key]:
            sheet.append([str(r["label"]), r["opened"], r["claimed"], r["agreed"], r["paid"]])
        sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    book.save(out)
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        scope_path=result["unit"].path,
        object_type="mediation.results",
        object_id=str(result["unit"].pk),
        object_repr=result["unit"].name,
        note=f"{result['start']}..{result['end']}",
    )
    return f"调解成效-{result['unit'].name}-{result['start']:%Y%m%d}-{result['end']:%Y%m%d}.xlsx", out.getvalue()
