"""Mediation in the JSON API: cases in scope with masked personal data, one case with its
money, the results of a subtree; another district and a lawyer's token see only theirs."""

import pytest
from django.utils import timezone

from conftest import make_staff
from gonghui.accounts.services import api_token_create
from gonghui.core.scoping import scopes_disabled
from gonghui.mediation import services

pytestmark = pytest.mark.django_db


def bearer(staff):
    _, raw = api_token_create(staff=staff, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def paid_case(case_in_mediation, handler):
    with scopes_disabled():
        wages, overtime = case_in_mediation.claims.order_by("id")
    services.case_agree(
        by=handler,
        case=case_in_mediation,
        amounts={wages.pk: ("18000", ""), overtime.pk: ("2000", "")},
        schedule=[(timezone.localdate(), "20000")],
    )
    services.payment_record(by=handler, case=case_in_mediation, amount="15000")
    return case_in_mediation


def test_a_district_lists_its_cases_with_masked_workers(client, city, paid_case, district_officer):
    headers = bearer(district_officer)
    listed = client.get("/api/v1/mediation/cases", **headers).json()
    numbers = [c["number"] for c in listed["results"]]
    assert paid_case.number in numbers
    assert city.mediation_case_hd.number not in numbers

    detail = client.get(f"/api/v1/mediation/cases/{paid_case.pk}", **headers).json()
    assert detail["status"] == "agreed" and detail["workers"] == 2
    assert detail["claimed"] == "25000.00" and detail["agreed"] == "20000.00"
    assert detail["paid"] == "15000.00" and detail["outstanding"] == "5000.00"
    assert [c["agreed"] for c in detail["claims"]] == ["18000.00", "2000.00"]
    assert all("****" in w["phone"] for w in detail["worker_list"])


def test_another_districts_case_answers_404(client, city, outsider, paid_case):
    response = client.get(f"/api/v1/mediation/cases/{paid_case.pk}", **bearer(outsider))
    assert response.status_code == 404
    listed = client.get("/api/v1/mediation/cases", **bearer(outsider)).json()
    assert paid_case.number not in [c["number"] for c in listed["results"]]


def test_results_count_the_recovered_money_of_the_subtree(client, city, paid_case, district_officer):
    headers = bearer(district_officer)
    body = client.get("/api/v1/mediation/results", **headers).json()
    assert body["unit_id"] == city.chaoyang.pk
    assert body["recovered"] == "15000.00" and body["agreed"] == "20000.00"
    assert body["agreed_cases"] == 1 and body["agreement_rate"] == 100.0
    assert {r["key"] for r in body["by_claim_type"]} == {"wages", "overtime"}

    foreign = client.get("/api/v1/mediation/results", {"unit_id": city.haidian.pk}, **headers)
    assert foreign.status_code == 422 and "不在您的管辖范围内" in str(foreign.json()["errors"]["unit_id"])
    backwards = client.get("/api/v1/mediation/results", {"start": "2026-05-01", "end": "2026-01-01"}, **headers)
    assert backwards.status_code == 422


def test_a_lawyers_token_sees_only_assigned_cases(client, city, body, case_in_mediation, handler):
    paid_case = case_in_mediation
    lawyer = make_staff(city.chaoyang, "lawyer", username="cy_api_lawyer", full_name="郑律师")
    headers = bearer(lawyer)
    assert client.get("/api/v1/mediation/cases", **headers).json()["count"] == 0
    assert client.get(f"/api/v1/mediation/cases/{paid_case.pk}", **headers).status_code == 404
    assert client.get("/api/v1/mediation/results", **headers).status_code == 403

    admin = make_staff(city.chaoyang, "unit_admin", username="cy_api_admin")
    with scopes_disabled():
        mediator = services.mediator_add(by=admin, body=body, kind="lawyer", staff=lawyer)
        services.case_assign(by=handler, case=paid_case, mediator=mediator)
    assert client.get("/api/v1/mediation/cases", **headers).json()["count"] == 1
    assert client.get(f"/api/v1/mediation/cases/{paid_case.pk}", **headers).status_code == 200
