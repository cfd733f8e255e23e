"""Demo hardship help for `seed_city --members N` (idempotent): this year's standards for
every district (北京 最低生活保障 1,450 元/人·月, relative line ×2), about fifty household
files on demo members in a few districts — filed by a street station's worker, approved by
a different district officer — spread over the workflow (draft, submitted, returned,
approved, under yearly review, exited), the district programmes (春节送温暖, 医疗救助,
助学救助) paid from programme accounts funded from the fund demo's district accounts, a
few applications in each state and one paid Spring Festival batch.

Everything goes through gonghui.hardship.services; only timestamps are moved back
afterwards (as gonghui/appeals/demo.py does) so the files have a believable history."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.core.scoping import scope, scopes_disabled, user_scope
from gonghui.fund import demo as fund_demo
from gonghui.fund import services as fund
from gonghui.fund.models import AccountKind
from gonghui.hardship import services
from gonghui.hardship.models import (
    IN_HARDSHIP,
    AssistanceApplication,
    FileEvent,
    FileStatus,
    HardshipCategory,
    HardshipFile,
    HardshipThreshold,
    Programme,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs import demo_data as names
from gonghui.orgs.models import Unit, UnitKind

MIN_LIVING = "1450"  # 北京市城乡居民最低生活保障标准, 元/人·月 (2025)
RELATIVE_MULTIPLIER = "2"
# division code → (login prefix, filer's name, approver's name), for accounts the demo
# city lacks; existing logins (chaoyang_sw, chaoyang_officer, …) are used where present.
PEOPLE = {
    "110105": ("chaoyang", "郑晓梅", "王海燕"),
    "110108": ("haidian", "刘雅婷", "张明"),
    "110101": ("dongcheng", "马春燕", "高文博"),
    "110115": ("daxing", "胡建军", "周丽"),
}
FILES_PER_DISTRICT = {"110105": 16, "110108": 12, "110101": 10, "110115": 10}
# The states files are left in, by share (files that meet no standard stay drafts or are
# returned: they cannot be approved).
STATES = (
    [FileStatus.APPROVED] * 5
    + [FileStatus.RETURNED, FileStatus.SUBMITTED, FileStatus.DRAFT, FileStatus.UNDER_REVIEW, FileStatus.EXITED]
    + [FileStatus.APPROVED] * 4
    + [FileStatus.SUBMITTED, FileStatus.DRAFT, FileStatus.UNDER_REVIEW, FileStatus.EXITED, FileStatus.SUBMITTED]
)
PROGRAMMES = (
    # suffix, kind, name, categories, amount, yearly cap, money put in
    ("SPRING", "holiday", "春节送温暖", ["deep", "relative", "accident"], "1000", "1000", 60000),
    ("MEDICAL", "medical", "医疗救助", ["deep", "relative", "accident"], "3000", "20000", 80000),
    ("EDU", "education", "助学救助", ["deep", "relative"], "2000", "6000", 40000),
)
EXIT_REASONS = (
    "配偶重新就业，家庭月人均收入已超过相对困难标准。",
    "子女毕业参加工作，家庭收入明显提高。",
    "会员病愈返岗，经复核已脱困。",
    "会员调离本市，转出档案。",
)
RETURN_REASONS = (
    "家庭收入证明不全，请补充配偶单位出具的收入证明。",
    "医疗费用票据与申报金额不符，请核实后重新提交。",
)


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _given(rng: random.Random) -> str:
    given = rng.choice(names.GIVEN_NAME_CHARS)
    return given + (rng.choice(names.GIVEN_NAME_CHARS) if rng.random() < 0.7 else "")


def _household(rng: random.Random, member: Member, category: str):
    """Household rows, the member's income, expenses, causes and a line of situation, made
    so the household falls in ``category`` against the Beijing standards."""
    surname = member.name[0]
    rows, causes, story = [], set(), []
    if rng.random() < 0.75:
        status = rng.choice(["employed", "employed", "unemployed", "ill", "disabled"])
        rows.append({"name": rng.choice(names.SURNAMES) + _given(rng), "relation": "spouse", "status": status})
        if status == "ill":
            causes.add("illness")
            story.append("配偶患慢性病需长期治疗")
        elif status == "disabled":
            causes.add("disability")
            story.append("配偶肢体残疾，无劳动能力")
        elif status == "unemployed":
            causes.add("unemployment")
            story.append("配偶失业在家")
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        rows.append({"name": surname + _given(rng), "relation": "child", "status": "student"})
        causes.add("education")
    if rows and rows[-1]["relation"] == "child":
        story.append("子女在读" if len([r for r in rows if r["relation"] == "child"]) == 1 else "两个孩子在读")
    if rng.random() < 0.3:
        status = rng.choice(["retired", "ill"])
        rows.append({"name": surname + _given(rng), "relation": "parent", "status": status})
        if status == "ill":
            causes.add("illness")
            story.append("父亲（母亲）卧病在床")
    size = len(rows) + 1
    line = Decimal(MIN_LIVING) * Decimal(RELATIVE_MULTIPLIER)
    per_capita = {
        HardshipCategory.DEEP: rng.uniform(700, 1400),
        HardshipCategory.RELATIVE: rng.uniform(1550, 2800),
        HardshipCategory.ACCIDENT: rng.uniform(3000, 3600),
        HardshipCategory.NONE: rng.uniform(3400, 4500),
    }[category]
    total = Decimal(round(per_capita * size / 10) * 10)
    for row in rows:
        row["monthly_income"] = "0"
    rest = total
    for row in rows:
        if row["status"] == "retired":
            pension = min(rest, Decimal(rng.randrange(1200, 2600, 100)))
            row["monthly_income"], rest = str(pension), rest - pension
        elif row["status"] == "employed":
            share = (rest * Decimal(rng.uniform(0.3, 0.5))).quantize(Decimal("1"))
            row["monthly_income"], rest = str(share), rest - share
    medical = education = Decimal("0")
    if category == HardshipCategory.ACCIDENT:
        cause = rng.choice(["illness", "accident"])
        causes.add(cause)
        story.insert(0, "会员突发重病住院" if cause == "illness" else "会员因交通事故受伤停工")
        medical = ((total / size - line) * size + Decimal(rng.randrange(300, 1200))).quantize(Decimal("1"))
    elif "illness" in causes:
        medical = Decimal(rng.randrange(300, 1500, 50))
    if "education" in causes and rng.random() < 0.6:
        education = Decimal(rng.randrange(200, 900, 50))
    if not causes:
        causes.add(rng.choice(["illness", "unemployment"]))
        story.append("会员本人患病，收入减少" if "illness" in causes else "会员所在企业停产，只领基本生活费")
    story.append("家庭主要依靠会员一人收入" if rest >= total * Decimal("0.6") else "家庭收入微薄")
    return {
        "member_income": str(rest),
        "medical_expense": str(medical),
        "education_expense": str(education),
        "causes": sorted(causes),
        "situation": "，".join(story) + "。",
        "household": rows,
    }


def _station_for(district: Unit, wanted: int) -> Unit | None:
    """The district's first street station with staff who file, else the first with
    enough members to file for."""
    from gonghui.accounts.models import Staff

    with scopes_disabled():
        stations = list(
            Unit.objects.filter(kind=UnitKind.STREET_STATION, path__startswith=district.path).order_by("path")
        )
        for station in stations:
            if any(s.can("hardship.file") for s in Staff.objects.filter(unit=station, is_active=True)):
                return station
        best = None
        for station in stations[:20]:
            n = Member.objects.filter(unit__path__startswith=station.path, status=MemberStatus.ACTIVE).count()
            if n >= wanted + 3:
                return station
            if best is None or n > best[1]:
                best = (station, n)
    return best[0] if best else None


class _Clock:
    """Each service step's moment, to move the history back to afterwards."""

    def __init__(self):
        self.steps: list[dt.datetime] = []

    def at(self, when: dt.datetime):
        self.steps.append(when)


