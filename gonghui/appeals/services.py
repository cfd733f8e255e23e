"""Writes for 12351 appeals: intake from every channel, routing, the handling workflow,
deadlines counted in working days, reminders and escalation, hand-offs to other services.

Every function checks the current state, locks the appeal row it changes, records an
``AppealEvent`` (the history the worker partly sees) and an audit entry. The worker's phone
is kept like a member's: ciphertext, blind index, mask.
"""

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.models import (
    APPEAL_PIPELINE,
    DEADLINE_STATUSES,
    Appeal,
    AppealAttachment,
    AppealEvent,
    AppealEventKind,
    AppealHandoff,
    AppealStatus,
    Channel,
    DeadlinePolicy,
    Difficulty,
    HandoffKind,
    RoutingRule,
    Satisfaction,
)
from gonghui.core import pii, workdays
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.core.uploads import EXTENSIONS, check_attachment, stored_name  # noqa: F401 - EXTENSIONS re-exported
from gonghui.members.identity import parse_mobile
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import phone_hash
from gonghui.orgs.models import Employer, Unit, UnitKind

DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 5000
MAX_WORKERS = 100_000
MAX_AMOUNT = Decimal("10000000000")
DEFAULT_DAYS = (1, 5, 15)


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


# --- Tickets --------------------------------------------------------------------------------


def _luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def new_ticket(today: dt.date | None = None) -> str:
    """受理编号: the date, five random digits and a check digit, e.g. 261121-40719-3 written
    as 261121407193. Random, so one ticket says nothing about how many others there are; the
    check digit catches a mistyped digit before a look-up."""
    today = today or timezone.localdate()
    body = f"{today:%y%m%d}{secrets.randbelow(100_000):05d}"
    return body + _luhn(body)


def normalise_ticket(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())[:16]


def ticket_valid(ticket: str) -> bool:
    return len(ticket) == 12 and ticket.isdigit() and _luhn(ticket[:-1]) == ticket[-1]


# --- Attachments ----------------------------------------------------------------------------

ATTACHMENT_MAX_COUNT = 6


