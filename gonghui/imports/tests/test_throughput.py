"""How fast a large file is checked. Prints the rate; asserts only the outcome (a
wall-clock assertion would fail on a busy machine without telling anything)."""

import io
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gonghui.imports.models import ImportStatus
from gonghui.imports.tests.sheets import MEMBER_HEADER, many_ids

ROWS = 20_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def big_workbook(n: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([*MEMBER_HEADER, "新就业形态", "平台类型"])
    for i, id_number in enumerate(many_ids(n)):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i // 20 % len(GIVEN)] + GIVEN[i // 480 % len(GIVEN)]
        platform = "外卖配送" if i % 7 == 0 else ""
        sheet.append(
            [
                name,
                id_number,
                f"13{i % 10}{i:08d}",
                "北京国贸餐饮有限公司" if i % 3 == 0 else "",
                "永安里社区联合工会",
                "2024-01-05",
                "是" if platform else "否",
                platform,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_validation_throughput(city, worker, upload, capsys):
    content = big_workbook(ROWS)
    started, cpu_started = time.perf_counter(), time.process_time()
    job = upload(worker, SimpleUploadedFile("大名单.xlsx", content))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert (job.status, job.total_rows, job.valid_rows, job.error_rows) == (ImportStatus.VALIDATED, ROWS, ROWS, 0)
    with capsys.disabled():
        # CPU time too: on a shared machine the wall clock measures the neighbours.
        print(
            f"\nimport check: {ROWS:,} rows in {elapsed:.2f} s = {ROWS / elapsed:,.0f} rows/s"
            f" (CPU {cpu:.2f} s = {ROWS / cpu:,.0f} rows per CPU-second)"
        )