def _backdate_file(file: HardshipFile, clock: _Clock, *, approved_at=None, exited_at=None):
    with scopes_disabled():
        events = list(FileEvent.objects.filter(file=file).order_by("pk").values_list("pk", flat=True))
        for pk, when in zip(events, clock.steps, strict=False):
            FileEvent.objects.filter(pk=pk).update(at=when)
        fields = {"created_at": clock.steps[0], "updated_at": clock.steps[-1]}
        if approved_at is not None:
            fields["approved_at"] = approved_at
            fields["review_due_on"] = _one_year_after(timezone.localdate(approved_at))
        if exited_at is not None:
            fields["exited_at"] = exited_at
        HardshipFile.objects.filter(pk=file.pk).update(**fields)


def _file_one(rng, now, *, member, station, filer, approver, state) -> HardshipFile | None:
    qualifies = state not in (FileStatus.DRAFT, FileStatus.RETURNED) or rng.random() < 0.6
    category = (
        rng.choice([HardshipCategory.DEEP] * 5 + [HardshipCategory.RELATIVE] * 4 + [HardshipCategory.ACCIDENT] * 2)
        if qualifies
        else HardshipCategory.NONE
    )
    figures = _household(rng, member, category)
    clock = _Clock()
    age = {
        FileStatus.DRAFT: rng.uniform(0, 10),
        FileStatus.SUBMITTED: rng.uniform(2, 20),
        FileStatus.RETURNED: rng.uniform(10, 40),
        FileStatus.APPROVED: rng.uniform(30, 330),
        FileStatus.UNDER_REVIEW: rng.uniform(370, 390),
        FileStatus.EXITED: rng.uniform(150, 360),
    }[state]
    filed = now - dt.timedelta(days=age, hours=rng.uniform(0, 8))
    with user_scope(filer):
        file = services.file_create(by=filer, member=member, unit=station, **figures)
    clock.at(filed)
    approved_at = exited_at = None
    if state == FileStatus.DRAFT:
        _backdate_file(file, clock)
        return file
    with user_scope(filer):
        services.file_submit(by=filer, file=file)
    submitted = filed + dt.timedelta(days=rng.uniform(0.5, 2))
    clock.at(submitted)
    if state == FileStatus.SUBMITTED:
        _backdate_file(file, clock)
        return file
    decided = submitted + dt.timedelta(days=rng.uniform(3, 12))
    if state == FileStatus.RETURNED:
        with user_scope(approver):
            services.file_return(by=approver, file=file, reason=rng.choice(RETURN_REASONS))
        clock.at(decided)
        _backdate_file(file, clock)
        return file
    with user_scope(approver):
        services.file_approve(by=approver, file=file)
    clock.at(decided)
    approved_at = decided
    if state == FileStatus.UNDER_REVIEW:
        with user_scope(filer):
            services.file_review_start(by=filer, file=file)
        clock.at(now - dt.timedelta(days=rng.uniform(0.5, 4)))
    elif state == FileStatus.EXITED:
        exited_at = min(decided + dt.timedelta(days=rng.uniform(60, 200)), now - dt.timedelta(days=1))
        with user_scope(approver):
            services.file_exit(by=approver, file=file, reason=rng.choice(EXIT_REASONS))
        clock.at(exited_at)
    _backdate_file(file, clock, approved_at=approved_at, exited_at=exited_at)
    return file