def _store_attachment(appeal: Appeal, upload, kind: str, content: bytes) -> AppealAttachment:
    original = (getattr(upload, "name", "") or "file")[-200:]
    attachment = AppealAttachment(
        appeal=appeal,
        original_name=original,
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    # The stored name is ours (ticket + random + the extension of the real type), never the upload's.
    attachment.file.save(stored_name(appeal.ticket, kind), ContentFile(content), save=False)
    attachment.save()
    return attachment


# --- Routing and deadlines ------------------------------------------------------------------


def _district_by_code(division_code: str) -> Unit | None:
    """The active district union with this code; of two with the same code, the last in
    tree order (as a code → unit map of all districts would keep)."""
    if not division_code:
        return None
    with scopes_disabled():
        return (
            Unit.objects.filter(kind=UnitKind.DISTRICT_UNION, is_active=True, division_code=division_code)
            .order_by("-path")
            .first()
        )


# (rows, gazetteer built from them): building the gazetteer is the dearest part of a place
# suggestion, and the rows seldom change. Swapped as one tuple so that a thread never pairs
# one read's rows with another's gazetteer. The gazetteer is shared, so it is only read.
_tree_gazetteer_built = None


def _tree_gazetteer():
    """The curated gazetteer plus the live tree's districts and stations (the rows cached
    for a few minutes: the tree changes rarely; the gazetteer rebuilt when they differ)."""
    global _tree_gazetteer_built
    from django.core.cache import cache

    from gonghui.appeals.address import gazetteer_from_units

    key = "appeals:gazetteer-units"
    rows = cache.get(key)
    if rows is None:
        with scopes_disabled():
            rows = list(
                Unit.objects.filter(kind__in=[UnitKind.DISTRICT_UNION, UnitKind.STREET_STATION], is_active=True)
                .exclude(division_code="")
                .values_list("division_code", "name", "short_name")
            )
        cache.set(key, rows, 300)
    built = _tree_gazetteer_built
    if built is not None and built[0] == rows:
        return built[1]
    gazetteer = gazetteer_from_units(rows)
    _tree_gazetteer_built = (rows, gazetteer)
    return gazetteer


def suggest_place(text: str):
    """(district unit, station unit) the places in the text point at, either may be None."""
    from gonghui.appeals.address import suggest_district

    suggestion = suggest_district(text, gazetteer=_tree_gazetteer())
    if suggestion is None:
        return None, None
    district = _district_by_code(suggestion.division_code)
    station = None
    if suggestion.street_code:
        with scopes_disabled():
            station = (
                Unit.objects.filter(kind=UnitKind.STREET_STATION, division_code=suggestion.street_code, is_active=True)
                .order_by("path")
                .first()
            )
    return district, station


def route_appeal(
    *,
    category: str,
    description: str,
    employer: Employer | None,
    district: Unit | None,
    station: Unit | None,
    hint: Unit | None,
) -> tuple[Unit, str]:
    """The unit responsible and why: the first matching routing rule; else the union
    covering the employer; else the station of the workplace (from the text, or the station
    where it was taken in); else the district; else the city's 12351 centre."""
    with scopes_disabled():
        for rule in RoutingRule.objects.filter(is_active=True).select_related("target", "district"):
            if rule.category and rule.category != category:
                continue
            if rule.district_id and (district is None or rule.district_id != district.pk):
                continue
            if rule.keyword and rule.keyword not in description:
                continue
            return rule.target, _("分派规则：%(n)s") % {"n": rule.name}
        if employer is not None:
            return employer.unit, _("用人单位所属工会")
        if station is not None:
            return station, _("工作地所在服务站")
        if hint is not None:
            return hint, _("受理地服务站")
        if district is not None:
            return district, _("工作地所在区")
        return Unit.objects.filter(depth=1).order_by("path").first(), _("市总工会12351中心（未能识别承办单位）")


def deadline_days(category: str, difficulty: str) -> tuple[int, int, int, int]:
    """(accept, reply, resolve, remind) working days for a category and difficulty."""
    candidates = {(p.category, p.difficulty): p for p in DeadlinePolicy.objects.filter(category__in=[category, ""])}
    for key in ((category, difficulty), ("", difficulty), (category, Difficulty.NORMAL), ("", Difficulty.NORMAL)):
        policy = candidates.get(key)
        if policy is not None:
            return policy.accept_days, policy.reply_days, policy.resolve_days, policy.remind_days
    return (*DEFAULT_DAYS, 1)


def _set_deadlines(appeal: Appeal) -> None:
    accept, reply, resolve, _remind = deadline_days(appeal.category, appeal.difficulty)
    start = appeal.received_at
    appeal.accept_due = workdays.add_workdays(start, accept)
    appeal.reply_due = workdays.add_workdays(start, reply)
    appeal.resolve_due = workdays.add_workdays(start, resolve)


# --- Intake ---------------------------------------------------------------------------------


def _clean_intake(*, worker_name, phone, description, workers_involved, amount, category, difficulty) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join((worker_name or "").split())[:40]
    if not name:
        errors["worker_name"] = [_("请填写职工姓名（可只填姓氏，如“张先生”）。")]
    try:
        phone = parse_mobile(phone)
    except ValidationError as e:
        errors["phone"] = e.messages
    text = (description or "").strip()
    if len(text) < DESCRIPTION_MIN:
        errors["description"] = [_("请填写诉求内容（至少5个字）。")]
    elif len(text) > DESCRIPTION_MAX:
        errors["description"] = [_("诉求内容最多5000字。")]
    try:
        workers = int(workers_involved or 1)
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError
    except (TypeError, ValueError):
        errors["workers_involved"] = [_("涉及人数请填写1至100000之间的整数。")]
        workers = 1
    money = None
    if amount not in (None, ""):
        try:
            money = Decimal(str(amount)).quantize(Decimal("0.01"))
            if money < 0 or money > MAX_AMOUNT:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("涉及金额请填写不小于0的数字（单位：元）。")]
    if category and category not in AppealCategory.values:
        errors["category"] = [_("未知的诉求类别。")]
    if difficulty not in Difficulty.values:
        errors["difficulty"] = [_("未知的难度。")]
    if errors:
        raise ValidationError(errors)
    return {"worker_name": name, "phone": phone, "description": text, "workers_involved": workers, "amount": money}


def employer_match(name: str) -> Employer | None:
    """The registered employer with exactly this name (or USCC), if exactly one."""
    name = (name or "").strip()
    if not name:
        return None
    with scopes_disabled():
        found = list(
            Employer.objects.select_related("unit").filter(is_active=True).filter(name=name)[:2]
            or Employer.objects.select_related("unit").filter(uscc=name.upper())[:1]
        )
    return found[0] if len(found) == 1 else None


