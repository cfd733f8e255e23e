"""Spreadsheets the platform hands out: exports of members and employers, import templates
and import error reports.

An export is built completely — into a temporary file — while the request's organisation
scope is active; the response only streams that file. (A lazy generator would query after
the view returned, outside any scope.) ID numbers and phones are masked unless a role that
may reveal them asks for plain values; every export is audited.
"""

import datetime as dt
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.imports import employers as employer_columns
from gonghui.imports import members as member_columns
from gonghui.imports.models import ImportJob, ImportKind
from gonghui.members.identity import normalise_id_number, normalise_phone
from gonghui.members.models import MemberStatus
from gonghui.members.selectors import member_search, search_kind
from gonghui.orgs.selectors import employer_list

EXPORT_MAX_ROWS = 200_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F4E1E4")
DATE_FORMAT = "yyyy-mm-dd"


def export_max_rows() -> int:
    return getattr(settings, "GONGHUI_EXPORT_MAX_ROWS", EXPORT_MAX_ROWS)


@dataclass
class Spreadsheet:
    filename: str
    file: object  # an open binary file positioned at 0
    rows: int


def _check(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _write_only(title, headers, widths):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    return book, sheet


def _date_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if value is not None:
        cell.number_format = DATE_FORMAT
    return cell


def _save(book) -> object:
    # Spooled: small exports stay in memory, large ones go to a temporary file. The
    # response closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out


def _too_many(count) -> ValidationError:
    return ValidationError(
        _("符合条件的记录有 %(n)s 条，超过单次导出上限 %(max)s 条，请缩小范围后分批导出。")
        % {"n": f"{count:,}", "max": f"{export_max_rows():,}"}
    )


def _masked_query(q: str) -> str:
    """The search as it goes into the audit log: an ID number or phone only masked."""
    kind = search_kind(q)
    if kind == "id_number":
        return pii.mask_id_number(normalise_id_number(q))
    if kind == "phone":
        return pii.mask_phone(normalise_phone(q)[-11:])
    return q


MEMBER_HEADERS = (
    "姓名",
    "身份证号码",
    "手机号码",
    "性别",
    "出生日期",
    "所属工会",
    "工作单位",
    "新就业形态",
    "平台类型",
    "会籍状态",
    "入会日期",
)


def member_export(*, by, q: str = "", status: str = "", unit=None, reveal: bool = False) -> Spreadsheet:
    """The members a search finds (``member_search``), as .xlsx."""
    _check(by, "members.export")
    if reveal:
        _check(by, "members.reveal")
    if status and status not in MemberStatus.values:
        raise ValidationError({"status": _("未知的会籍状态。")})
    members = member_search(q=q, status=status or None, unit=unit)
    count = members.count()
    if count > export_max_rows():
        raise _too_many(count)
    book, sheet = _write_only(_("会员"), MEMBER_HEADERS, (10, 21, 14, 6, 12, 28, 28, 11, 11, 10, 12))
    yes, no = _("是"), _("否")
    rows = 0
    for m in members.iterator(chunk_size=2000):
        if reveal:
            id_number = pii.decrypt(m.id_number_cipher)
            phone = pii.decrypt(m.phone_cipher) if m.phone_cipher else ""
        else:
            id_number, phone = m.id_number_masked, m.phone_masked
        sheet.append(
            [
                m.name,
                id_number,
                phone,
                m.get_sex_display(),
                _date_cell(sheet, m.birth_date),
                m.unit.name,
                m.employer.name if m.employer_id else "",
                yes if m.is_new_form_worker else no,
                m.get_platform_display() if m.platform else "",
                m.get_status_display(),
                _date_cell(sheet, m.joined_on),
            ]
        )
        rows += 1
    out = _save(book)
    filters = {"q": _masked_query(q), "status": status, "unit": unit.pk if unit is not None else None}
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        scope_path=unit.path if unit is not None else None,
        object_type="members.member",
        object_repr=_("会员导出"),
        changes={"filters": filters, "rows": rows, "revealed": bool(reveal)},
        note=_("导出会员 %(n)d 人，%(how)s；条件：%(filters)s")
        % {
            "n": rows,
            "how": _("含明文身份证号码和手机号码") if reveal else _("已脱敏"),
            "filters": ", ".join(f"{k}={v}" for k, v in filters.items() if v) or _("无"),
        },
    )
    suffix = _("明文") if reveal else _("脱敏")
    return Spreadsheet(f"{_('会员')}-{suffix}-{_stamp()}.xlsx", out, rows)


