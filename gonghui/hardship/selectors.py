"""Scoped reads for hardship help."""

import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gonghui.hardship.models import (
    ApplicationStatus,
    AssistanceApplication,
    BatchStatus,
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


def workbench_todos(user) -> list:
    """For the station: files returned to correct, yearly reviews falling due, assistance
    applications to review. For the district: files, applications and batches to approve."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from gonghui.core.workbench import Todo, decides_at_district_level

    items = []
    files = reverse("hardship:file_list")
    programmes = reverse("hardship:programme_list")
    today = timezone.localdate()
    if user.can("hardship.file"):
        counts = HardshipFile.objects.aggregate(
            returned=Count("id", filter=Q(status=FileStatus.RETURNED)),
            review_overdue=Count("id", filter=Q(status=FileStatus.APPROVED, review_due_on__lt=today)),
            review_soon=Count(
                "id",
                filter=Q(
                    status=FileStatus.APPROVED,
                    review_due_on__gte=today,
                    review_due_on__lte=today + dt.timedelta(days=REVIEW_REMINDER_DAYS),
                ),
            ),
        )
        submitted = AssistanceApplication.objects.filter(status=ApplicationStatus.SUBMITTED).count()
        items += [
            Todo("hardship_returned", _("困难档案被退回待修改"), counts["returned"], f"{files}?status=returned"),
            Todo("hardship_review_overdue", _("困难档案年度复核已逾期"), counts["review_overdue"], files, True),
            Todo("hardship_review_soon", _("困难档案30天内到期复核"), counts["review_soon"], files),
            Todo("hardship_applications_review", _("帮扶申请待街道审核"), submitted, programmes),
        ]
    if user.can("hardship.approve") and decides_at_district_level(user):
        to_approve = HardshipFile.objects.filter(status=FileStatus.SUBMITTED).count()
        applications = AssistanceApplication.objects.filter(status=ApplicationStatus.STATION_REVIEWED).count()
        batches = PaymentBatch.objects.filter(status__in=[BatchStatus.COMPUTED, BatchStatus.REVIEWED]).count()
        items += [
            Todo("hardship_files_approve", _("困难档案待区总工会审核"), to_approve, f"{files}?status=submitted"),
            Todo("hardship_applications_approve", _("帮扶申请待区总工会审批"), applications, programmes),
            Todo("hardship_batches", _("批量发放待复核、审批"), batches, programmes),
        ]
    return items