def _programmes(rng, district: Unit, approver, year: int) -> dict:
    """The district's programmes, each with its own account funded from the district's
    allocation account (fund demo)."""
    code = district.division_code
    with scopes_disabled():
        source = fund.Account.objects.filter(code=fund_demo.district_code(code)).first()
    made = {}
    with user_scope(approver):
        for suffix, kind, label, categories, amount, cap, money in PROGRAMMES:
            account, _opened = fund_demo.open_account(
                by=approver,
                code=f"BJ-{code}-{suffix}",
                name=f"{district.label}{label}",
                kind=AccountKind.PROGRAMME,
                unit=district,
            )
            if source is not None:
                fund.transfer(
                    by=approver,
                    source=source,
                    target=account,
                    amount=money,
                    memo=f"{year}年{label}项目资金",
                    idempotency_key=f"demo-hardship-fund-{code}-{suffix}",
                )
            made[kind] = services.programme_create(
                by=approver,
                name=f"{year}年{label}" if kind == "holiday" else f"{district.label}{label}",
                kind=kind,
                unit=district,
                year=year,
                eligible_categories=categories,
                amount=amount,
                yearly_cap=cap,
                account=account,
            )
    return made


def _applications(rng, files, programmes, filer, approver) -> int:
    """A few applications per district, left in every state: submitted, reviewed by the
    station, approved, paid, rejected."""
    in_hardship = [f for f in files if f.status in (FileStatus.APPROVED, FileStatus.UNDER_REVIEW)]
    plans = ["paid", "paid", "approved", "station_reviewed", "submitted", "rejected"]
    made = 0
    for file, plan in zip(rng.sample(in_hardship, min(len(in_hardship), len(plans))), plans, strict=False):
        if "education" in file.causes and file.category != HardshipCategory.ACCIDENT and rng.random() < 0.5:
            programme, amount, reason = programmes["education"], "2000", "子女本学期学杂费"
        else:
            programme = programmes["medical"]
            amount, reason = str(rng.choice([2000, 3000, 5000, 8000])), "住院医疗费用自付部分"
        with user_scope(filer):
            application = services.application_create(
                by=filer, file=file, programme=programme, amount=amount, reason=reason
            )
            made += 1
            if plan == "submitted":
                continue
            services.application_station_review(by=filer, application=application, note="材料齐全，情况属实")
        if plan == "station_reviewed":
            continue
        with user_scope(approver):
            if plan == "rejected":
                services.application_approve(
                    by=approver, application=application, approve=False, note="本年度已获同类救助，暂不予支持"
                )
                continue
            services.application_approve(by=approver, application=application, note="同意")
            if plan == "paid":
                services.application_pay(by=approver, application=application)
    with scopes_disabled():
        for application in AssistanceApplication.objects.filter(file__in=files):
            AssistanceApplication.objects.filter(pk=application.pk).update(
                created_at=application.created_at - dt.timedelta(days=rng.uniform(1, 20))
            )
    return made


