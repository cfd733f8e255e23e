"""Demo labour-dispute mediation and legal aid for `seed_city --members N` (idempotent).

The six-party network in small: the city centre at the city federation, a centre in a few
districts, mediation rooms at a few street stations and one enterprise committee; their
mediators (union staff, contracted lawyers, outside mediators); about forty cases — walk-in
applications, referrals from the arbitration commission and the courts, and hand-offs from
the demo's 12351 appeals — left at every step: applied, accepted, in mediation with
sessions, agreed with a payment schedule and payments, not agreed (to arbitration),
withdrawn, closed; and a few legal-aid consultations and representations.

Everything goes through gonghui.mediation.services / legalaid and appeals.appeal_handoff;
afterwards only timestamps are moved back (as gonghui/appeals/demo.py does) so the history
reads as it would have happened."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gonghui.appeals.models import Appeal, AppealHandoff, AppealStatus, HandoffKind
from gonghui.core import pii
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.fund.demo import demo_districts, demo_root, demo_staff
from gonghui.mediation import legalaid, services
from gonghui.mediation.models import (
    BodyKind,
    CaseEvent,
    CaseSource,
    CaseStatus,
    MediationBody,
    MediationCase,
    MediationSession,
    Representation,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs import demo_data as names
from gonghui.orgs.models import Employer, Unit, UnitKind

PINYIN = {"110105": "chaoyang", "110108": "haidian", "110101": "dongcheng", "110115": "daxing"}
LAWYERS = (
    # username, name, where ("" = the city federation, else a district's division code)
    ("lawyer_wang", "王瑞峰", "北京市恒信律师事务所", ""),
    ("lawyer_chen", "陈思远", "北京市正平律师事务所", ""),
    ("lawyer_li", "李静怡", "北京市朝华律师事务所", "110105"),
    ("lawyer_zhao", "赵明轩", "北京市学院路律师事务所", "110108"),
)
OUTSIDE_MEDIATORS = (
    ("孙德厚", "退休法官，人民调解员"),
    ("杜秀兰", "人力资源管理师，人民调解员"),
    ("马文涛", "劳动关系协调师"),
    ("冯建平", "退休劳动监察员，人民调解员"),
    ("韩丽娟", "社区人民调解委员会主任"),
)
DISPUTES = (
    ("wages", "公司以经营困难为由拖欠{n}名职工{m}个月工资，多次催要未果，申请调解。"),
    ("overtime", "职工长期每周工作六天、每天加班两小时，公司未支付加班费，申请调解。"),
    ("severance", "公司以“末位淘汰”为由解除劳动合同，职工认为属违法解除，要求支付经济补偿。"),
    ("social_insurance", "公司入职以来未为职工缴纳社会保险，职工要求补缴并赔偿损失。"),
    ("work_injury", "职工在工作中受伤已认定工伤，公司拒绝支付停工留薪期工资和一次性伤残补助。"),
    ("wages", "项目完工后包工头失联，{n}名职工的工资没有着落，要求总承包单位支付。"),
    ("severance", "公司搬迁至外省，职工不愿随迁，要求解除劳动合同并支付经济补偿。"),
)
CLAIM_RANGES = {
    "wages": (6000, 60000),
    "overtime": (3000, 25000),
    "severance": (15000, 90000),
    "social_insurance": (5000, 40000),
    "work_injury": (20000, 120000),
    "other": (2000, 10000),
}
SESSION_MINUTES = (
    "双方到场。申请人陈述欠薪事实，单位代表认可欠薪数额，对支付期限存在分歧，约定下次继续调解。",
    "单位代表提出分期支付方案，申请人原则同意，对首期金额仍有分歧。",
    "调解员释明法律规定及仲裁风险，双方就金额达成初步一致。",
)
CONSULTATIONS = (
    ("劳动合同到期不续签的经济补偿", "告知劳动合同法第四十六条、第四十七条的规定，可申请调解或仲裁。"),
    ("试用期被辞退是否有补偿", "解释试用期解除的条件，建议保留录用条件及考核材料。"),
    ("外卖骑手受伤能否认定工伤", "说明新就业形态劳动者职业伤害保障的适用范围和申请流程。"),
    ("公司拖欠工资如何维权", "建议先通过12351或工会调解，同时准备考勤和工资流水证据。"),
    ("加班费计算基数", "告知加班费以劳动合同约定的工资为基数，并举例计算。"),
    ("孕期被调岗降薪", "告知女职工劳动保护特别规定，建议与单位协商并申请调解。"),
    ("竞业限制补偿金", "说明竞业限制补偿标准及单位不支付时的权利。"),
    ("退休返聘人员的工伤", "解释返聘人员与单位为劳务关系，可通过民事途径主张赔偿。"),
)


def _given(rng: random.Random) -> str:
    given = rng.choice(names.GIVEN_NAME_CHARS)
    return given + (rng.choice(names.GIVEN_NAME_CHARS) if rng.random() < 0.7 else "")


def _room(body: MediationBody) -> str:
    return body.name if body.name.endswith("调解室") else f"{body.name}调解室"


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _handler(unit: Unit):
    """The staff member who handles the body's cases: on its unit, else the nearest unit
    above (a mediator or social worker before an officer, an officer before an admin)."""
    from gonghui.accounts.models import Staff

    rank = {"mediator": 0, "social_worker": 1, "officer": 2, "unit_admin": 3}
    with scopes_disabled():
        for path in [unit.path, *reversed(unit.ancestor_paths())]:
            staff = [
                s
                for s in Staff.objects.filter(unit__path=path, is_active=True)
                .select_related("unit")
                .prefetch_related("roles")
                .order_by("pk")
                if s.can("mediation.handle") and s.can("legalaid.handle")
            ]
            if staff:
                return min(staff, key=lambda s: (min(rank.get(r, 9) for r in s.role_set), s.pk))
    return None


class _Timeline:
    """Moves a case's history back: each step's new events to that step's moment, never
    before the step before it nor after now."""

    def __init__(self, case: MediationCase, now: dt.datetime):
        self.case = case
        self.now = now
        self.prev = None
        self.last = 0

    def stamp(self, when: dt.datetime) -> dt.datetime:
        when = min(max(when, self.prev or when), self.now - dt.timedelta(minutes=5))
        with scopes_disabled():
            CaseEvent.objects.filter(case_id=self.case.pk, pk__gt=self.last).update(at=when)
            latest = CaseEvent.objects.filter(case_id=self.case.pk).order_by("-pk").first()
        self.last = latest.pk if latest else self.last
        self.prev = when
        return when


def _workers(rng, employer: Employer, n: int) -> list[dict]:
    rows = []
    with scopes_disabled():
        member = (
            Member.objects.filter(employer=employer, status=MemberStatus.ACTIVE).order_by("pk").first()
            if rng.random() < 0.5
            else None
        )
    if member is not None:
        phone = pii.decrypt(bytes(member.phone_cipher)) if member.phone_cipher else _phone(rng)
        rows.append({"name": member.name, "phone": phone, "id_number": pii.decrypt(bytes(member.id_number_cipher))})
    while len(rows) < n:
        rows.append({"name": rng.choice(names.SURNAMES) + _given(rng), "phone": _phone(rng)})
    return rows


def _claims(rng, kind: str, applied_on: dt.date, n: int) -> list[dict]:
    kinds = [kind] + [k for k in rng.sample(["overtime", "severance", "social_insurance", "other"], 2) if k != kind]
    claims = []
    for k in kinds[: max(1, min(3, rng.choice([1, 1, 2, 2, 3])))]:
        low, high = CLAIM_RANGES[k]
        amount = Decimal(rng.randrange(low, high, 100)) * (min(n, 6) if k in ("wages", "overtime") else 1)
        back = rng.choice([30, 60, 90, 150, 200] + ([420] if rng.random() < 0.1 else []))
        claims.append({"type": k, "amount": str(amount), "arose_on": applied_on - dt.timedelta(days=back)})
    return claims


def _at(day: dt.date, hour: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(hours=hour)
    return timezone.make_aware(naive)


def _run_case(rng, now, *, case, handler, state: str) -> dict:
    """Take an opened case to ``state`` (applied, accepted, in_mediation, agreed, paid,
    no_agreement, withdrawn; ``+closed`` closes it afterwards)."""
    counts = {"sessions": 0, "agreements": 0, "payments": 0}
    today = timezone.localdate(now)
    applied = case.applied_on
    line = _Timeline(case, now)
    opened = line.stamp(_at(applied, rng.uniform(0, 6)))
    with scopes_disabled():
        MediationCase.objects.filter(pk=case.pk).update(created_at=opened)
    target, _, close = state.partition("+")
    if target == "applied":
        return counts
    day = min(applied + dt.timedelta(days=rng.randint(0, 2)), today)
    with user_scope(handler):
        services.case_accept(by=handler, case=case)
    line.stamp(_at(day, rng.uniform(0, 7)))
    if target == "accepted":
        return counts
    if target == "withdrawn" and rng.random() < 0.5:
        with user_scope(handler):
            services.case_withdraw(by=handler, case=case, note="双方自行和解，申请人撤回调解申请。")
        line.stamp(_at(min(day + dt.timedelta(days=2), today), 3))
        _close(rng, case, handler, line, close)
        return counts
    # The sessions: those held are recorded (the service takes none more than 30 days
    # back); a case still in mediation may have the next one booked.
    earliest = now - dt.timedelta(days=29)
    held = []
    sessions = 1 if target == "in_mediation" else rng.choice([1, 2, 2])
    with user_scope(handler):
        for i in range(sessions):
            planned = _at(day + dt.timedelta(days=rng.randint(2, 5) + 4 * i), rng.choice([0.5, 1, 5, 6]))
            when = min(max(planned, earliest, *held), now - dt.timedelta(hours=2))
            mode = "remote" if rng.random() < 0.25 else "in_person"
            session = services.session_schedule(
                by=handler,
                case=case,
                scheduled_at=when,
                mode=mode,
                location="" if mode == "remote" else _room(case.body),
            )
            line.stamp(when - dt.timedelta(days=2))
            services.session_record(by=handler, session=session, attended=True, minutes=SESSION_MINUTES[min(i, 2)])
            recorded = line.stamp(when + dt.timedelta(hours=2))
            with scopes_disabled():
                MediationSession.objects.filter(pk=session.pk).update(
                    created_at=when - dt.timedelta(days=2), recorded_at=recorded
                )
            held.append(when)
            counts["sessions"] += 1
        if target == "in_mediation":
            if rng.random() < 0.5:
                services.session_schedule(
                    by=handler,
                    case=case,
                    scheduled_at=_at(today + dt.timedelta(days=rng.randint(1, 5)), 1),
                    mode="in_person",
                    location=_room(case.body),
                )
                counts["sessions"] += 1
            if today - applied > dt.timedelta(days=12):
                services.case_extend(
                    by=handler,
                    case=case,
                    until=applied + dt.timedelta(days=30),
                    note="双方在调解会上书面同意延长调解期限。",
                )
            line.stamp(now)
            return counts
    outcome_day = min(timezone.localdate(held[-1]) + dt.timedelta(days=rng.randint(0, 4)), today)
    with user_scope(handler):
        if target == "withdrawn":
            services.case_withdraw(by=handler, case=case, note="申请人已另行向仲裁委申请仲裁，撤回调解申请。")
        elif target == "no_agreement":
            services.case_refer_to_arbitration(
                by=handler, case=case, note="单位坚持不同意支付经济补偿，双方差距较大，调解不成，告知申请仲裁。"
            )
        else:
            services.case_agree(
                by=handler, case=case, signed_on=outcome_day, **_agreement(rng, case, outcome_day, target == "paid")
            )
            counts["agreements"] += 1
    outcome_at = line.stamp(_at(outcome_day, rng.uniform(1, 7)))
    with scopes_disabled():
        MediationCase.objects.filter(pk=case.pk).update(outcome_at=outcome_at)
    if counts["agreements"]:
        counts["payments"] = _payments(rng, case, handler, line, today, paid=target == "paid")
    _close(rng, case, handler, line, close)
    return counts


TERMS = "单位按支付计划向申请人支付上述款项；申请人放弃其他请求；双方劳动争议就此了结。"


def _agreement(rng, case, signed_on, paid: bool) -> dict:
    """What was agreed per claim (60–100% of it) and the instalments: monthly, or weekly
    for an employer that then paid in full."""
    with scopes_disabled():
        claims = list(case.claims.order_by("id"))
    amounts = {}
    for claim in claims:
        share = Decimal(rng.choice([60, 70, 80, 90, 100, 100])) / 100
        amounts[claim.pk] = (str((claim.amount * share).quantize(Decimal("1"))), "")
    total = sum((Decimal(a) for a, _n in amounts.values()), Decimal("0"))
    parts = 1 if total < 20000 else rng.choice([2, 3])
    each = (total / parts).quantize(Decimal("1"))
    gap = 7 if paid else 30
    schedule = [
        (signed_on + dt.timedelta(days=5 + gap * i), str(each if i < parts - 1 else total - each * (parts - 1)))
        for i in range(parts)
    ]
    return {"amounts": amounts, "schedule": schedule, "terms": TERMS}


def _payments(rng, case, handler, line, today, *, paid: bool) -> int:
    """Payments made so far: the instalments due by today (a few employers fall behind);
    all of them, early if need be, for a case paid in full."""
    made = 0
    with scopes_disabled():
        schedule = list(case.agreement.schedule.order_by("due_on", "id").values_list("due_on", "amount"))
    with user_scope(handler):
        for due, amount in schedule:
            if due > today and not paid:
                break
            if not paid and rng.random() < 0.2:
                break  # the employer is behind on its schedule
            paid_on = min(due, today)
            services.payment_record(by=handler, case=case, amount=amount, paid_on=paid_on, note="银行转账至申请人账户")
            line.stamp(_at(paid_on, rng.uniform(0, 6)))
            made += 1
    return made


def _close(rng, case, handler, line, close: str):
    if close != "closed":
        return
    with user_scope(handler):
        services.case_close(by=handler, case=case, note="结案，卷宗归档。")
    closed_at = line.stamp(line.prev + dt.timedelta(days=rng.uniform(1, 5)))
    with scopes_disabled():
        MediationCase.objects.filter(pk=case.pk).update(closed_at=closed_at)


STATES = (
    # what each body's cases are left at, in turn
    "agreed",
    "in_mediation",
    "paid+closed",
    "accepted",
    "no_agreement",
    "agreed",
    "withdrawn",
    "in_mediation",
    "no_agreement+closed",
    "paid+closed",
    "applied",
    "agreed",
    "withdrawn+closed",
    "in_mediation",
    "paid",
)
AGE = {  # days between the application and today, by state
    "applied": (0, 1),
    "accepted": (1, 4),
    "in_mediation": (3, 14),
    "agreed": (15, 34),
    "paid": (20, 36),
    "no_agreement": (15, 34),
    "withdrawn": (5, 30),
}


def _bodies(rng, admin, root: Unit, districts: list[Unit]):
    """The bodies and their handlers: [(body, handler, employers it may take)]."""
    made = []
    with user_scope(admin):
        centre = services.body_create(
            by=admin,
            kind=BodyKind.CITY_CENTRE,
            name="北京市总工会劳动争议调解中心",
            unit=root,
            address=root.address,
            phone=root.phone,
        )
        made.append(centre)
        for district in districts:
            made.append(
                services.body_create(
                    by=admin,
                    kind=BodyKind.DISTRICT_CENTRE,
                    name=f"{district.label}劳动争议调解中心",
                    unit=district,
                    address=district.address,
                    phone=district.phone,
                )
            )
        for district in districts[:3]:
            with scopes_disabled():
                stations = list(
                    Unit.objects.filter(kind=UnitKind.STREET_STATION, path__startswith=district.path).order_by("path")[
                        :10
                    ]
                )
                station = next(
                    (s for s in stations if Employer.objects.filter(unit__path__startswith=s.path).count() >= 3),
                    None,
                )
            if station is not None:
                made.append(
                    services.body_create(
                        by=admin,
                        kind=BodyKind.STREET_ROOM,
                        name=station.name.removesuffix("工会服务站") + "劳动争议调解室",
                        unit=station,
                        address=station.address,
                        phone=station.phone,
                    )
                )
        if districts:
            with scopes_disabled():
                employer = (
                    Employer.objects.filter(district=districts[0], has_own_union=True, is_active=True)
                    .select_related("unit")
                    .order_by("-headcount", "pk")
                    .first()
                )
            if employer is not None:
                made.append(
                    services.body_create(
                        by=admin,
                        kind=BodyKind.ENTERPRISE_COMMITTEE,
                        name=f"{employer.name}劳动争议调解委员会",
                        unit=employer.unit,
                        employer=employer,
                        address=employer.address,
                    )
                )
    return made


def _employers_for(body: MediationBody, rng) -> list[Employer]:
    """Up to forty employers the body may take disputes with, drawn at random."""
    with scopes_disabled():
        qs = Employer.objects.select_related("unit", "district")
        if body.employer_id:
            return [qs.get(pk=body.employer_id)]
        pks = Employer.objects.filter(is_active=True)
        if body.unit.depth > 1:
            pks = pks.filter(Q(unit__path__startswith=body.unit.path) | Q(district__path__startswith=body.unit.path))
        pks = list(pks.order_by("pk").values_list("pk", flat=True)[:3000])
        chosen = rng.sample(pks, min(len(pks), 40))
        found = qs.in_bulk(chosen)
    return [found[pk] for pk in chosen]


def _mediators(rng, admin, bodies, lawyers, handlers) -> int:
    made = 0
    outside = list(OUTSIDE_MEDIATORS)
    with user_scope(admin):
        for i, body in enumerate(bodies):
            handler = handlers[body.pk]
            if handler is not None:
                services.mediator_add(
                    by=admin, body=body, kind="union_staff", staff=handler, qualifications="工会劳动争议调解员"
                )
                made += 1
            for lawyer in lawyers:
                if body.kind == BodyKind.CITY_CENTRE or (
                    body.kind == BodyKind.DISTRICT_CENTRE and body.unit.path.startswith(lawyer.unit.path)
                ):
                    if lawyer.unit.depth == 1 and body.kind == BodyKind.DISTRICT_CENTRE and rng.random() < 0.5:
                        continue
                    services.mediator_add(
                        by=admin, body=body, kind="lawyer", staff=lawyer, qualifications=f"签约律师，{lawyer.title}"
                    )
                    made += 1
            name, qualifications = outside[i % len(outside)]
            if body.kind == BodyKind.ENTERPRISE_COMMITTEE:
                name, qualifications = rng.choice(names.SURNAMES) + _given(rng), "企业工会主席"
            services.mediator_add(by=admin, body=body, kind="other", name=name, qualifications=qualifications)
            made += 1
    return made


def _handoffs(rng, districts: list[Unit], want: int) -> list[AppealHandoff]:
    """Mediation hand-offs of open demo appeals about employers in the demo districts:
    those waiting already, else new ones made through appeals.appeal_handoff."""
    from gonghui.appeals.services import appeal_handoff

    by_path = {d.path: d for d in districts}
    with scopes_disabled():
        waiting = list(
            AppealHandoff.objects.filter(kind=HandoffKind.MEDIATION, status="requested", unit__in=districts)
            .select_related("appeal", "unit")
            .order_by("pk")[:want]
        )
        if len(waiting) >= want:
            return waiting
        handed = AppealHandoff.objects.values("appeal_id")
        candidates = list(
            Appeal.objects.filter(
                status__in=[AppealStatus.RECEIVED, AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS],
                employer__isnull=False,
                employer__district__in=districts,
            )
            .exclude(pk__in=handed)
            .select_related("employer__district", "unit")
            .order_by("pk")[:200]
        )
    operator = _handler(demo_root())
    for appeal in rng.sample(candidates, min(len(candidates), want - len(waiting))):
        district = by_path[appeal.employer.district.path]
        with user_scope(operator):
            waiting.append(
                appeal_handoff(
                    by=operator,
                    appeal=appeal,
                    kind=HandoffKind.MEDIATION,
                    unit=district,
                    note="职工同意由工会调解，转区劳动争议调解中心。",
                )
            )
    return waiting


def seed_demo_mediation(*, seed: int = 15014) -> dict:
    made = dict.fromkeys(
        (
            "bodies",
            "mediators",
            "cases",
            "from_appeals",
            "sessions",
            "agreements",
            "payments",
            "consultations",
            "representations",
        ),
        0,
    )
    root = demo_root()
    if root is None:
        return made
    with scopes_disabled():
        if MediationBody.objects.filter(kind=BodyKind.CITY_CENTRE).exists():
            return made
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    districts = demo_districts()
    admin = demo_staff(
        root, "mediation.configure", role="unit_admin", username="city_admin", full_name="赵建华", title="信息中心主任"
    )
    lawyers = []
    for username, full_name, firm, where in LAWYERS:
        unit = next((d for d in districts if d.division_code == where), None) if where else root
        if unit is None:
            continue
        lawyers.append(
            demo_staff(
                unit, "legalaid.own", role="lawyer", username=username, full_name=full_name, title=firm, exclude=lawyers
            )
        )
    with transaction.atomic():
        bodies = _bodies(rng, admin, root, districts)
        handlers = {b.pk: _handler(b.unit) for b in bodies}
        made["bodies"] = len(bodies)
        made["mediators"] = _mediators(rng, admin, bodies, lawyers, handlers)

    def open_and_run(body, handler, employer, state, *, handoff=None, source=CaseSource.WALK_IN):
        low, high = AGE[state.partition("+")[0]]
        applied_on = today - dt.timedelta(days=rng.randint(low, high))
        kind, text = rng.choice(DISPUTES)
        n = rng.choice([1, 1, 1, 2, 3, 5, 12]) if handoff is None else rng.choice([0, 0, 1, 2])
        referral = ""
        if source == CaseSource.ARBITRATION:
            referral = f"京{body.unit.label[:2]}劳人仲委调字〔{applied_on.year}〕第{rng.randint(100, 999)}号"
        elif source == CaseSource.COURT:
            referral = f"（{applied_on.year}）京01民调{rng.randint(1000, 9999)}号"
        with transaction.atomic(), user_scope(handler):
            case = services.case_open(
                by=handler,
                body=body,
                employer=employer,
                source=source,
                description=handoff.appeal.description if handoff else text.format(n=max(n, 1), m=rng.randint(2, 6)),
                workers=_workers(rng, employer, n) if n else [],
                claims=_claims(rng, kind, applied_on, max(n, 1)),
                applied_on=applied_on,
                handoff=handoff,
                referral_ref=referral,
            )
            counts = _run_case(rng, now, case=case, handler=handler, state=state)
        made["cases"] += 1
        for key, value in counts.items():
            made[key] += value
        return case

    cases = []
    step = 0
    for body in bodies:
        handler = handlers[body.pk]
        if handler is None:
            continue
        employers = _employers_for(body, rng)
        if not employers:
            continue
        count = {BodyKind.CITY_CENTRE: 6, BodyKind.DISTRICT_CENTRE: 5, BodyKind.STREET_ROOM: 3}.get(body.kind, 2)
        for i in range(count):
            source = CaseSource.WALK_IN
            if body.kind in (BodyKind.CITY_CENTRE, BodyKind.DISTRICT_CENTRE) and i == 2:
                source = CaseSource.ARBITRATION if step % 2 else CaseSource.COURT
            state = STATES[step % len(STATES)]
            step += 1
            cases.append(open_and_run(body, handler, employers[i % len(employers)], state, source=source))
    centres = {b.unit_id: b for b in bodies if b.kind == BodyKind.DISTRICT_CENTRE}
    for handoff in _handoffs(rng, districts, want=6):
        body = centres.get(handoff.unit_id)
        handler = handlers.get(body.pk) if body else None
        with scopes_disabled():
            employer = Employer.objects.select_related("unit", "district").get(pk=handoff.appeal.employer_id)
        if body is None or handler is None or not services.body_competent(body, employer):
            continue
        state = STATES[step % len(STATES)]
        step += 1
        cases.append(open_and_run(body, handler, employer, state, handoff=handoff, source=CaseSource.APPEAL))
        made["from_appeals"] += 1
    made["consultations"], made["representations"] = _legal_aid(rng, now, root, districts, lawyers, cases)
    return made


def _legal_aid(rng, now, root, districts, lawyers, cases) -> tuple[int, int]:
    """Consultations at the city's and the districts' service desks, and lawyers
    representing workers whose cases went to arbitration."""
    handler = _handler(root)
    if handler is None or not lawyers:
        return 0, 0
    consultations = representations = 0
    units = [root, *districts]
    with transaction.atomic(), user_scope(handler):
        for i, (topic, notes) in enumerate(CONSULTATIONS):
            unit = units[i % len(units)]
            legalaid.consultation_record(
                by=handler,
                unit=unit,
                channel=rng.choice(["walk_in", "walk_in", "hotline"]),
                lawyer=rng.choice(lawyers),
                client_name=rng.choice(names.SURNAMES) + rng.choice(["先生", "女士"]),
                topic=topic,
                phone=_phone(rng),
                notes=notes,
                outcome=rng.choice(["已解答", "已解答，建议申请调解", "转法律援助代理"]),
                held_at=now - dt.timedelta(days=rng.uniform(0.2, 45)),
            )
            consultations += 1
        with scopes_disabled():
            to_arbitration = list(
                MediationCase.objects.filter(pk__in=[c.pk for c in cases], events__to_status=CaseStatus.NO_AGREEMENT)
                .select_related("body__unit")
                .distinct()
                .order_by("pk")
            )
        for case in to_arbitration[:4]:
            with scopes_disabled():
                worker = case.workers.order_by("id").first()
                body_unit = case.body.unit
            lawyer = rng.choice(lawyers)
            rep = legalaid.representation_assign(
                by=handler,
                unit=body_unit,
                lawyer=lawyer,
                client_name=worker.name if worker else "申请人",
                matter=f"代理{case.number}劳动争议仲裁",
                case=case,
            )
            representations += 1
            assigned = now - dt.timedelta(days=rng.uniform(5, 20))
            with scopes_disabled():
                Representation.objects.filter(pk=rep.pk).update(assigned_at=assigned)
            for d in range(rng.randint(1, 3)):
                legalaid.representation_log_hours(
                    by=lawyer,
                    representation=rep,
                    hours=rng.choice(["1.5", "2", "3", "4.5"]),
                    worked_on=timezone.localdate(assigned) + dt.timedelta(days=2 * d + 1),
                    note=rng.choice(["阅卷、会见当事人", "整理证据、撰写仲裁申请书", "出庭参加仲裁庭审"]),
                )
            if representations % 2 == 0:
                legalaid.representation_close(
                    by=lawyer, representation=rep, outcome="仲裁委裁决支持申请人大部分请求，单位已履行。"
                )
    return consultations, representations
