"""Identifiers used by the organisation tree and employers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 统一社会信用代码: 18 characters from this 31-character alphabet
# (no I, O, Z, S, V), the last a check character over the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Position 1: the registering authority (1 机构编制, 5 民政, 9 工商, Y 其他, …).
USCC_AUTHORITIES = "123456789ABCDEFGNY"
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_uscc(value: str) -> None:
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)s位。"), code="uscc_length", params={"n": len(code)}
        )
    if not _USCC_SHAPE.match(code):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V，第3–8位为行政区划数字）。"), code="uscc_chars"
        )
    if code[0] not in USCC_AUTHORITIES:
        raise ValidationError(_("统一社会信用代码第1位（登记管理部门）无效。"), code="uscc_authority")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="uscc_check")


_DIVISION = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


def validate_division_code(value: str) -> None:
    """行政区划代码: 6 digits (county level, GB/T 2260) or 9/12 (township, village)."""
    if value and (not _DIVISION.match(value) or value[:2] == "00"):
        raise ValidationError(_("行政区划代码应为6位、9位或12位数字。"), code="division_code")
