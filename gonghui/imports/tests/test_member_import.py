import datetime as dt
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_staff
from gonghui.core import pii
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.imports import services
from gonghui.imports.models import ImportStatus
from gonghui.imports.tests.sheets import MEMBER_HEADER, csv_upload, job_of, make_id, reasons, xlsx_upload
from gonghui.members.models import Member, MembershipEvent, MembershipEventKind
from gonghui.members.services import member_create
from gonghui.orgs.models import UnitCounts

CJU = "永安里社区联合工会"
EMPLOYER = "北京国贸餐饮有限公司"


def good_rows(n=3, start=1):
    return [
        [f"会员{chr(0x4E00 + i)}", make_id(i), f"138{i:08d}", EMPLOYER, CJU, "2024-01-05"]
        for i in range(start, start + n)
    ]


def members_named(prefix="会员"):
    with scopes_disabled():
        return Member.objects.filter(name__startswith=prefix)


def unit_members(unit):
    with scopes_disabled():
        return UnitCounts.objects.get(unit=unit).members


def test_a_clean_file_is_checked_then_imported_in_full(city, worker, upload, confirm):
    before = unit_members(city.chaoyang_cju)
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(3)]))
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.valid_rows, job.error_rows, job.errors) == (3, 3, 0, [])
    assert not members_named().exists()  # checking writes nothing

    job = confirm(worker, job)
    assert job.status == ImportStatus.DONE
    assert job.imported_rows == 3
    imported = list(members_named().order_by("name"))
    assert len(imported) == 3
    first = imported[0]
    assert pii.decrypt(first.id_number_cipher) == make_id(1)
    assert first.id_number_masked == make_id(1)[:6] + "********" + make_id(1)[-4:]
    assert first.unit_id == city.chaoyang_cju.pk and first.employer_id == city.employer_cy.pk
    assert first.joined_on == dt.date(2024, 1, 5)
    assert (first.birth_date, first.sex) == (dt.date(1990, 3, 7), "M")  # sequence 001: odd
    with scopes_disabled():
        events = MembershipEvent.objects.filter(member__in=imported)
        assert events.count() == 3 and {e.kind for e in events} == {MembershipEventKind.JOIN}
        assert f"#{job.pk}" in events.first().reason
    assert unit_members(city.chaoyang_cju) == before + 3
    assert not job.file  # the upload held plain ID numbers: deleted when done


def test_one_audit_entry_for_the_whole_import(city, worker, upload, confirm):
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(4)]))
    with scopes_disabled():
        count_before = AuditEntry.objects.count()
    confirm(worker, job)
    with scopes_disabled():
        new = list(AuditEntry.objects.filter(seq__gt=count_before))
    assert len(new) == 1
    entry = new[0]
    assert (entry.action, entry.object_type, entry.object_id) == (AuditAction.CREATE, "imports.importjob", str(job.pk))
    assert entry.actor_id == worker.pk and entry.scope_path == city.chaoyang_station.path
    assert entry.changes["imported_rows"] == [0, 4]
    assert "导入会员 4 人" in entry.note
    assert make_id(1) not in str(entry.changes) + entry.note


