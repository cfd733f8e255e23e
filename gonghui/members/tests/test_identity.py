import pytest

from gonghui.members.identity import (
    ID_CHECK,
    ID_WEIGHTS,
    id_check_char,
    name_pinyin,
    normalise_id_number,
    normalise_phone,
    parse_id_number,
    parse_mobile,
)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("曾小贤", "zengxiaoxian", "zxx"),  # 曾 as a surname is zeng, not ceng
        ("单田芳", "shantianfang", "stf"),
        ("解晓东", "xiexiaodong", "xxd"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("于思涵", "yusihan", "ysh"),  # not the phrase 于思 (yu sai)
        ("吕布", "lvbu", "lb"),
    ],
)
def test_name_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)


def test_id_number_derivations():
    identity = parse_id_number("11010519491231002x")
    assert identity.value.endswith("X") and identity.birth_date.isoformat() == "1949-12-31" and identity.sex == "F"


@pytest.mark.parametrize("raw", ["+86 138 1234 5678", "0086-13812345678", "138-1234-5678"])
def test_mobile_normalisation(raw):
    assert parse_mobile(raw) == "13812345678"


def test_id_check_characters_are_the_standards():
    def by_the_book(first17):
        return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]

    for first17 in ("11010519491231002", "44052419800101001", "00000000000000000", "99999999999999999"):
        assert id_check_char(first17) == by_the_book(first17)
    assert id_check_char("１１０１０５１９４９１２３１００２") == by_the_book("11010519491231002")  # full-width
    for bad in ("1101051949123100", "110105194912310021", "1101051949123100X"):
        with pytest.raises(ValueError):
            id_check_char(bad)


def test_normalising_keeps_the_plain_and_the_spaced_alike():
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    assert normalise_id_number(" 110105 19491231 002x\u3000") == "11010519491231002X"
    assert normalise_phone("13800000001") == "13800000001"
    assert normalise_phone("+86 138-0000-0001") == normalise_phone("0086(138)00000001") == "13800000001"
