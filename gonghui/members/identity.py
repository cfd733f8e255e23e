"""Identity numbers, phones and names: validation, normalisation and what derives from them."""

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

# GB 11643-1999 公民身份号码: 6-digit region, 8-digit birth date, 3-digit sequence (odd =
# male), and a check character (ISO 7064 MOD 11-2).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ZERO_SUM = ord("0") * sum(ID_WEIGHTS)
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class IdentityNumber:
    value: str
    birth_date: dt.date
    sex: str  # "M" / "F"


def id_check_char(first17: str) -> str:
    if len(first17) != len(ID_WEIGHTS):
        raise ValueError(f"an identity number's check character needs 17 digits, not {len(first17)}")
    if first17.isascii() and first17.isdigit():
        # The usual case, once for every row of an import: the digits' bytes are their
        # values plus 48 ("0"), so no int() per digit.
        return ID_CHECK[(sum(map(mul, first17.encode(), ID_WEIGHTS)) - _ZERO_SUM) % 11]
    return ID_CHECK[sum(map(mul, map(int, first17), ID_WEIGHTS)) % 11]


_WHITESPACE = re.compile(r"\s")


def normalise_id_number(value) -> str:
    value = str(value or "")
    if value.isascii() and value.isalnum():
        return value.upper()  # the usual case: nothing to strip
    return _WHITESPACE.sub("", value).upper()


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
_PHONE_NOISE = re.compile(r"[\s\-()（）]")


def normalise_phone(value) -> str:
    phone = str(value or "")
    if not (phone.isascii() and phone.isdigit()):
        phone = _PHONE_NOISE.sub("", phone)
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


# Every syllable name_pinyin can write (pypinyin's toneless readings of every character it
# knows; tests/test_search.py checks the list against pypinyin). member_search uses it to
# tell which initials a full-pinyin prefix can have.
_SYLLABLE_LIST = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca
    cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu
    chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de
    den deng di dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang
    fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang
    gui gun guo ha hai han hang hao he hei hen heng hm hong hou hu hua huai huan huang hui hun huo
    ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke ken keng
    kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang
    liao lie lin ling liu lo long lou lu luan lun luo lv lve m ma mai man mang mao me mei men meng
    mi mian miao mie min ming miu mo mou mu n na nai nan nang nao ne nei nen neng ni nian niang
    niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi
    pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
    ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng
    sha shai shan shang shao she shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si
    song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan
    tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao xie xin xing xiong
    xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang
    zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu zhua zhuai zhuan
    zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
    """
SYLLABLES = frozenset(_SYLLABLE_LIST.split())
# Interjections (噷 hm, 呣 m, 嗯 n): readings pypinyin knows but no name is written with. Taken
# as a name's first syllable they would make "hm" a prefix of every name in h (read in full:
# 100 ms at 10 M) when a person typing "hm" means 黄明.
NAME_SYLLABLES = SYLLABLES - {"hm", "m", "n"}


def initials_of_pinyin_prefix(q: str, *, limit: int = 16) -> set[str] | None:
    """The starts of the initials of every name whose full pinyin starts with ``q``:
    ``zhangs`` → {"zs"}; ``zh`` → {"z"}; ``wl`` → set() (no syllable starts so). ``q`` is cut
    into whole syllables and at most one unfinished last one, every way it can be; None when
    there are more than ``limit`` ways (then any initials are possible, as far as we know)."""
    found: set[str] = set()
    at: dict[int, set[str]] = {0: {""}}
    for pos in range(len(q) + 1):
        for initials in at.pop(pos, ()):
            rest = q[pos:]
            if not rest:
                found.add(initials)
                continue
            for syllable in NAME_SYLLABLES:
                if rest.startswith(syllable):
                    at.setdefault(pos + len(syllable), set()).add(initials + syllable[0])
                elif syllable.startswith(rest):
                    found.add(initials + rest[0])
            if len(found) > limit or sum(map(len, at.values())) > limit:
                return None
    return found


@lru_cache(maxsize=50_000)
def _char_pinyin(char: str) -> tuple[str, ...]:
    # Names draw on a few thousand characters: an import of 100,000 new names reads each
    # character's pinyin once instead of once a name (half of checking a row, measured).
    return tuple(s for s in lazy_pinyin([char], errors="ignore") if s.isascii())


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
    for char in rest:
        syllables += _char_pinyin(char)
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full[:120], initials[:40]


_SPACES = re.compile(r"\s+")
_NAME_FORBIDDEN = re.compile(r"[\d<>\"'@#$%^&*=+{}\[\]\\|;]")


def validate_name(value: str) -> str:
    name = _SPACES.sub("", value or "")
    if not name:
        raise ValidationError(_("请填写姓名。"), code="name_required")
    if len(name) > 40:
        raise ValidationError(_("姓名过长（最多40个字）。"), code="name_long")
    if _NAME_FORBIDDEN.search(name):
        raise ValidationError(_("姓名中含有不允许的字符。"), code="name_chars")
    return name
