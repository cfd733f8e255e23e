"""What was made cheaper per row for large imports gives the same answers as before: the
spool between checking and writing, the memoised cells, the per-row helpers of identity.py
and pii.py, and the check's progress updates."""

import datetime as dt
import gc
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.imports import services
from gonghui.imports.columns import read_header
from gonghui.imports.members import COLUMNS, MemberImporter
from gonghui.imports.models import ImportJob, ImportStatus
from gonghui.imports.tests.sheets import MEMBER_HEADER, csv_bytes, job_of, make_id, reasons
from gonghui.members.services import clean_member_input

CJU = "永安里社区联合工会"


def _importer(worker, rows):
    header, data = read_header([(n, tuple(r)) for n, r in enumerate(rows, start=1)], COLUMNS)
    return MemberImporter(by=worker, header=header), list(data)


@pytest.mark.parametrize("phone", ["13800000001", None])
def test_a_payload_comes_back_from_the_spool_as_it_went_in(phone):
    clean = clean_member_input(name="张三", id_number=make_id(1), phone=phone or "", phone_required=False)
    payload = (clean, 7, None, dt.date(2024, 1, 5))
    assert MemberImporter.decode_payload(MemberImporter.encode_payload(payload)) == payload


def test_a_payload_spooled_by_the_earlier_format_is_still_read():
    """A file checked before an upgrade and confirmed after it is written as checked."""
    clean = clean_member_input(name="张三", id_number=make_id(1), phone="13800000001")

    def old(value):
        if isinstance(value, bytes):
            return {"hex": value.hex()}
        return {"date": value.isoformat()} if isinstance(value, dt.date) else value

    earlier = [[old(v) for v in clean.fields().values()], 7, 3, "2024-01-05"]
    assert MemberImporter.decode_payload(earlier) == (clean, 7, 3, dt.date(2024, 1, 5))


def test_cells_repeated_on_every_row_are_judged_the_same_on_every_row(city, worker):
    """Union, date, 是/否 and platform are worked out once per distinct value: a value
    that looks the same but is of another type (1 is not True) is worked out on its own."""
    rows = [
        [*MEMBER_HEADER, "新就业形态", "平台类型"],
        ["甲", make_id(1), "13800000001", "", CJU, "2024-01-05", "否", ""],
        ["乙", make_id(2), "13800000002", "", CJU, "2024-01-05", "否", "外卖"],
        ["丙", make_id(3), "13800000003", "", CJU, "2024-01-05", "否", ""],
        ["丁", make_id(4), "13800000004", "", "不存在的工会", "2024-13-05", "也许", "外卖"],
        ["戊", make_id(5), "13800000005", "", "不存在的工会", "2024-13-05", "也许", ""],
        ["己", make_id(6), "13800000006", "", CJU, 1, True, ""],
        ["庚", make_id(7), "13800000007", "", CJU, True, 1, ""],
    ]
    with user_scope(worker):
        importer, data = _importer(worker, rows)
        checked = importer.check(data)
    problems = {c.row: sorted(column for column, _reason in c.problems) for c in checked}
    assert problems == {
        2: [],
        3: ["新就业形态"],  # a platform named, yet 否
        4: [],
        5: ["入会日期", "所属工会", "新就业形态"],
        6: ["入会日期", "所属工会", "新就业形态"],
        7: ["入会日期"],
        8: ["入会日期"],
    }
    # Excel's serial 1 is 1900-01-01, before the birth date; TRUE is no date, though True == 1.
    assert checked[5].problems == [("入会日期", "入会日期早于出生日期。")]
    assert checked[6].problems == [("入会日期", "入会日期“是”无法识别，请填写如 2024-01-05 的日期。")]


def test_the_heap_is_handed_back_to_the_collector_after_a_check(city, worker, upload):
    job = upload(worker, SimpleUploadedFile("会员.csv", csv_bytes([MEMBER_HEADER, ["甲", make_id(1), "13800000001"]])))
    assert job.status == ImportStatus.VALIDATED
    assert gc.get_freeze_count() == 0


def test_a_job_cancelled_while_checked_keeps_no_checked_rows(city, worker, django_capture_on_commit_callbacks):
    """The progress is written about once a second; the last check of the job's status
    comes before the checked rows are kept, so a cancelled job leaves none behind."""
    rows = [MEMBER_HEADER, ["甲", make_id(1), "13800000001", "", CJU, ""]]
    with user_scope(worker):
        job = services.import_job_create(
            by=worker, kind="members", uploaded_file=SimpleUploadedFile("会员.csv", csv_bytes(rows))
        )
    cancelled = threading.Event()
    real_check = MemberImporter.check

    def check_then_cancel(self, batch):
        results = real_check(self, batch)
        with scopes_disabled():  # the clerk cancels while the last batch is checked
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CANCELLED)
        cancelled.set()
        return results

    MemberImporter.check = check_then_cancel
    try:
        with user_scope(worker):
            services.import_job_validate(job=job_of(job))
    finally:
        MemberImporter.check = real_check
    assert cancelled.is_set()
    job = job_of(job)
    assert job.status == ImportStatus.CANCELLED
    assert not job.file.storage.exists(f"{job.file.name}.checked")


def test_a_person_registered_meanwhile_is_met_by_the_index_and_the_write_done_again(
    city, worker, upload, confirm, caplog
):
    from gonghui.members.services import member_create

    rows = [MEMBER_HEADER, *[[f"会员{chr(0x4E00 + i)}", make_id(i), f"138{i:08d}", "", CJU, ""] for i in (1, 2, 3)]]
    job = upload(worker, SimpleUploadedFile("会员.csv", csv_bytes(rows)))
    with user_scope(worker):
        member_create(by=worker, name="抢先登记", id_number=make_id(3), phone="13700000000", unit=city.chaoyang_cju)
    with caplog.at_level("INFO", logger="gonghui.imports.services"):
        job = confirm(worker, job, only_valid=True)
    assert "writing again with every recheck" in caplog.text
    assert (job.status, job.imported_rows, job.skipped_rows) == (ImportStatus.DONE, 2, 1)
    assert (4, "身份证号码", "导入时跳过：该身份证号码已登记为会员。") in reasons(job)
    with scopes_disabled():
        from gonghui.members.models import Member
        from gonghui.orgs.models import UnitCounts

        assert Member.objects.filter(name__startswith="会员").count() == 2
        assert (
            UnitCounts.objects.get(unit=city.chaoyang_cju).members
            == Member.objects.filter(unit=city.chaoyang_cju).count()
        )
