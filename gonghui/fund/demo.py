"""Demo warmth fund for `seed_city --members N` (idempotent): the city fund and a donations
account at the city federation, district allocation accounts for a few districts, donations
received and allocations made, all through ``services.transfer`` with stable idempotency
keys, so a second run posts nothing. The hardship demo (gonghui/hardship/demo.py) opens its
programme accounts under these districts and funds them from the district accounts.

``demo_staff`` is shared with the hardship and mediation demos: the demo city's own staff
where one fits (the printed logins), otherwise a demo account without a usable password."""

import random
from decimal import Decimal

from django.db import transaction

from gonghui.core.scoping import scope, scopes_disabled
from gonghui.fund import services
from gonghui.fund.models import Account, AccountKind
from gonghui.orgs.models import Unit, UnitKind

CITY_FUND = "BJ-FUND"
CITY_DONATIONS = "BJ-DONATIONS"
# (division code, short name): the districts the demo gives an allocation account.
DISTRICTS = (("110105", "朝阳区"), ("110108", "海淀区"), ("110101", "东城区"), ("110115", "大兴区"))
DONORS = (
    "北京市国有资产经营有限责任公司",
    "北京首都开发控股（集团）有限公司",
    "北京银行股份有限公司",
    "北京同仁堂股份有限公司",
    "北京京东世纪贸易有限公司",
    "北京市慈善基金会（职工帮扶专项）",
    "北京祥龙出租客运有限公司工会",
    "北京燕京啤酒股份有限公司",
)


def district_code(code: str) -> str:
    return f"BJ-{code}-DIST"


def demo_root() -> Unit | None:
    with scopes_disabled():
        return Unit.objects.filter(depth=1).order_by("path").first()


def demo_districts() -> list[Unit]:
    """The demo districts that exist in this tree, in the order of DISTRICTS."""
    with scopes_disabled():
        found = {
            u.division_code: u
            for u in Unit.objects.filter(kind=UnitKind.DISTRICT_UNION, division_code__in=[c for c, _n in DISTRICTS])
        }
    return [found[c] for c, _n in DISTRICTS if c in found]


def demo_staff(unit: Unit, permission: str, *, role: str, username: str, full_name: str, title: str = "", exclude=()):
    """An active staff member of ``unit`` who may do ``permission``: the one named
    ``username`` if there, else the first who fits (not in ``exclude``), else a new demo
    account (no usable password: an actor in the demo's history, not a login)."""
    from gonghui.accounts.models import Staff, StaffRole
    from gonghui.orgs.services import unit_counts_add

    excluded = {s.pk for s in exclude}
    with scopes_disabled():
        candidates = [
            s
            for s in Staff.objects.filter(unit=unit, is_active=True).prefetch_related("roles").order_by("pk")
            if s.can(permission) and s.pk not in excluded
        ]
        for s in candidates:
            if s.username == username:
                return s
        if candidates:
            return candidates[0]
        staff = Staff.objects.filter(username=username).first()
        if staff is not None:  # a demo account of that name elsewhere: add a number
            username = f"{username}_{unit.pk}"
            existing = Staff.objects.filter(username=username, unit=unit).first()
            if existing is not None:
                return existing
        staff = Staff(username=username, full_name=full_name, title=title, unit=unit)
        staff.set_unusable_password()
        staff.save()
        StaffRole.objects.create(staff=staff, role=role)
        unit_counts_add(unit=unit, staff=1)
        return Staff.objects.prefetch_related("roles").get(pk=staff.pk)


def open_account(*, by, code: str, name: str, kind: str, unit: Unit, allow_negative: bool = False):
    """The account with this code, opened through the service if it is not there yet.
    Returns (account, opened)."""
    with scopes_disabled():
        existing = Account.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    return services.account_open(by=by, code=code, name=name, kind=kind, unit=unit, allow_negative=allow_negative), True


def seed_demo_fund(*, seed: int = 8123) -> dict:
    """The city's warmth fund with donations in and allocations out to a few districts."""
    made = {"accounts": 0, "transactions": 0}
    root = demo_root()
    if root is None:
        return made
    with scopes_disabled():
        if Account.objects.filter(code=CITY_FUND).exists():
            return made
    rng = random.Random(seed)
    manager = demo_staff(
        root, "fund.manage", role="officer", username="city_officer", full_name="李国栋", title="基层工作部干部"
    )
    districts = demo_districts()
    with transaction.atomic(), scope(org=root.path):
        fund, opened_fund = open_account(
            by=manager, code=CITY_FUND, name="北京市总工会温暖基金", kind=AccountKind.FUND, unit=root
        )
        donations, opened_donations = open_account(
            by=manager,
            code=CITY_DONATIONS,
            name="北京市总工会社会捐赠收入",
            kind=AccountKind.DONATIONS,
            unit=root,
            allow_negative=True,
        )
        made["accounts"] += opened_fund + opened_donations
        posted = []
        for i, donor in enumerate(DONORS):
            amount = Decimal(rng.choice([200, 300, 500, 600, 800])) * 1000
            posted.append(
                services.transfer(
                    by=manager,
                    source=donations,
                    target=fund,
                    amount=amount,
                    memo=f"{donor}捐赠温暖基金",
                    idempotency_key=f"demo-fund-donation-{i + 1}",
                )
            )
        # Each district gets an allocation for the year and, for some, a second one
        # before the Spring Festival.
        for district in districts:
            account, opened = open_account(
                by=manager,
                code=district_code(district.division_code),
                name=f"{district.label}温暖基金拨付",
                kind=AccountKind.DISTRICT,
                unit=district,
            )
            made["accounts"] += opened
            rounds = [("年度拨付", rng.choice([200, 250, 300]) * 1000)]
            if rng.random() < 0.7:
                rounds.append(("春节送温暖专项拨付", rng.choice([50, 80, 100]) * 1000))
            for n, (what, amount) in enumerate(rounds, start=1):
                posted.append(
                    services.transfer(
                        by=manager,
                        source=fund,
                        target=account,
                        amount=amount,
                        memo=f"市总工会向{district.label}{what}",
                        idempotency_key=f"demo-fund-alloc-{district.division_code}-{n}",
                    )
                )
    made["transactions"] = len(posted)
    return made