def appeal_submit(
    *,
    channel: str,
    worker_name: str,
    phone: str,
    description: str,
    employer: Employer | None = None,
    employer_name: str = "",
    workplace: str = "",
    workers_involved: int = 1,
    amount=None,
    category: str = "",
    difficulty: str = Difficulty.NORMAL,
    attachments=(),
    by=None,
    unit_hint: Unit | None = None,
) -> Appeal:
    """Register an appeal from any channel. The category is the staff's choice when given,
    else the classifier's suggestion (kept alongside, so the suggestion's accuracy can be
    measured); the unit comes from the routing rules; the deadlines from the policy for the
    category. Nothing is stored when anything is wrong: all field errors are raised at once,
    attachments are checked before the row is written."""
    from gonghui.appeals.classifier import suggest_category

    if channel not in Channel.values:
        raise ValidationError({"channel": [_("未知的来源渠道。")]})
    if by is not None:
        check_permission(by, "appeals.intake")
    clean = _clean_intake(
        worker_name=worker_name,
        phone=phone,
        description=description,
        workers_involved=workers_involved,
        amount=amount,
        category=category,
        difficulty=difficulty,
    )
    files = [f for f in attachments if f]
    if len(files) > ATTACHMENT_MAX_COUNT:
        raise ValidationError({"attachments": [_("附件最多6个。")]})
    checked = []
    for upload in files:
        try:
            checked.append((upload, *check_attachment(upload)))
        except ValidationError as e:
            raise ValidationError({"attachments": e.messages}) from None

    employer = employer or employer_match(employer_name)
    suggestion = suggest_category(clean["description"])
    place_text = " ".join(filter(None, [workplace, clean["description"], employer.address if employer else ""]))
    district, station = suggest_place(place_text)
    chosen = category or suggestion.category.value
    unit, why = route_appeal(
        category=chosen,
        description=clean["description"],
        employer=employer,
        district=district,
        station=station,
        hint=unit_hint,
    )
    index = phone_hash(clean["phone"])
    with scopes_disabled():
        members = list(Member.objects.filter(phone_hash=index, status=MemberStatus.ACTIVE)[:2])
    appeal = Appeal(
        channel=channel,
        category=chosen,
        category_suggested=suggestion.category.value,
        category_confidence=round(suggestion.confidence, 3),
        difficulty=difficulty,
        unit=unit,
        district_suggested=district,
        member=members[0] if len(members) == 1 else None,
        worker_name=clean["worker_name"],
        phone_cipher=pii.encrypt(clean["phone"]),
        phone_hash=index,
        phone_masked=pii.mask_phone(clean["phone"]),
        employer=employer,
        employer_name="" if employer else (employer_name or "").strip()[:200],
        workplace=(workplace or "").strip()[:200],
        description=clean["description"],
        workers_involved=clean["workers_involved"],
        amount=clean["amount"],
        received_at=timezone.now(),
        created_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
    )
    _set_deadlines(appeal)
    actor_name = "" if by else f"worker:{appeal.phone_masked}"
    with transaction.atomic():
        for _attempt in range(5):
            appeal.ticket = new_ticket()
            try:
                with transaction.atomic():
                    appeal.save(force_insert=True)
                break
            except IntegrityError:
                appeal.pk = None
                continue
        else:  # pragma: no cover - 100,000 tickets a day
            raise ValidationError(_("受理编号生成失败，请重试。"))
        for upload, kind, content in checked:
            _store_attachment(appeal, upload, kind, content)
        _event(
            appeal,
            AppealEventKind.STATUS,
            by,
            note=_("已登记（%(channel)s），交由%(unit)s办理。")
            % {"channel": appeal.get_channel_display(), "unit": unit.name},
            to_status=AppealStatus.RECEIVED,
            public=True,
            actor_name=actor_name,
        )
        _event(appeal, AppealEventKind.ASSIGN, by, note=why, actor_name=actor_name)
        audit_record(actor=by, actor_name=actor_name or None, action=AuditAction.CREATE, obj=appeal, note=channel)
        # Early warning in the same transaction: a few indexed counts, and an appeal never
        # exists without having been looked at by the rules.
        from gonghui.appeals.alerts import alerts_check

        with scopes_disabled():
            alerts_check(appeal)
    return appeal


