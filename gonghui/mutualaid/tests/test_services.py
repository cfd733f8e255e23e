import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund.models import Account, AccountKind, Transaction
from gonghui.fund.services import balance_check
from gonghui.mutualaid import services
from gonghui.mutualaid.models import BatchStatus, Claim, ClaimEvent, ClaimStatus, Enrolment, EnrolmentBatch, Plan
from gonghui.mutualaid.tests.conftest import enrol, make_plan, register, reviewed_claim

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _claims():
    with scopes_disabled():
        return Claim.objects.count()


def _counts():
    with scopes_disabled():
        return (Plan.objects.count(), Account.objects.count(), Claim.objects.count(), Enrolment.objects.count())


# --- Plans --------------------------------------------------------------------------------------


def test_a_plan_opens_its_own_ledger_account(city, manager):
    plan = make_plan(city, manager, open_=False)
    assert plan.status == "draft"
    assert plan.account.kind == AccountKind.PLAN and plan.account.unit == city.chaoyang
    assert plan.account.balance == 0


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"premium": "-30"}, "premium"),
        ({"premium": "abc"}, "premium"),
        ({"claim_limit": "0"}, "claim_limit"),
        ({"claim_limit": "99999999999"}, "claim_limit"),
        ({"yearly_limit": "1000"}, "yearly_limit"),  # below the per-claim limit
        ({"waiting_days": 400}, "waiting_days"),
        ({"daily_allowance": ""}, "daily_allowance"),
        ({"kind": "accident", "reimbursement_ratio": "1.5"}, "reimbursement_ratio"),
        ({"year": 1900}, "year"),
    ],
)
def test_bad_plan_figures_are_refused_and_nothing_is_opened(city, manager, bad, field):
    before = _counts()
    with pytest.raises(ValidationError) as e:
        make_plan(city, manager, open_=False, **bad)
    assert field in e.value.message_dict
    assert _counts() == before


def test_a_station_cannot_set_up_a_plan(city, station_worker):
    with pytest.raises(PermissionDenied):
        make_plan(city, station_worker, open_=False, unit=city.chaoyang)


def test_a_closed_plan_cannot_be_reopened(city, manager, plan):
    with scopes_disabled():
        services.plan_set_status(by=manager, plan=plan, status="closed")
        with pytest.raises(ValidationError):
            services.plan_set_status(by=manager, plan=plan, status="open")


# --- Enrolment -------------------------------------------------------------------------------------


def test_confirming_a_batch_enrols_the_subtree_and_posts_the_premiums(city, manager, plan, district_account):
    with scopes_disabled():
        batch = services.batch_create(by=manager, plan=plan, unit=city.chaoyang, source=district_account)
        assert (batch.members, batch.premium_total, batch.status) == (1, Decimal("30.00"), BatchStatus.DRAFT)
        assert not Enrolment.objects.exists()  # nothing happens before confirmation
        batch = services.batch_confirm(by=manager, batch=batch)
        enrolment = Enrolment.objects.get(plan=plan)
        assert enrolment.member == city.member_cy and enrolment.unit == city.chaoyang_cju
        assert enrolment.covered_from == timezone.localdate()
        txn = Transaction.objects.get(idempotency_key=f"mutualaid:batch:{batch.pk}")
        assert batch.transaction == txn
        assert Account.objects.get(pk=plan.account_id).balance == Decimal("30.00")
        assert Account.objects.get(pk=district_account.pk).balance == Decimal("9970.00")
        # Confirming again (a double click) changes nothing.
        services.batch_confirm(by=manager, batch=batch)
        assert Enrolment.objects.count() == 1 and Transaction.objects.filter(ref_type="mutualaid.batch").count() == 1
        assert balance_check() == []


def test_a_member_is_enrolled_once_per_plan(city, manager, plan, district_account):
    enrol(city, manager, plan, district_account)
    with scopes_disabled():
        with pytest.raises(ValidationError) as e:
            services.batch_create(by=manager, plan=plan, unit=city.chaoyang_station, source=district_account)
        assert e.value.code == "nobody"
        first = Enrolment.objects.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrolment.objects.create(
                plan=plan,
                member=first.member,
                unit=first.unit,
                batch=first.batch,
                premium=first.premium,
                enrolled_on=first.enrolled_on,
                covered_from=first.covered_from,
            )


def test_a_batch_the_source_cannot_pay_enrols_no_one(city, manager, district_account):
    plan = make_plan(city, manager, premium="20000", claim_limit="30000", yearly_limit="30000", daily_allowance="100")
    with scopes_disabled():
        batch = services.batch_create(by=manager, plan=plan, unit=city.chaoyang, source=district_account)
        with pytest.raises(ValidationError) as e:
            services.batch_confirm(by=manager, batch=batch)
        assert "余额不足" in " ".join(e.value.messages)
        assert not Enrolment.objects.exists()
        assert EnrolmentBatch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT
        assert Account.objects.get(pk=district_account.pk).balance == Decimal("10000.00")


