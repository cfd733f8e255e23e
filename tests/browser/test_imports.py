from openpyxl import Workbook
from playwright.sync_api import expect

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.imports.tests.sheets import MEMBER_HEADER, make_id
from gonghui.members.models import Member
from tests.browser.conftest import sign_in, submit


def test_station_worker_imports_only_the_valid_rows(page, city, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_staff(city.chaoyang_station, "social_worker", username="cy_sw")
    wrong_check = make_id(4)[:-1] + ("0" if make_id(4)[-1] != "0" else "1")
    book = Workbook()
    sheet = book.active
    for row in [
        MEMBER_HEADER,
        ["导入甲", make_id(1), "13800000001", "北京国贸餐饮有限公司", "永安里社区联合工会", "2024-01-05"],
        ["导入乙", make_id(2), "13800000002", "", "永安里社区联合工会", "2024/3/8"],
        ["导入丙", wrong_check, "13800000003", "", "", ""],
        ["导入丁", make_id(3), "13800000004", "", "", "2024年6月1日"],
        ["导入戊", make_id(5), "12345", "", "中关村街道工会服务站", ""],
    ]:
        sheet.append(row)
    path = tmp_path / "会员名单.xlsx"
    book.save(path)

    sign_in(page, "cy_sw")
    page.goto(page.base + "/data/")
    page.get_by_role("link", name="上传文件导入").first.click()
    page.check("input[name=kind][value=members]")
    page.set_input_files("input[name=file]", str(path))
    submit(page)

    report = page.locator("table.import-errors")
    expect(report).to_contain_text("身份证号码校验位不正确")
    expect(report.locator("tr", has_text="校验位")).to_contain_text("4")
    row6 = report.locator("tr", has_text="中关村街道工会服务站")
    expect(row6).to_contain_text("6")
    expect(row6).to_contain_text("不在您的管辖范围内")
    expect(report.locator("tr", has_text="12345")).to_contain_text("不是有效的中国大陆手机号码")
    expect(page.get_by_role("button", name="导入全部")).to_have_count(0)
    with scopes_disabled():
        assert not Member.objects.filter(name__startswith="导入").exists()

    page.get_by_role("button", name="只导入有效的 3 行").click()
    expect(page.locator(".alert--success", has_text="已导入")).to_contain_text("已导入 3 行")
    with scopes_disabled():
        names = sorted(Member.objects.filter(name__startswith="导入").values_list("name", flat=True))
    assert names == ["导入丁", "导入乙", "导入甲"]