def appeal_track(*, ticket: str, phone: str) -> Appeal:
    """The worker follows their appeal with the ticket and their phone number."""
    number = normalise_ticket(ticket)
    if not ticket_valid(number):
        raise ValidationError({"ticket": [_("受理编号应为12位数字，请核对。")]}, code="ticket_invalid")
    try:
        phone = parse_mobile(phone)
    except ValidationError as e:
        raise ValidationError({"phone": e.messages}) from None
    with scopes_disabled():
        appeal = Appeal.objects.select_related("unit").filter(ticket=number).first()
    if appeal is None:
        raise ValidationError({"ticket": [_("没有找到该受理编号的诉求，请核对编号。")]}, code="ticket_unknown")
    if bytes(appeal.phone_hash) != phone_hash(phone):
        raise ValidationError({"phone": [_("手机号码与该受理编号登记的号码不一致。")]}, code="phone_mismatch")
    return appeal


# --- The workflow ---------------------------------------------------------------------------


def _event(appeal, kind, by, *, note="", from_status="", to_status="", public=False, actor_name="") -> AppealEvent:
    staff = by if by is not None and getattr(by, "is_authenticated", False) else None
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note[:2000],
        public=public,
        by=staff,
        actor_name=actor_name or (staff.get_username() if staff else ""),
        at=timezone.now(),
    )


def _lock(appeal: Appeal) -> Appeal:
    # Scoped: only staff whose subtree holds the appeal find it.
    return Appeal.objects.select_for_update(of=("self",)).select_related("unit").get(pk=appeal.pk)


def _transition(appeal: Appeal, to: str, by, *, note: str = "", public: bool = True, **fields) -> Appeal:
    """Move a locked appeal along the pipeline; the caller holds the transaction."""
    if to not in APPEAL_PIPELINE[appeal.status]:
        raise ValidationError(
            _("诉求当前为“%(s)s”，不能改为“%(t)s”。") % {"s": appeal.get_status_display(), "t": AppealStatus(to).label},
            code="bad_transition",
        )
    before = appeal.status
    appeal.status = to
    for name, value in fields.items():
        setattr(appeal, name, value)
    appeal.save(update_fields=["status", *fields, "updated_at"])
    _event(appeal, AppealEventKind.STATUS, by, note=note, from_status=before, to_status=to, public=public)
    audit_record(actor=by, action=AuditAction.UPDATE, obj=appeal, changes={"status": [before, to]}, note=note[:500])
    return appeal


def _require_note(note: str, message: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [message]})
    return note


def appeal_accept(*, by, appeal: Appeal, note: str = "") -> Appeal:
    check_permission(by, "appeals.handle")
    with transaction.atomic():
        locked = _lock(appeal)
        return _transition(
            locked,
            AppealStatus.ACCEPTED,
            by,
            note=(note or "").strip() or _("已受理，正在办理。"),
            accepted_at=timezone.now(),
        )


def appeal_start(*, by, appeal: Appeal, note: str = "") -> Appeal:
    check_permission(by, "appeals.handle")
    with transaction.atomic():
        locked = _lock(appeal)
        return _transition(locked, AppealStatus.IN_PROGRESS, by, note=(note or "").strip() or _("正在办理。"))


def appeal_wait(*, by, appeal: Appeal, note: str) -> Appeal:
    """Waiting on the worker (补充材料): the clock stops until they answer."""
    check_permission(by, "appeals.handle")
    note = _require_note(note, _("请写明需要职工补充的内容，职工会看到它。"))
    with transaction.atomic():
        locked = _lock(appeal)
        return _transition(locked, AppealStatus.WAITING, by, note=note, paused_at=timezone.now())


def appeal_resume(*, by, appeal: Appeal, note: str = "") -> Appeal:
    """The worker answered: the clock runs again and every deadline still ahead moves by
    the working days the appeal waited."""
    check_permission(by, "appeals.handle")
    with transaction.atomic():
        locked = _lock(appeal)
        if locked.status != AppealStatus.WAITING or locked.paused_at is None:
            raise ValidationError(_("该诉求不在等待补充材料状态。"))
        now = timezone.now()
        fields = {"paused_at": None}
        for name in ("accept_due", "reply_due", "resolve_due"):
            fields[name] = workdays.deadline_extend(getattr(locked, name), locked.paused_at, now)
        return _transition(
            locked, AppealStatus.IN_PROGRESS, by, note=(note or "").strip() or _("已收到补充材料，继续办理。"), **fields
        )


