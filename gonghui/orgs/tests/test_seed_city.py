"""``manage.py seed_city``: the demo city is deterministic, valid and consistent."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Staff
from gonghui.core.audit import audit_verify
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.orgs import demo_data
from gonghui.orgs.management.commands.seed_city import totp_key_for, totp_secret_for
from gonghui.orgs.models import Employer, ServicePoint, Unit, UnitCounts, UnitKind
from gonghui.orgs.validators import validate_uscc

SCALE = 0.02
PLACE_KINDS = (UnitKind.DISTRICT_UNION, UnitKind.STREET_STATION)


def seed(*args, **options):
    out = io.StringIO()
    call_command("seed_city", *args, scale=SCALE, stdout=out, **options)
    return out.getvalue()


def city_fingerprint():
    with scopes_disabled():
        return (
            list(
                Unit.objects.order_by("path").values_list("path", "depth", "numchild", "kind", "name", "division_code")
            ),
            list(Employer.objects.order_by("uscc").values_list("uscc", "name", "unit__path", "has_own_union")),
            list(ServicePoint.objects.order_by("code").values_list("code", "name", "unit__path", "latitude")),
        )


@pytest.mark.django_db
def test_same_seed_builds_the_same_city_after_a_reset():
    seed(quiet=True)
    first = city_fingerprint()
    seed(reset=True, force=True, quiet=True)
    assert city_fingerprint() == first
    assert len(first[1]) > 50


@pytest.mark.django_db
def test_another_seed_builds_other_names_and_codes():
    seed(quiet=True)
    first = city_fingerprint()
    seed(reset=True, force=True, quiet=True, seed=7)
    second = city_fingerprint()
    assert {row[0] for row in first[1]}.isdisjoint({row[0] for row in second[1]})

    # The real places do not depend on the seed: districts and stations keep their paths.
    def places(units):
        return [(path, kind, name, code) for path, _, _, kind, name, code in units if kind in PLACE_KINDS]

    assert places(first[0]) == places(second[0])


@pytest.mark.django_db
def test_tree_has_the_real_districts_and_stations_and_no_treebeard_problems():
    seed(quiet=True)
    with scopes_disabled():
        assert Unit.objects.find_problems() == ([], [], [], [], [])
        root = Unit.objects.get(depth=1)
        assert (root.name, root.division_code, root.kind) == ("北京市总工会", "110000", UnitKind.CITY_FEDERATION)
        districts = {u.name: u for u in Unit.objects.filter(kind=UnitKind.DISTRICT_UNION)}
        assert len(districts) == 17
        assert districts["北京市朝阳区总工会"].division_code == "110105"
        assert districts["北京市朝阳区总工会"].short_name == "朝阳区总工会"
        assert districts["北京经济技术开发区总工会"].division_code == ""
        stations = Unit.objects.filter(kind=UnitKind.STREET_STATION)
        assert stations.count() == 344
        dongcheng = districts["北京市东城区总工会"]
        first = Unit.objects.filter(kind=UnitKind.STREET_STATION, path__startswith=dongcheng.path).order_by("path")[0]
        assert (first.name, first.division_code) == ("东华门街道工会服务站", "110101001")
        codes = {u.path: u.division_code for u in districts.values()}
        for station in stations.exclude(division_code=""):
            assert station.division_code[:6] == codes[station.path[:8]]
        assert Unit.objects.filter(kind=UnitKind.INDUSTRY_UNION).count() == 8
        assert Unit.objects.filter(kind=UnitKind.BUREAU_UNION).count() >= 8
        # Every station has at least one community joint union.
        with_cju = set(Unit.objects.filter(kind=UnitKind.COMMUNITY_JOINT_UNION).values_list("path", flat=True))
        assert {p[:12] for p in with_cju} == set(stations.values_list("path", flat=True))


@pytest.mark.django_db
def test_every_credit_code_is_valid_unique_and_registered_in_beijing():
    seed(quiet=True)
    with scopes_disabled():
        employers = list(Employer.objects.select_related("district", "unit"))
    assert len({e.uscc for e in employers}) == len(employers)
    district_regions = {d.name: d.uscc_region for d in demo_data.DISTRICTS}
    for employer in employers:
        validate_uscc(employer.uscc)
        assert employer.uscc[2:8] in (district_regions[employer.district.name], "110000")
        assert employer.district.kind == UnitKind.DISTRICT_UNION
        # An employer with its own union hangs from that union; the others from a covering unit.
        own = employer.unit.kind in (UnitKind.ENTERPRISE_UNION, UnitKind.BUREAU_UNION)
        assert employer.has_own_union == own


@pytest.mark.django_db
def test_unit_counts_equal_the_rows_they_count():
    seed(quiet=True)
    with scopes_disabled():
        employers = Counter(Employer.objects.values_list("unit_id", flat=True))
        unionised = Counter(Employer.objects.filter(has_own_union=True).values_list("unit_id", flat=True))
        points = Counter(ServicePoint.objects.values_list("unit_id", flat=True))
        staff = Counter(Staff.objects.values_list("unit_id", flat=True))
        counts = {c.unit_id: c for c in UnitCounts.objects.all()}
        assert set(counts) == set(Unit.objects.values_list("id", flat=True))
        for unit_id, c in counts.items():
            assert (c.employers, c.unionised_employers, c.service_points, c.staff) == (
                employers[unit_id],
                unionised[unit_id],
                points[unit_id],
                staff[unit_id],
            )


@pytest.mark.django_db
def test_service_points_show_the_five_disclosures_inside_beijing():
    seed(quiet=True)
    with scopes_disabled():
        points = list(ServicePoint.objects.select_related("unit"))
        kinds = Counter(p.kind for p in points)
        assert kinds["worker_home"] == Unit.objects.filter(kind=UnitKind.STREET_STATION).count()
        assert kinds["service_centre"] == 18
        assert kinds["activity_centre"] == 23
        assert kinds["mother_baby_room"] == 25
        t3 = ServicePoint.objects.get(name="首都机场T3航站楼的士职工之家")
        assert t3.unit.name == "北京市顺义区总工会"
        assert ServicePoint.objects.filter(kind="kiosk", name__contains="枫桥智能舱").exists()
    for p in points:
        five = (
            p.sign_and_place,
            p.chair_name,
            p.chair_phone,
            p.chair_email,
            p.staff_on_duty,
            p.rules,
            p.service_items,
            p.procedures,
        )
        assert all(five), p.code
        assert len(p.procedure_steps()) >= 3
        assert 39.4 <= p.latitude <= 41.0 and 115.7 <= p.longitude <= 117.4


@pytest.mark.django_db
def test_demo_logins_have_their_units_roles_and_two_factor_devices():
    seed(quiet=True)
    with scopes_disabled():
        for spec in demo_data.DEMO_STAFF:
            staff = Staff.objects.select_related("unit").get(username=spec.username)
            assert staff.check_password(demo_data.DEMO_PASSWORD)
            assert staff.role_set == set(spec.roles)
            assert staff.full_name and staff.title
            device = TOTPDevice.objects.filter(user=staff, confirmed=True).first()
            if staff.needs_two_factor:
                assert device is not None and device.key == totp_key_for(spec.username)
            else:
                assert device is None
        assert Staff.objects.get(username="chaoyang_sw").unit.name == "建外街道工会服务站"
        assert Staff.objects.get(username="daxing_mediator").unit.name == "北京市大兴区总工会"
        assert Staff.objects.get(username="sysadmin").unit.depth == 1


@pytest.mark.django_db
def test_a_district_login_sees_its_district_and_not_another():
    seed(quiet=True)
    with scopes_disabled():
        officer = Staff.objects.select_related("unit").get(username="chaoyang_officer")
        outsider = Staff.objects.select_related("unit").get(username="haidian_officer")
        total = Employer.objects.count()
    with user_scope(officer):
        visible = Employer.objects.count()
        assert 0 < visible < total
        assert not Unit.objects.filter(pk=outsider.unit_id).exists()
        assert not Employer.objects.filter(unit__path__startswith=outsider.unit.path).exists()


@pytest.mark.django_db
def test_second_run_changes_nothing_and_prints_the_logins_again():
    seed(quiet=True)
    first = city_fingerprint()
    out = seed()
    assert city_fingerprint() == first
    assert "already loaded" in out
    for spec in demo_data.DEMO_STAFF:
        assert spec.username in out
    assert totp_secret_for(totp_key_for("city_admin")) in out
    assert "http://127.0.0.1:8000/" in out


@pytest.mark.django_db
def test_seeding_writes_one_summary_audit_entry_and_keeps_the_chain_valid():
    seed(quiet=True)
    seed(reset=True, force=True, quiet=True)
    with scopes_disabled():
        assert AuditEntry.objects.filter(actor_name="seed_city", action="create").count() == 2
        assert AuditEntry.objects.filter(actor_name="seed_city", action="delete").count() == 1
        assert AuditEntry.objects.count() == 5  # two roots created by the service, two summaries, one reset
    assert audit_verify().ok


@pytest.mark.django_db
def test_reset_on_another_database_needs_force(monkeypatch):
    seed(quiet=True)
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="--force"):
        seed(reset=True, quiet=True)


@pytest.mark.django_db
def test_refuses_to_mix_with_an_existing_foreign_tree():
    from gonghui.orgs import services

    services.unit_create_root(name="某市总工会")
    with pytest.raises(CommandError, match="--reset"):
        seed(quiet=True)
