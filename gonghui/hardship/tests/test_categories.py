from decimal import Decimal

import pytest

from gonghui.hardship.categories import compute_category

STANDARD = {"min_living": Decimal("1450"), "relative_multiplier": Decimal("2"), "district_name": "朝阳区", "year": 2025}


@pytest.mark.parametrize(
    ("income", "size", "expenses", "causes", "category"),
    [
        ("2900", 2, "0", [], "deep"),  # exactly the standard per person
        ("2902", 2, "0", [], "relative"),
        ("5800", 2, "0", [], "relative"),  # exactly twice the standard
        ("5802", 2, "0", [], "none"),
        ("9000", 2, "4000", ["illness"], "accident"),  # 2,500 per person after medical costs
        ("9000", 2, "4000", ["education"], "none"),  # not a sudden cause
        ("0", 1, "0", [], "deep"),
    ],
)
def test_category_from_figures(income, size, expenses, causes, category):
    result = compute_category(
        monthly_income=Decimal(income), household_size=size, rigid_expenses=Decimal(expenses), causes=causes, **STANDARD
    )
    assert result.category == category


def test_the_reason_names_the_figures_and_the_standard():
    result = compute_category(
        monthly_income=Decimal("2000"), household_size=2, rigid_expenses=Decimal("0"), causes=[], **STANDARD
    )
    assert (
        result.reason
        == "家庭月收入2,000.00元、2口人，人均1,000.00元，不高于朝阳区2025年最低生活保障标准1,450.00元：深度困难。"
    )


def test_negative_figures_are_refused():
    with pytest.raises(ValueError):
        compute_category(
            monthly_income=Decimal("-1"), household_size=1, rigid_expenses=Decimal("0"), causes=[], **STANDARD
        )
