"""Spreadsheets built in the tests with openpyxl, and ID numbers that pass the check."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gonghui.core.scoping import scopes_disabled
from gonghui.imports.models import ImportJob
from gonghui.members.identity import id_check_char

MEMBER_HEADER = ["姓名", "身份证号码", "手机号码", "工作单位", "所属工会", "入会日期"]


def make_id(seq: int, region="110105", birth="19900307") -> str:
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def many_ids(n: int, region="110105"):
    """n distinct valid ID numbers (birth dates across the 1980s, sequences 000–999)."""
    ids = []
    day = 0
    while len(ids) < n:
        year, month, dom = 1980 + day // 336, 1 + (day // 28) % 12, 1 + day % 28
        for seq in range(1000):
            ids.append(make_id(seq, region, f"{year}{month:02d}{dom:02d}"))
            if len(ids) == n:
                break
        day += 1
    return ids


def xlsx_bytes(rows, sheet_title="Sheet1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_upload(rows, name="会员.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows))


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def csv_upload(rows, name="会员.csv", encoding="utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, encoding))


def job_of(job) -> ImportJob:
    with scopes_disabled():
        return ImportJob.objects.select_related("unit", "created_by").get(pk=job.pk)


def reasons(job) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in job.errors]