def test_each_kind_of_bad_cell_is_reported_with_row_column_and_reason(city, worker, upload):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad_check = make_id(7)[:-1] + ("0" if make_id(7)[-1] != "0" else "1")
    header = [*MEMBER_HEADER, "新就业形态", "平台类型", "统一社会信用代码"]
    rows = [
        header,
        ["张三", make_id(1), "13800000001", EMPLOYER, CJU, "2024-01-05", "否", "", ""],  # 2: fine
        ["", make_id(2), "13800000002", "", "", "", "", "", ""],  # 3: no name
        ["李四", bad_check, "13800000003", "", "", "", "", "", ""],  # 4: check character
        ["王五", make_id(4), "12345", "", "", "", "", "", ""],  # 5: phone
        ["赵六", make_id(5), "13800000005", "", "", "明天", "", "", ""],  # 6: not a date
        ["钱七", make_id(6), "13800000006", "", "", future, "", "", ""],  # 7: future
        ["孙八", make_id(8), "13800000008", "", "中关村街道工会服务站", "", "", "", ""],  # 8: other district
        [
            "周九",
            make_id(9),
            "13800000009",
            "北京中关村软件有限公司",
            "",
            "",
            "",
            "",
            "",
        ],  # 9: other district's employer
        ["吴十", make_id(10), "13800000010", "", "", "", "也许", "飞行", ""],  # 10: yes/no, platform
        ["郑一", make_id(11), "13800000011", "", "", "", "", "", "91110105MA01ABCD1X"],  # 11: bad code
        ["冯二", make_id(12), "13800000012", "", "", "", "否", "外卖骑手", ""],  # 12: 否 with a platform
        ["陈三", 110105199003071234.0, "13800000013", "", "", "", "", "", ""],  # 13: ID typed as a number
        ["褚四", make_id(1), "13800000014", "", "", "", "", "", ""],  # 14: same person as row 2
        ["卫五", make_id(15), "13800000015", "", "", "1980-01-01", "", "", ""],  # 15: joined before birth
    ]
    job = upload(worker, xlsx_upload(rows))
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.valid_rows, job.error_rows) == (14, 1, 13)
    found = reasons(job)
    expected = [
        (3, "姓名", "请填写姓名。"),
        (4, "身份证号码", "身份证号码校验位不正确，请核对后重新输入。"),
        (5, "手机号码", "“12345”不是有效的中国大陆手机号码（11位，以13–19开头）。"),
        (6, "入会日期", "入会日期“明天”无法识别，请填写如 2024-01-05 的日期。"),
        (7, "入会日期", "入会日期不能晚于今天。"),
        (8, "所属工会", "所属工会“中关村街道工会服务站”不存在或不在您的管辖范围内。"),
        (9, "工作单位", "未找到该用人单位（须先登记，且在您的管辖范围内），或留空。"),
        (10, "新就业形态", "请填写“是”或“否”。"),
        (11, "统一社会信用代码", "未找到该统一社会信用代码的用人单位（须先登记，且在您的管辖范围内）。"),
        (12, "新就业形态", "填写了平台类型，“新就业形态”应为“是”。"),
        (13, "身份证号码", "身份证号码被 Excel 存成了数字，末几位已丢失：请把该列设置为“文本”格式后重新填写。"),
        (14, "身份证号码", "与第 2 行的身份证号码重复。"),
        (15, "入会日期", "入会日期早于出生日期。"),
    ]
    for item in expected:
        assert item in found, item
    assert any(r == 10 and c == "平台类型" and "“飞行”无法识别" in m for r, c, m in found)
    assert not members_named("").exclude(pk__in=_fixture_members()).exists()


def _fixture_members():
    with scopes_disabled():
        return list(Member.objects.filter(name__in=["周建国", "海淀会员"]).values_list("pk", flat=True))


def test_someone_already_registered_anywhere_in_the_city(city, worker, upload):
    boss = make_staff(city.root, "officer")
    with user_scope(boss):
        member_create(
            by=boss, name="海淀某人", id_number=make_id(2, "110108"), phone="13900000000", unit=city.haidian_station
        )
    rows = [MEMBER_HEADER, ["某人", make_id(2, "110108"), "13900000001", "", "", ""]]
    job = upload(worker, xlsx_upload(rows))
    assert reasons(job) == [(2, "身份证号码", "该身份证号码已登记为会员。")]


def test_a_file_with_errors_writes_nothing_until_only_valid_rows_are_chosen(city, worker, upload, confirm):
    rows = [MEMBER_HEADER, *good_rows(3), ["坏行", "123", "13800000000", "", "", ""], *good_rows(2, start=10)]
    job = upload(worker, xlsx_upload(rows))
    assert (job.valid_rows, job.error_rows) == (5, 1)

    with pytest.raises(ValidationError) as e:
        confirm(worker, job, only_valid=False)
    assert "只导入有效行" in e.value.messages[0]
    assert job_of(job).status == ImportStatus.VALIDATED
    assert not members_named().exists()

    job = confirm(worker, job, only_valid=True)
    assert (job.status, job.imported_rows, job.only_valid) == (ImportStatus.DONE, 5, True)
    assert members_named().count() == 5
    assert not members_named("坏行").exists()


