"""Scoped reads for hardship help."""

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gonghui.hardship.models import (
    AssistanceApplication,
    FileStatus,
    HardshipFile,
    HardshipThreshold,
    PaymentBatch,
    Programme,
)

REVIEW_REMINDER_DAYS = 30


def file_list(*, status: str = "", q: str = "", category: str = ""):
    qs = HardshipFile.objects.select_related("member", "unit", "district")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(member__name__icontains=q) | Q(pk=int(q[2:]) if q[:2].upper() == "HF" and q[2:].isdigit() else -1)
        )
    return qs.order_by("-created_at", "-id")


def file_get(pk) -> HardshipFile:
    return get_object_or_404(HardshipFile.objects.select_related("member", "unit", "district", "threshold"), pk=pk)


def review_due(*, today: dt.date | None = None, within_days: int = REVIEW_REMINDER_DAYS) -> list[HardshipFile]:
    """Approved files whose yearly review falls due within ``within_days`` (or is overdue)."""
    today = today or timezone.localdate()
    return list(
        HardshipFile.objects.filter(
            status=FileStatus.APPROVED, review_due_on__lte=today + dt.timedelta(days=within_days)
        )
        .select_related("member", "unit")
        .order_by("review_due_on", "id")
    )


def threshold_list():
    return HardshipThreshold.objects.select_related("district").order_by("-year", "district__path")


def programme_list():
    return Programme.objects.select_related("unit", "account").order_by("-year", "name")


def programme_get(pk) -> Programme:
    return get_object_or_404(Programme.objects.select_related("unit", "account"), pk=pk)


def application_list(*, programme=None, status: str = ""):
    qs = AssistanceApplication.objects.select_related("file__member", "programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def application_get(pk) -> AssistanceApplication:
    return get_object_or_404(AssistanceApplication.objects.select_related("file__member", "programme"), pk=pk)


def batch_get(pk) -> PaymentBatch:
    return get_object_or_404(PaymentBatch.objects.select_related("programme__account", "programme__unit"), pk=pk)


def programmes_for_file(file: HardshipFile):
    """Active programmes a household may apply to: those run by its unit or a unit above
    it (a station's household applies to its district's and the city's programmes). The
    file itself was found in scope, so reading above it is deliberate here."""
    from gonghui.core.scoping import scopes_disabled

    paths = [*file.unit.ancestor_paths(), file.unit.path]
    with scopes_disabled():
        return list(
            Programme.objects.filter(unit__path__in=paths, is_active=True)
            .select_related("unit", "account")
            .order_by("-year", "name")
        )
