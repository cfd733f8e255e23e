"""Member search by name prefix and pinyin: what it finds, in which order, page by page, and
(on PostgreSQL) that a prefix is read as a range of an index, not by walking the table."""

import pytest
from django.db import connection
from pypinyin import lazy_pinyin
from pypinyin.constants import PINYIN_DICT

from conftest import make_staff
from gonghui.core.scoping import scope
from gonghui.members import selectors
from gonghui.members.identity import SYLLABLES, initials_of_pinyin_prefix
from gonghui.members.tests.test_services import make_id, register

NAMES = [
    "张三",  # zhangsan  zs
    "张山",  # zhangshan zs
    "张华",  # zhanghua  zh
    "赵六",  # zhaoliu   zl
    "周红",  # zhouhong  zh
    "曾小贤",  # zengxiaoxian zxx
    "朱胜",  # zhusheng zs
    "王丽",  # wangli    wl
    "王立新",  # wanglixin wlx
    "吴亮",  # wuliang   wl
    "张",  # a one-character name: zhang, z
    "张三丰",  # zhangsanfeng zsf
]


@pytest.fixture
def members(city):
    officer = make_staff(city.chaoyang, "officer", username="cy_search")
    made = {}
    for i, name in enumerate(NAMES):
        made[name] = register(
            officer, city.chaoyang_cju, name=name, id_number=make_id(seq=f"{i:03d}"), phone=f"1390000{i:04d}"
        )
    # Outside the district: never found from 朝阳.
    haidian = make_staff(city.haidian_station, "social_worker", username="hd_search")
    register(haidian, city.haidian_station, name="张伞", id_number=make_id("110108", seq="900"), phone="13900009999")
    return city, made


def names(q):
    return [m.name for m in selectors.member_search(q=q)]


def test_name_prefix_finds_names_that_start_so_in_name_order(members):
    city, _ = members
    with scope(org=city.chaoyang.path):
        assert names("张") == sorted(["张", "张三", "张三丰", "张华", "张山"])
        assert names("张三") == ["张三", "张三丰"]
        assert names("王立") == ["王立新"]
        assert names("三") == []  # a prefix, not a substring
        assert "张伞" not in names("张")  # 海淀 is out of scope


def test_pinyin_initials_and_full_pinyin_both_match(members):
    city, _ = members
    with scope(org=city.chaoyang.path):
        # Initials (and no full pinyin starts with "zs").
        assert sorted(names("zs")) == sorted(["张三", "张山", "朱胜", "张三丰"])
        assert names("zsf") == ["张三丰"]
        assert sorted(names("wl")) == sorted(["王丽", "王立新", "吴亮"])
        # Full pinyin, across syllables.
        assert sorted(names("zhangs")) == sorted(["张三", "张山", "张三丰"])
        assert names("zengx") == ["曾小贤"]
        assert names("wanglix") == ["王立新"]
        # Within a first syllable: initials zh (张华, 周红) and pinyin zh… (every 张, 赵, 周, 朱;
        # 周建国 is the fixture's).
        every_zh = ["张三", "张山", "张华", "赵六", "周红", "朱胜", "张", "张三丰", "周建国"]
        assert sorted(names("zh")) == sorted(every_zh)
        assert sorted(names("zhang")) == sorted(["张", "张三", "张山", "张华", "张三丰"])
        assert names("ZENGX") == ["曾小贤"]  # letters in any case
        assert names("xq") == []


def test_pinyin_results_are_in_initials_then_pinyin_order(members):
    city, made = members
    with scope(org=city.chaoyang.path):
        found = list(selectors.member_search(q="z"))
    keys = [(m.name_initials, m.name_pinyin, m.pk) for m in found]
    assert keys == sorted(keys)
    assert len(found) == 10  # our nine z… names and the fixture's 周建国


@pytest.mark.parametrize("q", ["z", "zh", "zs", "张", "w"])
def test_keyset_pages_cover_every_match_once_in_order(members, q):
    city, _ = members
    with scope(org=city.chaoyang.path):
        everything = list(selectors.member_search(q=q))
        seen, after = [], None
        while True:
            page, after = selectors.keyset_page(selectors.member_search(q=q), after=after, limit=2)
            seen.extend(page)
            if after is None:
                break
    assert seen == everything
    assert len(everything) >= 3


def test_initials_of_a_pinyin_prefix():
    assert initials_of_pinyin_prefix("zs") == set()  # no syllable starts with "zs"
    assert initials_of_pinyin_prefix("wl") == set()
    assert initials_of_pinyin_prefix("hm") == set()  # 黄明's initials: no name starts with 噷 (hm)
    assert initials_of_pinyin_prefix("zh") == {"z"}
    assert initials_of_pinyin_prefix("zhangs") == {"zs"}
    assert initials_of_pinyin_prefix("zengx") == {"zx"}
    assert "x" in initials_of_pinyin_prefix("xian") and "xa" in initials_of_pinyin_prefix("xian")  # xian, xi'an


def test_syllables_are_every_reading_pypinyin_writes():
    written = lazy_pinyin([chr(c) for c in PINYIN_DICT], errors="ignore")
    assert {s for s in written if s.isascii() and s.isalpha()} == SYLLABLES


def _plan(q, path):
    with scope(org=path):
        sql, params = selectors.member_search(q=q)[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows, whose statistics depend on what ran before: take away the
        # alternatives a tiny table makes cheap (scan everything, or fetch by unit and sort),
        # and ask whether the page can be read in order from the search index at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_prefixes_are_index_ranges_on_postgresql(members):
    city, _ = members
    plan = _plan("张", city.chaoyang.path)
    assert "member_name_id" in plan and "(name)::text >= '张'" in plan, plan
    plan = _plan("wl", city.chaoyang.path)
    assert "member_initials_pinyin_id" in plan and "(name_initials)::text >= 'wl'" in plan, plan


@pytest.mark.postgres
def test_search_columns_have_fine_statistics_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = 'members_member'::regclass"
            " AND attname IN ('name', 'name_initials', 'name_pinyin')"
        )
        assert dict(cursor.fetchall()) == {"name": 1000, "name_initials": 1000, "name_pinyin": 1000}


def test_the_collation_check_knows_code_point_order():
    from gonghui.members.checks import collation_is_code_point

    assert all(collation_is_code_point(c) for c in ("C", "C.UTF-8", "C.utf8", "POSIX"))
    assert not any(collation_is_code_point(c) for c in ("en_US.UTF-8", "zh_CN.UTF-8", ""))


@pytest.mark.django_db
def test_the_test_database_passes_the_collation_check():
    from gonghui.members.checks import database_collation

    assert database_collation(None, databases=["default"]) == []
