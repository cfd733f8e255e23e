"""List pages and API lists cost the same number of queries for 3 rows as for 30."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login, make_staff
from gonghui.accounts.services import api_token_create
from gonghui.core.scoping import scope
from gonghui.members import services
from gonghui.members.tests.test_services import make_id


def add_members(city, by, n, start=0):
    with scope(org=by.unit.path):
        for i in range(start, start + n):
            services.member_create(
                by=by,
                name="王" + "一二三四五六七八九十"[i % 10] + "甲乙丙"[i // 10],
                id_number=make_id(seq=f"{i:03d}"),
                phone=f"1390000{i:04d}",
                unit=city.chaoyang_cju,
                employer=city.employer_cy,
            )


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_member_list_page_and_api_do_not_grow_with_rows(client, city):
    officer = make_staff(city.chaoyang, "officer")
    _, raw = api_token_create(staff=officer)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    add_members(city, officer, 3)
    login(client, officer)
    few_page = count(lambda: client.get("/members/"))
    client.logout()
    client.get("/api/v1/members", **auth)  # the token's first use records last_used_at once
    few_api = count(lambda: client.get("/api/v1/members", **auth))
    add_members(city, officer, 27, start=3)
    login(client, officer)
    many_page = count(lambda: client.get("/members/"))
    client.logout()
    many_api = count(lambda: client.get("/api/v1/members", **auth))
    assert many_page == few_page
    assert many_api == few_api


def test_employer_list_does_not_grow_with_rows(client, city):
    from conftest import valid_uscc
    from gonghui.orgs import services as org_services

    admin = make_staff(city.chaoyang, "unit_admin")
    login(client, admin)
    few = count(lambda: client.get("/orgs/employers/"))
    with scope(org=city.chaoyang.path):
        for i in range(10):
            org_services.employer_create(
                by=admin,
                name=f"北京测试{i}有限公司",
                uscc=valid_uscc("110105", f"MA1{i:02d}AAAA"),
                industry="C",
                ownership="non_public",
                size="micro",
                district=city.chaoyang,
                unit=city.chaoyang_station,
            )
    assert count(lambda: client.get("/orgs/employers/")) == few
