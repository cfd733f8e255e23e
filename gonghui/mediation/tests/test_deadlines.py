import datetime as dt

from django.utils import timezone

from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.mediation.models import CaseEvent
from gonghui.mediation.services import case_accept, case_extend, mediation_check_deadlines
from gonghui.mediation.tasks import mediation_deadline_sweep
from gonghui.portal.sms import ConsoleBackend


def test_case_without_agreement_is_flagged_on_day_15(case, handler, django_capture_on_commit_callbacks):
    ConsoleBackend.outbox.clear()
    with user_scope(handler):
        case_accept(by=handler, case=case)
    mediation_check_deadlines(now=timezone.now() + dt.timedelta(days=14))
    case.refresh_from_db()
    assert case.flagged_at is None
    later = timezone.now() + dt.timedelta(days=15)
    with django_capture_on_commit_callbacks(execute=True):
        assert mediation_check_deadlines(now=later)["flagged"] >= 1
    case.refresh_from_db()
    assert case.flagged_at == later
    with scopes_disabled():
        kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
        notify = CaseEvent.objects.filter(case=case, kind="notify").first()
    assert "flag" in kinds and "孙调解" in notify.note
    ours = [(p, t) for p, t in ConsoleBackend.outbox if case.number in t]
    assert {p for p, _t in ours} == {"13900000001", "13900000002"}
    assert all("仲裁" in t for _p, t in ours)
    # idempotent
    assert mediation_check_deadlines(now=later + dt.timedelta(hours=1))["flagged"] == 0


def test_extended_case_is_not_flagged_until_the_new_date(case, handler):
    with user_scope(handler):
        case_extend(by=handler, case=case, until=case.due_on + dt.timedelta(days=10), note="双方在调解会上书面同意延期")
    case.refresh_from_db()
    assert case.extension_by == handler and case.extension_at is not None
    mediation_check_deadlines(now=timezone.now() + dt.timedelta(days=16))
    case.refresh_from_db()
    assert case.flagged_at is None
    mediation_check_deadlines(now=timezone.now() + dt.timedelta(days=26))
    case.refresh_from_db()
    assert case.flagged_at is not None


def test_periodic_task_runs_the_sweep(case):
    assert mediation_deadline_sweep.call_local() == {"flagged": 0}  # nothing is 15 days old today
