from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import login
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.mediation import results, services


def test_results_count_claimed_agreed_and_recovered(case_in_mediation, handler, city, district_officer, client):
    with scopes_disabled():
        wages, overtime = case_in_mediation.claims.order_by("id")
    services.case_agree(
        by=handler,
        case=case_in_mediation,
        amounts={wages.pk: ("15000", ""), overtime.pk: ("5000", "")},
        schedule=[(timezone.localdate(), "20000")],
    )
    services.payment_record(by=handler, case=case_in_mediation, amount="8000")
    today = timezone.localdate()
    with user_scope(district_officer):
        r = results.mediation_results(user=district_officer, unit=city.chaoyang, start=today, end=today)
    assert (r["opened"], r["agreed_cases"], r["agreement_rate"]) == (1, 1, 100.0)
    assert (r["claimed"], r["agreed"], r["paid"]) == (Decimal("25000"), Decimal("20000"), Decimal("8000"))
    by_type = {row["key"]: row for row in r["by_type"]}
    assert by_type["wages"]["paid"] == Decimal("6000.00") and by_type["overtime"]["paid"] == Decimal("2000.00")
    assert [row["label"] for row in r["by_industry"]] == ["住宿和餐饮业"]
    login(client, district_officer)
    response = client.get(f"/mediation/results/?unit={city.chaoyang.pk}&format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_outsider_cannot_take_results_of_another_district(city, outsider):
    with user_scope(outsider), pytest.raises(ValidationError):
        results.mediation_results(user=outsider, unit=city.chaoyang, start=None, end=None)
