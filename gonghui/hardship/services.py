"""Writes for hardship help: thresholds, files (filing, district approval, yearly review,
exit), assistance applications and batch payments from the warmth fund.

Every function checks who acts and the current state, runs in one database transaction
with the rows it depends on locked, writes a history row and an audit row. Money moves
only through ``gonghui.fund.services.transaction_post``, with an idempotency key derived
from the application, so a household is never paid twice for the same decision.
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.audit import audit_record, diff, snapshot
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.fund import services as fund
from gonghui.hardship.categories import compute_category
from gonghui.hardship.models import (
    APPLICATION_PIPELINE,
    COMMITTED,
    EDITABLE,
    FILE_PIPELINE,
    IN_HARDSHIP,
    AmountRule,
    ApplicationStatus,
    AssistanceApplication,
    BatchLine,
    BatchStatus,
    FileAttachment,
    FileEvent,
    FileStatus,
    HardshipCategory,
    HardshipCause,
    HardshipFile,
    HardshipThreshold,
    HouseholdMember,
    PaymentBatch,
    PersonStatus,
    Programme,
    ProgrammeKind,
    Relation,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Unit, UnitKind

MAX_HOUSEHOLD = 12
REVIEW_REMINDER_DAYS = 30
FILE_FIELDS = (
    "status",
    "member_income",
    "monthly_income",
    "household_size",
    "medical_expense",
    "education_expense",
    "causes",
    "category",
    "category_reason",
    "review_due_on",
    "exit_reason",
)


class DuplicateFile(ValidationError):
    """The household already has an open file."""


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def district_of(unit: Unit) -> Unit:
    """The district union a unit belongs to (itself when it is one)."""
    if unit.kind == UnitKind.DISTRICT_UNION:
        return unit
    with scopes_disabled():
        district = (
            Unit.objects.filter(path__in=unit.ancestor_paths(), kind=UnitKind.DISTRICT_UNION).order_by("-depth").first()
        )
    if district is None:
        raise ValidationError(_("“%(u)s”不在任何区总工会之下，不能办理困难职工建档。") % {"u": unit.name})
    return district


def _check_district_level(by, unit: Unit):
    """Approval is the district's (or the city's) decision over its own subtree, never a
    station's."""
    if (
        by.unit is None
        or by.unit.kind not in (UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION)
        or not unit.path.startswith(by.unit.path)
    ):
        raise PermissionDenied(_("只有区总工会（或市总工会）可以审批。"))


def _money(value, field: str) -> Decimal:
    try:
        amount = fund.money(value if value not in (None, "") else "0")
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None
    if amount < 0:
        raise ValidationError({field: _("金额不能为负数。")})
    return amount


# --- Thresholds ------------------------------------------------------------------------------


def threshold_set(*, by, district: Unit, year: int, min_living, relative_multiplier) -> HardshipThreshold:
    """Create or change a district's standards for a year (staff maintain them yearly)."""
    check_permission(by, "hardship.approve")
    if district.kind != UnitKind.DISTRICT_UNION or not path_in_scope(district.path):
        raise ValidationError({"district": _("请选择本单位范围内的区总工会。")})
    _check_district_level(by, district)
    min_living = _money(min_living, "min_living")
    if min_living <= 0:
        raise ValidationError({"min_living": _("最低生活保障标准必须大于零。")})
    try:
        multiplier = Decimal(str(relative_multiplier))
    except Exception:  # noqa: BLE001 - any unparsable input
        raise ValidationError({"relative_multiplier": _("请填写有效的倍数。")}) from None
    if not multiplier.is_finite() or multiplier < 1 or multiplier > 10:
        raise ValidationError({"relative_multiplier": _("相对困难倍数应在1到10之间。")})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("年度无效。")})
    with transaction.atomic():
        threshold = HardshipThreshold.objects.select_for_update().filter(district=district, year=year).first()
        before = snapshot(threshold, ("min_living", "relative_multiplier")) if threshold else {}
        if threshold is None:
            threshold = HardshipThreshold(district=district, year=year)
        threshold.min_living, threshold.relative_multiplier, threshold.updated_by = min_living, multiplier, by
        threshold.save()
        audit_record(
            actor=by,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            obj=threshold,
            changes=diff(before, snapshot(threshold, ("min_living", "relative_multiplier"))),
        )
    return threshold


def threshold_for(district: Unit, year: int) -> HardshipThreshold:
    with scopes_disabled():
        threshold = HardshipThreshold.objects.filter(district=district, year=year).first()
    if threshold is None:
        raise ValidationError(
            _("%(d)s尚未设置%(y)s年困难认定标准，请先在“认定标准”中设置。") % {"d": district.name, "y": year},
            code="threshold_missing",
        )
    return threshold