def test_rows_registered_meanwhile_fail_a_full_import_with_nothing_written(city, worker, upload, confirm):
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(3)]))
    with user_scope(worker):  # another clerk registers row 3's person before the confirm
        member_create(by=worker, name="抢先登记", id_number=make_id(2), phone="13700000000", unit=city.chaoyang_cju)
    before = unit_members(city.chaoyang_cju)

    job = confirm(worker, job)
    assert job.status == ImportStatus.FAILED
    assert "未写入任何数据" in job.failure
    assert (3, "身份证号码", "导入前复核：该身份证号码已登记为会员。") in reasons(job)
    assert not members_named().exists()
    assert unit_members(city.chaoyang_cju) == before
    with scopes_disabled():
        assert not AuditEntry.objects.filter(object_type="imports.importjob").exists()


def test_rows_registered_meanwhile_are_skipped_when_only_valid_rows_were_chosen(city, worker, upload, confirm):
    rows = [MEMBER_HEADER, *good_rows(3), ["坏行", "123", "13800000000", "", "", ""]]
    job = upload(worker, xlsx_upload(rows))
    with user_scope(worker):
        member_create(by=worker, name="抢先登记", id_number=make_id(2), phone="13700000000", unit=city.chaoyang_cju)

    job = confirm(worker, job, only_valid=True)
    assert (job.status, job.imported_rows, job.skipped_rows) == (ImportStatus.DONE, 2, 1)
    assert (3, "身份证号码", "导入时跳过：该身份证号码已登记为会员。") in reasons(job)
    assert members_named().count() == 2


def test_a_row_shown_as_an_error_is_never_written_even_if_it_became_valid(city, worker, upload, confirm):
    from conftest import valid_uscc
    from gonghui.orgs.services import employer_create

    rows = [MEMBER_HEADER, *good_rows(2), ["迟到", make_id(50), "13800000050", "新开张餐馆", CJU, ""]]
    job = upload(worker, xlsx_upload(rows))
    assert (job.valid_rows, job.error_rows) == (2, 1)
    with user_scope(worker):  # the employer is registered after the check
        employer_create(
            by=worker,
            name="新开张餐馆",
            uscc=valid_uscc("110105", "MA09WXYU9"),
            industry="H",
            ownership="non_public",
            size="micro",
            district=city.chaoyang,
            unit=city.chaoyang_cju,
        )
    job = confirm(worker, job, only_valid=True)
    assert job.imported_rows == 2
    assert not members_named("迟到").exists()


def test_only_the_uploader_confirms_and_a_finished_job_cannot_run_again(city, worker, upload, confirm):
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(1)]))
    colleague = make_staff(city.chaoyang_station, "social_worker")
    with pytest.raises(PermissionDenied):
        confirm(colleague, job)
    job = confirm(worker, job)
    with pytest.raises(ValidationError) as e:
        confirm(worker, job)
    assert "已完成" in e.value.messages[0]
    assert members_named().count() == 1


def test_cancel_deletes_the_file_and_forbids_the_import(city, worker, upload, confirm):
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(1)]))
    path = job.file.path
    with user_scope(worker):
        services.import_job_cancel(by=worker, job=job)
    job = job_of(job)
    assert job.status == ImportStatus.CANCELLED and not job.file
    assert not os.path.exists(path)
    with pytest.raises(ValidationError):
        confirm(worker, job)
    assert not members_named().exists()


def test_a_csv_from_excel_in_gbk_imports(city, worker, upload, confirm):
    rows = [["姓名", "公民身份号码", "联系电话", "用人单位", "工会名称", "入会时间"], *good_rows(2)]
    job = upload(worker, csv_upload(rows, encoding="gbk"))
    assert (job.status, job.valid_rows) == (ImportStatus.VALIDATED, 2)
    assert confirm(worker, job).imported_rows == 2


