"""Two clerks import files naming the same person, and both confirm at the same moment."""

import threading

import pytest
from django.db import connection

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.imports import services
from gonghui.imports.members import MemberImporter
from gonghui.imports.models import ImportStatus
from gonghui.imports.tests.sheets import MEMBER_HEADER, job_of, make_id, xlsx_upload
from gonghui.members.models import Member


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_person_at_once_write_one_record_and_nothing_else(city, upload, monkeypatch):
    clerks = [make_staff(city.chaoyang_station, "social_worker", username=f"clerk{i}") for i in range(2)]
    jobs = []
    for i, clerk in enumerate(clerks):
        rows = [
            MEMBER_HEADER,
            ["同一人", make_id(1), "13800000001", "", "", ""],
            ["另一人" + "甲乙"[i], make_id(10 + i), "13800000010", "", "", ""],
        ]
        job = upload(clerk, xlsx_upload(rows))
        assert job.valid_rows == 2, job.errors
        jobs.append(job)
    with scopes_disabled():
        for job in jobs:  # confirmed; the writes are run below, side by side
            type(job).objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)

    # Both imports have checked the person once more inside their transactions and found
    # them unregistered before either writes: only the unique index can decide.
    barrier = threading.Barrier(2, timeout=10)
    real_write = MemberImporter.write

    def write_together(self, payloads):
        barrier.wait()
        return real_write(self, payloads)

    monkeypatch.setattr(MemberImporter, "write", write_together)

    def run(job, clerk):
        try:
            with user_scope(clerk):
                services.import_job_run(job=job)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(jobs, clerks, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    outcomes = sorted(job_of(job).status for job in jobs)
    assert outcomes == [ImportStatus.DONE, ImportStatus.FAILED]
    failed = next(job_of(job) for job in jobs if job_of(job).status == ImportStatus.FAILED)
    assert "写入时发现重复记录" in failed.failure and "未写入任何数据" in failed.failure
    with scopes_disabled():
        assert Member.objects.filter(name="同一人").count() == 1
        # the failed file's other person was not written either: all or nothing
        assert Member.objects.filter(name__startswith="另一人").count() == 1