def test_a_draft_plan_takes_no_enrolment(city, manager, district_account):
    plan = make_plan(city, manager, open_=False)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.batch_create(by=manager, plan=plan, unit=city.chaoyang, source=district_account)


def test_premiums_come_only_from_the_unions_own_money(city, manager, plan):
    with scopes_disabled(), pytest.raises(ValidationError) as e:
        services.batch_create(by=manager, plan=plan, unit=city.chaoyang, source=plan.account)
    assert "source" in e.value.message_dict


def test_the_waiting_period_starts_at_enrolment(city, manager, district_account):
    plan = make_plan(city, manager, waiting_days=30)
    enrol(city, manager, plan, district_account)
    with scopes_disabled():
        enrolment = Enrolment.objects.select_related("plan", "member", "unit").get(plan=plan)
    assert enrolment.covered_from == timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as e:
        register(manager, enrolment)
    assert "出险日期在等待期内" in e.value.message_dict["event_date"][0]
    assert _claims() == 0


# --- Claims --------------------------------------------------------------------------------------------


def test_a_claim_within_limits_is_reviewed_approved_and_paid_once(
    city, station_worker, manager, second_officer, enrolment
):
    claim = register(station_worker, enrolment, days=12, description="肺炎住院")
    assert claim.amount_claimed == Decimal("1200.00") and claim.status == ClaimStatus.SUBMITTED
    with scopes_disabled():
        claim = services.claim_review(by=station_worker, claim=claim)
        claim = services.claim_approve(by=manager, claim=claim, amount="1000", note="扣除自费部分")
        assert claim.amount_approved == Decimal("1000.00")
        txn = services.claim_pay(by=second_officer, claim=claim)
        # A double click or a second approver gets the same payment.
        assert services.claim_pay(by=manager, claim=claim).pk == txn.pk
        assert Transaction.objects.filter(ref_type="mutualaid.claim", ref_id=str(claim.pk)).count() == 1
        assert txn.idempotency_key == f"mutualaid:claim:{claim.pk}"
        assert Account.objects.get(pk=enrolment.plan.account_id).balance == Decimal("19030.00")
        assert [e.to_status for e in ClaimEvent.objects.filter(claim=claim)] == [
            "submitted",
            "reviewed",
            "approved",
            "paid",
        ]
        assert balance_check() == []


def test_the_reviewer_may_not_approve(city, manager, enrolment):
    claim = register(manager, enrolment)
    with scopes_disabled():
        services.claim_review(by=manager, claim=claim)
        with pytest.raises(ValidationError) as e:
            services.claim_approve(by=manager, claim=claim)
    assert e.value.code == "approver_is_reviewer"


def test_a_station_may_review_but_not_approve_or_pay(city, station_worker, enrolment):
    claim = reviewed_claim(station_worker, enrolment)
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.claim_approve(by=station_worker, claim=claim)
        with pytest.raises(PermissionDenied):
            services.claim_pay(by=station_worker, claim=claim)


def test_an_unapproved_claim_is_not_paid(city, station_worker, manager, enrolment):
    claim = reviewed_claim(station_worker, enrolment)
    with scopes_disabled(), pytest.raises(ValidationError) as e:
        services.claim_pay(by=manager, claim=claim)
    assert e.value.code == "bad_transition"


def test_a_claim_over_the_per_claim_limit_is_refused_and_nothing_written(city, station_worker, enrolment):
    before = _counts()
    with pytest.raises(ValidationError) as e:
        register(station_worker, enrolment, days=31)  # 3,100 > 3,000
    assert "超出保障限额：单次给付限额 3000.00 元" in e.value.messages[0]
    assert _counts() == before
    with scopes_disabled():
        assert not ClaimEvent.objects.exists()


def test_a_claim_over_the_remaining_yearly_limit_is_refused(city, station_worker, manager, enrolment):
    first = reviewed_claim(station_worker, enrolment, days=30)
    with scopes_disabled():
        services.claim_approve(by=manager, claim=first)  # 3,000 of 5,000 committed
    with pytest.raises(ValidationError) as e:
        register(station_worker, enrolment, days=25)
    assert e.value.messages == ["超出保障限额：本年度剩余 2000.00 元，本次 2500.00 元。"]
    assert _claims() == 1
    assert register(station_worker, enrolment, days=20).amount_claimed == Decimal("2000.00")


def test_approval_checks_the_limit_again(city, station_worker, manager, enrolment):
    """Two claims registered while nothing was committed: the second approval finds the
    first one and refuses what would go over the year's limit."""
    first = reviewed_claim(station_worker, enrolment, days=30)
    second = reviewed_claim(station_worker, enrolment, days=30)
    with scopes_disabled():
        services.claim_approve(by=manager, claim=first)
        with pytest.raises(ValidationError) as e:
            services.claim_approve(by=manager, claim=second)
        assert "本年度剩余 2000.00 元" in e.value.messages[0]
        assert Claim.objects.get(pk=second.pk).status == ClaimStatus.REVIEWED
        # Approved within what is left, it passes.
        assert services.claim_approve(by=manager, claim=second, amount="2000").amount_approved == Decimal("2000.00")


