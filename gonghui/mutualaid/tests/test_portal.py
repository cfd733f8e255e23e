"""A worker sees their own mutual-aid cover and claims in the portal (/my/mutualaid/): the
plan, the limits, what is left this year; nothing of anyone else's."""

import pytest

from gonghui.core.scoping import scopes_disabled
from gonghui.mutualaid import services
from gonghui.mutualaid.tests.conftest import register
from gonghui.portal.tests.test_views import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox():
    from gonghui.portal.sms import ConsoleBackend

    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


def test_the_member_sees_cover_claims_and_what_is_left(
    client, city, outbox, station_worker, manager, second_officer, enrolment
):
    claim = register(station_worker, enrolment, days=10)
    with scopes_disabled():
        services.claim_review(by=station_worker, claim=claim)
        services.claim_approve(by=second_officer, claim=claim)
        approved = type(claim).objects.get(pk=claim.pk).amount_approved
    left = enrolment.plan.yearly_limit - approved

    sign_in(client, outbox)
    assert "我的互助保障" in client.get("/my/").content.decode()
    body = client.get("/my/mutualaid/").content.decode()
    assert enrolment.plan.name in body
    assert f"剩余 {left:,.2f} 元" in body
    assert "已批准待给付" in body


def test_a_member_without_cover_is_told_where_to_ask(client, city, outbox):
    sign_in(client, outbox)
    assert "您目前没有参加职工互助保障" in client.get("/my/mutualaid/").content.decode()


def test_signed_out_goes_to_sign_in(client, city):
    response = client.get("/my/mutualaid/")
    assert response.status_code == 302 and response["Location"] == "/my/signin/"
