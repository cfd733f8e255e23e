import pytest

from gonghui.appeals import gazetteer
from gonghui.appeals.address import (
    beijing_gazetteer,
    evaluate_addresses,
    gazetteer_from_units,
    suggest_district,
    suggest_districts,
)
from gonghui.orgs import demo_data

# Measured 100 % (60/60) on the labelled address set; see docs/appeals-classifier.md for
# why that number flatters the matcher.
ADDRESS_ACCURACY_FLOOR = 0.95


def test_labelled_address_set_stays_above_the_floor():
    report = evaluate_addresses()

    assert report.total >= 50
    assert report.correct / report.total >= ADDRESS_ACCURACY_FLOOR, report.mistakes
    assert report.street_correct / report.street_total >= 0.9, report.mistakes


def test_a_full_address_gives_district_code_name_and_street():
    suggestion = suggest_district("北京市海淀区中关村大街27号一家公司欠薪")

    assert suggestion.division_code == "110108"
    assert suggestion.district == "海淀区"
    assert suggestion.street == "中关村街道"
    assert suggestion.matched == ("北京市海淀区", "中关村")


@pytest.mark.parametrize(
    ("text", "code", "street"),
    [
        ("在国贸上班", "110105", "建外街道"),
        ("望京那边的公司", "110105", "望京街道"),
        ("三里屯一家酒吧", "110105", "三里屯街道"),
        ("西单的商场", "110102", "西长安街街道"),
        ("西二旗的互联网公司", "110108", "上地街道"),
    ],
)
def test_a_landmark_alone_names_its_district(text, code, street):
    suggestion = suggest_district(text)

    assert (suggestion.division_code, suggestion.street) == (code, street)


def test_yizhuang_is_daxing_inside_the_development_area():
    suggestion = suggest_district("亦庄的一家电子厂")

    assert suggestion.division_code == "110115"
    assert suggestion.district == "大兴区"
    assert suggestion.zone == "北京经济技术开发区"


def test_of_two_places_the_workplace_wins_over_the_home():
    suggestion = suggest_district("我住在通州区梨园，公司在朝阳区双井")

    assert suggestion.division_code == "110105"
    assert suggestion.street == "双井街道"


def test_two_places_without_a_cue_are_both_offered():
    suggestions = suggest_districts("海淀区和朝阳区都有我们的门店")

    assert {s.division_code for s in suggestions} == {"110108", "110105"}


@pytest.mark.parametrize("text", ["", "公司拖欠工资三个月", "在河北省廊坊市上班", "<script>alert(1)</script>"])
def test_text_without_a_beijing_place_gives_none(text):
    assert suggest_district(text) is None
    assert suggest_districts(text) == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("朝阳门外大街的写字楼", "110101"),  # 朝阳门 is Dongcheng, not 朝阳 + 门
        ("石景山区的仓库", "110107"),  # not 景山 (Dongcheng)
        ("平谷区大兴庄镇", "110117"),  # not 大兴
    ],
)
def test_the_longest_name_wins(text, code):
    assert suggest_district(text).division_code == code


@pytest.mark.parametrize("text", ["东四环边上的工地", "开东风汽车的司机", "住在平房里"])
def test_ordinary_words_containing_place_names_are_not_places(text):
    assert suggest_district(text) is None


def test_gazetteer_covers_every_street_of_the_demo_city():
    curated = {street for _, _, _, streets in gazetteer.DISTRICTS for street in streets}
    curated |= set(gazetteer.DEVELOPMENT_AREA_STREETS)
    demo = {street for district in demo_data.DISTRICTS for street in district.streets}

    assert demo <= curated
    assert {code for code, *_ in gazetteer.DISTRICTS} == {d.code for d in demo_data.DISTRICTS if d.code}


def test_every_landmark_points_at_a_known_district_and_street():
    streets = {code: set(names) for code, _, _, names in gazetteer.DISTRICTS}
    for landmark, (code, street) in gazetteer.LANDMARKS.items():
        assert code in streets, landmark
        assert not street or street in streets[code], landmark


def test_live_unit_names_extend_the_gazetteer_without_changing_it():
    units = [
        ("110108", "北京市海淀区总工会", "海淀区总工会"),
        ("110108031", "翠湖科技园街道工会服务站", "翠湖科技园服务站"),
        ("110108031002", "翠湖云中心社区工会服务站", ""),
        ("", "某某科技有限公司工会", ""),
    ]

    live = gazetteer_from_units(units)
    suggestion = suggest_district("在翠湖云中心社区上班", gazetteer=live)

    assert suggestion.division_code == "110108"
    assert suggestion.street == "翠湖科技园街道"
    assert suggestion.street_code == "110108031"
    assert suggest_district("在翠湖科技园上班", gazetteer=live).street_code == "110108031"
    assert suggest_district("在翠湖云中心社区上班") is None
    assert "翠湖科技园街道" not in beijing_gazetteer().names