def appeal_reply(*, by, appeal: Appeal, reply: str, notify: bool = True) -> Appeal:
    """The answer to the worker (public), sent to them by SMS with the ticket (``notify``:
    demo data and imports of past appeals send nothing)."""
    check_permission(by, "appeals.handle")
    reply = (reply or "").strip()
    if len(reply) < 5:
        raise ValidationError({"reply": [_("请填写答复内容（至少5个字），职工会看到它。")]})
    with transaction.atomic():
        locked = _lock(appeal)
        if locked.status == AppealStatus.RECEIVED:
            raise ValidationError(_("请先受理该诉求。"))
        done = _transition(
            locked, AppealStatus.REPLIED, by, note=reply[:2000], reply=reply[:5000], replied_at=timezone.now()
        )
        if notify:
            transaction.on_commit(
                lambda: _notify_worker(done, _("您的诉求（编号%(t)s）已答复，可凭编号和手机号查询。"))
            )
    return done


def _notify_worker(appeal: Appeal, template: str) -> None:
    from gonghui.portal.sms import get_backend

    try:
        get_backend().send(pii.decrypt(appeal.phone_cipher), template % {"t": appeal.ticket})
    except Exception:  # a failed text must not undo the reply: log it and go on
        import logging

        logging.getLogger(__name__).exception("SMS to the worker of appeal %s failed", appeal.pk)


def appeal_close(*, by, appeal: Appeal, satisfaction: str, note: str = "") -> Appeal:
    """办结 after the return visit (回访) with the worker's satisfaction."""
    check_permission(by, "appeals.handle")
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("请选择回访结果。")]})
    with transaction.atomic():
        locked = _lock(appeal)
        if (
            satisfaction == Satisfaction.UNSATISFIED
            and locked.status == AppealStatus.REPLIED
            and not (note or "").strip()
        ):
            raise ValidationError({"note": [_("职工不满意时请记录原因，或重新办理。")]})
        return _transition(
            locked,
            AppealStatus.CLOSED,
            by,
            note=(note or "").strip() or _("已回访，办结。"),
            satisfaction=satisfaction,
            satisfaction_note=(note or "").strip()[:500],
            closed_at=timezone.now(),
        )


def appeal_reopen(*, by, appeal: Appeal, note: str) -> Appeal:
    check_permission(by, "appeals.handle")
    note = _require_note(note, _("请写明重新办理的原因。"))
    with transaction.atomic():
        locked = _lock(appeal)
        return _transition(locked, AppealStatus.IN_PROGRESS, by, note=note, replied_at=None)


def appeal_reject(*, by, appeal: Appeal, note: str) -> Appeal:
    """不予受理 — e.g. not a labour matter; the reason is shown to the worker."""
    check_permission(by, "appeals.handle")
    note = _require_note(note, _("请写明不予受理的理由，职工会看到它。"))
    with transaction.atomic():
        locked = _lock(appeal)
        return _transition(locked, AppealStatus.REJECTED, by, note=note, closed_at=timezone.now())


def appeal_merge(*, by, appeal: Appeal, into: Appeal, note: str = "") -> Appeal:
    """A repeat of another appeal (the same matter): folded into it."""
    check_permission(by, "appeals.handle")
    if appeal.pk == into.pk:
        raise ValidationError(_("不能与自身合并。"))
    with transaction.atomic():
        first, second = sorted([appeal.pk, into.pk])  # fixed order: no deadlock
        rows = {a.pk: a for a in Appeal.objects.select_for_update(of=("self",)).filter(pk__in=[first, second])}
        locked, target = rows.get(appeal.pk), rows.get(into.pk)
        if locked is None or target is None:
            raise ValidationError(_("诉求不存在或不在您的管辖范围内。"))
        if target.status in (AppealStatus.DUPLICATE, AppealStatus.WITHDRAWN, AppealStatus.REJECTED):
            raise ValidationError(_("不能合并到已作废的诉求。"))
        text = (note or "").strip() or _("与诉求%(t)s为同一事项，合并办理。") % {"t": target.ticket}
        return _transition(locked, AppealStatus.DUPLICATE, by, note=text, duplicate_of=target, closed_at=timezone.now())