def categorise(file: HardshipFile, *, year: int | None = None):
    """Compute and set the file's category and reason against its district's standards."""
    year = year or timezone.localdate().year
    threshold = threshold_for(file.district, year)
    result = compute_category(
        monthly_income=file.monthly_income,
        household_size=file.household_size,
        rigid_expenses=file.rigid_expense,
        causes=file.causes,
        min_living=threshold.min_living,
        relative_multiplier=threshold.relative_multiplier,
        district_name=file.district.name,
        year=year,
    )
    file.category, file.category_reason, file.threshold = result.category, result.reason, threshold
    return result


# --- Files -------------------------------------------------------------------------------------


def _clean_household(rows, *, file: HardshipFile | None = None) -> list[dict]:
    """``rows``: dicts with name, relation, status, monthly_income, id_number (optional).
    When a file is edited, a row may name the household member it was (``existing``): left
    blank, its ID number stays as stored (the form never shows it in full)."""
    from gonghui.members.identity import parse_id_number

    clean = []
    for i, row in enumerate(rows or [], start=1):
        name = (row.get("name") or "").strip()
        if not name:
            continue
        if row.get("relation") not in Relation.values:
            raise ValidationError(_("第%(i)s位家庭成员的关系无效。") % {"i": i})
        if row.get("status") not in PersonStatus.values:
            raise ValidationError(_("第%(i)s位家庭成员的状况无效。") % {"i": i})
        try:
            income = fund.money(row.get("monthly_income") or "0")
        except ValidationError:
            raise ValidationError(_("第%(i)s位家庭成员的月收入不是有效的金额。") % {"i": i}) from None
        if income < 0:
            raise ValidationError(
                _("第%(i)s位家庭成员（%(n)s）的月收入不能为负数。") % {"i": i, "n": name}, code="negative_income"
            )
        id_number = (row.get("id_number") or "").strip().upper()
        if not id_number and file is not None and row.get("existing"):
            with scopes_disabled():
                kept = HouseholdMember.objects.filter(file=file, pk=row["existing"]).first()
            if kept is not None and kept.id_number_cipher:
                id_number = pii.decrypt(bytes(kept.id_number_cipher))
        if id_number:
            try:
                id_number = parse_id_number(id_number).value
            except ValidationError as e:
                raise ValidationError(
                    _("第%(i)s位家庭成员的身份证号码有误：%(e)s") % {"i": i, "e": " ".join(e.messages)}
                ) from None
        clean.append(
            {"name": name[:40], "relation": row["relation"], "status": row["status"], "income": income, "id": id_number}
        )
    if len(clean) + 1 > MAX_HOUSEHOLD:
        raise ValidationError(_("家庭成员过多。"))
    ids = [r["id"] for r in clean if r["id"]]
    if len(ids) != len(set(ids)):
        raise ValidationError(_("家庭成员中有重复的身份证号码。"))
    return clean


def _check_no_other_open_file(member: Member, household: list[dict], exclude_pk=None):
    """One open file per household: not for the member, and no household member (by ID
    number) in another open file, as the holder or as a household member."""
    from gonghui.members.services import id_number_hash

    with scopes_disabled():
        open_files = HardshipFile.objects.exclude(status=FileStatus.EXITED).exclude(pk=exclude_pk)
        if open_files.filter(member=member).exists():
            raise DuplicateFile(
                _("%(n)s已有一份未退出的困难职工档案，同一家庭只能有一份在档档案。") % {"n": member.name},
                code="duplicate_file",
            )
        hashes = [id_number_hash(r["id"]) for r in household if r["id"]]
        member_hash = bytes(member.id_number_hash)
        if member_hash in hashes:
            raise ValidationError(_("会员本人不应再列为家庭成员。"))
        if hashes:
            clash = (
                open_files.filter(member__id_number_hash__in=hashes).exists()
                or HouseholdMember.objects.filter(id_number_hash__in=hashes, file__in=open_files).exists()
            )
            if clash:
                raise DuplicateFile(
                    _("有家庭成员已在另一份未退出的困难职工档案中，同一家庭只能有一份在档档案。"), code="duplicate_file"
                )
        if HouseholdMember.objects.filter(id_number_hash=member_hash, file__in=open_files).exists():
            raise DuplicateFile(
                _("%(n)s已作为家庭成员列入另一份未退出的困难职工档案。") % {"n": member.name}, code="duplicate_file"
            )


