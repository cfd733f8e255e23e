import datetime as dt
import json

from django.utils import timezone

from conftest import login, make_staff
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import DataRightsRequest


def portal_login(client, member):
    """A portal session for the member, as signing in by SMS code leaves it."""
    from django.utils import timezone

    from gonghui.core import pii
    from gonghui.portal.services import SESSION_KEY, SIGNED_IN_AT_KEY, account_for_phone

    session = client.session
    session[SESSION_KEY] = account_for_phone(pii.decrypt(member.phone_cipher)).pk
    session[SIGNED_IN_AT_KEY] = int(timezone.now().timestamp())
    session.save()


def test_member_asks_for_a_correction_and_staff_close_it_within_thirty_days(client, city):
    portal_login(client, city.member_cy)
    page = client.post("/my/requests/", {"kind": "correction", "details": ""})
    assert page.status_code == 400 and "请说明需要更正的内容" in page.content.decode()
    client.post("/my/requests/", {"kind": "correction", "details": "工作单位已变更"})
    with scopes_disabled():
        req = DataRightsRequest.objects.get(member=city.member_cy)
    assert req.due_on == timezone.localdate() + dt.timedelta(days=30)

    client.logout()
    login(client, make_staff(city.haidian, "officer"))
    assert "工作单位已变更" not in client.get("/members/requests/").content.decode()
    login(client, make_staff(city.chaoyang_station, "social_worker"))
    listing = client.get("/members/requests/").content.decode()
    assert "工作单位已变更" in listing and "海淀会员更正地址" not in listing
    client.post(f"/members/requests/{req.pk}/close/", {"status": "done", "response": "已更正"})
    req.refresh_from_db()
    assert req.status == "done" and req.response == "已更正"


def test_member_downloads_own_data_with_plain_numbers_and_it_is_audited(client, city):
    from gonghui.core import pii

    portal_login(client, city.member_cy)
    response = client.get("/my/data.json")
    data = json.loads(response.content)
    assert data["name"] == "周建国" and data["id_number"] == pii.decrypt(city.member_cy.id_number_cipher)
    assert data["membership_history"][0]["kind"] == "join"
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="export", object_id=str(city.member_cy.pk)).exists()


def test_requests_need_a_signed_in_member(client, city):
    assert client.get("/my/data.json")["Location"].endswith("/my/signin/")
