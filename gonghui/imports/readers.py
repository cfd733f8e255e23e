"""Reading uploaded spreadsheets (.xlsx and .csv), judged by their content, not their name.

A :class:`Table` yields ``(row_number, values)`` for every row that has anything in it, the
row number being the one the user sees in Excel (the first row is 1). Anything wrong with
the file as a whole raises :class:`FileProblem` with a message for the user.

Speed: openpyxl opens the workbook (read-only, cached formula values) and so checks the
package, finds the first worksheet and loads the shared strings; the sheet's rows are then
read by a lean streaming parser. openpyxl's own row reader builds a cell object per cell
and reads about 12,000 rows of nine columns a second; this one reads about 40,000, which
is what lets a 100,000-row file be checked in seconds.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree.ElementTree import iterparse

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.datetime import WINDOWS_EPOCH

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 100  # no register has more; stops a sheet that is wide on purpose
# Excel's own limit: a sheet with more row elements is not a sheet, it is an attack.
MAX_SHEET_ROWS = 1_048_576

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def max_bytes() -> int:
    return getattr(settings, "GONGHUI_IMPORT_MAX_BYTES", MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "GONGHUI_IMPORT_MAX_ROWS", MAX_ROWS)


class FileProblem(Exception):
    """The file as a whole cannot be imported; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


