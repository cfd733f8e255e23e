"""Background work for imports. Each task enters the organisation scope of the person who
uploaded the file, so the checks and writes see exactly what that person may see."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.imports import services
from gonghui.imports.models import ImportJob, ImportStatus

UNCONFIRMED_FOR = dt.timedelta(days=7)
# A 200,000-row file is checked and written in minutes; hours mean the worker stopped.
STOPPED_AFTER = dt.timedelta(hours=6)


def _job(job_id) -> ImportJob | None:
    with scopes_disabled():
        return ImportJob.objects.select_related("created_by__unit", "unit").filter(pk=job_id).first()


@db_task()
def validate_job(job_id: int) -> None:
    job = _job(job_id)
    if job is not None:
        with user_scope(job.created_by):
            services.import_job_validate(job=job)


@db_task()
def run_job(job_id: int) -> None:
    job = _job(job_id)
    if job is not None:
        with user_scope(job.created_by):
            services.import_job_run(job=job)


@db_periodic_task(crontab(minute="17", hour="3"))
def expire_jobs() -> None:
    """Uploads nobody confirmed within a week are cancelled and their files deleted (the
    files hold personal data in plain text); jobs left half-done by a stopped worker are
    marked failed."""
    now = timezone.now()
    with scopes_disabled():
        jobs = ImportJob.objects.filter(
            Q(status=ImportStatus.VALIDATED, validated_at__lt=now - UNCONFIRMED_FOR)
            | Q(status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATING], created_at__lt=now - STOPPED_AFTER)
            | Q(status=ImportStatus.IMPORTING, confirmed_at__lt=now - STOPPED_AFTER)
        )
        for job in jobs.order_by("pk"):
            services.import_job_expire(job=job)