def _write_household(file: HardshipFile, household: list[dict]):
    from gonghui.members.services import id_number_hash

    with scopes_disabled():
        HouseholdMember.objects.filter(file=file).delete()
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(
                    file=file,
                    name=r["name"],
                    relation=r["relation"],
                    status=r["status"],
                    monthly_income=r["income"],
                    id_number_cipher=pii.encrypt(r["id"]) if r["id"] else None,
                    id_number_hash=id_number_hash(r["id"]) if r["id"] else None,
                    id_number_masked=pii.mask_id_number(r["id"]) if r["id"] else "",
                )
                for r in household
            ]
        )


def _set_figures(file, *, member_income, medical_expense, education_expense, causes, situation, household):
    file.member_income = _money(member_income, "member_income")
    file.medical_expense = _money(medical_expense, "medical_expense")
    file.education_expense = _money(education_expense, "education_expense")
    unknown = set(causes or ()) - set(HardshipCause.values)
    if unknown:
        raise ValidationError({"causes": _("未知的致困原因。")})
    file.causes = [c for c in HardshipCause.values if c in set(causes or ())]
    file.situation = (situation or "").strip()[:2000]
    file.household_size = len(household) + 1
    file.monthly_income = file.member_income + sum((r["income"] for r in household), Decimal("0"))


def _event(file, from_status, to_status, by, note=""):
    FileEvent.objects.create(file=file, from_status=from_status, to_status=to_status, by=by, note=note[:500])


def file_create(
    *,
    by,
    member: Member,
    unit: Unit,
    member_income,
    medical_expense=0,
    education_expense=0,
    causes=(),
    situation: str = "",
    household=(),
    from_handoff=None,
) -> HardshipFile:
    """A station files a household (draft). The category is computed at once so the
    station sees where the household stands."""
    check_permission(by, "hardship.file")
    if not path_in_scope(unit.path) or not path_in_scope(member.unit.path):
        raise PermissionDenied(_("只能为本单位及下级的会员建档。"))
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("只有在会会员可以建立困难职工档案。"))
    clean = _clean_household(household)
    file = HardshipFile(member=member, unit=unit, district=district_of(unit), filed_by=by)
    _set_figures(
        file,
        member_income=member_income,
        medical_expense=medical_expense,
        education_expense=education_expense,
        causes=causes,
        situation=situation,
        household=clean,
    )
    if not file.causes:
        raise ValidationError({"causes": _("请至少选择一项致困原因。")})
    try:
        with transaction.atomic():
            # Serialise filings for the member: the partial unique index is the last line.
            Member.objects.select_for_update(of=("self",)).filter(pk=member.pk).first()
            _check_no_other_open_file(member, clean)
            categorise(file)
            file.save()
            _write_household(file, clean)
            _event(file, "", FileStatus.DRAFT, by, _("建档"))
            if from_handoff is not None:
                handoff_take(by=by, handoff=from_handoff, target_ref=file.number)
                file.from_handoff = from_handoff
                file.save(update_fields=["from_handoff"])
            audit_record(actor=by, action=AuditAction.CREATE, obj=file, changes=diff({}, snapshot(file, FILE_FIELDS)))
    except IntegrityError:
        raise DuplicateFile(
            _("%(n)s已有一份未退出的困难职工档案，同一家庭只能有一份在档档案。") % {"n": member.name},
            code="duplicate_file",
        ) from None
    return file


def _lock_file(file) -> HardshipFile:
    with scopes_disabled():
        return (
            HardshipFile.objects.select_for_update(of=("self",))
            .select_related("member", "unit", "district")
            .get(pk=file.pk)
        )


def _move(locked, to, by, note=""):
    if to not in FILE_PIPELINE[locked.status]:
        raise ValidationError(
            _("档案当前为“%(s)s”，不能改为“%(t)s”。") % {"s": locked.get_status_display(), "t": FileStatus(to).label},
            code="bad_transition",
        )
    before = locked.status
    locked.status = to
    _event(locked, before, to, by, note)
    return before


def file_update(*, by, file: HardshipFile, household=(), **figures) -> HardshipFile:
    """Correct the figures of a draft, returned or under-review file; recomputes the category."""
    check_permission(by, "hardship.file")
    clean = _clean_household(household, file=file)
    with transaction.atomic():
        locked = _lock_file(file)
        if locked.status not in EDITABLE:
            raise ValidationError(_("档案当前为“%(s)s”，不能修改。") % {"s": locked.get_status_display()})
        before = snapshot(locked, FILE_FIELDS)
        _set_figures(locked, household=clean, **figures)
        _check_no_other_open_file(locked.member, clean, exclude_pk=locked.pk)
        categorise(locked)
        locked.save()
        _write_household(locked, clean)
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, FILE_FIELDS))
        )
    return locked


