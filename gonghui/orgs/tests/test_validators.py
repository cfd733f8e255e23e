import pytest
from django.core.exceptions import ValidationError

from gonghui.orgs.validators import uscc_check_char, validate_division_code, validate_uscc


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the worked example of GB 32100-2015
        "91110108551385082Q",  # a real Beijing company
        "91110108551385082q",  # lower case is accepted and normalised
    ],
)
def test_valid_codes_pass(code):
    validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "uscc_check"),  # wrong check character
        ("91350100M000100Y4", "uscc_length"),
        ("9135010OM000100Y43", "uscc_chars"),  # letter O is not in the alphabet
        ("913501A0M000100Y43", "uscc_chars"),  # region code must be digits
        ("Z1350100M000100Y43", "uscc_chars"),
        ("H1350100M000100Y4" + "3", "uscc_authority"),
        ("", "uscc_length"),
    ],
)
def test_invalid_codes_are_refused_with_a_chinese_reason(code, reason):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == reason
    assert "统一社会信用代码" in exc.value.messages[0]


def test_check_char_matches_the_standard_example():
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", ["110105", "110105001", "110105001001", ""])
def test_division_codes(code):
    validate_division_code(code)


@pytest.mark.parametrize("code", ["11010", "11010A", "000105", "1101050011"])
def test_bad_division_codes(code):
    with pytest.raises(ValidationError):
        validate_division_code(code)