def test_without_a_union_column_members_join_the_importers_unit(city, worker, upload, confirm):
    rows = [["姓名", "身份证号码", "手机号码"], ["无名", make_id(60), "13800000060"]]
    job = confirm(worker, upload(worker, xlsx_upload(rows)))
    assert job.imported_rows == 1
    assert members_named("无名").get().unit_id == city.chaoyang_station.pk


def test_upload_answers_file_problems_at_once_and_stores_nothing(city, worker, upload, settings):
    from gonghui.imports.models import ImportJob

    cases = [
        (xlsx_upload([["姓名", "身份证号码", "手机号码"]]), "文件中没有数据行"),
        (xlsx_upload([["姓名", "地址"], ["张三", "x"]]), "表头缺少必填列：身份证号码、手机号码"),
        (xlsx_upload([MEMBER_HEADER, *good_rows(1)], name="会员.xls"), "另存为"),
    ]
    for file, message in cases:
        with pytest.raises(ValidationError) as e:
            upload(worker, file)
        assert message in e.value.message_dict["file"][0]
    settings.GONGHUI_IMPORT_MAX_ROWS = 3
    with pytest.raises(ValidationError) as e:
        upload(worker, csv_upload([MEMBER_HEADER, *good_rows(4)]))
    assert "文件有 4 行数据，超过单次导入上限 3 行" in e.value.message_dict["file"][0]
    with scopes_disabled():
        assert not ImportJob.objects.exists()


def test_an_xlsx_with_too_many_rows_fails_while_checked(city, worker, upload, settings):
    settings.GONGHUI_IMPORT_MAX_ROWS = 3
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(4)]))
    assert job.status == ImportStatus.FAILED
    assert "超过单次导入上限 3 行" in job.failure
    assert not job.file


def test_reported_errors_are_capped_but_counted(city, worker, upload, settings):
    settings.GONGHUI_IMPORT_MAX_REPORTED_ERRORS = 5
    rows = [MEMBER_HEADER, *[["", "1", "2", "", "", ""] for _ in range(10)]]
    job = upload(worker, xlsx_upload(rows))
    assert (job.error_rows, len(job.errors), job.errors_truncated) == (10, 5, True)


def test_a_role_without_import_permission_is_refused(city, upload):
    mediator = make_staff(city.chaoyang, "mediator")
    with pytest.raises(PermissionDenied):
        upload(mediator, xlsx_upload([MEMBER_HEADER, *good_rows(1)]))


def test_the_write_transaction_checks_registrations_once_more(city, worker):
    """Between checking again and writing, someone may still register the same person:
    the batch check inside the write transaction catches it."""
    from gonghui.imports.columns import read_header
    from gonghui.imports.members import COLUMNS, MemberImporter

    rows = [(1, tuple(MEMBER_HEADER)), *[(n, tuple(r)) for n, r in enumerate(good_rows(2), start=2)]]
    header, data = read_header(rows, COLUMNS)
    with user_scope(worker):
        importer = MemberImporter(by=worker, header=header)
        checked = importer.check(list(data))
        assert [c.problems for c in checked] == [[], []]
        member_create(by=worker, name="抢先登记", id_number=make_id(2), phone="13700000000", unit=city.chaoyang_cju)
        fresh, clashes = importer.recheck([(c.row, c.payload) for c in checked])
    assert len(fresh) == 1 and fresh[0][0].id_number_hash == checked[0].payload[0].id_number_hash
    assert [(c.row, c.problems) for c in clashes] == [(3, [("身份证号码", "该身份证号码已登记为会员。")])]


def test_no_plain_id_number_or_phone_is_left_in_the_import_tables(city, worker, upload, confirm):
    from django.db import connection

    rows = good_rows(2)
    duplicate = [rows[0][0] + "乙", rows[0][1], "13912345678", EMPLOYER, CJU, "2024-01-05"]
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *rows, duplicate]))
    assert job.error_rows == 1  # the repeated ID number is reported by row, not by value
    assert confirm(worker, job, only_valid=True).imported_rows == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM imports_importjob")
        dump = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM core_auditentry")
        dump += repr(cursor.fetchall())
    for row in [*rows, duplicate]:
        assert row[1] not in dump and row[2] not in dump


