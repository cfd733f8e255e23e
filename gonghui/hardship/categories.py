"""The hardship category of a household, from its figures and the district's standards.

A pure function: the same figures and thresholds always give the same category and the
same reason, which is stored with the file and shown to the approver.

* 深度困难 (deep): monthly income per person not above the minimum-living standard.
* 相对困难 (relative): per person not above the standard × the relative multiplier.
* 意外致困 (accident): a sudden cause (illness, accident, disaster) whose rigid expenses
  (medical, education) bring the income per person, after them, to the relative line.
* otherwise the household does not meet the standards.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gonghui.hardship.models import SUDDEN_CAUSES, HardshipCategory

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CategoryResult:
    category: str
    reason: str
    per_capita: Decimal
    per_capita_after_expenses: Decimal


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):,}"


def compute_category(
    *,
    monthly_income: Decimal,
    household_size: int,
    rigid_expenses: Decimal,
    causes,
    min_living: Decimal,
    relative_multiplier: Decimal,
    district_name: str = "",
    year: int | None = None,
) -> CategoryResult:
    if household_size < 1:
        raise ValueError("a household has at least one person")
    if monthly_income < 0 or rigid_expenses < 0:
        raise ValueError("incomes and expenses are not negative")
    per_capita = (monthly_income / household_size).quantize(CENT, ROUND_HALF_UP)
    after = ((monthly_income - rigid_expenses) / household_size).quantize(CENT, ROUND_HALF_UP)
    relative_line = (min_living * relative_multiplier).quantize(CENT, ROUND_HALF_UP)
    where = _("%(d)s%(y)s年") % {"d": district_name, "y": year} if year else district_name
    figures = {
        "pc": _yuan(per_capita),
        "after": _yuan(after),
        "min": _yuan(min_living),
        "line": _yuan(relative_line),
        "m": relative_multiplier.normalize(),
        "where": where,
        "n": household_size,
        "inc": _yuan(monthly_income),
        "exp": _yuan(rigid_expenses),
    }
    if per_capita <= min_living:
        category = HardshipCategory.DEEP
        reason = _("家庭月收入%(inc)s元、%(n)s口人，人均%(pc)s元，不高于%(where)s最低生活保障标准%(min)s元：深度困难。")
    elif per_capita <= relative_line:
        category = HardshipCategory.RELATIVE
        reason = _(
            "家庭月收入%(inc)s元、%(n)s口人，人均%(pc)s元，高于%(where)s最低生活保障标准%(min)s元，"
            "不高于其%(m)s倍%(line)s元：相对困难。"
        )
    elif set(causes or ()) & set(SUDDEN_CAUSES) and after <= relative_line:
        category = HardshipCategory.ACCIDENT
        reason = _(
            "因病、意外或灾害致困：家庭月收入%(inc)s元扣除医疗、教育刚性支出%(exp)s元后，人均%(after)s元，"
            "不高于%(where)s相对困难线%(line)s元：意外致困。"
        )
    else:
        category = HardshipCategory.NONE
        reason = _(
            "家庭月人均收入%(pc)s元（扣除刚性支出后%(after)s元），高于%(where)s相对困难线%(line)s元"
            "（最低生活保障标准%(min)s元的%(m)s倍）：不符合困难职工认定标准。"
        )
    return CategoryResult(category, reason % figures, per_capita, after)
