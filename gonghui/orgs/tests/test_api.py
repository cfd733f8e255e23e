import pytest

from conftest import make_staff, valid_uscc
from gonghui.accounts.services import api_token_create
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled


@pytest.fixture
def api(client):
    class Api:
        def __init__(self):
            self.headers = {}

        def as_(self, staff):
            _, raw = api_token_create(staff=staff, name="test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
            return self

        def get(self, url, **params):
            return client.get("/api/v1" + url, params, **self.headers)

        def post(self, url, data):
            return client.post("/api/v1" + url, data, content_type="application/json", **self.headers)

        def patch(self, url, data):
            return client.patch("/api/v1" + url, data, content_type="application/json", **self.headers)

    return Api()


def test_openapi_document_is_served(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/employers" in doc["paths"] and "/api/v1/units/{unit_id}" in doc["paths"]
    assert any(s.get("scheme") == "bearer" for s in doc["components"]["securitySchemes"].values())


def test_docs_page_uses_only_local_assets(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in html and "/static/" in html


def test_no_token_and_forged_token_are_401(client, city):
    assert client.get("/api/v1/employers").status_code == 401
    response = client.get("/api/v1/employers", HTTP_AUTHORIZATION="Bearer gh_forged")
    assert response.status_code == 401 and "detail" in response.json()


def test_list_is_scoped_and_paginated(api, city, district_officer):
    api.as_(district_officer)
    body = api.get("/employers", page_size=1).json()
    assert body["count"] == 1 and body["results"][0]["name"] == city.employer_cy.name
    assert body["page_size"] == 1 and body["has_next"] is False
    units = api.get("/units").json()
    names = [u["name"] for u in units["results"]]
    assert "北京市朝阳区总工会" in names and "北京市海淀区总工会" not in names and "北京市总工会" not in names


def test_filters(api, city, city_officer):
    api.as_(city_officer)
    assert api.get("/employers", industry="I").json()["count"] == 1
    assert api.get("/employers", unit=city.haidian.pk).json()["count"] == 1
    assert api.get("/employers", q=city.employer_cy.uscc).json()["count"] == 1
    assert api.get("/employers", has_own_union="true").json()["count"] == 0
    assert api.get("/service-points", kind="book_house").json()["count"] == 1
    kids = api.get("/units", parent=city.chaoyang.pk).json()
    assert [u["name"] for u in kids["results"]] == ["建外街道工会服务站"]
    assert kids["results"][0]["parent_id"] == city.chaoyang.pk


def test_other_districts_object_is_404_like_a_missing_one(api, city, district_officer):
    api.as_(district_officer)
    foreign = api.get(f"/employers/{city.employer_hd.pk}")
    missing = api.get("/employers/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert api.patch(f"/employers/{city.employer_hd.pk}", {"headcount": 1}).status_code == 404


def employer_payload(city, **over):
    data = {
        "name": "北京接口测试有限公司",
        "uscc": valid_uscc("110105", "MA04NPQR4"),
        "industry": "F",
        "ownership": "non_public",
        "size": "micro",
        "headcount": 5,
        "district_id": city.chaoyang.pk,
        "unit_id": city.chaoyang_cju.pk,
    }
    data.update(over)
    return data


def test_create_and_update_employer(api, city, district_officer):
    api.as_(district_officer)
    response = api.post("/employers", employer_payload(city))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["unit_name"] == "永安里社区联合工会"
    response = api.patch(f"/employers/{created['id']}", {"headcount": 12})
    assert response.status_code == 200 and response.json()["headcount"] == 12
    with scopes_disabled():
        entry = AuditEntry.objects.filter(object_type="orgs.employer", object_id=str(created["id"])).latest("seq")
    assert entry.changes == {"headcount": [5, 12]}


def test_invalid_input_gets_per_field_messages(api, city, district_officer):
    api.as_(district_officer)
    good = valid_uscc("110105", "MA04NPQR4")
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    response = api.post("/employers", employer_payload(city, uscc=wrong))
    assert response.status_code == 422
    assert "校验位" in response.json()["errors"]["uscc"][0]
    response = api.post("/employers", employer_payload(city, industry="ZZ", headcount=-1))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"industry", "headcount"}
    assert errors["headcount"] == ["不能小于 0。"] and "不是有效的选项" in errors["industry"][0]
    response = api.post("/employers", {"name": "x"})
    assert response.status_code == 422 and response.json()["errors"]["uscc"] == ["此字段为必填项。"]


def test_placing_an_employer_in_another_district_is_404(api, city, district_officer):
    api.as_(district_officer)
    response = api.post("/employers", employer_payload(city, unit_id=city.haidian_station.pk))
    assert response.status_code == 404


def test_auditor_may_read_but_not_write(api, city):
    auditor = make_staff(city.chaoyang, "auditor")
    api.as_(auditor)
    assert api.get("/employers").status_code == 200
    response = api.post("/employers", employer_payload(city))
    assert response.status_code == 403
    assert api.patch(f"/units/{city.chaoyang_station.pk}", {"name": "改"}).status_code == 403


def test_units_create_and_totals(api, city):
    admin = make_staff(city.chaoyang, "unit_admin")
    api.as_(admin)
    response = api.post(
        "/units",
        {"parent_id": city.chaoyang_station.pk, "kind": "community_station", "name": "国贸楼宇工会服务站"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent_id"] == city.chaoyang_station.pk
    bad = api.post("/units", {"parent_id": city.chaoyang_station.pk, "kind": "district_union", "name": "x"})
    assert bad.status_code == 422 and "kind" in bad.json()["errors"]
    totals = api.get(f"/units/{city.chaoyang.pk}/totals").json()
    assert totals["employers"] == 1 and totals["units"] == 4


def test_service_point_create_validates(api, city, district_officer):
    api.as_(district_officer)
    data = {
        "kind": "outdoor_rest_station",
        "name": "国贸户外劳动者驿站",
        "code": "cy-rest-1",
        "unit_id": city.chaoyang_station.pk,
        "address": "朝阳区建国路",
        "latitude": "39.9087",
        "longitude": "116.4600",
    }
    assert api.post("/service-points", data).status_code == 201
    bad = api.post("/service-points", {**data, "code": "cy rest", "latitude": "91"})
    assert bad.status_code == 422 and {"code", "latitude"} <= set(bad.json()["errors"])
    dup = api.post("/service-points", data)
    assert dup.status_code == 422 and "code" in dup.json()["errors"]