def test_a_rejected_claim_does_not_count_against_the_limit(city, station_worker, manager, enrolment):
    first = reviewed_claim(station_worker, enrolment, days=30)
    with scopes_disabled():
        with pytest.raises(ValidationError):
            services.claim_reject(by=manager, claim=first, reason="")
        services.claim_reject(by=manager, claim=first, reason="非保障范围内疾病")
        assert services.remaining(enrolment) == Decimal("5000.00")
        assert ClaimEvent.objects.filter(claim=first, to_status="rejected", note="非保障范围内疾病").exists()


def test_the_approved_amount_may_not_exceed_the_claim(city, station_worker, manager, enrolment):
    claim = reviewed_claim(station_worker, enrolment, days=5)
    with scopes_disabled():
        for bad in ("501", "-1", "0", "abc", "1e40"):
            with pytest.raises(ValidationError):
                services.claim_approve(by=manager, claim=claim, amount=bad)
        assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.REVIEWED


@pytest.mark.parametrize("days", [0, -3, 400, "abc", None])
def test_absurd_hospital_days_are_refused(city, station_worker, enrolment, days):
    with pytest.raises(ValidationError) as e:
        register(station_worker, enrolment, days=days)
    assert "hospital_days" in e.value.message_dict
    assert _claims() == 0


@pytest.mark.parametrize("expenses", ["-100", "0", "abc", "1e30", "12.345", ""])
def test_bad_expenses_are_refused(city, manager, district_account, expenses):
    plan = make_plan(city, manager, kind="accident", daily_allowance=None, reimbursement_ratio="0.8")
    enrol(city, manager, plan, district_account)
    with scopes_disabled():
        enrolment = Enrolment.objects.select_related("plan", "member", "unit").get(plan=plan)
    with pytest.raises(ValidationError) as e:
        register(manager, enrolment, days=None, expenses=expenses)
    assert "expenses" in e.value.message_dict
    assert _claims() == 0


def test_an_accident_claim_pays_the_ratio_of_expenses(city, manager, district_account):
    plan = make_plan(city, manager, kind="accident", daily_allowance=None, reimbursement_ratio="0.8")
    enrol(city, manager, plan, district_account)
    with scopes_disabled():
        enrolment = Enrolment.objects.select_related("plan", "member", "unit").get(plan=plan)
    claim = register(manager, enrolment, days=None, expenses="1234.50")
    assert claim.amount_claimed == Decimal("987.60") and claim.hospital_days is None


@pytest.mark.parametrize(
    "event_date, message",
    [
        (lambda today: today + dt.timedelta(days=1), "出险日期不能晚于今天"),
        (lambda today: today.replace(year=today.year - 1), "保障年度内"),
    ],
)
def test_event_dates_outside_the_cover_are_refused(city, station_worker, enrolment, event_date, message):
    with pytest.raises(ValidationError) as e:
        register(station_worker, enrolment, event_date=event_date(timezone.localdate()))
    assert message in e.value.message_dict["event_date"][0]
    with pytest.raises(ValidationError):
        register(station_worker, enrolment, event_date="2025-13-45")
    assert _claims() == 0


def test_documents_are_checked_by_content_before_anything_is_written(city, station_worker, enrolment):
    fake = SimpleUploadedFile("病历.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as e:
        register(station_worker, enrolment, documents=[fake])
    assert "不是图片或PDF文件" in e.value.messages[0]
    assert _claims() == 0
    claim = register(station_worker, enrolment, documents=[SimpleUploadedFile("病历.pdf", PDF)])
    with scopes_disabled():
        assert [d.content_type for d in claim.documents.all()] == ["application/pdf"]
        with pytest.raises(ValidationError):
            services.claim_attach(by=station_worker, claim=claim, upload=SimpleUploadedFile("a.exe", b"MZ\x90"))
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
        with pytest.raises(ValidationError) as e:
            services.claim_attach(by=station_worker, claim=claim, upload=big)
        assert "超过10MB" in e.value.messages[0]
        assert claim.documents.count() == 1


def test_another_district_cannot_register_or_decide(city, station_worker, enrolment):
    from gonghui.core.scoping import user_scope

    outsider = make_staff(city.haidian, "officer", username="hd_ma_officer")
    claim = reviewed_claim(station_worker, enrolment)
    with user_scope(outsider):
        with pytest.raises(PermissionDenied):
            services.claim_register(by=outsider, enrolment=enrolment, event_date=timezone.localdate(), hospital_days=2)
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.claim_approve(by=outsider, claim=claim)
