"""Reads for appeals. Staff reads go through the scoped managers (the user's subtree);
the worker's reads (tracking, the portal) are narrowed to one ticket + phone or one phone."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gonghui.appeals.models import DEADLINE_STATUSES, OPEN_STATUSES, Appeal, AppealEvent, AppealStatus
from gonghui.core.scoping import scopes_disabled

LIST_VIEWS = ("todo", "overdue", "escalated", "all")


def appeal_list(*, user, view: str = "todo", q: str = "", status: str = "", category: str = "", channel: str = ""):
    """Appeals in the user's subtree. ``todo``: open ones handled by the user's own unit;
    ``overdue``: past their current deadline anywhere below; ``escalated``: escalated to
    the user's unit or below for supervision; ``all``."""
    qs = Appeal.objects.select_related("unit", "employer", "escalated_to")
    now = timezone.now()
    if view == "todo":
        qs = qs.filter(unit=user.unit, status__in=(*OPEN_STATUSES, AppealStatus.REPLIED))
    elif view == "overdue":
        qs = qs.filter(status__in=DEADLINE_STATUSES, paused_at__isnull=True).filter(
            Q(status=AppealStatus.RECEIVED, accept_due__lt=now)
            | Q(
                status__in=[AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS], replied_at__isnull=True, reply_due__lt=now
            )
            | Q(status=AppealStatus.REPLIED, resolve_due__lt=now)
        )
    elif view == "escalated":
        qs = qs.filter(escalated_to__path__startswith=user.unit.path, status__in=(*OPEN_STATUSES, AppealStatus.REPLIED))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if channel:
        qs = qs.filter(channel=channel)
    q = (q or "").strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) == 12 and digits == q:
            qs = qs.filter(ticket=digits)
        else:
            qs = qs.filter(Q(worker_name__startswith=q) | Q(employer__name__contains=q) | Q(employer_name__contains=q))
    if view == "todo":
        return qs.order_by("resolve_due", "id")
    return qs.order_by("-received_at", "-id")


def appeal_get(pk) -> Appeal:
    return get_object_or_404(
        Appeal.objects.select_related(
            "unit", "employer", "member", "district_suggested", "escalated_to", "duplicate_of", "created_by"
        ),
        pk=pk,
    )


def appeal_get_brief(pk) -> Appeal:
    """``appeal_get`` with only the unit and the employer joined: what the API's appeal
    record shows. Each further join costs more to build than to run."""
    return get_object_or_404(Appeal.objects.select_related("unit", "employer"), pk=pk)


def appeal_history(appeal: Appeal):
    return list(AppealEvent.objects.filter(appeal=appeal).select_related("by").order_by("at", "id"))


def appeal_public_history(appeal: Appeal) -> list[dict]:
    """What the worker sees: the public steps, without who did them."""
    with scopes_disabled():
        events = AppealEvent.objects.filter(appeal=appeal, public=True).order_by("at", "id")
        return [
            {
                "at": e.at,
                "status_label": AppealStatus(e.to_status).label if e.to_status else e.get_kind_display(),
                "note": e.note,
            }
            for e in events
        ]


def appeal_attachment(appeal: Appeal, attachment_pk):
    return get_object_or_404(appeal.attachments.all(), pk=attachment_pk)


def appeals_for_phone(phone_index: bytes, limit: int = 20):
    """A worker's own appeals (portal), newest first."""
    with scopes_disabled():
        return list(
            Appeal.objects.filter(phone_hash=phone_index).select_related("unit").order_by("-received_at")[:limit]
        )


def caller_lookup(phone_index: bytes) -> dict:
    """For the hotline operator: who is calling — the member (masked) and their recent
    appeals in the operator's scope."""
    from gonghui.members.models import Member, MemberStatus

    member = Member.objects.filter(phone_hash=phone_index, status=MemberStatus.ACTIVE).select_related("unit").first()
    recent = list(Appeal.objects.filter(phone_hash=phone_index).select_related("unit").order_by("-received_at")[:5])
    return {
        "member": {"name": member.name, "unit": member.unit.name} if member else None,
        "appeals": [
            {
                "id": a.pk,
                "ticket": a.ticket,
                "status": a.get_status_display(),
                "category": a.get_category_display(),
                "received": timezone.localtime(a.received_at).strftime("%Y-%m-%d"),
                "worker_name": a.worker_name,
            }
            for a in recent
        ],
    }


def reassign_targets(user, appeal: Appeal):
    """Units an appeal may be sent to: the user's subtree (stations and unions that handle
    appeals) and the units above its current unit."""
    from gonghui.orgs.models import Unit

    below = Unit.objects.filter(is_active=True).exclude(pk=appeal.unit_id).order_by("path")[:300]
    with scopes_disabled():
        above = list(Unit.objects.filter(path__in=appeal.unit.ancestor_paths()).exclude(pk=appeal.unit_id))
    seen, targets = set(), []
    for unit in [*above, *below]:
        if unit.pk not in seen:
            seen.add(unit.pk)
            targets.append(unit)
    return targets


def workbench_counts(user) -> dict:
    """The workbench's 12351 panel: one aggregate over the user's subtree."""
    import datetime as dt

    from django.db.models import Count

    from gonghui.appeals.models import Alert, AlertStatus

    now = timezone.now()
    soon = now + dt.timedelta(days=1)
    due_open = Q(status__in=DEADLINE_STATUSES, paused_at__isnull=True)
    current_due_before = lambda t: (  # noqa: E731 - the same deadline rule, at two moments
        Q(status=AppealStatus.RECEIVED, accept_due__lt=t)
        | Q(status__in=[AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS], replied_at__isnull=True, reply_due__lt=t)
        | Q(status=AppealStatus.REPLIED, resolve_due__lt=t)
    )
    counts = Appeal.objects.aggregate(
        todo=Count("id", filter=Q(unit=user.unit, status__in=(*OPEN_STATUSES, AppealStatus.REPLIED))),
        overdue=Count("id", filter=due_open & current_due_before(now)),
        due_soon=Count("id", filter=due_open & current_due_before(soon) & ~current_due_before(now)),
        supervised=Count(
            "id",
            filter=Q(escalated_to__path__startswith=user.unit.path, status__in=(*OPEN_STATUSES, AppealStatus.REPLIED)),
        ),
    )
    counts["alerts"] = Alert.objects.exclude(status=AlertStatus.CLOSED).count()
    return counts