def employer_export(*, by, q=None, industry=None, ownership=None, has_own_union=None, unit=None) -> Spreadsheet:
    """Employers in scope as .xlsx, in the columns the employer import reads back."""
    _check(by, "members.export")
    employers = employer_list(q=q, industry=industry, ownership=ownership, has_own_union=has_own_union, unit=unit)
    count = employers.count()
    if count > export_max_rows():
        raise _too_many(count)
    headers = [c.label for c in employer_columns.COLUMNS]
    book, sheet = _write_only(_("用人单位"), headers, (30, 21, 24, 10, 8, 10, 30, 20, 28, 9, 10, 14))
    yes, no = _("是"), _("否")
    rows = 0
    for e in employers.iterator(chunk_size=2000):
        sheet.append(
            [
                e.name,
                e.uscc,
                e.get_industry_display(),
                e.get_ownership_display(),
                e.get_size_display(),
                e.headcount,
                e.address,
                e.district.name,
                e.unit.name,
                yes if e.has_own_union else no,
                e.contact_name,
                e.contact_phone,
            ]
        )
        rows += 1
    out = _save(book)
    filters = {"q": q, "industry": industry, "ownership": ownership, "has_own_union": has_own_union}
    filters["unit"] = unit.pk if unit is not None else None
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        scope_path=unit.path if unit is not None else None,
        object_type="orgs.employer",
        object_repr=_("用人单位导出"),
        changes={"filters": filters, "rows": rows},
        note=_("导出用人单位 %(n)d 家；条件：%(filters)s")
        % {"n": rows, "filters": ", ".join(f"{k}={v}" for k, v in filters.items() if v not in (None, "")) or _("无")},
    )
    return Spreadsheet(f"{_('用人单位')}-{_stamp()}.xlsx", out, rows)


# --- Templates and error reports (no personal data: not audited) ------------------------

TEMPLATE_COLUMNS = {ImportKind.MEMBERS: member_columns, ImportKind.EMPLOYERS: employer_columns}


def import_template(*, by, kind: str) -> Spreadsheet:
    """An .xlsx with the header row, one example row and a sheet explaining the columns.
    Code columns are formatted as text so Excel keeps all 18 characters."""
    module = TEMPLATE_COLUMNS[kind]
    columns = module.COLUMNS
    book = Workbook()
    sheet = book.active
    sheet.title = _("导入数据")
    sheet.append([c.label for c in columns])
    example = [c.example if c.field != "unit" else (by.unit.name if by.unit_id else "") for c in columns]
    sheet.append(example)
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, len(column.label) * 2 + 4, len(str(column.example)) + 4)
        header = sheet.cell(row=1, column=i)
        header.font, header.fill = HEADER_FONT, HEADER_FILL
        if column.field in ("id_number", "phone", "uscc", "contact_phone"):
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=i).number_format = "@"
        if column.field == "joined_on":
            sheet.cell(row=2, column=i).value = dt.date.fromisoformat(column.example)
            sheet.cell(row=2, column=i).number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("说明"), _("也可写作")])
    for cell in notes[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for column in columns:
        notes.append(
            [
                column.label,
                _("必填") if column.required else _("选填"),
                str(column.help),
                "、".join(column.synonyms),
            ]
        )
    notes.append([])
    notes.append([_("第一行为列名，从第二行起每行一条记录；示例行请删除后再填写。")])
    for letter, width in zip("ABCD", (18, 10, 36, 40), strict=True):
        notes.column_dimensions[letter].width = width
    label = _("会员") if kind == ImportKind.MEMBERS else _("用人单位")
    return Spreadsheet(f"{label}{_('导入模板')}.xlsx", _save(book), 1)


def error_report(job: ImportJob) -> Spreadsheet:
    book, sheet = _write_only(_("错误明细"), (_("行号"), _("列"), _("问题")), (8, 20, 80))
    for entry in job.errors:
        sheet.append([entry.get("row"), entry.get("column"), entry.get("reason")])
    if job.errors_truncated:
        sheet.append([None, None, _("错误较多，仅列出前 %(n)d 条。") % {"n": len(job.errors)}])
    return Spreadsheet(f"{_('错误明细')}-{job.pk}.xlsx", _save(book), len(job.errors))
