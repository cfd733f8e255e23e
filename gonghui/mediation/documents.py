"""Documents a case hands out: the mediation agreement (调解协议书) as a PDF for signing,
and the case file for the arbitration commission as an .xlsx. Both are audited; personal
numbers appear masked.

The PDF is drawn with fpdf2 and the CJK font named by ``MEDIATION_PDF_FONT`` (Debian's
fonts-wqy-microhei by default), embedded as a subset of the glyphs used: a one-page
agreement is some tens of kilobytes, and its text can be copied and searched.
"""

import datetime as dt
import io
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scopes_disabled
from gonghui.mediation.models import CaseStatus, MediationCase
from gonghui.mediation.services import agreement_totals, check_case_access

PDF_FONT = "cjk"


def _font_path() -> str:
    from pathlib import Path

    path = settings.MEDIATION_PDF_FONT
    if not path or not Path(path).is_file():
        raise ImproperlyConfigured(
            f"MEDIATION_PDF_FONT={path!r} is not a font file: install Debian's fonts-wqy-microhei "
            "(scripts/bootstrap.sh does) or point the setting at another CJK TrueType font"
        )
    return path


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def agreement_pdf(*, by, case: MediationCase) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the mediation agreement, for the parties to sign."""
    from fpdf import FPDF

    check_case_access(by, case)
    with scopes_disabled():
        agreement = getattr(case, "agreement", None) if hasattr(case, "agreement") else None
        if agreement is None or case.status not in (CaseStatus.AGREED, CaseStatus.CLOSED):
            raise ValidationError(_("该案件尚未达成调解协议。"))
        workers = list(case.workers.order_by("id"))
        items = list(agreement.items.select_related("claim").order_by("claim_id"))
        schedule = list(agreement.schedule.all())
        mediators = [a.mediator.name for a in case.assignments.select_related("mediator")]
        totals = agreement_totals(agreement)
        body, employer = case.body, case.employer

    pdf = FPDF(format="A4")
    pdf.set_title(f"{_('劳动争议调解协议书')} {case.number}")
    pdf.set_creator("Gonghui")
    index = getattr(settings, "MEDIATION_PDF_FONT_INDEX", 0)
    path = _font_path()
    if path.lower().endswith(".ttc"):
        pdf.add_font(PDF_FONT, "", path, collection_font_number=index)
    else:
        pdf.add_font(PDF_FONT, "", path)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font(PDF_FONT, size=18)
    pdf.cell(0, 12, _("劳动争议调解协议书"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(PDF_FONT, size=10)
    pdf.cell(0, 7, _("案件编号：%(n)s") % {"n": case.number}, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    def para(text, size=11, h=7):
        pdf.set_font(PDF_FONT, size=size)
        pdf.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT")

    para(_("调解组织：%(b)s") % {"b": body.name})
    para(_("申请人（职工，共%(n)s人）：") % {"n": len(workers)})
    para(
        "；".join(
            f"{w.name}（{_('身份证号')} {w.id_number_masked}）" if w.id_number_masked else w.name for w in workers
        ),
        size=10,
    )
    para(_("被申请人（用人单位）：%(e)s（统一社会信用代码 %(c)s）") % {"e": employer.name, "c": employer.uscc})
    para(_("争议事项：%(d)s") % {"d": case.description}, size=10)
    pdf.ln(2)
    para(_("经调解，双方自愿达成如下协议："))
    pdf.set_font(PDF_FONT, size=10)
    widths = (50, 40, 40, 40)
    for text, w in zip((_("请求事项"), _("请求金额（元）"), _("协议金额（元）"), _("说明")), widths, strict=True):
        pdf.cell(w, 8, text, border=1, align="C")
    pdf.ln()
    for item in items:
        pdf.cell(widths[0], 8, item.claim.get_type_display(), border=1)
        pdf.cell(widths[1], 8, _yuan(item.claim.amount), border=1, align="R")
        pdf.cell(widths[2], 8, _yuan(item.amount), border=1, align="R")
        pdf.cell(widths[3], 8, item.note[:18], border=1)
        pdf.ln()
    pdf.cell(widths[0], 8, _("合计"), border=1)
    pdf.cell(widths[1], 8, _yuan(sum((i.claim.amount for i in items), Decimal(0))), border=1, align="R")
    pdf.cell(widths[2], 8, _yuan(totals["agreed"]), border=1, align="R")
    pdf.cell(widths[3], 8, "", border=1)
    pdf.ln(10)
    if schedule:
        para(_("支付方式：被申请人按以下期限支付："))
        for i, row in enumerate(schedule, start=1):
            para(
                _("第%(n)s期：%(d)s前支付%(a)s元")
                % {"n": i, "d": row.due_on.strftime("%Y年%m月%d日"), "a": _yuan(row.amount)},
                size=10,
            )
    if agreement.terms:
        para(_("其他约定：%(t)s") % {"t": agreement.terms}, size=10)
    para(
        _("本协议自双方当事人签字（盖章）、调解员签名并加盖调解组织印章后生效，对双方具有约束力，当事人应当履行。"),
        size=10,
    )
    pdf.ln(8)
    para(_("申请人（签字）：____________________　　被申请人（盖章）：____________________"), size=10, h=10)
    para(_("调解员（签名）：%(m)s") % {"m": "、".join(mediators) or "____________"}, size=10, h=10)
    para(
        _("%(b)s（印章）　　%(d)s") % {"b": body.name, "d": agreement.signed_on.strftime("%Y年%m月%d日")},
        size=10,
        h=10,
    )
    data = bytes(pdf.output())
    audit_record(actor=by, action=AuditAction.EXPORT, obj=case, note=f"agreement pdf {len(data)} bytes")
    return f"{case.number}-调解协议书.pdf", data


def case_file_xlsx(*, by, case: MediationCase) -> tuple[str, bytes]:
    """The case file for the arbitration commission: parties (masked), claims, sessions
    with minutes, history. Only for a case where mediation failed (or is past day 15)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    check_case_access(by, case)
    if case.status not in (CaseStatus.NO_AGREEMENT, CaseStatus.CLOSED) and case.flagged_at is None:
        raise ValidationError(_("只有调解不成或调解期满的案件可以导出移送仲裁的案卷。"))
    with scopes_disabled():
        workers = list(case.workers.order_by("id"))
        claims = list(case.claims.order_by("id"))
        sessions = list(case.sessions.order_by("scheduled_at"))
        events = list(case.events.order_by("at", "id"))
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title, headers, rows, first=False):
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for i, _h in enumerate(headers):
            ws.column_dimensions[chr(ord("A") + i)].width = 22

    local = lambda t: timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else ""  # noqa: E731
    sheet(
        _("案件"),
        [_("项目"), _("内容")],
        [
            (_("案件编号"), case.number),
            (_("调解组织"), case.body.name),
            (_("用人单位"), case.employer.name),
            (_("统一社会信用代码"), case.employer.uscc),
            (_("案件来源"), case.get_source_display()),
            (_("申请日期"), case.applied_on),
            (_("调解期限"), case.effective_due),
            (_("状态"), case.get_status_display()),
            (_("争议事项"), case.description),
        ],
        first=True,
    )
    sheet(
        _("申请人"),
        [_("姓名"), _("身份证号"), _("手机号")],
        [(w.name, w.id_number_masked, w.phone_masked) for w in workers],
    )
    sheet(
        _("请求事项"),
        [_("请求类型"), _("请求金额（元）"), _("争议发生日期"), _("说明")],
        [(c.get_type_display(), c.amount, c.arose_on, c.note) for c in claims],
    )
    sheet(
        _("调解记录"),
        [_("调解时间"), _("方式"), _("地点"), _("到场"), _("调解笔录")],
        [
            (
                local(s.scheduled_at),
                s.get_mode_display(),
                s.location,
                "" if s.attended is None else ("是" if s.attended else "否"),
                s.minutes,
            )
            for s in sessions
        ],
    )
    sheet(
        _("办理记录"),
        [_("时间"), _("事项"), _("经办"), _("说明")],
        [(local(e.at), e.get_kind_display(), e.actor_name, e.note) for e in events],
    )
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    audit_record(actor=by, action=AuditAction.EXPORT, obj=case, note="arbitration case file")
    return f"{case.number}-移送仲裁案卷-{dt.date.today():%Y%m%d}.xlsx", data
