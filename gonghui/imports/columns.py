"""Column headers as offices write them, and cell values as spreadsheets store them.

Headers are matched after normalising: full-width characters to half-width (NFKC), spaces
and required-field asterisks removed, a parenthesised note dropped — so "身份证号码",
" 身份证号 ", "＊身份证号（必填）" and "公民身份号码" all name the same column.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from itertools import chain

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from gonghui.imports.readers import FileProblem

HEADER_SEARCH_ROWS = 5  # a title row or two above the header is common


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the header our template uses
    synonyms: tuple = ()
    required: bool = False
    help: str = ""
    example: object = ""


@dataclass
class Header:
    row: int
    index: dict  # field → 0-based column
    label: dict  # field → the header text as written in the file


def normalise_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    text = re.sub(r"[\s*:：]", "", text)
    return text.lower()


def header_lookup(columns) -> dict:
    lookup = {}
    for column in columns:
        for name in (column.label, *column.synonyms):
            lookup[normalise_header(name)] = column.field
    return lookup


def read_header(rows, columns) -> tuple[Header, object]:
    """Find the header among the first rows; returns it and the remaining data rows.

    Raises :class:`FileProblem` for a file without data rows or without the required
    columns (all of them named in one message)."""
    lookup = header_lookup(columns)
    rows = iter(rows)
    buffered = []
    for item in rows:
        buffered.append(item)
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if not buffered:
        raise FileProblem(_("文件中没有数据行。"))
    position = 0
    for i, (_number, values) in enumerate(buffered):
        hits = {lookup.get(normalise_header(v)) for v in values if v is not None} - {None}
        if len(hits) >= 2:
            position = i
            break
    number, values = buffered[position]
    index, label, repeated = {}, {}, []
    for i, value in enumerate(values):
        field = lookup.get(normalise_header(value)) if value is not None else None
        if field is None:
            continue
        if field in index:
            repeated.append(str(value).strip())
            continue
        index[field] = i
        label[field] = str(value).strip()
    missing = [c.label for c in columns if c.required and c.field not in index]
    if missing:
        raise FileProblem(
            _("表头缺少必填列：%(cols)s。请使用导入模板的表头（第一行为列名）。") % {"cols": "、".join(missing)}
        )
    if repeated:
        raise FileProblem(_("表头中有重复的列：%(cols)s，请删除多余的列。") % {"cols": "、".join(repeated)})
    rest = chain(buffered[position + 1 :], rows)
    first = next(rest, None)
    if first is None:
        raise FileProblem(_("文件中没有数据行。"))
    for column in columns:
        label.setdefault(column.field, column.label)
    return Header(row=number, index=index, label=label), chain([first], rest)


# --- Cell values -----------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def text(value) -> str:
    """A cell as trimmed text."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        return value if value.isascii() else value.translate(_INVISIBLE).strip().strip("\u3000")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def code(value) -> str:
    """A cell holding a code (ID number, phone, credit code): half-width, no spaces, and
    without the tricks used to keep Excel from turning it into a number ('… or ="…")."""
    value = text(value)
    if value.isascii() and value.isalnum():
        return value  # the usual case, and the only one worth being fast
    value = re.sub(r"\s", "", unicodedata.normalize("NFKC", value))
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    return value.lstrip("'")


TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对", "有", "已建会", "已建"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "无", "没有", "未建会", "未建", "不是"}
_YES_NO = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}


def yes_no(value, default=False):
    """True / False, or None when the cell says something else."""
    word = text(value)
    if word in _YES_NO:
        return _YES_NO[word]
    word = unicodedata.normalize("NFKC", word).lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class BadDate(ValueError):
    pass


def date(value, *, epoch=None) -> dt.date | None:
    """A date from an Excel date, an Excel serial number or text such as 2024-01-05,
    2024/1/5, 2024.1.5, 2024年1月5日 or 20240105. None for an empty cell; BadDate when
    the cell is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # 1900-01-01 … 9999-12-31
            result = from_excel(value, epoch) if epoch is not None else from_excel(value)
            return result.date() if isinstance(result, dt.datetime) else result
        raise BadDate(value)
    raw = text(value)
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise BadDate(raw) from None
    raw = unicodedata.normalize("NFKC", raw)
    match = _DATE_TEXT.match(raw) or _DATE_DIGITS.match(raw)
    if not match:
        raise BadDate(raw)
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        raise BadDate(raw) from None


def choice(value, options: dict):
    """Look a label up in ``{normalised label: value}``; None when unknown."""
    return options.get(normalise_header(text(value)))