@dataclass
class Table:
    format: str  # "xlsx" or "csv"
    estimated_rows: int | None  # rows in the sheet, header included, when the file says
    epoch: object = WINDOWS_EPOCH  # for Excel date serial numbers
    _rows: Iterator = field(default=iter(()), repr=False)
    _closers: list = field(default_factory=list, repr=False)

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """Non-empty rows as ``(row_number, values)``; values are str, int, float, bool,
        datetime or None."""
        for number, values in self._rows:
            first = values[0] if values else None
            if (first is not None and first != "") or any(
                v is not None and (not isinstance(v, str) or v.strip()) for v in values
            ):
                yield number, values

    def close(self) -> None:
        for close in self._closers:
            close()
        self._closers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_table(fileobj, filename: str) -> Table:
    """Open an uploaded or stored file. The extension chooses what the content must be."""
    ext = PurePath(filename or "").suffix.lower()
    if ext == ".xls":
        raise FileProblem(_("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为”.xlsx 格式后再上传。"))
    if ext not in (".xlsx", ".csv"):
        raise FileProblem(_("只能上传 Excel（.xlsx）或 CSV（.csv）文件。"))
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    if size == 0:
        raise FileProblem(_("文件是空的，没有任何内容。"))
    if size > max_bytes():
        raise FileProblem(
            _("文件过大（%(size).1f MB），单个文件不能超过 %(max)d MB，请拆分后分批导入。")
            % {"size": size / 1024 / 1024, "max": max_bytes() // 1024 // 1024}
        )
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if ext == ".xlsx":
        return _open_xlsx(fileobj, head)
    return _open_csv(fileobj.read(), head)


# --- .xlsx ---------------------------------------------------------------------------

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, VALUE, TEXT = NS + "row", NS + "v", NS + "t"


def _not_xlsx(head: bytes) -> FileProblem:
    if head.startswith(OLE_MAGIC):
        return FileProblem(
            _("文件是旧版 Excel（.xls）格式或设置了打开密码：请取消密码，并在 Excel 中另存为 .xlsx 后再上传。")
        )
    return FileProblem(_("文件内容不是有效的 Excel（.xlsx）文件，请确认文件未损坏，并用 Excel 另存为 .xlsx 后再上传。"))


def _open_xlsx(fileobj, head: bytes) -> Table:
    if not head.startswith(ZIP_MAGIC):
        raise _not_xlsx(head)
    try:
        with zipfile.ZipFile(fileobj) as package:
            names = set(package.namelist())
    except zipfile.BadZipFile:
        raise _not_xlsx(head) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_xlsx(head)
    fileobj.seek(0)
    try:
        # openpyxl's reader, step by step: ``load_workbook(read_only=True)`` would also
        # size every sheet, which for a sheet without a <dimension> element means reading
        # all of it once more before we start.
        reader = ExcelReader(fileobj, read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        targets = [
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and rel.Type.endswith("/worksheet")
        ]
        if not targets:
            raise FileProblem(_("工作簿中没有工作表。"))
        target = targets[0]
        estimated = _dimension_rows(reader.archive, target)
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - any failure inside the package means the same to the user
        raise _not_xlsx(head) from None
    table = Table(format="xlsx", estimated_rows=estimated, epoch=reader.wb.epoch)
    table._closers.append(reader.archive.close)
    table._rows = _guarded(_sheet_rows(lambda: reader.archive.open(target), reader.shared_strings))
    return table


def _dimension_rows(archive, target) -> int | None:
    """The last row the sheet says it uses (``<dimension ref="A1:K5001">``), read from the
    sheet's first few elements; None when the sheet does not say."""
    with archive.open(target) as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == NS + "dimension":
                ref = element.get("ref", "").rpartition(":")[2]
                digits = "".join(ch for ch in ref if ch.isdigit())
                return int(digits) if digits else None
            if element.tag == NS + "sheetData":
                return None
    return None


def _guarded(rows):
    """Turn a broken package discovered half-way into the user's message."""
    try:
        yield from rows
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet, whatever the parser's complaint
        raise FileProblem(
            _("文件内容不是有效的 Excel（.xlsx）文件，请确认文件未损坏，并用 Excel 另存为 .xlsx 后再上传。")
        )


_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}


def _column_index(ref: str) -> int:
    """``"AB12"`` → 27 (0-based column)."""
    letters = ref.rstrip(_DIGITS)
    index = _COLUMNS.get(letters)
    if index is None:
        index = -1
        for ch in letters.upper():
            index = (index + 1) * 26 + ord(ch) - 65
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = index
    return index


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        pass
    value = float(text)
    # Whole numbers up to 15 digits are exact in Excel; longer ones (an ID number typed as
    # a number) have already lost digits and stay floats so the checks can say so.
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _sheet_rows(source_of, strings) -> Iterator[tuple[int, tuple]]:
    with source_of() as source:
        number, seen = 0, 0
        for _event, element in iterparse(source):
            if element.tag != ROW:
                continue
            seen += 1
            if seen > MAX_SHEET_ROWS:
                raise FileProblem(_("工作表的行数超过了 Excel 的上限，文件可能已损坏。"))
            ref = element.get("r")
            number = int(ref) if ref else number + 1
            values = []
            column = -1
            for cell in element:
                ref = cell.get("r")
                column = _column_index(ref) if ref else column + 1
                if column >= MAX_COLUMNS or column < 0:
                    continue
                kind = cell.get("t")
                if kind == "inlineStr":
                    box = cell[0] if len(cell) else ()  # <is><t>text</t></is>; rich text has runs
                    if len(box) == 1 and box[0].tag == TEXT:
                        value = box[0].text or ""
                    else:
                        value = "".join(t.text or "" for t in cell.iter(TEXT))
                else:
                    v = cell.find(VALUE)
                    if v is None or v.text is None:
                        continue
                    text = v.text
                    if kind == "s":
                        value = strings[int(text)]
                    elif kind is None or kind == "n":
                        value = _number(text)
                    elif kind == "b":
                        value = text == "1"
                    else:  # "str" (a formula's text), "e" (#N/A …), "d" (ISO date)
                        value = text
                if column == len(values):
                    values.append(value)
                elif column > len(values):
                    values.extend([None] * (column - len(values)))
                    values.append(value)
                else:  # cells out of order: rare, allowed
                    values[column] = value
            element.clear()
            if values:
                yield number, tuple(values)


# --- .csv ----------------------------------------------------------------------------

# utf-8-sig reads UTF-8 with or without Excel's byte-order mark; gb18030 is a superset of
# GBK, which Excel on a Chinese Windows writes "CSV (逗号分隔)" in.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def _open_csv(data: bytes, head: bytes) -> Table:
    if head.startswith(ZIP_MAGIC):
        raise FileProblem(_("文件内容是 Excel 工作簿而不是 CSV 文本：请把扩展名改为 .xlsx，或在 Excel 中另存为 CSV。"))
    if data.startswith(UTF16_BOMS):
        text = _decode(data, ("utf-16",))
    else:
        if b"\x00" in data[:65536] or head.startswith(OLE_MAGIC):
            raise FileProblem(_("文件内容不是有效的 CSV 文本文件，请在 Excel 中另存为 CSV 或 .xlsx 后再上传。"))
        text = _decode(data, CSV_ENCODINGS)
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    if controls > max(5, len(sample) // 100):
        raise FileProblem(_("文件内容不是有效的 CSV 文本文件，请在 Excel 中另存为 CSV 或 .xlsx 后再上传。"))
    first_line = sample.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    estimated = text.count("\n") + (0 if text.endswith("\n") else 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = ((n, tuple(values[:MAX_COLUMNS])) for n, values in enumerate(reader, start=1))
    return Table(format="csv", estimated_rows=estimated, _rows=_guarded_csv(rows))


def _decode(data: bytes, encodings) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("无法识别文件的文字编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再上传。"))


def _guarded_csv(rows):
    try:
        yield from rows
    except csv.Error:
        raise FileProblem(_("CSV 文件格式有误（引号不配对或字段过长），请在 Excel 中重新另存为 CSV。")) from None
