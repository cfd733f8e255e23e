import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_staff, valid_uscc
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled
from gonghui.imports.models import ImportStatus
from gonghui.imports.tests.sheets import reasons, xlsx_upload
from gonghui.orgs.models import Employer, UnitCounts

HEADER = [
    "单位名称",
    "统一社会信用代码",
    "行业",
    "经济类型",
    "规模",
    "职工人数",
    "地址",
    "所在区",
    "覆盖工会",
    "是否建会",
]
CJU = "永安里社区联合工会"


def counts(unit):
    with scopes_disabled():
        c = UnitCounts.objects.get(unit=unit)
        return c.employers, c.unionised_employers


def test_employers_are_checked_then_imported_with_counts_and_one_audit_entry(city, worker, upload, confirm):
    rows = [
        HEADER,
        [
            "朝外小馆",
            valid_uscc("110105", "MA11AAAA1"),
            "住宿和餐饮业",
            "非公有制",
            "微型",
            6,
            "朝外大街1号",
            "朝阳区",
            CJU,
            "否",
        ],
        ["建外物流", valid_uscc("110105", "MA11BBBB2"), "G", "民营", "小型", "25", "", "", CJU, "是"],
    ]
    before = counts(city.chaoyang_cju)
    job = upload(worker, xlsx_upload(rows, name="单位.xlsx"), kind="employers")
    assert (job.status, job.valid_rows, job.errors) == (ImportStatus.VALIDATED, 2, [])
    with scopes_disabled():
        assert not Employer.objects.filter(name__in=["朝外小馆", "建外物流"]).exists()
        audit_before = AuditEntry.objects.count()

    job = confirm(worker, job)
    assert (job.status, job.imported_rows) == (ImportStatus.DONE, 2)
    with scopes_disabled():
        small = Employer.objects.get(name="朝外小馆")
        courier = Employer.objects.get(name="建外物流")
        assert AuditEntry.objects.count() == audit_before + 1
    assert (small.industry, small.ownership, small.size, small.headcount) == ("H", "non_public", "micro", 6)
    assert small.district_id == city.chaoyang.pk and small.unit_id == city.chaoyang_cju.pk
    assert (courier.industry, courier.has_own_union) == ("G", True)
    assert courier.district_id == city.chaoyang.pk  # no district given: the covering union's
    assert counts(city.chaoyang_cju) == (before[0] + 2, before[1] + 1)


def test_bad_employer_rows_are_explained(city, worker, upload):
    good = valid_uscc("110105", "MA11CCCC3")
    rows = [
        HEADER,
        ["好单位", good, "H", "国有", "中型", "", "", "", "", ""],  # 2
        ["", valid_uscc("110105", "MA11DDDD4"), "H", "国有", "中型", "", "", "", "", ""],  # 3 no name
        ["校验错", good[:-1] + ("0" if good[-1] != "0" else "1"), "H", "国有", "中型", "", "", "", "", ""],  # 4
        ["已登记", city.employer_hd.uscc, "H", "国有", "中型", "", "", "", "", ""],  # 5 registered in 海淀
        ["同码", good, "H", "国有", "中型", "", "", "", "", ""],  # 6 same as row 2
        [
            "行业错",
            valid_uscc("110105", "MA11EEEE5"),
            "航天",
            "外星",
            "巨型",
            "很多",
            "",
            "海淀区",
            "中关村街道工会服务站",
            "也许",
        ],  # 7
    ]
    job = upload(worker, xlsx_upload(rows), kind="employers")
    found = reasons(job)
    assert (job.valid_rows, job.error_rows) == (1, 5)
    assert (3, "单位名称", "请填写单位名称。") in found
    assert (4, "统一社会信用代码", "统一社会信用代码校验位不正确，请核对后重新输入。") in found
    assert (5, "统一社会信用代码", "该统一社会信用代码已登记，请勿重复录入。") in found
    assert (6, "统一社会信用代码", "与第 2 行的统一社会信用代码重复。") in found
    row7 = {column: reason for row, column, reason in found if row == 7}
    assert "“航天”无法识别" in row7["行业"]
    assert "“外星”无法识别" in row7["经济类型"]
    assert "“巨型”无法识别" in row7["规模"]
    assert row7["职工人数"] == "职工人数应为不小于0的整数。"
    assert row7["覆盖工会"] == "覆盖工会“中关村街道工会服务站”不存在或不在您的管辖范围内。"
    assert row7["是否建会"] == "请填写“是”或“否”。"


def test_employer_import_needs_the_employer_permission(city, upload):
    # An auditor may read but not import; the import page offers only what a role may do.
    auditor = make_staff(city.chaoyang, "auditor")
    with pytest.raises(PermissionDenied):
        upload(auditor, xlsx_upload([HEADER]), kind="employers")