def seed_demo_hardship(*, seed: int = 5120) -> dict:
    made = {"thresholds": 0, "files": 0, "programmes": 0, "applications": 0, "batches": 0}
    root = fund_demo.demo_root()
    if root is None:
        return made
    districts = fund_demo.demo_districts()
    with scopes_disabled():
        if Programme.objects.filter(account__code__in=[f"BJ-{d.division_code}-SPRING" for d in districts]).exists():
            return made
    fund_demo.seed_demo_fund()
    rng = random.Random(seed)
    now = timezone.now()
    year = timezone.localdate().year
    city = fund_demo.demo_staff(
        root, "hardship.approve", role="officer", username="city_officer", full_name="李国栋", title="基层工作部干部"
    )
    with scope(org=root.path):
        for district in Unit.objects.filter(kind=UnitKind.DISTRICT_UNION).order_by("path"):
            if not HardshipThreshold.objects.filter(district=district, year=year).exists():
                services.threshold_set(
                    by=city,
                    district=district,
                    year=year,
                    min_living=MIN_LIVING,
                    relative_multiplier=RELATIVE_MULTIPLIER,
                )
                made["thresholds"] += 1
    for district in districts:
        code = district.division_code
        prefix, filer_name, approver_name = PEOPLE[code]
        wanted = FILES_PER_DISTRICT[code]
        station = _station_for(district, wanted)
        if station is None:
            continue
        filer = fund_demo.demo_staff(
            station,
            "hardship.file",
            role="social_worker",
            username=f"{prefix}_sw",
            full_name=filer_name,
            title="专职工会社会工作者",
        )
        approver = fund_demo.demo_staff(
            district,
            "hardship.approve",
            role="officer",
            username=f"{prefix}_officer",
            full_name=approver_name,
            title=f"{district.label}困难职工帮扶中心干部",
            exclude=[filer],
        )
        with scopes_disabled():
            taken = HardshipFile.objects.exclude(status=FileStatus.EXITED).values("member_id")
            pool = list(
                Member.objects.filter(unit__path__startswith=station.path, status=MemberStatus.ACTIVE)
                .exclude(pk__in=taken)
                .select_related("unit")
                .order_by("pk")[:400]
            )
        members = rng.sample(pool, min(wanted, len(pool)))
        states = [STATES[i * len(STATES) // max(1, len(members))] for i in range(len(members))]
        rng.shuffle(states)
        files = []
        for member, state in zip(members, states, strict=True):
            with transaction.atomic():
                files.append(
                    _file_one(rng, now, member=member, station=station, filer=filer, approver=approver, state=state)
                )
        made["files"] += len(files)
        with scopes_disabled():
            files = list(HardshipFile.objects.filter(pk__in=[f.pk for f in files]).order_by("pk"))
        with transaction.atomic():
            programmes = _programmes(rng, district, approver, year)
        made["programmes"] += len(programmes)
        with transaction.atomic():
            made["applications"] += _applications(rng, files, programmes, filer, approver)
        if any(f.status in IN_HARDSHIP for f in files):
            made["batches"] += _spring_batch(district, programmes["holiday"], approver, pay=district == districts[0])
    return made


def _spring_batch(district: Unit, programme: Programme, approver, *, pay: bool) -> int:
    """春节送温暖 to every household in hardship in the district: in the first district
    computed, reviewed, approved by a second district officer and paid; elsewhere only
    computed (waiting for review)."""
    with transaction.atomic(), user_scope(approver):
        batch = services.batch_compute(by=approver, programme=programme, title=programme.name)
        if batch.households == 0 or not pay:
            return 1
        services.batch_review(by=approver, batch=batch)
        second = fund_demo.demo_staff(
            district,
            "hardship.approve",
            role="officer",
            username=f"{PEOPLE[district.division_code][0]}_admin",
            full_name="刘志强",
            title=f"{district.label}办公室主任",
            exclude=[approver],
        )
        with user_scope(second):
            services.batch_approve(by=second, batch=batch)
            services.batch_pay(by=second, batch=batch)
    return 1
