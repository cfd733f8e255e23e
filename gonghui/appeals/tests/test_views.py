import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import login, make_staff
from gonghui.appeals.models import Appeal, AppealStatus
from gonghui.appeals.tests.test_services import PHONE, PNG, appeal_count, submit
from gonghui.core.scoping import scopes_disabled


def intake(client, **extra):
    data = {
        "phone": PHONE,
        "worker_name": "刘师傅",
        "channel": "hotline",
        "employer_name": "北京国贸餐饮有限公司",
        "description": "饭店三个月没发工资了，十几个服务员都没拿到钱。",
        "workers_involved": "12",
        "amount": "36000",
        "category": "",
        "difficulty": "normal",
        **extra,
    }
    return client.post("/appeals/new/", data)


def test_operator_registers_a_call_and_it_lands_with_the_employers_union(client, city, operator):
    login(client, operator)
    assert client.get("/appeals/new/").status_code == 200
    response = intake(client)
    assert response.status_code == 302
    with scopes_disabled():
        appeal = Appeal.objects.get(phone_masked="139****2222")
    assert appeal.unit == city.chaoyang_cju and appeal.category == "wage_arrears" and appeal.workers_involved == 12
    page = client.get(response["Location"]).content.decode()
    assert appeal.ticket in page and "永安里社区联合工会" in page


def test_form_errors_are_shown_in_chinese_and_nothing_is_saved(client, city, operator):
    login(client, operator)
    before = appeal_count()
    response = intake(client, phone="123", description="短")
    body = response.content.decode()
    assert response.status_code == 400 and "手机号" in body and "至少5个字" in body
    assert appeal_count() == before


def test_a_disguised_program_is_refused_by_the_form(client, city, operator):
    login(client, operator)
    exe = SimpleUploadedFile("工资条.jpg", b"MZ\x90\x00" + b"\0" * 200, content_type="image/jpeg")
    response = intake(client, attachments=exe)
    assert response.status_code == 400 and "不是图片或PDF" in response.content.decode()


def test_caller_lookup_and_suggestions(client, city, operator):
    login(client, operator)
    caller = client.get("/appeals/caller.json", {"phone": "13501010101"}).json()
    assert caller["member"] == {"name": "周建国", "unit": "永安里社区联合工会"}
    s = client.get("/appeals/suggest.json", {"text": "我在中关村送外卖，平台扣了我的钱"}).json()
    assert s["category"] == "new_form" and s["district"] == "北京市海淀区总工会"


def test_script_in_a_description_is_shown_as_text(client, city, operator):
    appeal = submit(operator, description="<script>alert('x')</script> 工资没发")
    login(client, operator)
    body = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "<script>alert('x')</script>" not in body and "&lt;script&gt;" in body


def test_the_station_handles_it_through_the_page(client, city, operator, cju_worker):
    appeal = submit(operator, employer=city.employer_cy)
    login(client, cju_worker)
    todo = client.get("/appeals/").content.decode()
    assert appeal.ticket in todo and city.appeal_hd.ticket not in todo
    url = f"/appeals/{appeal.pk}/act/"
    client.post(url, {"action": "accept"})
    client.post(url, {"action": "reply", "reply": "已约谈老板，承诺月底前发放。"})
    with scopes_disabled():
        appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REPLIED
    bad = client.post(url, {"action": "close", "satisfaction": "nope"}, follow=True).content.decode()
    assert "请选择回访结果" in bad


def test_another_district_gets_404_everywhere(client, city, operator, outsider):
    appeal = submit(operator, employer=city.employer_cy, attachments=[SimpleUploadedFile("a.png", PNG)])
    login(client, outsider)
    with scopes_disabled():
        attachment = appeal.attachments.get()
    for url in (f"/appeals/{appeal.pk}/", f"/appeals/{appeal.pk}/attachments/{attachment.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"}).status_code == 404
    assert appeal.ticket not in client.get("/appeals/?view=all").content.decode()


def test_attachment_is_served_with_its_checked_type(client, city, operator):
    appeal = submit(operator, employer=city.employer_cy, attachments=[SimpleUploadedFile("工资条.png", PNG)])
    login(client, operator)
    with scopes_disabled():
        attachment = appeal.attachments.get()
    response = client.get(f"/appeals/{appeal.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_tracking_page(client, city, operator):
    appeal = submit(operator, employer=city.employer_cy)
    page = client.post("/track/", {"ticket": appeal.ticket, "phone": PHONE}).content.decode()
    assert "已登记" in page and "永安里社区联合工会" in page
    unknown = client.post("/track/", {"ticket": "261121000000", "phone": PHONE})
    assert (
        unknown.status_code == 400 and "12位数字" in unknown.content.decode() or "没有找到" in unknown.content.decode()
    )
    wrong = client.post("/track/", {"ticket": appeal.ticket, "phone": "13900000000"})
    assert wrong.status_code == 400 and "不一致" in wrong.content.decode()


def test_tracking_is_rate_limited(client, city, operator, settings):
    from gonghui.appeals import views

    appeal = submit(operator, employer=city.employer_cy)
    for _ in range(views.TRACK_PER_HOUR):
        client.post("/track/", {"ticket": appeal.ticket, "phone": "13900000000"})
    limited = client.post("/track/", {"ticket": appeal.ticket, "phone": PHONE})
    assert limited.status_code == 400 and "查询次数过多" in limited.content.decode()


@pytest.mark.parametrize("role", ["mediator", "auditor"])
def test_read_only_roles_see_but_cannot_act(client, city, operator, role):
    appeal = submit(operator, employer=city.employer_cy)
    staff = make_staff(city.chaoyang, role)
    login(client, staff)
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 200
    assert client.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"}).status_code == 403
    assert client.get("/appeals/new/").status_code == 403


def test_the_workbench_counts_appeals_in_scope(client, city, operator, cju_worker):
    submit(operator, employer=city.employer_cy)
    login(client, cju_worker)
    body = client.get("/").content.decode()
    assert 'id="appeals-panel"' in body
    import re

    todo = re.search(r"<strong>(\d+)</strong> 本单位待办", body)
    assert todo and todo.group(1) == "1"
