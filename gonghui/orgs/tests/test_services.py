import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_staff, valid_uscc
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.orgs import selectors, services
from gonghui.orgs.models import Employer, UnitCounts, UnitKind


def employer_fields(city, **over):
    fields = dict(
        name="北京测试科技有限公司",
        uscc=valid_uscc("110105", "MA03JKLM3"),
        industry="I",
        ownership="non_public",
        size="micro",
        headcount=8,
        district=city.chaoyang,
        unit=city.chaoyang_cju,
    )
    fields.update(over)
    return fields


def in_scope_of(user):
    return scope(org=user.unit.path)


def test_officer_registers_employer_counts_and_audit(city, district_officer):
    with in_scope_of(district_officer):
        employer = services.employer_create(by=district_officer, **employer_fields(city))
        totals = selectors.subtree_totals(city.chaoyang)
    assert totals["employers"] == 2
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="orgs.employer").latest("seq")
        assert entry.object_id == str(employer.pk)
        assert entry.actor_id == district_officer.pk
        assert entry.changes["uscc"] == [None, employer.uscc]
        assert entry.scope_path == city.chaoyang_cju.path


def test_invalid_uscc_is_refused_and_nothing_written(city, district_officer):
    with in_scope_of(district_officer), pytest.raises(ValidationError) as exc:
        services.employer_create(by=district_officer, **employer_fields(city, uscc="91110105MA03JKLM3X"))
    assert "uscc" in exc.value.message_dict
    with scopes_disabled():
        assert Employer.objects.count() == 2


def test_duplicate_uscc_from_another_district_is_refused_without_revealing_it(city, outsider):
    with in_scope_of(outsider), pytest.raises(ValidationError) as exc:
        services.employer_create(
            by=outsider,
            **employer_fields(city, uscc=city.employer_cy.uscc, district=city.haidian, unit=city.haidian_station),
        )
    message = exc.value.message_dict["uscc"][0]
    assert "已登记" in message and city.employer_cy.name not in message


def test_employer_cannot_be_placed_outside_own_subtree(city, outsider):
    with in_scope_of(outsider), pytest.raises(ValidationError) as exc:
        services.employer_create(by=outsider, **employer_fields(city))
    assert "unit" in exc.value.message_dict


def test_auditor_cannot_change_data(city):
    auditor = make_staff(city.chaoyang, "auditor")
    with in_scope_of(auditor), pytest.raises(PermissionDenied):
        services.employer_update(by=auditor, employer=city.employer_cy, headcount=1)
    with in_scope_of(auditor), pytest.raises(PermissionDenied):
        services.unit_update(by=auditor, unit=city.chaoyang_station, name="改名")


def test_moving_an_employer_moves_its_count(city):
    admin = make_staff(city.chaoyang, "unit_admin")
    with in_scope_of(admin):
        services.employer_update(by=admin, employer=city.employer_cy, unit=city.chaoyang_station, has_own_union=True)
    with scopes_disabled():
        assert UnitCounts.objects.get(unit=city.chaoyang_cju).employers == 0
        counts = UnitCounts.objects.get(unit=city.chaoyang_station)
        assert (counts.employers, counts.unionised_employers) == (1, 1)
        entry = AuditEntry.objects.filter(object_type="orgs.employer", action=AuditAction.UPDATE).latest("seq")
        assert entry.changes["unit"] == [city.chaoyang_cju.pk, city.chaoyang_station.pk]


def test_unit_kinds_follow_the_tree_rules(city):
    admin = make_staff(city.chaoyang, "unit_admin")
    with in_scope_of(admin), pytest.raises(ValidationError) as exc:
        services.unit_create(by=admin, parent=city.chaoyang_station, kind=UnitKind.DISTRICT_UNION, name="错误")
    assert "kind" in exc.value.message_dict
    with in_scope_of(admin):
        unit = services.unit_create(
            by=admin, parent=city.chaoyang_station, kind=UnitKind.COMMUNITY_STATION, name="国贸楼宇工会服务站"
        )
    assert unit.path.startswith(city.chaoyang_station.path) and unit.depth == 4


def test_unit_cannot_be_created_under_another_district(city):
    admin = make_staff(city.chaoyang, "unit_admin")
    with in_scope_of(admin), pytest.raises(ValidationError):
        services.unit_create(by=admin, parent=city.haidian_station, kind=UnitKind.COMMUNITY_STATION, name="越权")


def test_invalid_division_code_is_refused(city):
    admin = make_staff(city.chaoyang, "unit_admin")
    with in_scope_of(admin), pytest.raises(ValidationError) as exc:
        services.unit_update(by=admin, unit=city.chaoyang_station, division_code="11A")
    assert "division_code" in exc.value.message_dict


def test_subtree_totals_sum_tallies_of_the_subtree_only(city):
    with scopes_disabled():
        cy = selectors.subtree_totals(city.chaoyang)
        whole = selectors.subtree_totals(city.root)
        children = dict((u.pk, t) for u, t in selectors.children_with_totals(city.root))
    assert (cy["employers"], cy["service_points"], cy["units"]) == (1, 1, 3)
    assert whole["employers"] == 2 and whole["units"] == 7
    assert children[city.chaoyang.pk]["employers"] == 1
    assert children[city.haidian.pk]["service_points"] == 1
    assert children[city.industry.pk]["employers"] == 0


def test_subtree_totals_do_not_touch_the_employer_table(city, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with scopes_disabled(), CaptureQueriesContext(connection) as ctx:
        selectors.subtree_totals(city.root)
        selectors.children_with_totals(city.root)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert '"orgs_employer"' not in sql and len(ctx.captured_queries) == 3


def test_service_point_code_is_unique_city_wide(city, outsider):
    with in_scope_of(outsider), pytest.raises(ValidationError) as exc:
        services.service_point_create(
            by=outsider, kind="kiosk", name="终端", code="cy-home", unit=city.haidian_station, address="海淀"
        )
    assert "code" in exc.value.message_dict


def test_unit_admin_adds_and_edits_a_unit_in_the_workspace(client, city):
    from conftest import login

    admin = make_staff(city.chaoyang, "unit_admin")
    login(client, admin)
    page = client.get(f"/orgs/units/{city.chaoyang_station.pk}/new/").content.decode()
    assert "社区（楼宇）工会服务站" in page and "区总工会" not in page.split("<select")[1].split("</select>")[0]
    response = client.post(
        f"/orgs/units/{city.chaoyang_station.pk}/new/",
        {"kind": "community_station", "name": "国贸楼宇工会服务站", "division_code": "12"},
    )
    assert "行政区划代码应为6位" in response.content.decode()
    response = client.post(
        f"/orgs/units/{city.chaoyang_station.pk}/new/", {"kind": "community_station", "name": "国贸楼宇工会服务站"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        from gonghui.orgs.models import Unit

        unit = Unit.objects.get(name="国贸楼宇工会服务站")
        assert Unit.objects.get_parent(unit) == city.chaoyang_station
    response = client.post(f"/orgs/units/{unit.pk}/edit/", {"name": "国贸CBD楼宇工会服务站", "is_active": "on"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "国贸CBD楼宇工会服务站"


def test_officer_cannot_open_unit_forms(client, city, district_officer):
    from conftest import login

    login(client, district_officer)
    assert client.get(f"/orgs/units/{city.chaoyang_station.pk}/new/").status_code == 403
