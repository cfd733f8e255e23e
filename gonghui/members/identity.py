"""Identity numbers, phones and names: validation, normalisation and what derives from them."""

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

# GB 11643-1999 公民身份号码: 6-digit region, 8-digit birth date, 3-digit sequence (odd =
# male), and a check character (ISO 7064 MOD 11-2).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class IdentityNumber:
    value: str
    birth_date: dt.date
    sex: str  # "M" / "F"


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value) -> str:
    return re.sub(r"\s", "", str(value or "")).upper()


def parse_id_number(value, *, today: dt.date | None = None) -> IdentityNumber:
    """Validate a resident identity number; returns it normalised with its birth date and sex."""
    number = normalise_id_number(value)
    if not number:
        raise ValidationError(_("请填写身份证号码。"), code="id_required")
    if len(number) == 15:
        raise ValidationError(_("请使用18位身份证号码（15位旧号码已停用）。"), code="id_old")
    if len(number) != 18 or not _ID_SHAPE.match(number):
        raise ValidationError(_("身份证号码应为18位：前17位为数字，最后一位为数字或X。"), code="id_shape")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不存在。") % {"d": number[6:14]}, code="id_birth_date"
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不合理。") % {"d": birth.isoformat()}, code="id_birth_date"
        )
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新输入。"), code="id_check")
    return IdentityNumber(number, birth, "M" if int(number[16]) % 2 else "F")


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value) -> str:
    phone = re.sub(r"[\s\-()（）]", "", str(value or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone


def parse_mobile(value) -> str:
    """A mainland-China mobile number (11 digits starting 13–19), normalised."""
    phone = normalise_phone(value)
    if not phone:
        raise ValidationError(_("请填写手机号码。"), code="phone_required")
    if not _MOBILE.match(phone):
        raise ValidationError(
            _("“%(p)s”不是有效的中国大陆手机号码（11位，以13–19开头）。") % {"p": phone[:20]}, code="phone_invalid"
        )
    return phone


# Surnames whose reading differs from the character's most common one.
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "召": "shao",
    "尉": "yu",
    "种": "chong",
    "秘": "bi",
    "员": "yun",
    "繁": "po",
    "长孙": "zhang sun",
    "万俟": "mo qi",
    "尉迟": "yu chi",
}


@lru_cache(maxsize=100_000)
def name_pinyin(name: str) -> tuple[str, str]:
    """``(full, initials)`` in lower case, e.g. 张三 → ("zhangsan", "zs"); 曾小贤 → ("zengxiaoxian", "zxx")."""
    name = (name or "").strip()
    head, rest = "", name
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if name.startswith(surname):
            head, rest = surname, name[len(surname) :]
            break
    syllables = []
    if head:
        syllables = SURNAME_READINGS[head].split()
    # Character by character: a given name is not a phrase, and pypinyin's phrase table
    # would read e.g. 于思 by its literary sense (yu sai) instead of yu si.
    syllables += [s for s in lazy_pinyin(list(rest), errors="ignore") if s.isascii()]
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full[:120], initials[:40]


def validate_name(value: str) -> str:
    name = re.sub(r"\s+", "", value or "")
    if not name:
        raise ValidationError(_("请填写姓名。"), code="name_required")
    if len(name) > 40:
        raise ValidationError(_("姓名过长（最多40个字）。"), code="name_long")
    if re.search(r"[\d<>\"'@#$%^&*=+{}\[\]\\|;]", name):
        raise ValidationError(_("姓名中含有不允许的字符。"), code="name_chars")
    return name
