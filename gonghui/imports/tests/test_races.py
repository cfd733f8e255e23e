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


def _race(city, upload, monkeypatch, *, only_valid):
    """Both jobs checked and confirmed, then written side by side; returns them finished."""
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
            type(job).objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
                status=ImportStatus.IMPORTING, only_valid=only_valid
            )

    # Both imports have checked the person once more inside their transactions and found
    # them unregistered before either writes: only the unique index can decide. (Each
    # thread's first write waits for the other's; a write done again after a clash does not.)
    barrier = threading.Barrier(2, timeout=10)
    first_write = threading.local()
    real_write = MemberImporter.write

    def write_together(self, payloads):
        if not getattr(first_write, "done", False):
            first_write.done = True
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
    return [job_of(job) for job in jobs]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_person_at_once_write_one_record_and_nothing_else(city, upload, monkeypatch):
    jobs = _race(city, upload, monkeypatch, only_valid=False)

    assert sorted(job.status for job in jobs) == [ImportStatus.DONE, ImportStatus.FAILED]
    failed = next(job for job in jobs if job.status == ImportStatus.FAILED)
    # The unique index stopped the second write; written again with every row rechecked,
    # the row is named as one registered meanwhile.
    assert "未写入任何数据" in failed.failure
    assert {"row": 2, "column": "身份证号码", "reason": "导入前复核：该身份证号码已登记为会员。"} in failed.errors
    with scopes_disabled():
        assert Member.objects.filter(name="同一人").count() == 1
        # the failed file's other person was not written either: all or nothing
        assert Member.objects.filter(name__startswith="另一人").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_only_valid_rows_chosen_the_second_import_skips_the_person_and_writes_the_rest(city, upload, monkeypatch):
    jobs = _race(city, upload, monkeypatch, only_valid=True)

    assert [job.status for job in jobs] == [ImportStatus.DONE, ImportStatus.DONE]
    assert sorted((job.imported_rows, job.skipped_rows) for job in jobs) == [(1, 1), (2, 0)]
    loser = next(job for job in jobs if job.skipped_rows)
    assert {"row": 2, "column": "身份证号码", "reason": "导入时跳过：该身份证号码已登记为会员。"} in loser.errors
    with scopes_disabled():
        assert Member.objects.filter(name="同一人").count() == 1
        assert Member.objects.filter(name__startswith="另一人").count() == 2
        # counted once each: the rolled-back first write left no count behind
        from gonghui.orgs.models import UnitCounts

        assert (
            UnitCounts.objects.get(unit=city.chaoyang_station).members
            == Member.objects.filter(unit=city.chaoyang_station).count()
        )
