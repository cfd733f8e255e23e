"""Shared test fixtures: a small city with two districts, and the three actors every app's
tests use — someone in the right unit, someone in the parent, an outsider who must see
nothing."""

import datetime as dt
import os
from dataclasses import dataclass

import pytest
from django.db import connection

from gonghui.core.scoping import scopes_disabled


def pytest_collection_modifyitems(config, items):
    from django.db import connections

    vendor = connections["default"].vendor
    require_pg = os.environ.get("GONGHUI_REQUIRE_POSTGRES") == "1"
    if require_pg and vendor != "postgresql":
        raise pytest.UsageError("GONGHUI_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL pass of scripts/test.sh")
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_immediately():
    """Background tasks run in the calling thread during tests: same code, no worker."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the thread; start every test in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    """Each test rolls its database back; the working-day calendar's in-process memo must
    not outlive the rows it was read from."""
    from gonghui.core import workdays

    workdays.forget()
    yield
    workdays.forget()


@pytest.fixture
def unscoped():
    """Set-up code runs outside any organisation scope, like a management command."""
    with scopes_disabled():
        yield


@dataclass
class City:
    root: object
    chaoyang: object
    chaoyang_station: object
    chaoyang_cju: object
    haidian: object
    haidian_station: object
    industry: object
    employer_cy: object
    employer_hd: object
    point_cy: object
    point_hd: object
    member_cy: object = None
    member_hd: object = None
    card_hd: object = None
    data_request_hd: object = None
    application_hd: object = None
    venue_hd: object = None
    benefit_hd: object = None
    appeal_hd: object = None
    alert_hd: object = None
    routing_rule_hd: object = None
    kiosk_hd: object = None
    slot_hd: object = None
    mediation_hd: object = None
    mediation_body_hd: object = None
    mediation_handoff_hd: object = None
    mediation_case_hd: object = None
    hardship_file_hd: object = None
    hardship_programme_hd: object = None
    fund_account_hd: object = None
    fund_txn_hd: object = None


def valid_uscc(region: str, body: str) -> str:
    from gonghui.orgs.validators import uscc_check_char

    first17 = "91" + region + body
    return first17 + uscc_check_char(first17)


def make_staff(unit, *roles, username=None, password="Test#Pass2024", **extra):
    from gonghui.accounts.models import Staff, StaffRole
    from gonghui.orgs.services import unit_counts_add

    with scopes_disabled():
        username = username or f"{'_'.join(roles) or 'staff'}_{unit.pk}_{Staff.objects.count()}"
        staff = Staff.objects.create_user(username=username, password=password, unit=unit, **extra)
        for role in roles:
            StaffRole.objects.create(staff=staff, role=role)
        unit_counts_add(unit=unit, staff=1)
    return staff


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate-limit counters, cached gazetteer rows)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files (appeal attachments, import files) go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _restore_migration_data():
    """Rows that data migrations put in every database (deadline policies, alert rules, the
    holiday calendar). A transactional test empties the tables when it ends, so the next
    test finds them gone; put them back as a migrated database has them."""
    import importlib

    from django.apps import apps

    from gonghui.appeals.models import AlertRule
    from gonghui.core.models import CalendarDay

    if not AlertRule.objects.exists():
        importlib.import_module("gonghui.appeals.migrations.0002_defaults").load(apps, None)
    if not CalendarDay.objects.exists():
        importlib.import_module("gonghui.core.migrations.0004_calendar_2025_2026").load(apps, None)


@pytest.fixture
def city(db):
    from gonghui.orgs import services
    from gonghui.orgs.models import UnitKind

    _restore_migration_data()
    with scopes_disabled():
        root = services.unit_create_root(name="北京市总工会", division_code="110000")
        boss = make_staff(root, "unit_admin", username="fixture_root_admin")
        chaoyang = services.unit_create(
            by=boss, parent=root, kind=UnitKind.DISTRICT_UNION, name="北京市朝阳区总工会", division_code="110105"
        )
        cy_station = services.unit_create(
            by=boss, parent=chaoyang, kind=UnitKind.STREET_STATION, name="建外街道工会服务站", division_code="110105001"
        )
        cy_cju = services.unit_create(
            by=boss, parent=cy_station, kind=UnitKind.COMMUNITY_JOINT_UNION, name="永安里社区联合工会"
        )
        haidian = services.unit_create(
            by=boss, parent=root, kind=UnitKind.DISTRICT_UNION, name="北京市海淀区总工会", division_code="110108"
        )
        hd_station = services.unit_create(
            by=boss,
            parent=haidian,
            kind=UnitKind.STREET_STATION,
            name="中关村街道工会服务站",
            division_code="110108001",
        )
        industry = services.unit_create(by=boss, parent=root, kind=UnitKind.INDUSTRY_UNION, name="北京市财贸工会")
        employer_cy = services.employer_create(
            by=boss,
            name="北京国贸餐饮有限公司",
            uscc=valid_uscc("110105", "MA01ABCD1"),
            industry="H",
            ownership="non_public",
            size="small",
            headcount=40,
            district=chaoyang,
            unit=cy_cju,
        )
        employer_hd = services.employer_create(
            by=boss,
            name="北京中关村软件有限公司",
            uscc=valid_uscc("110108", "MA02EFGH2"),
            industry="I",
            ownership="non_public",
            size="medium",
            headcount=300,
            district=haidian,
            unit=hd_station,
        )
        point_cy = services.service_point_create(
            by=boss,
            kind="worker_home",
            name="建外街道职工之家",
            code="cy-home",
            unit=cy_station,
            address="朝阳区建国门外大街1号",
            procedures="登记\n受理\n办结",
        )
        point_hd = services.service_point_create(
            by=boss,
            kind="book_house",
            name="中关村职工书屋",
            code="hd-books",
            unit=hd_station,
            address="海淀区中关村大街27号",
        )
        from gonghui.members.identity import id_check_char
        from gonghui.members.services import member_create

        def id_number(region, seq):
            first17 = f"{region}19880512{seq}"
            return first17 + id_check_char(first17)

        member_cy = member_create(
            by=boss, name="周建国", id_number=id_number("110105", "551"), phone="13501010101", unit=cy_cju
        )
        member_hd = member_create(
            by=boss, name="海淀会员", id_number=id_number("110108", "662"), phone="13602020202", unit=hd_station
        )
        from gonghui.cards.services import card_issue

        card_hd = card_issue(by=boss, member=member_hd)
        from gonghui.members.services import data_request_submit

        data_request_hd = data_request_submit(member=member_hd, kind="correction", details="海淀会员更正地址")
        from gonghui.members.services import application_submit_join

        application_hd = application_submit_join(
            phone="13603030303",
            name="海淀申请人",
            id_number=id_number("110108", "773"),
            employer=employer_hd,
        )
        from gonghui.cards.services import benefit_create, venue_create

        venue_hd = venue_create(by=boss, name="中关村职工体育馆", unit=hd_station, address="海淀区中关村南大街5号")
        # Switched off, so the members' portal (which lists every active benefit) is unchanged.
        benefit_hd = benefit_create(
            by=boss,
            venue=venue_hd,
            name="中关村游泳会员价",
            kind="member_price",
            member_price="20.00",
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2030, 12, 31),
            is_active=False,
        )
        from gonghui.appeals.services import appeal_submit

        appeal_hd = appeal_submit(
            by=boss,
            channel="hotline",
            worker_name="海淀来电人",
            phone="13604040404",
            description="中关村软件公司拖欠海淀员工工资两个月。",
            employer=employer_hd,
        )
        from django.utils import timezone

        from gonghui.kiosk.services import kiosk_create, remote_mediation_request, slot_publish

        kiosk_hd = kiosk_create(
            by=boss, name="中关村枫桥智能舱", unit=hd_station, code="hd-kiosk", service_point=point_hd
        )
        slot_starts = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
        slot_hd = slot_publish(
            by=boss,
            unit=hd_station,
            kind="legal",
            starts_at=slot_starts,
            ends_at=slot_starts + dt.timedelta(hours=1),
            capacity=2,
            counsellor="中关村律师",
            location="中关村街道工会服务站调解室",
        )
        mediation_hd = remote_mediation_request(
            unit=hd_station,
            applicant_name="海淀申请调解人",
            applicant_phone="13605050505",
            other_name="中关村软件公司",
            other_phone="",
            description="中关村软件公司拖欠加班费，申请远程调解。",
            kiosk=kiosk_hd,
        )
        from gonghui.appeals.services import appeal_handoff
        from gonghui.mediation.services import body_create, case_open

        mediation_body_hd = body_create(by=boss, kind="street_room", name="中关村街道劳动争议调解室", unit=hd_station)
        mediation_handoff_hd = appeal_handoff(by=boss, appeal=appeal_hd, kind="mediation", unit=hd_station)
        mediation_case_hd = case_open(
            by=boss,
            body=mediation_body_hd,
            employer=employer_hd,
            source="appeal",
            description="中关村软件公司拖欠海淀员工工资两个月。",
            workers=[],
            claims=[{"type": "wages", "amount": "16000"}],
            handoff=mediation_handoff_hd,
        )
        # 预警: two more appeals about 北京中关村软件 within the week raise the same-employer
        # alert (3 in 7 days) together with appeal_hd.
        from gonghui.appeals.models import Alert

        for phone in ("13606060606", "13607070707"):
            appeal_submit(
                by=boss,
                channel="hotline",
                worker_name="海淀职工",
                phone=phone,
                description="中关村软件公司也拖欠我们的工资。",
                employer=employer_hd,
            )
        alert_hd = Alert.objects.get(kind="same_employer", key=f"employer:{employer_hd.pk}")
        # A city-wide routing rule about 海淀, switched off so routing is unchanged.
        from gonghui.appeals.configuration import routing_rule_create

        routing_rule_hd = routing_rule_create(
            by=boss,
            name="海淀区新就业形态诉求",
            category="new_form",
            district=haidian,
            target=hd_station,
            is_active=False,
        )
        # 困难帮扶 and 温暖基金: a 海淀 household's draft file, its fund account and programme.
        from gonghui.fund.services import account_open
        from gonghui.hardship.services import file_create, programme_create, threshold_set

        threshold_set(
            by=boss, district=haidian, year=timezone.localdate().year, min_living="1450", relative_multiplier="2"
        )
        hardship_file_hd = file_create(
            by=boss, member=member_hd, unit=hd_station, member_income="1000", causes=["illness"], household=[]
        )
        fund_account_hd = account_open(by=boss, code="HD-SPRING", name="海淀春节送温暖", kind="programme", unit=haidian)
        from gonghui.fund.services import transfer

        fund_txn_hd = transfer(
            by=boss,
            source=account_open(
                by=boss, code="HD-DON", name="海淀捐赠收入", kind="donations", unit=haidian, allow_negative=True
            ),
            target=fund_account_hd,
            amount="2000",
            memo="海淀某企业捐赠",
            idempotency_key="fixture-hd-donation",
        )
        hardship_programme_hd = programme_create(
            by=boss,
            name="海淀春节送温暖",
            kind="holiday",
            unit=haidian,
            year=timezone.localdate().year,
            eligible_categories=["deep"],
            amount="500",
            yearly_cap="1000",
            account=fund_account_hd,
        )
    return City(
        root,
        chaoyang,
        cy_station,
        cy_cju,
        haidian,
        hd_station,
        industry,
        employer_cy,
        employer_hd,
        point_cy,
        point_hd,
        member_cy,
        member_hd,
        card_hd,
        data_request_hd,
        application_hd=application_hd,
        venue_hd=venue_hd,
        benefit_hd=benefit_hd,
        appeal_hd=appeal_hd,
        alert_hd=alert_hd,
        routing_rule_hd=routing_rule_hd,
        kiosk_hd=kiosk_hd,
        slot_hd=slot_hd,
        mediation_hd=mediation_hd,
        mediation_body_hd=mediation_body_hd,
        mediation_handoff_hd=mediation_handoff_hd,
        mediation_case_hd=mediation_case_hd,
        hardship_file_hd=hardship_file_hd,
        hardship_programme_hd=hardship_programme_hd,
        fund_account_hd=fund_account_hd,
        fund_txn_hd=fund_txn_hd,
    )


@pytest.fixture
def district_officer(city):
    """The user in the right unit: an officer of 朝阳区."""
    return make_staff(city.chaoyang, "officer", username="cy_officer", full_name="王芳")


@pytest.fixture
def city_officer(city):
    """The user in the parent unit."""
    return make_staff(city.root, "officer", username="city_officer", full_name="李强")


@pytest.fixture
def outsider(city):
    """An officer of another district (海淀区), who must see nothing of 朝阳区."""
    return make_staff(city.haidian, "officer", username="hd_officer", full_name="赵磊")


def login(client, staff):
    """Log a staff member in on a test client, passing two-factor where the role needs it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(staff, backend="gonghui.accounts.backends.StaffBackend")
    if staff.needs_two_factor:
        device, _ = TOTPDevice.objects.get_or_create(user=staff, name="test", defaults={"confirmed": True})
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def as_user(client):
    def _as(staff):
        return login(client, staff)

    return _as


def db_vendor():
    return connection.vendor
