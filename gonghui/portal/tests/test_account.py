"""The portal account: joining from it, password sign-in, changing the phone, benefits."""

import re

import pytest
from django.db.models import F

from conftest import login, make_staff
from gonghui.core import pii
from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import Member, MembershipApplication
from gonghui.members.tests.test_services import make_id
from gonghui.portal.models import PortalAccount
from gonghui.portal.tests.test_views import sign_in

NEW_PHONE = "13700002222"


def a_minute_later():
    """Age the codes sent so far past the one-per-minute limit."""
    import datetime as dt

    from gonghui.portal.models import SmsCode

    SmsCode.objects.update(created_at=F("created_at") - dt.timedelta(minutes=2))


NEW_ID = make_id("110105", "19960202", "456")


def test_a_worker_who_is_no_member_signs_in_and_applies_to_join(client, city, outbox):
    response = sign_in(client, outbox, phone=NEW_PHONE)
    assert response["Location"] == "/my/"
    home = client.get("/my/").content.decode()
    assert "申请入会" in home and "137****2222" in home
    for url in ("/my/qr.json", "/my/benefits/", "/my/requests/"):
        assert client.get(url)["Location"] == "/my/", url
    form = client.get("/my/join/").content.decode()
    assert "永安里社区联合工会" in form and "中关村街道工会服务站" in form  # stations city-wide
    # The employer suggestions name employers, nothing more.
    found = client.get("/my/employers.json", {"q": "国贸"}).json()["results"]
    assert found == [{"id": city.employer_cy.pk, "name": "北京国贸餐饮有限公司"}]
    bad = client.post("/my/join/", {"name": "王", "id_number": "123", "employer_name": "北京国贸餐饮有限公司"})
    assert bad.status_code == 400 and "身份证" in bad.content.decode()
    with scopes_disabled():
        assert not MembershipApplication.objects.filter(phone_masked="137****2222").exists()
    ok = client.post("/my/join/", {"name": "王小明", "id_number": NEW_ID, "employer_name": "北京国贸餐饮有限公司"})
    assert ok.status_code == 302
    with scopes_disabled():
        application = MembershipApplication.objects.get(phone_masked="137****2222")
    assert application.unit == city.chaoyang_cju and application.employer == city.employer_cy
    assert "待审核" in client.get("/my/").content.decode()

    # The union approves; the worker's next page shows them as a member with a card.
    clerk = make_staff(city.chaoyang_cju, "social_worker")
    staff_client = client.__class__()
    login(staff_client, clerk)
    listing = staff_client.get("/members/applications/").content.decode()
    assert "王小明" in listing and "海淀申请人" not in listing
    staff_client.post(f"/members/applications/{application.pk}/decide/", {"decision": "approve", "issue_card": "on"})
    home = client.get("/my/").content.decode()
    assert "王小明" in home and 'id="card-qr"' in home and "已批准" in home


def test_staff_reject_with_a_reason_the_worker_reads(client, city, outbox):
    sign_in(client, outbox, phone=NEW_PHONE)
    client.post("/my/join/", {"name": "王小明", "id_number": NEW_ID, "employer_name": "北京国贸餐饮有限公司"})
    with scopes_disabled():
        application = MembershipApplication.objects.get(phone_masked="137****2222")
    staff_client = client.__class__()
    login(staff_client, make_staff(city.chaoyang_cju, "social_worker"))
    page = staff_client.post(f"/members/applications/{application.pk}/decide/", {"decision": "reject", "reason": ""})
    assert "请填写不予批准的理由" in staff_client.get(page["Location"]).content.decode()
    staff_client.post(
        f"/members/applications/{application.pk}/decide/", {"decision": "reject", "reason": "非本单位职工"}
    )
    home = client.get("/my/").content.decode()
    assert "未批准" in home and "非本单位职工" in home


def test_another_districts_staff_never_see_the_application(client, city, outbox, outsider):
    sign_in(client, outbox, phone=NEW_PHONE)
    client.post("/my/join/", {"name": "王小明", "id_number": NEW_ID, "employer_name": "北京国贸餐饮有限公司"})
    with scopes_disabled():
        application = MembershipApplication.objects.get(phone_masked="137****2222")
    login(client, outsider)
    assert "王小明" not in client.get("/members/applications/").content.decode()
    assert client.get(f"/members/applications/{application.pk}/").status_code == 404
    assert client.post(f"/members/applications/{application.pk}/decide/", {"decision": "approve"}).status_code == 404


def test_a_worker_cannot_withdraw_someone_elses_application(client, city, outbox):
    sign_in(client, outbox, phone=NEW_PHONE)
    response = client.post(f"/my/applications/{city.application_hd.pk}/withdraw/")
    assert response.status_code == 404
    with scopes_disabled():
        assert MembershipApplication.objects.get(pk=city.application_hd.pk).status == "pending"