def test_the_check_keeps_its_rows_for_the_write_and_the_file_goes_with_the_upload(city, worker, upload, confirm):
    """Writing does not check every row again: the check keeps the valid rows beside the
    upload, the write reads them, and both files are deleted once the job is done."""
    rows = [MEMBER_HEADER, *good_rows(3), ["坏行", "123", "13800000000", "", "", ""]]
    job = upload(worker, xlsx_upload(rows))
    storage, checked = job.file.storage, f"{job.file.name}.checked"
    assert storage.exists(checked)
    # What the check kept is what is written: the upload is read for its header only.
    with job.file.open("wb") as f:
        f.write(xlsx_upload([MEMBER_HEADER, *good_rows(3, start=10)]).read())
    job = confirm(worker, job, only_valid=True)
    assert (job.status, job.imported_rows) == (ImportStatus.DONE, 3)
    assert sorted(m.name for m in members_named()) == sorted(r[0] for r in good_rows(3))
    assert not storage.exists(checked) and not job.file


def test_a_job_checked_without_kept_rows_is_checked_again_and_imported(city, worker, upload, confirm):
    job = upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(2)]))
    job.file.storage.delete(f"{job.file.name}.checked")  # e.g. checked before rows were kept
    job = confirm(worker, job)
    assert (job.status, job.imported_rows) == (ImportStatus.DONE, 2)


def test_an_employer_closed_before_the_write_skips_or_fails_its_rows(city, worker, upload, confirm):
    from gonghui.orgs.services import employer_update

    rows = [MEMBER_HEADER, *good_rows(2), ["无单位", make_id(70), "13800000070", "", CJU, ""]]
    full = upload(worker, xlsx_upload(rows))
    partial = upload(worker, xlsx_upload([*rows, ["坏行", "123", "13800000000", "", "", ""]]))
    admin = make_staff(city.chaoyang, "unit_admin")
    with user_scope(admin):
        employer_update(by=admin, employer=city.employer_cy, is_active=False)
    assert city.employer_cy.name == EMPLOYER

    job = confirm(worker, full)
    assert job.status == ImportStatus.FAILED
    assert (2, "工作单位", "导入前复核：该用人单位已注销或已不在您的管辖范围内。") in reasons(job)
    assert not members_named().exists()
    job = confirm(worker, partial, only_valid=True)
    assert (job.status, job.imported_rows, job.skipped_rows) == (ImportStatus.DONE, 1, 2)
    assert [m.name for m in members_named("无单位")] == ["无单位"]


def test_imported_rows_are_the_same_on_every_database(city, worker, upload, confirm):
    """PostgreSQL writes through COPY, SQLite through bulk_create: the same columns either way."""
    job = confirm(worker, upload(worker, xlsx_upload([MEMBER_HEADER, *good_rows(2)])))
    with scopes_disabled():
        member = Member.objects.get(id_number_hash=services_hash(make_id(1)))
        event = MembershipEvent.objects.get(member=member)
    assert (member.name, member.name_initials, member.status) == ("会员丁", "hyd", "active")
    assert (member.unit_id, member.employer_id, member.joined_on) == (
        city.chaoyang_cju.pk,
        city.employer_cy.pk,
        dt.date(2024, 1, 5),
    )
    assert pii.decrypt(member.id_number_cipher) == make_id(1) and member.phone_masked == "138****0001"
    assert (member.is_model_worker, member.in_hardship, member.left_on, member.erased_at) == (False, False, None, None)
    assert member.created_at and member.updated_at
    assert (event.kind, event.to_unit_id, event.by_id, event.occurred_on) == (
        MembershipEventKind.JOIN,
        city.chaoyang_cju.pk,
        worker.pk,
        dt.date(2024, 1, 5),
    )
    assert f"#{job.pk}" in event.reason


def services_hash(id_number):
    from gonghui.members.services import id_number_hash

    return id_number_hash(id_number)
