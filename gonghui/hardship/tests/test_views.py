import pytest
from django.core.exceptions import ValidationError

from conftest import login
from gonghui.core.scoping import scopes_disabled
from gonghui.hardship import services
from gonghui.hardship.tests.conftest import approved_file

pytestmark = pytest.mark.django_db


def test_station_files_a_household_through_the_page(client, city, station_worker, threshold):
    login(client, station_worker)
    response = client.post(
        "/hardship/new/",
        {
            "member_id_number": _member_id(city),
            "member_income": "1200",
            "medical_expense": "0",
            "education_expense": "0",
            "causes": ["illness"],
            "h-TOTAL_FORMS": "4",
            "h-INITIAL_FORMS": "0",
            "h-0-name": "李梅",
            "h-0-relation": "spouse",
            "h-0-status": "ill",
            "h-0-monthly_income": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert "深度困难" in page and "人均600.00元" in page


def _member_id(city):
    from gonghui.core import pii

    return pii.decrypt(city.member_cy.id_number_cipher)


def test_negative_income_on_the_page_is_a_clear_error(client, city, station_worker, threshold):
    login(client, station_worker)
    response = client.post(
        "/hardship/new/",
        {
            "member_id_number": _member_id(city),
            "member_income": "-5",
            "causes": ["illness"],
            "h-TOTAL_FORMS": "0",
            "h-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "金额不能为负数" in response.content.decode()


def test_foreign_application_and_batch_answer_404(client, city, station_worker, district_approver, spring_programme):
    """A real 朝阳 application and batch are not found by a 海淀 officer."""
    from conftest import make_staff

    file = approved_file(city, station_worker, district_approver)
    with scopes_disabled():
        application = services.application_create(by=station_worker, file=file, programme=spring_programme)
        batch = services.batch_compute(by=district_approver, programme=spring_programme, title="春节")
    hd = make_staff(city.haidian, "officer", "unit_admin", "auditor", username="hd_all_roles")
    login(client, hd)
    assert client.post(f"/hardship/applications/{application.pk}/action/", {"action": "pay"}).status_code == 404
    assert client.get(f"/hardship/batches/{batch.pk}/").status_code == 404
    assert client.post(f"/hardship/batches/{batch.pk}/action/", {"action": "pay"}).status_code == 404
    assert client.get(f"/fund/accounts/{spring_programme.account_id}/export/").status_code == 404


def test_fund_statement_export_is_an_xlsx(client, city, district_approver, spring_programme):
    login(client, district_approver)
    response = client.get(f"/fund/accounts/{spring_programme.account_id}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    page = client.get("/fund/check/").content.decode()
    assert "全部相符" in page


def test_over_the_cap_on_the_page_is_refused(client, city, station_worker, district_approver, spring_programme):
    file = approved_file(city, station_worker, district_approver)
    login(client, station_worker)
    response = client.post(
        f"/hardship/{file.pk}/apply/", {"programme": spring_programme.pk, "amount": "1200"}, follow=True
    )
    assert "每户年度上限" in response.content.decode()
    with pytest.raises(ValidationError):
        with scopes_disabled():
            services.application_create(by=station_worker, file=file, programme=spring_programme, amount="1001")
