"""Reads for mediation. Staff reads go through the scoped managers (the user's subtree);
a contracted lawyer (``mediation.own``) sees only the cases they are assigned to."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from gonghui.core.scoping import scopes_disabled
from gonghui.mediation.models import (
    OPEN_STATUSES,
    CaseEvent,
    CaseStatus,
    MediationBody,
    MediationCase,
    Mediator,
)
from gonghui.mediation.services import sees_only_own


def _cases_for(user):
    if sees_only_own(user):
        # Assigned cases, wherever their body is: the assignment is the permission.
        with scopes_disabled():
            ids = list(
                MediationCase.objects.filter(assignments__mediator__staff=user).values_list("pk", flat=True)[:5000]
            )
        return MediationCase.objects.all, ids
    if not user.can("mediation.view"):
        raise PermissionDenied
    return None, None


def case_list(*, user, q: str = "", status: str = "", view: str = "open"):
    select = ("body", "body__unit", "employer")
    own_manager, ids = _cases_for(user)
    if own_manager is not None:
        with scopes_disabled():
            qs = MediationCase.objects.filter(pk__in=ids).select_related(*select)
            return list(_filter(qs, q, status, view)[:500])
    return _filter(MediationCase.objects.select_related(*select), q, status, view)


def _filter(qs, q, status, view):
    qs = qs.annotate(worker_count=Count("workers", distinct=True))
    if view == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif view == "flagged":
        qs = qs.filter(status__in=OPEN_STATUSES, flagged_at__isnull=False)
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__iexact=q) | Q(employer__name__contains=q) | Q(workers__name__startswith=q)).distinct()
    return qs.order_by("-applied_on", "-id")


def case_get(*, user, pk) -> MediationCase:
    """One case the user may see, else 404 (a foreign id answers like a missing one)."""
    select = ("body", "body__unit", "employer", "appeal", "created_by", "extension_by")
    own_manager, ids = _cases_for(user)
    if own_manager is not None:
        if int(pk) not in ids:
            from django.http import Http404

            raise Http404
        with scopes_disabled():
            return MediationCase.objects.select_related(*select).get(pk=pk)
    return get_object_or_404(MediationCase.objects.select_related(*select), pk=pk)


def case_context(case: MediationCase) -> dict:
    """Everything the case page shows, read without the scope: the case itself was found
    through case_get."""
    from gonghui.mediation.services import agreement_totals

    with scopes_disabled():
        agreement = getattr(case, "agreement", None) if hasattr(case, "agreement") else None
        claims = list(case.claims.select_related("agreed").order_by("id"))
        return {
            "workers": list(case.workers.select_related("member").order_by("id")),
            "claims": claims,
            "claimed_total": sum((c.amount for c in claims), 0),
            "assignments": list(case.assignments.select_related("mediator", "mediator__staff")),
            "sessions": list(case.sessions.order_by("scheduled_at", "id")),
            "agreement": agreement,
            "schedule": list(agreement.schedule.all()) if agreement else [],
            "payments": list(agreement.payments.select_related("by")) if agreement else [],
            "totals": agreement_totals(agreement) if agreement else None,
            "history": list(CaseEvent.objects.filter(case=case).select_related("by").order_by("at", "id")),
            "mediators": list(Mediator.objects.filter(body=case.body, is_active=True).order_by("name")),
        }


def body_list(*, user):
    if not user.can("mediation.view"):
        raise PermissionDenied
    return list(
        MediationBody.objects.select_related("unit", "employer")
        .annotate(
            open_cases=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES), distinct=True),
            mediator_count=Count("mediators", filter=Q(mediators__is_active=True), distinct=True),
        )
        .order_by("unit__path", "name")
    )


def body_get(*, user, pk) -> MediationBody:
    if not user.can("mediation.view"):
        raise PermissionDenied
    return get_object_or_404(MediationBody.objects.select_related("unit", "employer"), pk=pk)


def mediators_with_caseload(body: MediationBody):
    return list(
        Mediator.objects.filter(body=body)
        .select_related("staff")
        .annotate(load=Count("assignments", filter=Q(assignments__case__status__in=OPEN_STATUSES)))
        .order_by("-is_active", "name")
    )


def active_bodies(*, user):
    return list(MediationBody.objects.filter(is_active=True).select_related("unit").order_by("unit__path", "name"))


def pending_handoffs(*, user):
    """Appeals handed off to mediation and sent to a unit in the user's subtree, not yet
    taken. (The appeal's own scope is its handling unit; the receiver is what matters here.)"""
    from gonghui.appeals.models import AppealHandoff, HandoffKind, HandoffStatus

    if user.unit_id is None:
        return []
    with scopes_disabled():
        return list(
            AppealHandoff.objects.filter(
                kind=HandoffKind.MEDIATION, status=HandoffStatus.REQUESTED, unit__path__startswith=user.unit.path
            )
            .select_related("appeal", "appeal__employer", "unit")
            .order_by("created_at")[:200]
        )


def handoff_get(*, user, pk):
    from gonghui.appeals.models import AppealHandoff, HandoffKind

    if user.unit_id is None:
        from django.http import Http404

        raise Http404
    with scopes_disabled():
        return get_object_or_404(
            AppealHandoff.objects.select_related("appeal", "appeal__employer", "unit"),
            pk=pk,
            kind=HandoffKind.MEDIATION,
            unit__path__startswith=user.unit.path,
        )


def workbench_todos(user) -> list:
    """Cases past day 15 without agreement (the worker may now go to arbitration) and
    appeals handed to mediation in the user's subtree, not yet taken."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from gonghui.core.workbench import Todo

    if not (user.can("mediation.view") or user.can("mediation.own")):
        return []
    flagged = case_list(user=user, view="flagged")
    flagged_n = len(flagged) if isinstance(flagged, list) else flagged.count()
    items = [
        Todo(
            "mediation_flagged",
            _("调解期满未达成协议"),
            flagged_n,
            reverse("mediation:case_list") + "?view=flagged",
            True,
        )
    ]
    if user.can("mediation.handle"):
        items.append(
            Todo(
                "mediation_handoffs",
                _("诉求转来待立案调解"),
                len(pending_handoffs(user=user)),
                reverse("mediation:case_list"),
            )
        )
    return items