def file_submit(*, by, file: HardshipFile) -> HardshipFile:
    check_permission(by, "hardship.file")
    with transaction.atomic():
        locked = _lock_file(file)
        before = snapshot(locked, FILE_FIELDS)
        _move(locked, FileStatus.SUBMITTED, by, _("提交区总工会审核"))
        categorise(locked)
        locked.save()
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, FILE_FIELDS))
        )
    return locked


def _set_member_hardship(*, by, member: Member, value: bool, note: str):
    """Keep the member's 困难职工 marker (which benefits use) in step with the file: a
    locked update with its audit row, without the members.manage permission."""
    locked = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
    if locked.in_hardship == value:
        return
    locked.in_hardship = value
    locked.save(update_fields=["in_hardship", "updated_at"])
    audit_record(
        actor=by, action=AuditAction.UPDATE, obj=locked, changes={"in_hardship": [not value, value]}, note=note
    )


def file_approve(*, by, file: HardshipFile, note: str = "") -> HardshipFile:
    """The district approves: never the person who filed it. The category is computed
    again against the standards in force; a household that meets none is not approved."""
    check_permission(by, "hardship.approve")
    with transaction.atomic():
        locked = _lock_file(file)
        _check_district_level(by, locked.district)
        if locked.filed_by_id == by.pk:
            raise ValidationError(
                _("建档人不能审批自己建立的档案，请由区总工会其他工作人员审批。"), code="approver_is_filer"
            )
        before = snapshot(locked, FILE_FIELDS)
        categorise(locked)
        if locked.category == HardshipCategory.NONE:
            raise ValidationError(
                _("不符合困难职工认定标准，不能批准：%(r)s") % {"r": locked.category_reason}, code="not_eligible"
            )
        _move(locked, FileStatus.APPROVED, by, note or _("审核通过：%(c)s") % {"c": locked.get_category_display()})
        today = timezone.localdate()
        locked.approved_by, locked.approved_at = by, timezone.now()
        locked.review_due_on = _one_year_after(today)
        locked.review_reminded_on = None
        locked.save()
        with scopes_disabled():
            _set_member_hardship(by=by, member=locked.member, value=True, note=locked.number)
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, FILE_FIELDS))
        )
    return locked


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def hardship_review_remind(*, today: dt.date | None = None) -> dict:
    """Run by the scheduler every morning. An approved file whose yearly review (年度复核)
    falls due within REVIEW_REMINDER_DAYS gets a reminder in its history, once; if the due
    date then passes with the review not started, a second one says it is overdue. The
    station sees them in the file and in the list of reviews due. Idempotent."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=REVIEW_REMINDER_DAYS)
    counts = {"reminded": 0, "overdue": 0}
    with scopes_disabled():
        candidates = list(
            HardshipFile.objects.filter(status=FileStatus.APPROVED, review_due_on__lte=horizon)
            .filter(
                Q(review_reminded_on__isnull=True)
                | Q(review_reminded_on__lt=F("review_due_on"), review_due_on__lt=today)
            )
            .values_list("pk", flat=True)
        )
        for pk in candidates:
            with transaction.atomic():
                file = HardshipFile.objects.select_for_update().filter(pk=pk, status=FileStatus.APPROVED).first()
                if file is None or file.review_due_on is None or file.review_due_on > horizon:
                    continue
                overdue = file.review_due_on < today
                if file.review_reminded_on is not None and not (
                    overdue and file.review_reminded_on < file.review_due_on
                ):
                    continue
                if overdue:
                    note = _("年度复核已于%(d)s到期，请尽快开始复核。") % {"d": file.review_due_on}
                else:
                    note = _("年度复核将于%(d)s到期，请在到期前完成复核。") % {"d": file.review_due_on}
                _event(file, file.status, file.status, None, note)
                file.review_reminded_on = today
                file.save(update_fields=["review_reminded_on", "updated_at"])
                counts["overdue" if overdue else "reminded"] += 1
    return counts


def file_return(*, by, file: HardshipFile, reason: str) -> HardshipFile:
    check_permission(by, "hardship.approve")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写退回原因。"))
    with transaction.atomic():
        locked = _lock_file(file)
        _check_district_level(by, locked.district)
        before = snapshot(locked, FILE_FIELDS)
        _move(locked, FileStatus.RETURNED, by, reason)
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes=diff(before, snapshot(locked, FILE_FIELDS)),
            note=reason,
        )
    return locked


def file_review_start(*, by, file: HardshipFile) -> HardshipFile:
    """The yearly review (年度复核): the station updates the figures and submits again."""
    check_permission(by, "hardship.file")
    with transaction.atomic():
        locked = _lock_file(file)
        before = snapshot(locked, FILE_FIELDS)
        _move(locked, FileStatus.UNDER_REVIEW, by, _("开始年度复核"))
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, FILE_FIELDS))
        )
    return locked


def file_exit(*, by, file: HardshipFile, reason: str) -> HardshipFile:
    """Exit from hardship (脱困) with a reason; the member's marker is cleared and a
    hand-off this file took is done."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写退出原因。"), code="reason_missing")
    with transaction.atomic():
        locked = _lock_file(file)
        check_permission(by, "hardship.file" if locked.status == FileStatus.DRAFT else "hardship.approve")
        if locked.status != FileStatus.DRAFT:
            _check_district_level(by, locked.district)
        before = snapshot(locked, FILE_FIELDS)
        _move(locked, FileStatus.EXITED, by, reason)
        locked.exit_reason, locked.exited_at = reason[:500], timezone.now()
        locked.save()
        with scopes_disabled():
            _set_member_hardship(by=by, member=locked.member, value=False, note=reason)
        if locked.from_handoff_id:
            handoff_done(handoff=locked.from_handoff)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes=diff(before, snapshot(locked, FILE_FIELDS)),
            note=reason,
        )
    return locked


