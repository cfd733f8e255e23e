import pytest
from django.utils import timezone

from conftest import login, make_staff
from gonghui.core import pii
from gonghui.core.scoping import scopes_disabled
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Claim, ClaimStatus, Enrolment
from gonghui.mutualaid.tests.conftest import fund_plan, make_plan, register, reviewed_claim

pytestmark = pytest.mark.django_db


def test_the_plan_page_shows_enrolment_premiums_claims_and_the_account(
    client, city, manager, second_officer, station_worker, enrolment
):
    claim = reviewed_claim(station_worker, enrolment, days=3)
    with scopes_disabled():
        services.claim_approve(by=manager, claim=claim)
        services.claim_pay(by=second_officer, claim=claim)
    login(client, manager)
    page = client.get(f"/mutualaid/plans/{enrolment.plan_id}/").content.decode()
    assert 'id="plan-enrolled">1<' in page
    assert 'id="plan-premiums">30.00<' in page
    assert "1 笔，300.00元" in page
    assert f"/fund/accounts/{enrolment.plan.account_id}/" in page
    assert 'id="plan-balance">19,730.00<' in page


def test_staff_enrol_a_unit_through_the_pages(client, city, manager, plan, district_account):
    login(client, manager)
    response = client.post(
        f"/mutualaid/plans/{plan.pk}/batch/", {"unit": city.chaoyang_station.pk, "source": district_account.pk}
    )
    assert response.status_code == 302 and "/mutualaid/batches/" in response["Location"]
    batch_url = response["Location"]
    assert client.post(batch_url + "confirm/").status_code == 302
    page = client.get(batch_url).content.decode()
    assert "已确认缴费" in page and "周建国" in page
    with scopes_disabled():
        assert Enrolment.objects.filter(plan=plan, member=city.member_cy).exists()


