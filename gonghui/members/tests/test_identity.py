import pytest

from gonghui.members.identity import name_pinyin, parse_id_number, parse_mobile


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