def file_attach(*, by, file: HardshipFile, upload) -> FileAttachment:
    """Add evidence; the file must be a photo or PDF by its content (core.uploads)."""
    from gonghui.core.uploads import check_attachment, stored_name

    check_permission(by, "hardship.file")
    kind, content = check_attachment(upload)
    with transaction.atomic():
        locked = _lock_file(file)
        if locked.status == FileStatus.EXITED:
            raise ValidationError(_("已退出的档案不能再上传材料。"))
        attachment = FileAttachment(
            file=locked,
            original_name=(getattr(upload, "name", "") or "file")[-200:],
            content_type=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=by,
        )
        attachment.stored.save(stored_name(locked.number, kind), ContentFile(content), save=False)
        attachment.save()
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=locked,
            changes={"attachment": [None, attachment.original_name]},
            note=attachment.sha256,
        )
    return attachment


# --- Hand-offs from appeals --------------------------------------------------------------------


def handoff_take(*, by, handoff, target_ref: str):
    """Take an appeal's hand-off to hardship help: record our file or application on it."""
    from gonghui.appeals.models import AppealHandoff, HandoffKind, HandoffStatus

    with scopes_disabled():
        locked = AppealHandoff.objects.select_for_update(of=("self",)).select_related("unit").get(pk=handoff.pk)
    if locked.kind != HandoffKind.HARDSHIP:
        raise ValidationError(_("该转办不是困难帮扶。"))
    if locked.status != HandoffStatus.REQUESTED:
        raise ValidationError(_("该转办已被受理（%(r)s）。") % {"r": locked.target_ref or "—"})
    if not path_in_scope(locked.unit.path):
        raise ValidationError(_("该转办不是转给您单位的。"))
    locked.target_ref, locked.status = target_ref[:40], HandoffStatus.TAKEN
    locked.save(update_fields=["target_ref", "status", "updated_at"])
    audit_record(
        actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["requested", "taken"]}, note=target_ref
    )
    return locked


def handoff_done(*, handoff):
    from gonghui.appeals.models import AppealHandoff, HandoffStatus

    with scopes_disabled():
        AppealHandoff.objects.filter(pk=handoff.pk, status=HandoffStatus.TAKEN).update(status=HandoffStatus.DONE)


# --- Programmes ----------------------------------------------------------------------------------


