import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from gonghui.imports import columns
from gonghui.imports.members import COLUMNS as MEMBER_COLUMNS
from gonghui.imports.readers import FileProblem, open_table
from gonghui.imports.tests.sheets import csv_bytes, make_id, xlsx_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def rows_of(data: bytes, name: str):
    with open_table(io.BytesIO(data), name) as table:
        return list(table.rows())


def problem(data: bytes, name: str) -> str:
    with pytest.raises(FileProblem) as e:
        rows_of(data, name)
    return e.value.message


def test_xlsx_rows_keep_the_row_numbers_the_user_sees():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "手机号码"])
    sheet.append(["张三", make_id(1), 13812345678])
    sheet.append([])  # an empty row is skipped but still counted
    sheet["A4"] = "李四"
    sheet["C4"] = "13912345678"  # B4 left empty: a sparse row
    out = io.BytesIO()
    book.save(out)
    rows = rows_of(out.getvalue(), "会员.xlsx")
    assert rows == [
        (1, ("姓名", "身份证号码", "手机号码")),
        (2, ("张三", make_id(1), 13812345678)),
        (4, ("李四", None, "13912345678")),
    ]


def test_xlsx_dates_numbers_and_long_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["入会日期", "号码", "长号码", "是否"])
    sheet.append([dt.datetime(2024, 1, 5), 13812345678, 110105199003071234, True])
    out = io.BytesIO()
    book.save(out)
    [_header, (number, values)] = rows_of(out.getvalue(), "a.xlsx")
    assert number == 2
    serial, phone, long_number, flag = values
    assert columns.date(serial) == dt.date(2024, 1, 5)  # an Excel date is a serial number
    assert phone == 13812345678
    assert isinstance(long_number, float)  # digits beyond 15 are already lost: kept as float
    assert flag is True


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_in_the_encodings_offices_use(encoding):
    data = csv_bytes([["姓名", "身份证号码"], ["欧阳娜娜", make_id(2)]], encoding=encoding)
    assert rows_of(data, "会员.csv") == [(1, ("姓名", "身份证号码")), (2, ("欧阳娜娜", make_id(2)))]


def test_csv_with_semicolons_or_tabs_and_utf16():
    assert rows_of("姓名;手机号\n张三;13812345678\n".encode(), "a.csv")[1] == (2, ("张三", "13812345678"))
    assert rows_of("姓名\t手机号\n张三\t13812345678\n".encode("utf-16"), "a.csv")[1] == (2, ("张三", "13812345678"))


def test_a_picture_renamed_to_xlsx_or_csv_is_refused_by_content():
    assert "不是有效的 Excel（.xlsx）文件" in problem(PNG, "会员.xlsx")
    assert "不是有效的 CSV 文本文件" in problem(PNG, "会员.csv")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    assert "不是有效的 Excel（.xlsx）文件" in problem(out.getvalue(), "会员.xlsx")


def test_a_broken_workbook_is_refused():
    data = xlsx_bytes([["姓名"], ["张三"]])
    broken = data[: len(data) // 2]
    assert "不是有效的 Excel（.xlsx）文件" in problem(broken, "会员.xlsx")


def test_an_xlsx_renamed_to_csv_is_explained():
    assert "改为 .xlsx" in problem(xlsx_bytes([["姓名"], ["张三"]]), "会员.csv")


def test_old_xls_and_other_types_are_refused_with_advice():
    assert "另存为" in problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "会员.xls")
    assert "另存为 .xlsx" in problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "会员.xlsx")
    assert "只能上传" in problem(b"hello", "会员.txt")
    assert "只能上传" in problem(b"hello", "会员")


def test_empty_and_oversized_files(settings):
    assert "文件是空的" in problem(b"", "会员.csv")
    settings.GONGHUI_IMPORT_MAX_BYTES = 1024 * 1024
    assert "文件过大" in problem(b"a,b\n" * 300_000, "会员.csv")


def test_undecodable_text_is_refused():
    assert "无法识别文件的文字编码" in problem("姓名\n张三\n".encode("gbk") + b"\x81\x20\xfe\x39", "a.csv")