def appeal_withdraw(*, appeal: Appeal, by=None, note: str = "") -> Appeal:
    """The worker takes the appeal back (by phone to the hotline, or with ticket + phone)."""
    if by is not None:
        check_permission(by, "appeals.handle")
    with transaction.atomic(), scopes_disabled():
        locked = Appeal.objects.select_for_update(of=("self",)).select_related("unit").get(pk=appeal.pk)
        return _transition(
            locked,
            AppealStatus.WITHDRAWN,
            by,
            note=(note or "").strip() or _("职工撤回诉求。"),
            closed_at=timezone.now(),
        )


def appeal_reassign(*, by, appeal: Appeal, unit: Unit, note: str) -> Appeal:
    """改派: to another unit in the actor's part of the tree, or back up to a unit above the
    current one (a station that finds the matter is not theirs sends it to its district)."""
    check_permission(by, "appeals.handle")
    note = _require_note(note, _("请写明改派原因。"))
    with transaction.atomic():
        locked = _lock(appeal)
        if not locked.is_open:
            raise ValidationError(_("已结束的诉求不能改派。"))
        if unit.pk == locked.unit_id:
            raise ValidationError({"unit": [_("已由该单位办理。")]})
        if not (path_in_scope(unit.path) or locked.unit.path.startswith(unit.path)):
            raise ValidationError({"unit": [_("只能改派到本单位管辖范围内的单位，或退回上级单位。")]})
        before = locked.unit
        locked.unit = unit
        locked.save(update_fields=["unit", "updated_at"])
        _event(
            locked,
            AppealEventKind.ASSIGN,
            by,
            note=_("由%(a)s改派%(b)s：%(n)s") % {"a": before.name, "b": unit.name, "n": note},
            public=False,
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            scope_path=before.path,
            changes={"unit": [before.pk, unit.pk]},
            note=note[:500],
        )
    return locked


def appeal_categorise(*, by, appeal: Appeal, category: str, difficulty: str) -> Appeal:
    """Staff confirm or change the category and difficulty; the deadlines follow the policy
    for the new kind, still counted from when the appeal came in."""
    check_permission(by, "appeals.handle")
    if category not in AppealCategory.values:
        raise ValidationError({"category": [_("未知的诉求类别。")]})
    if difficulty not in Difficulty.values:
        raise ValidationError({"difficulty": [_("未知的难度。")]})
    with transaction.atomic():
        locked = _lock(appeal)
        if not locked.is_open:
            raise ValidationError(_("已结束的诉求不能修改类别。"))
        before = (locked.category, locked.difficulty)
        locked.category, locked.difficulty = category, difficulty
        if locked.paused_at is None:
            _set_deadlines(locked)
        locked.save(update_fields=["category", "difficulty", "accept_due", "reply_due", "resolve_due", "updated_at"])
        _event(
            locked,
            AppealEventKind.CATEGORY,
            by,
            note=_("类别：%(c)s；难度：%(d)s")
            % {"c": locked.get_category_display(), "d": locked.get_difficulty_display()},
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"category": [before[0], category], "difficulty": [before[1], difficulty]},
        )
    return locked


def appeal_note(*, by, appeal: Appeal, note: str, public: bool = False) -> AppealEvent:
    check_permission(by, "appeals.handle")
    note = _require_note(note, _("请填写办理记录。"))
    with transaction.atomic():
        locked = _lock(appeal)
        return _event(locked, AppealEventKind.NOTE, by, note=note, public=public)


def appeal_handoff(*, by, appeal: Appeal, kind: str, unit: Unit, note: str = "") -> AppealHandoff:
    """转办: pass the matter to labour-dispute mediation, legal aid or hardship help. The
    appeal stays open with its deadlines; the receiving service reports back on the
    hand-off (see AppealHandoff)."""
    check_permission(by, "appeals.handle")
    if kind not in HandoffKind.values:
        raise ValidationError({"kind": [_("请选择转办事项。")]})
    if not path_in_scope(unit.path) and not appeal.unit.path.startswith(unit.path):
        raise ValidationError({"unit": [_("接收单位不在您的管辖范围内。")]})
    with transaction.atomic():
        locked = _lock(appeal)
        if not locked.is_open:
            raise ValidationError(_("已结束的诉求不能转办。"))
        try:
            with transaction.atomic():
                handoff = AppealHandoff.objects.create(
                    appeal=locked, kind=kind, unit=unit, note=(note or "").strip()[:500], by=by
                )
        except IntegrityError:
            raise ValidationError({"kind": [_("该诉求已转办此事项，尚未办结。")]}) from None
        label = HandoffKind(kind).label
        _event(
            locked,
            AppealEventKind.HANDOFF,
            by,
            note=_("转%(k)s（%(u)s）") % {"k": label, "u": unit.name},
            public=True,
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=locked, note=f"handoff {kind} → {unit.pk}")
    return handoff


