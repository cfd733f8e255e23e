"""The demo mediation and legal aid (gonghui/mediation/demo.py) on the shared test city."""

import pytest
from django.utils import timezone

from gonghui.appeals.models import AppealHandoff
from gonghui.core.scoping import scopes_disabled
from gonghui.mediation.demo import seed_demo_mediation
from gonghui.mediation.models import (
    Agreement,
    BodyKind,
    CaseStatus,
    Consultation,
    MediationBody,
    MediationCase,
    Mediator,
    Representation,
)
from gonghui.mediation.services import agreement_totals

pytestmark = pytest.mark.django_db


def test_demo_mediation_runs_cases_through_every_step(city):
    made = seed_demo_mediation()
    assert made["bodies"] == 3  # the city centre, 朝阳 and 海淀 centres
    assert made["cases"] >= 15 and made["agreements"] > 0 and made["payments"] > 0
    assert made["consultations"] > 0 and made["representations"] > 0
    assert made["from_appeals"] == 2  # the test city's two open appeals about 中关村软件
    with scopes_disabled():
        assert MediationBody.objects.filter(kind=BodyKind.CITY_CENTRE, unit=city.root).exists()
        assert set(Mediator.objects.values_list("kind", flat=True)) == {"union_staff", "lawyer", "other"}
        cases = MediationCase.objects.exclude(pk=city.mediation_case_hd.pk)
        statuses = set(cases.values_list("status", flat=True))
        assert {
            CaseStatus.ACCEPTED,
            CaseStatus.IN_MEDIATION,
            CaseStatus.AGREED,
            CaseStatus.NO_AGREEMENT,
            CaseStatus.WITHDRAWN,
            CaseStatus.CLOSED,
        } <= statuses
        assert set(cases.values_list("source", flat=True)) >= {"walk_in", "appeal", "arbitration", "court"}
        for case in cases.filter(source="appeal"):
            assert AppealHandoff.objects.get(appeal=case.appeal, target_ref=case.number).status in ("taken", "done")
        for agreement in Agreement.objects.all():
            totals = agreement_totals(agreement)
            assert 0 <= totals["paid"] <= totals["agreed"]
            assert sum(agreement.schedule.values_list("amount", flat=True)) == totals["agreed"]
        for case in cases:
            times = list(case.events.order_by("pk").values_list("at", flat=True))
            assert times == sorted(times)
            assert case.created_at <= timezone.now() and case.applied_on <= timezone.localdate()
        counts = (MediationCase.objects.count(), Consultation.objects.count(), Representation.objects.count())

    assert set(seed_demo_mediation().values()) == {0}
    with scopes_disabled():
        assert (MediationCase.objects.count(), Consultation.objects.count(), Representation.objects.count()) == counts