def test_header_synonyms_full_width_and_notes_are_recognised():
    rows = [(1, ("＊姓 名", "公民身份号码（必填）", "手机", "用人单位", "序号")), (2, ("张三", "x", "y", "z", 1))]
    header, rest = columns.read_header(rows, MEMBER_COLUMNS)
    assert header.index == {"name": 0, "id_number": 1, "phone": 2, "employer": 3}
    assert header.label["id_number"] == "公民身份号码（必填）"
    assert header.label["unit"] == "所属工会"  # absent columns keep our name for messages
    assert list(rest) == [(2, ("张三", "x", "y", "z", 1))]


def test_a_title_row_above_the_header_is_skipped():
    rows = [(1, ("2024年会员花名册",)), (2, ("姓名", "身份证号", "手机号")), (3, ("张三", "x", "y"))]
    header, rest = columns.read_header(rows, MEMBER_COLUMNS)
    assert header.row == 2
    assert [n for n, _v in rest] == [3]


def test_missing_columns_are_named_in_one_message():
    with pytest.raises(FileProblem) as e:
        columns.read_header([(1, ("姓名", "地址")), (2, ("张三", "x"))], MEMBER_COLUMNS)
    assert "表头缺少必填列：身份证号码、手机号码" in e.value.message


def test_header_only_and_empty_files_have_no_data_rows():
    for rows in ([(1, ("姓名", "身份证号码", "手机号码"))], []):
        with pytest.raises(FileProblem) as e:
            columns.read_header(rows, MEMBER_COLUMNS)
        assert e.value.message == "文件中没有数据行。"


def test_repeated_columns_are_refused():
    with pytest.raises(FileProblem) as e:
        columns.read_header(
            [(1, ("姓名", "身份证号码", "手机号码", "手机")), (2, ("a", "b", "c", "d"))], MEMBER_COLUMNS
        )
    assert "重复的列：手机" in e.value.message


@pytest.mark.parametrize(
    "value",
    ["2024-01-05", "2024/1/5", "2024.1.5", "2024年1月5日", "20240105", "2024-01-05 00:00:00", "２０２４－０１－０５"],
)
def test_dates_as_offices_write_them(value):
    assert columns.date(value) == dt.date(2024, 1, 5)


@pytest.mark.parametrize("value", ["明天", "2024-02-30", "2024-13-01", -5, "1/5/2024"])
def test_not_dates(value):
    with pytest.raises(columns.BadDate):
        columns.date(value)


def test_codes_lose_the_tricks_that_keep_excel_from_numbers():
    assert columns.code("'110105199003071234") == "110105199003071234"
    assert columns.code('="13812345678"') == "13812345678"
    assert columns.code("１３８ １２３４ ５６７８") == "13812345678"
    assert columns.code(13812345678.0) == "13812345678"


def handmade_xlsx(sheet_data: str, shared: str = "", date1904=False) -> bytes:
    """A workbook as Excel writes it: shared strings, a <dimension>, styles elsewhere."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><workbookPr date1904="{int(date1904)}"/>'
            '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{shared}</sst>')
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><dimension ref="A1:C3"/><sheetData>{sheet_data}</sheetData></worksheet>',
        )
    return out.getvalue()


def test_an_excel_style_workbook_with_shared_rich_and_phonetic_strings():
    shared = (
        "<si><t>姓名</t></si>"
        "<si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r></si>"  # rich text
        "<si><t>单于</t><rPh sb='0' eb='2'><t>chanyu</t></rPh></si>"  # a phonetic guide is not text
    )
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>备注</t></is></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>45296</v></c>'
        '<c r="C2" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c></row>'
        '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="b"><v>1</v></c>'
        '<c r="C3" t="str"><f>A1</f><v>公式</v></c></row>'
    )
    with open_table(io.BytesIO(handmade_xlsx(sheet, shared)), "花名册.xlsx") as table:
        rows = list(table.rows())
        assert table.estimated_rows == 3
    assert rows == [
        (1, ("姓名", None, "备注")),
        (2, ("张三", 45296, "富文本")),
        (3, ("单于", True, "公式")),
    ]
    assert columns.date(rows[1][1][1]) == dt.date(2024, 1, 5)


def test_a_1904_workbook_dates():
    with open_table(
        io.BytesIO(handmade_xlsx('<row r="1"><c r="A1"><v>43834</v></c></row>', date1904=True)), "a.xlsx"
    ) as t:
        [(_n, (serial,))] = list(t.rows())
        assert columns.date(serial, epoch=t.epoch) == dt.date(2024, 1, 5)