def appeal_attach(*, by, appeal: Appeal, upload) -> AppealAttachment:
    check_permission(by, "appeals.handle")
    kind, content = check_attachment(upload)
    with transaction.atomic():
        locked = _lock(appeal)
        if locked.attachments.count() >= ATTACHMENT_MAX_COUNT * 2:
            raise ValidationError(_("附件数量已达上限。"))
        attachment = _store_attachment(locked, upload, kind, content)
        _event(locked, AppealEventKind.ATTACHMENT, by, note=attachment.original_name)
    return attachment


# --- Deadlines: reminders and escalation (run by the scheduler) -----------------------------


def _parent(unit: Unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    with scopes_disabled():
        return Unit.objects.filter(path=unit.path[: -Unit.steplen]).first()


def appeals_check_deadlines(now: dt.datetime | None = None) -> dict:
    """Remind the handling unit before a deadline, escalate to the unit above when one is
    missed. Each missed deadline escalates once more, one level further up (station →
    district → city). Appeals waiting on the worker are skipped: their clock is stopped.
    Idempotent: running it twice in a row changes nothing the second time."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    with scopes_disabled():
        candidates = list(
            Appeal.objects.filter(status__in=DEADLINE_STATUSES)
            .filter(paused_at__isnull=True)
            .values_list("pk", flat=True)
        )
        for pk in candidates:
            with transaction.atomic():
                appeal = (
                    Appeal.objects.select_for_update(of=("self",))
                    .select_related("unit", "escalated_to")
                    .filter(pk=pk, status__in=DEADLINE_STATUSES, paused_at__isnull=True)
                    .first()
                )
                if appeal is None:
                    continue
                due = appeal.current_due
                if due is None:
                    continue
                if due < now:
                    if appeal.escalated_for is None or appeal.escalated_for < due:
                        _escalate(appeal, due, now)
                        counts["escalated"] += 1
                    continue
                _a, _r, _s, remind = deadline_days(appeal.category, appeal.difficulty)
                if workdays.workdays_between(now, due) <= remind and (
                    appeal.reminded_at is None or appeal.reminded_at < _previous_due(appeal, due)
                ):
                    appeal.reminded_at = now
                    appeal.save(update_fields=["reminded_at"])
                    _event(
                        appeal,
                        AppealEventKind.REMIND,
                        None,
                        note=_("%(when)s到期，请抓紧办理。")
                        % {"when": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
                        actor_name="scheduler",
                    )
                    counts["reminded"] += 1
    return counts


def _previous_due(appeal: Appeal, due: dt.datetime) -> dt.datetime:
    """The deadline before ``due`` (a reminder sent for that one does not count for this)."""
    earlier = [d for d in (appeal.accept_due, appeal.reply_due) if d < due]
    return max(earlier) if earlier else appeal.received_at


def _escalate(appeal: Appeal, due: dt.datetime, now: dt.datetime) -> None:
    current = appeal.escalated_to or appeal.unit
    parent = _parent(current)
    target = parent or current
    appeal.escalation_level += 1
    appeal.escalated_to, appeal.escalated_at, appeal.escalated_for = target, now, due
    appeal.save(update_fields=["escalation_level", "escalated_to", "escalated_at", "escalated_for", "updated_at"])
    _event(
        appeal,
        AppealEventKind.ESCALATE,
        None,
        note=_("已超过%(when)s的期限，报%(unit)s督办（第%(n)s次）。")
        % {
            "when": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            "unit": target.name,
            "n": appeal.escalation_level,
        },
        actor_name="scheduler",
    )
    audit_record(
        actor=None,
        actor_name="scheduler",
        action=AuditAction.UPDATE,
        obj=appeal,
        changes={"escalated_to": [current.pk, target.pk]},
        note="overdue",
    )
