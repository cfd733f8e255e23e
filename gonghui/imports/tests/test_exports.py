import io

import pytest
from openpyxl import load_workbook

from conftest import login, make_staff
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.imports.tests.sheets import make_id
from gonghui.members.services import member_create

ZS_ID, ZS_PHONE = make_id(123), "13812345678"


@pytest.fixture
def members(city):
    boss = make_staff(city.root, "officer")
    with user_scope(boss):
        zs = member_create(
            by=boss, name="张三", id_number=ZS_ID, phone=ZS_PHONE, unit=city.chaoyang_cju, employer=city.employer_cy
        )
        hd = member_create(
            by=boss, name="海淀人", id_number=make_id(9, "110108"), phone="13900000009", unit=city.haidian_station
        )
    return zs, hd


def sheet_rows(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def export_entries():
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("seq"))


def test_member_export_is_masked_by_default_scoped_and_audited(client, city, members, worker):
    login(client, worker)
    assert client.get("/data/export-members/").status_code == 200
    rows = sheet_rows(client.post("/data/export-members/", {"q": ""}))
    header, *data = rows
    assert header[:3] == ["姓名", "身份证号码", "手机号码"] and header[-1] == "入会日期"
    names = [r[0] for r in data]
    assert "张三" in names and "海淀人" not in names  # the worker's subtree only
    zs = data[names.index("张三")]
    assert zs[1] == ZS_ID[:6] + "********" + ZS_ID[-4:] and zs[2] == "138****5678"
    assert zs[5] == "永安里社区联合工会" and zs[6] == "北京国贸餐饮有限公司"
    entry = export_entries()[-1]
    assert entry.actor_id == worker.pk and entry.object_type == "members.member"
    assert entry.changes["revealed"] is False and entry.changes["rows"] == len(data)
    assert "已脱敏" in entry.note


def test_plain_values_only_for_a_role_that_may_reveal(client, city, members, worker, district_officer):
    login(client, worker)  # a social worker may export but not reveal
    assert client.post("/data/export-members/", {"reveal": "1"}).status_code == 403
    assert client.post("/data/export-members/?reveal=1").status_code == 403
    assert client.get("/data/export-members/?reveal=1").status_code == 403
    assert export_entries() == []

    login(client, district_officer)
    rows = sheet_rows(client.post("/data/export-members/", {"q": "张三", "reveal": "1"}))
    assert rows[1][:3] == ["张三", ZS_ID, ZS_PHONE]
    entry = export_entries()[-1]
    assert entry.changes["revealed"] is True and entry.changes["rows"] == 1
    assert "含明文" in entry.note
    assert ZS_ID not in entry.note + str(entry.changes)


def test_a_search_by_id_number_is_masked_in_the_audit_log(client, city, members, district_officer):
    login(client, district_officer)
    rows = sheet_rows(client.post("/data/export-members/", {"q": ZS_ID}))
    assert [r[0] for r in rows[1:]] == ["张三"]
    entry = export_entries()[-1]
    assert ZS_ID not in entry.note + str(entry.changes)
    assert entry.changes["filters"]["q"] == ZS_ID[:6] + "********" + ZS_ID[-4:]


def test_export_filters_by_unit_and_status(client, city, members, district_officer):
    login(client, district_officer)
    rows = sheet_rows(client.post("/data/export-members/", {"unit": city.chaoyang_station.pk, "status": "active"}))
    assert "张三" in [r[0] for r in rows[1:]] and {r[9] for r in rows[1:]} == {"在会"}
    rows = sheet_rows(client.post("/data/export-members/", {"unit": city.chaoyang_station.pk, "status": "left"}))
    assert rows[1:] == []
    # a unit of another district is not a choice
    response = client.post("/data/export-members/", {"unit": city.haidian_station.pk})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()


def test_too_large_an_export_is_refused_with_a_message(client, city, members, district_officer, settings):
    settings.GONGHUI_EXPORT_MAX_ROWS = 0
    login(client, district_officer)
    response = client.post("/data/export-members/", {})
    assert response.status_code == 200
    assert "超过单次导出上限 0 条" in response.content.decode()
    assert export_entries() == []


def test_employer_export_in_the_import_columns(client, city, district_officer):
    login(client, district_officer)
    rows = sheet_rows(client.post("/data/export-employers/", {}))
    assert rows[0][:2] == ["单位名称", "统一社会信用代码"]
    assert rows[1][:3] == ["北京国贸餐饮有限公司", city.employer_cy.uscc, "住宿和餐饮业"]
    assert len(rows) == 2  # 海淀's employer is not in 朝阳's export
    assert export_entries()[-1].object_type == "orgs.employer"


def test_export_needs_the_export_permission(client, city):
    login(client, make_staff(city.chaoyang, "mediator"))
    assert client.get("/data/export-members/").status_code == 403
    assert client.post("/data/export-employers/").status_code == 403