def programme_create(
    *,
    by,
    name,
    kind,
    unit,
    year,
    eligible_categories,
    amount,
    yearly_cap,
    account,
    amount_rule=AmountRule.PER_HOUSEHOLD,
) -> Programme:
    check_permission(by, "hardship.approve")
    fund.check_fund_manager(by)
    if kind not in ProgrammeKind.values:
        raise ValidationError({"kind": _("未知的项目类型。")})
    if amount_rule not in AmountRule.values:
        raise ValidationError({"amount_rule": _("未知的金额规则。")})
    categories = [c for c in eligible_categories or () if c in HardshipCategory.values and c != HardshipCategory.NONE]
    if not categories:
        raise ValidationError({"eligible_categories": _("请至少选择一个适用的困难类别。")})
    if not path_in_scope(unit.path) or not path_in_scope(account.unit.path):
        raise ValidationError({"unit": _("只能使用本单位及下级的单位和科目。")})
    amount, cap = _money(amount, "amount"), _money(yearly_cap, "yearly_cap")
    if amount <= 0:
        raise ValidationError({"amount": _("标准金额必须大于零。")})
    if cap < amount:
        raise ValidationError({"yearly_cap": _("每户年度上限不能低于标准金额。")})
    if (name or "").strip() == "":
        raise ValidationError({"name": _("请填写项目名称。")})
    with transaction.atomic():
        programme = Programme.objects.create(
            name=name.strip()[:80],
            kind=kind,
            unit=unit,
            year=int(year),
            eligible_categories=categories,
            amount_rule=amount_rule,
            amount=amount,
            yearly_cap=cap,
            account=account,
            created_by=by,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=programme,
            changes={"amount": [None, amount], "yearly_cap": [None, cap], "account": [None, account.code]},
        )
    return programme


def standard_amount(programme: Programme, file: HardshipFile) -> Decimal:
    if programme.amount_rule == AmountRule.PER_PERSON:
        return programme.amount * file.household_size
    return programme.amount


def _committed(file_id: int, programme_id: int, exclude_pk=None) -> Decimal:
    with scopes_disabled():
        qs = AssistanceApplication.objects.filter(file_id=file_id, programme_id=programme_id, status__in=COMMITTED)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        return qs.aggregate(s=Sum("amount"))["s"] or Decimal("0")


def _check_cap(file_id: int, programme: Programme, amount: Decimal, exclude_pk=None):
    already = _committed(file_id, programme.pk, exclude_pk)
    if already + amount > programme.yearly_cap:
        raise ValidationError(
            _("超过“%(p)s”每户年度上限%(cap)s元：该户本年度已批准%(a)s元，本次%(n)s元。")
            % {"p": programme.name, "cap": programme.yearly_cap, "a": already, "n": amount},
            code="over_cap",
        )


def _check_eligible(file: HardshipFile, programme: Programme):
    if file.status not in IN_HARDSHIP:
        raise ValidationError(
            _("只有已建档的困难职工可以申请帮扶（档案当前为“%(s)s”）。") % {"s": file.get_status_display()}
        )
    if file.category not in programme.eligible_categories:
        raise ValidationError(
            _("“%(p)s”只适用于%(c)s，该户为%(f)s。")
            % {"p": programme.name, "c": "、".join(programme.category_labels()), "f": file.get_category_display()},
            code="not_eligible",
        )
    if not programme.is_active:
        raise ValidationError(_("该帮扶项目已停用。"))


# --- Applications ------------------------------------------------------------------------------


def application_create(*, by, file: HardshipFile, programme: Programme, amount=None, reason="", from_handoff=None):
    check_permission(by, "hardship.file")
    with transaction.atomic():
        locked = _lock_file(file)
        _check_eligible(locked, programme)
        amount = _money(amount, "amount") if amount not in (None, "") else standard_amount(programme, locked)
        if amount <= 0:
            raise ValidationError({"amount": _("金额必须大于零。")})
        _check_cap(locked.pk, programme, amount)
        application = AssistanceApplication.objects.create(
            file=locked, programme=programme, amount=amount, reason=(reason or "")[:500], created_by=by
        )
        if from_handoff is not None:
            handoff_take(by=by, handoff=from_handoff, target_ref=f"HA{application.pk:06d}")
            application.from_handoff = from_handoff
            application.save(update_fields=["from_handoff"])
        audit_record(actor=by, action=AuditAction.CREATE, obj=application, changes={"amount": [None, amount]})
    return application


def lock_application(pk) -> AssistanceApplication:
    """Serialise decisions and payments of one application (the race test switches it off)."""
    with scopes_disabled():
        return (
            AssistanceApplication.objects.select_for_update(of=("self",))
            .select_related("file__district", "file__unit", "file__member", "programme__account")
            .get(pk=pk)
        )


def _decide(locked, to, by, note=""):
    if to not in APPLICATION_PIPELINE[locked.status]:
        raise ValidationError(
            _("申请当前为“%(s)s”，不能改为“%(t)s”。")
            % {"s": locked.get_status_display(), "t": ApplicationStatus(to).label},
            code="bad_transition",
        )
    before = locked.status
    locked.status = to
    if note:
        locked.decision_note = note[:500]
    return before


