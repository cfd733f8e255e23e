import datetime as dt

from django.utils import timezone

from gonghui.core.scoping import scopes_disabled
from gonghui.imports.models import ImportJob, ImportStatus
from gonghui.imports.tasks import expire_jobs
from gonghui.imports.tests.sheets import MEMBER_HEADER, job_of, make_id, xlsx_upload

ROWS = [MEMBER_HEADER, ["张三", make_id(1), "13800000001", "", "", ""]]


def test_unconfirmed_and_stopped_jobs_are_expired_and_their_files_deleted(city, worker, upload):
    old = upload(worker, xlsx_upload(ROWS))
    recent = upload(worker, xlsx_upload(ROWS))
    stopped = upload(worker, xlsx_upload(ROWS))
    long_ago = timezone.now() - dt.timedelta(days=8)
    with scopes_disabled():
        ImportJob.objects.filter(pk=old.pk).update(validated_at=long_ago)
        ImportJob.objects.filter(pk=stopped.pk).update(status=ImportStatus.IMPORTING, confirmed_at=long_ago)

    expire_jobs.call_local()

    old, recent, stopped = job_of(old), job_of(recent), job_of(stopped)
    assert (old.status, bool(old.file)) == (ImportStatus.CANCELLED, False)
    assert "超过7天未确认" in old.failure
    assert (recent.status, bool(recent.file)) == (ImportStatus.VALIDATED, True)
    assert (stopped.status, bool(stopped.file)) == (ImportStatus.FAILED, False)
    assert "处理中断" in stopped.failure
