"""删除个人信息: granting a member's deletion request erases their personal data."""

import pytest
from django.core.exceptions import ValidationError

from conftest import make_staff
from gonghui.cards.models import Card
from gonghui.core import pii
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.members import services
from gonghui.members.models import Member, MemberStatus
from gonghui.portal.models import PortalAccount
from gonghui.portal.services import account_for_phone


@pytest.fixture
def clerk(city):
    return make_staff(city.chaoyang_cju, "social_worker")


def test_granting_a_deletion_request_erases_the_person_and_keeps_the_counts(city, clerk):
    with scope(org=clerk.unit.path):
        from gonghui.cards.services import card_issue

        card = card_issue(by=clerk, member=city.member_cy)
    account_for_phone("13501010101")
    with scopes_disabled():
        number = pii.decrypt(city.member_cy.id_number_cipher)
        assert services.id_number_registered(services.id_number_hash(number))
        request = services.data_request_submit(member=city.member_cy, kind="deletion", details="请删除我的信息")
    with scope(org=clerk.unit.path):
        services.data_request_close(by=clerk, request=request, status="done", response="已删除")
    with scopes_disabled():
        member = Member.objects.get(pk=city.member_cy.pk)
        assert member.erased_at is not None and member.status == MemberStatus.LEFT
        assert member.name == "（已删除）" and member.id_number_masked == "" and member.phone_masked == ""
        assert bytes(member.id_number_cipher) == b"" and member.phone_cipher is None
        assert member.birth_date.month == 1 and member.birth_date.day == 1
        assert Card.objects.get(pk=card.pk).status == "frozen"
        assert not PortalAccount.objects.exists()
        # The person can be registered afresh: the ID number is no longer known.
        assert not services.id_number_registered(services.id_number_hash(number))


def test_rejecting_a_deletion_request_erases_nothing(city, clerk):
    with scopes_disabled():
        request = services.data_request_submit(member=city.member_cy, kind="deletion")
    with scope(org=clerk.unit.path):
        services.data_request_close(by=clerk, request=request, status="rejected", response="会籍档案须依法保存")
    with scopes_disabled():
        assert Member.objects.get(pk=city.member_cy.pk).name == "周建国"


def test_erasing_twice_is_refused(city, clerk):
    with scope(org=clerk.unit.path):
        services.member_erase(by=clerk, member=city.member_cy, reason="test")
        with pytest.raises(ValidationError, match="已删除"):
            services.member_erase(by=clerk, member=city.member_cy, reason="test")