def application_station_review(*, by, application: AssistanceApplication, approve: bool = True, note: str = ""):
    check_permission(by, "hardship.file")
    with transaction.atomic():
        locked = lock_application(application.pk)
        to = ApplicationStatus.STATION_REVIEWED if approve else ApplicationStatus.REJECTED
        before = _decide(locked, to, by, note)
        locked.station_reviewed_by = by
        locked.save(update_fields=["status", "station_reviewed_by", "decision_note"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, to]}, note=note)
    return locked


def application_approve(*, by, application: AssistanceApplication, approve: bool = True, note: str = ""):
    """The district approves (never the one who applied); the cap is checked under the
    file's lock, so two applications of one household cannot both pass it."""
    check_permission(by, "hardship.approve")
    with transaction.atomic():
        locked = lock_application(application.pk)
        _check_district_level(by, locked.file.district)
        if approve and locked.created_by_id == by.pk:
            raise ValidationError(_("申请经办人不能审批自己经办的申请。"), code="approver_is_filer")
        to = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
        before = _decide(locked, to, by, note)
        if approve:
            file = _lock_file(locked.file)
            _check_eligible(file, locked.programme)
            _check_cap(file.pk, locked.programme, locked.amount, exclude_pk=locked.pk)
        locked.approved_by = by
        locked.save(update_fields=["status", "approved_by", "decision_note"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, to]}, note=note)
    return locked


def payment_key(application: AssistanceApplication) -> str:
    """The ledger's idempotency key for paying this application (one payment, ever)."""
    return f"hardship-application-{application.pk}"


def application_pay(*, by, application: AssistanceApplication):
    """Pay an approved application from the programme's account. Paying it again — a
    retry, a double click, a second approver at the same moment — changes nothing and
    returns the first payment's transaction."""
    check_permission(by, "hardship.approve")
    with transaction.atomic():
        locked = lock_application(application.pk)
        _check_district_level(by, locked.file.district)
        if locked.status == ApplicationStatus.PAID:
            with scopes_disabled():
                return fund.Transaction.objects.get(pk=locked.transaction_id)
        if locked.status != ApplicationStatus.APPROVED:
            raise ValidationError(
                _("只有已批准的申请可以支付（当前为“%(s)s”）。") % {"s": locked.get_status_display()},
                code="bad_transition",
            )
        return _pay(by=by, locked=locked)


def _pay(*, by, locked: AssistanceApplication):
    programme = locked.programme
    _check_cap(locked.file_id, programme, locked.amount, exclude_pk=locked.pk)
    txn = fund.transaction_post(
        by=by,
        entries=[(programme.account, -locked.amount), (fund.payout_account_for(programme.unit), locked.amount)],
        memo=_("%(p)s：%(n)s（%(f)s）") % {"p": programme.name, "n": locked.file.member.name, "f": locked.file.number},
        ref=("hardship.application", str(locked.pk)),
        idempotency_key=payment_key(locked),
        unit=locked.file.district,
    )
    with scopes_disabled():
        already = AssistanceApplication.objects.filter(transaction=txn).exclude(pk=locked.pk).exists()
    if already:  # pragma: no cover - the key is the application's own
        raise ValidationError(_("支付凭证已被其他申请使用。"))
    locked.status, locked.transaction, locked.paid_at = ApplicationStatus.PAID, txn, timezone.now()
    locked.save(update_fields=["status", "transaction", "paid_at"])
    audit_record(
        actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["approved", "paid"]}, note=f"txn {txn.pk}"
    )
    return txn


# --- Batches -------------------------------------------------------------------------------------


def batch_compute(*, by, programme: Programme, title: str) -> PaymentBatch:
    """Every household in hardship under the programme's unit whose category the
    programme covers, each at the programme's amount; households the amount would take
    over the yearly cap are left out and named in the note."""
    check_permission(by, "hardship.approve")
    title = (title or "").strip() or programme.name
    if not programme.is_active:
        raise ValidationError(_("该帮扶项目已停用。"))
    with transaction.atomic():
        with scopes_disabled():
            files = list(
                HardshipFile.objects.filter(
                    unit__path__startswith=programme.unit.path,
                    status__in=IN_HARDSHIP,
                    category__in=programme.eligible_categories,
                )
                .select_related("member")
                .order_by("pk")
            )
        batch = PaymentBatch.objects.create(programme=programme, title=title[:80], created_by=by)
        lines, skipped = [], []
        for file in files:
            amount = standard_amount(programme, file)
            if _committed(file.pk, programme.pk) + amount > programme.yearly_cap:
                skipped.append(f"{file.member.name}（{file.number}）")
                continue
            lines.append(BatchLine(batch=batch, file=file, amount=amount))
        BatchLine.objects.bulk_create(lines)
        batch.households = len(lines)
        batch.total = sum((line.amount for line in lines), Decimal("0"))
        if skipped:
            batch.skipped_note = (_("超过年度上限未纳入：") + "、".join(skipped))[:1000]
        batch.save(update_fields=["households", "total", "skipped_note"])
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=batch,
            changes={"households": len(lines), "total": batch.total, "skipped": len(skipped)},
        )
    return batch


