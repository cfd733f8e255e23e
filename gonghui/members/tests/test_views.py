from conftest import login, make_staff
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import Member
from gonghui.members.tests.test_services import ZS_ID, ZS_PHONE, make_id


def worker_client(client, city):
    worker = make_staff(city.chaoyang_station, "social_worker", username="cy_sw")
    return login(client, worker)


def test_register_then_find_by_pinyin_with_masked_numbers(client, city):
    worker_client(client, city)
    response = client.post(
        "/members/new/",
        {"name": "张三", "id_number": ZS_ID, "phone": ZS_PHONE, "unit": city.chaoyang_cju.pk, "platform": "delivery"},
    )
    assert response.status_code == 302
    body = client.get("/members/?q=zs").content.decode()
    assert "张三" in body and ZS_ID[:6] + "********" + ZS_ID[-4:] in body and "138****5678" in body
    assert ZS_ID not in body and ZS_PHONE not in body
    assert "周建国" not in body


def test_registration_errors_are_chinese_and_write_nothing(client, city):
    worker_client(client, city)
    bad_id = make_id(birth="19900230")
    body = client.post(
        "/members/new/", {"name": "李四", "id_number": bad_id, "phone": "12345", "unit": city.chaoyang_cju.pk}
    ).content.decode()
    assert "出生日期 19900230 不存在" in body and "不是有效的中国大陆手机号码" in body
    with scopes_disabled():
        assert not Member.objects.filter(name="李四").exists()


def test_duplicate_registration_links_to_the_existing_record(client, city):
    worker_client(client, city)
    data = {"name": "张三", "id_number": ZS_ID, "phone": ZS_PHONE, "unit": city.chaoyang_cju.pk}
    client.post("/members/new/", data)
    body = client.post("/members/new/", {**data, "name": "张叁"}).content.decode()
    with scopes_disabled():
        existing = Member.objects.get(name="张三")
    assert "已登记为会员" in body and f"/members/{existing.pk}/" in body


def test_social_worker_cannot_reveal_officer_can_and_it_is_audited(client, city):
    worker_client(client, city)
    member = city.member_cy
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert member.id_number_masked in page and "查看完整号码" not in page
    assert client.post(f"/members/{member.pk}/reveal/", {"field": "id_number"}).status_code == 403
    officer = make_staff(city.chaoyang, "officer")
    login(client, officer)
    response = client.post(f"/members/{member.pk}/reveal/", {"field": "phone"}, HTTP_ACCEPT="application/json")
    assert response.json()["value"] == "13501010101"
    page = client.post(f"/members/{member.pk}/reveal/", {"field": "id_number"}).content.decode()
    assert "110105198805125" in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="reveal", actor=officer).count() == 2


def test_transfer_page_finds_unions_city_wide_and_records_the_transfer(client, city):
    worker_client(client, city)
    member = city.member_cy
    found = client.get("/members/units/", {"q": "中关村"}).json()["results"]
    assert [u["name"] for u in found] == ["中关村街道工会服务站"]
    assert client.get("/members/units/").json()["results"] == []  # nothing without a query
    response = client.post(
        f"/members/{member.pk}/transfer/", {"to_unit": city.haidian_station.pk, "reason": "工作调动"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        member.refresh_from_db()
        assert member.unit == city.haidian_station
    assert client.get(f"/members/{member.pk}/").status_code == 404


def test_leave_and_rejoin_from_the_page(client, city):
    worker_client(client, city)
    member = city.member_cy
    client.post(f"/members/{member.pk}/leave/", {"reason": "离职"})
    with scopes_disabled():
        member.refresh_from_db()
    assert member.status == "left"
    client.post(f"/members/{member.pk}/rejoin/", {"reason": "再就业"})
    with scopes_disabled():
        member.refresh_from_db()
    assert member.status == "active"
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "退会" in page and "重新入会" in page


def test_edit_keeps_numbers_when_left_blank(client, city):
    worker_client(client, city)
    member = city.member_cy
    response = client.post(f"/members/{member.pk}/edit/", {"name": "周建华", "id_number": "", "phone": ""})
    assert response.status_code == 302
    with scopes_disabled():
        member.refresh_from_db()
    assert member.name == "周建华" and member.phone_masked == "135****0101"


def test_merge_from_the_page(client, city):
    worker_client(client, city)
    keep = city.member_cy
    client.post(
        "/members/new/",
        {
            "name": "周建国",
            "id_number": make_id(birth="19880512", seq="553"),
            "phone": "13501010101",
            "unit": city.chaoyang_cju.pk,
        },
    )
    with scopes_disabled():
        dup = Member.objects.exclude(pk=keep.pk).get(name="周建国")
    page = client.get(f"/members/{keep.pk}/").content.decode()
    assert "可能重复的记录" in page
    client.post(f"/members/{keep.pk}/merge/", {"duplicate": dup.pk, "reason": "重复录入"})
    with scopes_disabled():
        dup.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into_id == keep.pk