def test_member_sets_a_password_and_signs_in_with_id_number(client, city, outbox):
    sign_in(client, outbox)
    weak = client.post("/my/password/", {"password": "abc", "password2": "abc"})
    assert weak.status_code == 400
    mismatch = client.post("/my/password/", {"password": "Zhou#2024pass", "password2": "Zhou#2024pasx"})
    assert "两次输入的密码不一致" in mismatch.content.decode()
    assert client.post("/my/password/", {"password": "Zhou#2024pass", "password2": "Zhou#2024pass"}).status_code == 302
    client.post("/my/signout/")
    with scopes_disabled():
        number = pii.decrypt(city.member_cy.id_number_cipher)
    wrong = client.post("/my/signin/password/", {"id_number": number, "password": "nope"})
    unknown = client.post("/my/signin/password/", {"id_number": NEW_ID, "password": "Zhou#2024pass"})
    for response in (wrong, unknown):  # one answer for every failure
        assert response.status_code == 400 and "身份证号码或密码不正确" in response.content.decode()
    ok = client.post("/my/signin/password/", {"id_number": number.lower(), "password": "Zhou#2024pass"})
    assert ok.status_code == 302 and "周建国" in client.get("/my/").content.decode()


def test_five_wrong_passwords_lock_the_account(client, city, outbox):
    sign_in(client, outbox)
    client.post("/my/password/", {"password": "Zhou#2024pass", "password2": "Zhou#2024pass"})
    client.post("/my/signout/")
    with scopes_disabled():
        number = pii.decrypt(city.member_cy.id_number_cipher)
    for _ in range(5):
        client.post("/my/signin/password/", {"id_number": number, "password": "wrong"})
    locked = client.post("/my/signin/password/", {"id_number": number, "password": "Zhou#2024pass"})
    assert locked.status_code == 400 and "已锁定" in locked.content.decode()
    a_minute_later()
    assert sign_in(client, outbox)["Location"] == "/my/"  # the SMS code still works


def test_a_non_member_cannot_set_a_password(client, city, outbox):
    sign_in(client, outbox, phone=NEW_PHONE)
    assert client.get("/my/password/")["Location"] == "/my/"


def test_member_changes_phone_with_a_code_sent_to_the_new_number(client, city, outbox):
    sign_in(client, outbox)
    client.post("/my/contact/", {"phone": NEW_PHONE})
    assert outbox[-1][0] == NEW_PHONE
    code = re.search(r"\d{6}", outbox[-1][1]).group()
    wrong = client.post("/my/contact/", {"step": "code", "phone": NEW_PHONE, "code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    done = client.post("/my/contact/", {"step": "code", "phone": NEW_PHONE, "code": code})
    assert done.status_code == 302
    with scopes_disabled():
        member = Member.objects.get(pk=city.member_cy.pk)
        assert pii.decrypt(member.phone_cipher) == NEW_PHONE
        assert PortalAccount.objects.get(member=member).phone_masked == "137****2222"
    assert "137****2222" in client.get("/my/").content.decode()
    client.post("/my/signout/")
    a_minute_later()
    assert sign_in(client, outbox, phone=NEW_PHONE)["Location"] == "/my/"
    assert "周建国" in client.get("/my/").content.decode()


def test_a_number_held_by_another_account_cannot_be_taken(client, city, outbox):
    from gonghui.portal.services import account_for_phone

    account_for_phone(NEW_PHONE)
    sign_in(client, outbox)
    client.post("/my/contact/", {"phone": NEW_PHONE})
    code = re.search(r"\d{6}", outbox[-1][1]).group()
    response = client.post("/my/contact/", {"step": "code", "phone": NEW_PHONE, "code": code})
    assert response.status_code == 400 and "已绑定另一个" in response.content.decode()


@pytest.fixture
def benefits(city):
    from gonghui.cards.models import Venue
    from gonghui.cards.tests.test_services import make_benefit

    with scopes_disabled():
        venue = Venue.objects.create(name="劳动人民文化宫", unit=city.root)
        everyone = make_benefit(venue, name="游园免票", per_member_day=1)
        gig_only = make_benefit(venue, name="骑手休息驿站", eligibility="new_form")
        hd_only = make_benefit(venue, name="海淀专享", eligibility="subtree", eligible_unit=city.haidian)
    return everyone, gig_only, hd_only


def test_benefits_page_lists_what_the_member_may_use_with_quota_left(client, city, outbox, benefits):
    sign_in(client, outbox)
    body = client.get("/my/benefits/").content.decode()
    assert "游园免票" in body and "今日剩余 1 次" in body
    assert "骑手休息驿站" not in body and "海淀专享" not in body


def test_the_portal_session_ends_twelve_hours_after_sign_in_however_active(client, city, outbox):
    from gonghui.portal.services import SIGNED_IN_AT_KEY

    sign_in(client, outbox)
    assert client.get("/my/qr.json").status_code in (200, 404)
    session = client.session
    session[SIGNED_IN_AT_KEY] -= 12 * 3600 + 60  # signed in 12 hours and a minute ago
    session.save()
    response = client.get("/my/qr.json")
    assert response.status_code == 302 and response["Location"] == "/my/signin/"
    assert "请重新登录" in client.get("/my/signin/").content.decode()
    assert client.get("/my/")["Location"] == "/my/signin/"


def test_a_worker_submits_an_appeal_in_the_portal_and_follows_it(client, city, outbox):
    from gonghui.appeals.models import Appeal

    sign_in(client, outbox)
    bad = client.post("/my/appeals/", {"description": "短"})
    assert bad.status_code == 400 and "至少5个字" in bad.content.decode()
    response = client.post("/my/appeals/", {"description": "单位两个月没交社保了。", "workers_involved": "1"})
    assert response.status_code == 302
    with scopes_disabled():
        appeal = Appeal.objects.get(channel="portal")
    assert appeal.worker_name == "周建国" and appeal.member == city.member_cy
    assert appeal.ticket in client.get("/my/appeals/").content.decode()