def test_a_claim_over_the_limit_on_the_page_is_a_clear_error_and_nothing_is_written(
    client, city, station_worker, enrolment
):
    login(client, station_worker)
    id_number = pii.decrypt(city.member_cy.id_number_cipher)
    search = client.get("/mutualaid/claims/new/", {"q": id_number}).content.decode()
    assert f"?enrolment={enrolment.pk}" in search
    form = client.get("/mutualaid/claims/new/", {"enrolment": enrolment.pk}).content.decode()
    assert 'name="hospital_days"' in form and 'name="expenses"' not in form
    response = client.post(
        "/mutualaid/claims/new/",
        {"enrolment": enrolment.pk, "event_date": timezone.localdate().isoformat(), "hospital_days": "40"},
    )
    assert response.status_code == 200
    assert "超出保障限额：单次给付限额 3000.00 元，本次 4000.00 元。" in response.content.decode()
    response = client.post(
        "/mutualaid/claims/new/",
        {"enrolment": enrolment.pk, "event_date": "2025-02-30", "hospital_days": "4"},
    )
    assert "不是有效的日期" in response.content.decode()
    with scopes_disabled():
        assert not Claim.objects.exists()
    response = client.post(
        "/mutualaid/claims/new/",
        {"enrolment": enrolment.pk, "event_date": timezone.localdate().isoformat(), "hospital_days": "4"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Claim.objects.get().amount_claimed == 400


def test_claim_actions_through_the_page(client, city, station_worker, manager, enrolment):
    claim = register(station_worker, enrolment, days=3)
    login(client, station_worker)
    client.post(f"/mutualaid/claims/{claim.pk}/action/", {"action": "review"})
    login(client, manager)
    client.post(f"/mutualaid/claims/{claim.pk}/action/", {"action": "approve", "amount": "250"})
    client.post(f"/mutualaid/claims/{claim.pk}/action/", {"action": "pay"})
    client.post(f"/mutualaid/claims/{claim.pk}/action/", {"action": "pay"})  # a double click
    with scopes_disabled():
        claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.PAID and claim.amount_approved == 250
    page = client.get(f"/mutualaid/claims/{claim.pk}/").content.decode()
    assert f"#{claim.transaction_id}" in page and "已给付" in page


def test_another_district_sees_404_for_real_plans_batches_and_claims(client, city, station_worker, enrolment):
    claim = register(station_worker, enrolment, days=3)
    batch = enrolment.batch
    outsider = make_staff(city.haidian, "officer", username="hd_ma_viewer")
    login(client, outsider)
    for url in [
        f"/mutualaid/plans/{enrolment.plan_id}/",
        f"/mutualaid/batches/{batch.pk}/",
        f"/mutualaid/claims/{claim.pk}/",
        f"/mutualaid/claims/new/?enrolment={enrolment.pk}",
    ]:
        assert client.get(url).status_code == 404, url
    for url, data in [
        (f"/mutualaid/claims/{claim.pk}/action/", {"action": "reject", "note": "x"}),
        (f"/mutualaid/batches/{batch.pk}/confirm/", {}),
        (f"/mutualaid/plans/{enrolment.plan_id}/action/", {"action": "close"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    listing = client.get("/mutualaid/claims/").content.decode()
    assert claim.number not in listing
    assert "?enrolment=" not in client.get("/mutualaid/claims/new/?q=周建国").content.decode()
    assert "朝阳职工住院互助" not in client.get("/mutualaid/").content.decode()
    with scopes_disabled():
        assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED


def test_the_city_sees_every_districts_claims(client, city, city_officer, station_worker, enrolment):
    claim = register(station_worker, enrolment, days=3)
    login(client, city_officer)
    assert claim.number in client.get("/mutualaid/claims/").content.decode()
    assert client.get(f"/mutualaid/claims/{claim.pk}/").status_code == 200


def test_an_auditor_reads_but_cannot_act(client, city, station_worker, enrolment):
    claim = register(station_worker, enrolment, days=3)
    auditor = make_staff(city.chaoyang, "auditor", username="cy_ma_auditor")
    login(client, auditor)
    assert client.get(f"/mutualaid/claims/{claim.pk}/").status_code == 200
    assert client.post(f"/mutualaid/claims/{claim.pk}/action/", {"action": "review"}).status_code == 403
    assert client.get("/mutualaid/plans/new/").status_code == 403


def test_staff_set_up_a_plan_through_the_page(client, city, manager):
    login(client, manager)
    data = {
        "name": "朝阳重大疾病互助",
        "kind": "critical_illness",
        "unit": city.chaoyang.pk,
        "year": timezone.localdate().year,
        "premium": "60",
        "claim_limit": "20000",
        "yearly_limit": "10000",
        "waiting_days": "90",
        "reimbursement_ratio": "0.5",
    }
    response = client.post("/mutualaid/plans/new/", data)
    assert response.status_code == 200 and "每人年度给付限额不能低于单次给付限额" in response.content.decode()
    data["yearly_limit"] = "20000"
    response = client.post("/mutualaid/plans/new/", data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "筹备中" in page and "50%" in page


def test_a_closed_plan_still_takes_claims_for_its_year(client, city, manager, station_worker, district_account):
    plan = make_plan(city, manager)
    from gonghui.mutualaid.tests.conftest import enrol

    enrol(city, manager, plan, district_account)
    fund_plan(manager, plan)
    login(client, manager)
    client.post(f"/mutualaid/plans/{plan.pk}/action/", {"action": "close"})
    with scopes_disabled():
        enrolment = Enrolment.objects.select_related("plan", "member", "unit").get(plan=plan)
        assert enrolment.plan.status == "closed"
    assert register(station_worker, enrolment, days=2).amount_claimed == 200


def test_a_document_that_is_not_a_photo_or_pdf_is_refused_on_the_page(client, city, station_worker, enrolment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = register(station_worker, enrolment, days=3)
    login(client, station_worker)
    response = client.post(
        f"/mutualaid/claims/{claim.pk}/attach/",
        {"document": SimpleUploadedFile("诊断证明.pdf", b"<html>not a pdf</html>")},
        follow=True,
    )
    assert "不是图片或PDF文件" in response.content.decode()
    response = client.post(
        f"/mutualaid/claims/{claim.pk}/attach/",
        {"document": SimpleUploadedFile("诊断证明.pdf", b"%PDF-1.4\n%%EOF\n")},
        follow=True,
    )
    assert "已上传证明材料" in response.content.decode() and "诊断证明.pdf" in response.content.decode()
    with scopes_disabled():
        assert claim.documents.count() == 1