def _lock_batch(batch) -> PaymentBatch:
    with scopes_disabled():
        return (
            PaymentBatch.objects.select_for_update(of=("self",))
            .select_related("programme__unit", "programme__account")
            .get(pk=batch.pk)
        )


def batch_review(*, by, batch: PaymentBatch) -> PaymentBatch:
    check_permission(by, "hardship.approve")
    with transaction.atomic():
        locked = _lock_batch(batch)
        if locked.status != BatchStatus.COMPUTED:
            raise ValidationError(_("批次当前为“%(s)s”，不能复核。") % {"s": locked.get_status_display()})
        if locked.households == 0:
            raise ValidationError(_("该批次没有符合条件的家庭。"))
        locked.status, locked.reviewed_by = BatchStatus.REVIEWED, by
        locked.save(update_fields=["status", "reviewed_by"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["computed", "reviewed"]})
    return locked


def batch_approve(*, by, batch: PaymentBatch) -> PaymentBatch:
    """Approve the batch as one decision (not by whoever computed it): each line becomes
    an approved application, checked against the household's cap again."""
    check_permission(by, "hardship.approve")
    with transaction.atomic():
        locked = _lock_batch(batch)
        _check_district_level(by, locked.programme.unit)
        if locked.status != BatchStatus.REVIEWED:
            raise ValidationError(_("批次当前为“%(s)s”，须先复核再审批。") % {"s": locked.get_status_display()})
        if by.pk == locked.created_by_id:
            raise ValidationError(_("批次生成人不能审批自己生成的批次。"), code="approver_is_filer")
        with scopes_disabled():
            lines = list(BatchLine.objects.filter(batch=locked).select_related("file"))
        for line in lines:
            file = _lock_file(line.file)
            _check_eligible(file, locked.programme)
            _check_cap(file.pk, locked.programme, line.amount)
            application = AssistanceApplication.objects.create(
                file=file,
                programme=locked.programme,
                amount=line.amount,
                reason=locked.title,
                status=ApplicationStatus.APPROVED,
                batch=locked,
                created_by=locked.created_by,
                station_reviewed_by=locked.reviewed_by,
                approved_by=by,
            )
            line.application = application
            line.save(update_fields=["application"])
        locked.status, locked.approved_by = BatchStatus.APPROVED, by
        locked.save(update_fields=["status", "approved_by"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["reviewed", "approved"]})
    return locked


def batch_pay(*, by, batch: PaymentBatch) -> PaymentBatch:
    """Pay every household of an approved batch in one database transaction: all or
    none. Each payment is its own ledger transaction keyed by its application, so paying
    the batch again (or a retry after a failure) pays no one twice."""
    check_permission(by, "hardship.approve")
    with transaction.atomic():
        locked = _lock_batch(batch)
        if locked.status == BatchStatus.PAID:
            return locked
        if locked.status != BatchStatus.APPROVED:
            raise ValidationError(_("批次当前为“%(s)s”，须先审批再支付。") % {"s": locked.get_status_display()})
        account = locked.programme.account
        account.refresh_from_db(fields=["balance"])
        with scopes_disabled():
            applications = list(
                AssistanceApplication.objects.filter(batch=locked)
                .select_related("file__member", "file__district", "programme__account", "programme__unit")
                .order_by("pk")
            )
        due = sum((a.amount for a in applications if a.status != ApplicationStatus.PAID), Decimal("0"))
        if due > account.balance and not account.allow_negative:
            raise ValidationError(
                _("科目“%(a)s”余额%(b)s元，不足以支付本批次%(d)s元。")
                % {"a": account.name, "b": account.balance, "d": due},
                code="insufficient_funds",
            )
        for application in applications:
            app = lock_application(application.pk)
            if app.status == ApplicationStatus.APPROVED:
                _pay(by=by, locked=app)
        locked.status, locked.paid_at = BatchStatus.PAID, timezone.now()
        locked.save(update_fields=["status", "paid_at"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": ["approved", "paid"], "total": locked.total},
        )
    return locked
