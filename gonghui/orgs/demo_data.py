"""Static data for the demo city built by ``manage.py seed_city``.

Place names are real: Beijing's 16 districts with their GB/T 2260 codes plus the Economic-
Technological Development Area, the streets and towns (街道、乡镇) of each district, the
city's large state-owned groups, universities and hospitals. Everything about *people* is
invented: names, phone numbers, e-mail addresses, house numbers and the companies built
from the name pools. E-mail addresses use the reserved ``example.org`` domain.

The target figures are those of a 2013 press report on the city's three-level service
system (工人日报, 2013-10-19): 17 district unions, 344 street/town stations, 473
community/building stations, 4,005 community joint unions covering 57,500
micro-enterprises, 8 industry unions over 145 bureau/company unions; and 23 worker activity
centres and 25 mother-and-baby rooms.
"""

from dataclasses import dataclass

from gonghui.appeals.gazetteer import streets_of

# --- Targets at full scale (seed report 004, 2013) -------------------------------------------------------

FULL_COMMUNITY_STATIONS = 473
FULL_COMMUNITY_JOINT_UNIONS = 4005
FULL_MICRO_ENTERPRISES = 57_500
FULL_BUREAU_UNIONS = 145
# Not in the report: unionised firms per street station, firms per building station and
# small firms a station covers directly. Chosen so that a full-size city looks plausible.
ENTERPRISE_UNIONS_PER_STATION = 6
FIRMS_PER_COMMUNITY_STATION = 12
FIRMS_PER_STATION_DIRECT = 16

DEMO_PASSWORD = "Gonghui@2024"
DEMO_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    title: str
    roles: tuple[str, ...]
    # "city", a district's short name (朝阳区), or "朝阳区/first-station".
    where: str


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("city_admin", "赵建华", "市总工会信息中心主任", ("unit_admin",), "city"),
    DemoStaff("sysadmin", "孙立新", "系统管理员", ("sysadmin",), "city"),
    DemoStaff("city_auditor", "钱文静", "经费审查委员会办公室审计员", ("auditor",), "city"),
    DemoStaff("city_officer", "李国栋", "基层工作部干部", ("officer",), "city"),
    DemoStaff("chaoyang_officer", "王海燕", "朝阳区总工会基层工作部部长", ("officer",), "朝阳区"),
    DemoStaff("chaoyang_admin", "刘志强", "朝阳区总工会办公室主任", ("unit_admin",), "朝阳区"),
    DemoStaff("chaoyang_auditor", "陈静", "朝阳区总工会经审办审计员", ("auditor",), "朝阳区"),
    DemoStaff("haidian_officer", "张明", "海淀区总工会法律服务部干部", ("officer",), "海淀区"),
    DemoStaff("daxing_officer", "周丽", "大兴区总工会宣教部干部", ("officer",), "大兴区"),
    DemoStaff("daxing_mediator", "吴振国", "大兴区劳动争议调解员", ("mediator",), "大兴区"),
    DemoStaff("chaoyang_sw", "郑晓梅", "专职工会社会工作者", ("social_worker",), "朝阳区/first-station"),
)


# --- The city and its districts ------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    short: str  # 朝阳区
    abbr: str  # 朝阳: used in branch names such as 朝阳分公司
    code: str  # GB/T 2260; "" for the development area, which has none
    uscc_region: str  # positions 3–8 of a USCC registered there
    centre: tuple[float, float]  # latitude, longitude
    spread: float  # degrees around the centre where its places lie
    urban: int  # 3 core, 2 inner suburb, 1 outer: weights where firms and buildings are
    roads: tuple[str, ...]
    streets: tuple[str, ...]  # 街道、地区、镇、乡, in the order of their division codes

    @property
    def name(self) -> str:
        return f"北京市{self.short}总工会" if self.code else f"{self.short}总工会"

    @property
    def short_name(self) -> str:
        return f"{self.short}总工会" if self.code else "经开区总工会"

    @property
    def label(self) -> str:
        return self.short if self.code else "经开区"

    @property
    def address_prefix(self) -> str:
        return f"北京市{self.short}" if self.code else self.short


CITY_NAME = "北京市总工会"
CITY_SHORT_NAME = "市总工会"
CITY_CODE = "110000"
CITY_CENTRE = (39.9042, 116.4074)
CITY_ADDRESS = "北京市西城区复兴门外大街56号"
CITY_SERVICE_CENTRE = "北京职工服务中心"
CITY_SERVICE_CENTRE_ADDRESS = "北京市东城区东四北大街108号"

# Bounds every generated coordinate is clamped to.
LAT_RANGE = (39.4, 41.0)
LNG_RANGE = (115.7, 117.4)

DISTRICTS: tuple[District, ...] = (
    District(
        "东城区",
        "东城",
        "110101",
        "110101",
        (39.9288, 116.4160),
        0.02,
        3,
        (
            "东四北大街",
            "朝阳门内大街",
            "崇文门外大街",
            "和平里中街",
            "安定门内大街",
            "东直门南大街",
            "广渠门内大街",
            "天坛东路",
            "永定门外大街",
            "东单北大街",
            "交道口南大街",
            "前门大街",
        ),
        streets_of("110101"),
    ),
    District(
        "西城区",
        "西城",
        "110102",
        "110102",
        (39.9123, 116.3660),
        0.02,
        3,
        (
            "西直门内大街",
            "阜成门内大街",
            "西单北大街",
            "广安门内大街",
            "德胜门外大街",
            "月坛南街",
            "金融大街",
            "宣武门外大街",
            "新街口外大街",
            "白纸坊东街",
        ),
        streets_of("110102"),
    ),
    District(
        "朝阳区",
        "朝阳",
        "110105",
        "110105",
        (39.9484, 116.4800),
        0.06,
        3,
        (
            "建国路",
            "朝阳北路",
            "望京街",
            "酒仙桥路",
            "东三环中路",
            "北苑路",
            "安立路",
            "朝阳公园路",
            "工人体育场北路",
            "广渠路",
            "东四环中路",
            "姚家园路",
        ),
        streets_of("110105"),
    ),
    District(
        "丰台区",
        "丰台",
        "110106",
        "110106",
        (39.8585, 116.2870),
        0.05,
        3,
        ("丰台北路", "丰台南路", "南三环西路", "西四环南路", "马家堡东路", "方庄路", "蒲黄榆路", "六里桥南路"),
        streets_of("110106"),
    ),
    District(
        "石景山区",
        "石景山",
        "110107",
        "110107",
        (39.9056, 116.2229),
        0.03,
        3,
        ("石景山路", "鲁谷路", "阜石路", "八角西街", "古城大街", "杨庄大街", "苹果园路"),
        streets_of("110107"),
    ),
    District(
        "海淀区",
        "海淀",
        "110108",
        "110108",
        (39.9800, 116.2700),
        0.07,
        3,
        (
            "中关村大街",
            "学院路",
            "北四环西路",
            "知春路",
            "上地信息路",
            "西三环北路",
            "万寿路",
            "清河中街",
            "复兴路",
            "颐和园路",
            "苏州街",
        ),
        streets_of("110108"),
    ),
    District(
        "门头沟区",
        "门头沟",
        "110109",
        "110109",
        (39.9404, 116.1020),
        0.08,
        1,
        ("新桥大街", "滨河路", "石龙南路", "黑山大街", "双峪路"),
        streets_of("110109"),
    ),
    District(
        "房山区",
        "房山",
        "110111",
        "110111",
        (39.7350, 116.1430),
        0.10,
        1,
        ("拱辰大街", "政通路", "燕房路", "京周路", "良乡西路"),
        streets_of("110111"),
    ),
    District(
        "通州区",
        "通州",
        "110112",
        "110112",
        (39.8500, 116.6566),
        0.08,
        2,
        ("新华大街", "玉桥中路", "运河东大街", "九棵树东路", "通胡大街", "梨园北街", "车站路", "宋梁路"),
        streets_of("110112"),
    ),
    District(
        "顺义区",
        "顺义",
        "110113",
        "110113",
        (40.1301, 116.6546),
        0.09,
        2,
        ("府前街", "新顺南大街", "光明南街", "裕民大街", "顺平路", "双河大街"),
        streets_of("110113"),
    ),
    District(
        "昌平区",
        "昌平",
        "110114",
        "110114",
        (40.2207, 116.2312),
        0.10,
        2,
        ("府学路", "政府街", "回龙观西大街", "立汤路", "北清路", "鼓楼北街", "黄平路"),
        streets_of("110114"),
    ),
    District(
        "大兴区",
        "大兴",
        "110115",
        "110115",
        (39.6800, 116.3414),
        0.09,
        2,
        ("兴华大街", "黄村西大街", "清源路", "金星路", "兴政街", "旧宫东路", "西红门路"),
        streets_of("110115"),
    ),
    District(
        "怀柔区",
        "怀柔",
        "110116",
        "110116",
        (40.3160, 116.6317),
        0.10,
        1,
        ("府前街", "青春路", "迎宾中路", "开放路", "南华大街"),
        streets_of("110116"),
    ),
    District(
        "平谷区",
        "平谷",
        "110117",
        "110117",
        (40.1406, 117.1214),
        0.08,
        1,
        ("府前街", "新平北路", "平翔路", "林荫北街", "迎宾街"),
        streets_of("110117"),
    ),
    District(
        "密云区",
        "密云",
        "110118",
        "110118",
        (40.3769, 116.8430),
        0.10,
        1,
        ("鼓楼东大街", "新中街", "滨河路", "阳光街", "新南路"),
        streets_of("110118"),
    ),
    District(
        "延庆区",
        "延庆",
        "110119",
        "110119",
        (40.4563, 115.9850),
        0.10,
        1,
        ("妫水北街", "妫水南街", "东外大街", "高塔街", "庆园街"),
        streets_of("110119"),
    ),
    # No GB/T 2260 code of its own; firms registered there carry 110302 in their credit code.
    District(
        "北京经济技术开发区",
        "亦庄",
        "",
        "110302",
        (39.7953, 116.5060),
        0.03,
        3,
        ("荣华中路", "科创十三街", "宏达北路", "地盛北街", "永昌北路", "经海路", "科创六街", "康定街"),
        ("荣华街道", "博兴街道"),
    ),
)

# Suffixes stripped from a street/town name to get the place name used for communities.
PLACE_SUFFIXES = ("满族蒙古族乡", "回族乡", "满族乡", "街道", "地区", "镇", "乡")

# Community names: the street's place name plus one of these (劲松东社区, 望京西园社区).
COMMUNITY_SUFFIXES = (
    "东里",
    "西里",
    "南里",
    "北里",
    "中里",
    "东区",
    "西区",
    "南区",
    "北区",
    "东街",
    "西街",
    "南街",
    "北街",
    "东",
    "西",
    "南",
    "北",
    "花园",
    "家园",
    "新村",
    "新苑",
    "东苑",
    "西苑",
    "北苑",
    "南苑",
    "小区",
    "一区",
    "二区",
    "三区",
    "四区",
    "五区",
    "六区",
    "东路",
    "西路",
    "雅园",
    "嘉园",
    "丽园",
    "华庭",
    "青年城",
    "新城",
    "明珠",
    "馨园",
    "和园",
    "康园",
    "福园",
)

# Well-known office buildings with their own building (楼宇) union service station.
BUILDINGS = (
    ("朝阳区", "建外街道", "国贸大厦"),
    ("朝阳区", "望京街道", "望京SOHO"),
    ("朝阳区", "三里屯街道", "三里屯SOHO"),
    ("东城区", "朝阳门街道", "银河SOHO"),
    ("西城区", "金融街街道", "金融街购物中心"),
    ("海淀区", "海淀街道", "中关村创业大街"),
)
BUILDING_SUFFIXES = ("大厦", "国际中心", "商务中心", "科技园", "产业园", "广场", "写字楼", "创意园")


# --- The industry line -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bureau:
    """A bureau or group company (局、总公司) with its own union under an industry union."""

    name: str
    short: str
    industry: str  # GB/T 4754 section
    authority: str = "91"  # USCC positions 1–2: 91 company, 12 public institution, 11 government body
    branches: tuple[str, ...] = ()  # the full names of its subordinate employers, if not generic


@dataclass(frozen=True)
class IndustryUnion:
    name: str
    short: str
    full_count: int  # bureau/company unions at full scale; they add up to 145
    bureaus: tuple[Bureau, ...]
    # For more bureaus than the real ones listed: "{brand}" is a generated trade name,
    # "{abbr}" a district (朝阳), both filled in by the command.
    extra_pattern: str
    extra_industry: str
    extra_authority: str
    # Subordinate employers: appended to the bureau's name; "{abbr}" is a district.
    branch_patterns: tuple[str, ...]


INDUSTRY_UNIONS: tuple[IndustryUnion, ...] = (
    IndustryUnion(
        "北京市机械冶金建材工会",
        "机械冶金建材工会",
        20,
        (
            Bureau("北京汽车集团有限公司", "北汽集团", "C"),
            Bureau("首钢集团有限公司", "首钢集团", "C"),
            Bureau("北京金隅集团股份有限公司", "金隅集团", "C"),
            Bureau("北京京城机电控股有限责任公司", "京城机电", "C"),
            Bureau("北京一轻控股有限责任公司", "一轻控股", "C"),
        ),
        "北京{brand}机械工业集团有限公司",
        "C",
        "91",
        ("第一分公司", "第二分公司", "第三分公司", "{abbr}分公司", "销售分公司", "物流分公司", "研发中心"),
    ),
    IndustryUnion(
        "北京市财贸工会",
        "财贸工会",
        24,
        (
            Bureau("北京首都旅游集团有限责任公司", "首旅集团", "H"),
            Bureau("王府井集团股份有限公司", "王府井集团", "F"),
            Bureau("北京银行股份有限公司", "北京银行", "J"),
            Bureau("北京农村商业银行股份有限公司", "北京农商银行", "J"),
            Bureau("北京北辰实业集团有限责任公司", "北辰集团", "K"),
            Bureau("北京华联集团投资控股有限公司", "华联集团", "F"),
            Bureau("北京市供销合作总社", "市供销总社", "F", "11"),
        ),
        "北京{brand}商业集团有限公司",
        "F",
        "91",
        ("{abbr}分公司", "{abbr}分店", "物流配送中心", "第一分公司", "第二分公司", "酒店管理分公司"),
    ),
    IndustryUnion(
        "北京市建设工会",
        "建设工会",
        18,
        (
            Bureau("北京城建集团有限责任公司", "北京城建", "E"),
            Bureau("北京建工集团有限责任公司", "北京建工", "E"),
            Bureau("北京住总集团有限责任公司", "北京住总", "E"),
            Bureau("北京市政路桥集团有限公司", "市政路桥", "E"),
            Bureau("北京首都开发控股（集团）有限公司", "首开集团", "K"),
            Bureau("北京城市排水集团有限责任公司", "北京排水集团", "N"),
            Bureau("北京市自来水集团有限责任公司", "北京自来水集团", "D"),
            Bureau("北京市建筑设计研究院有限公司", "北京建院", "M"),
        ),
        "北京{brand}建设集团有限公司",
        "E",
        "91",
        ("第一分公司", "第二分公司", "第三分公司", "第四分公司", "第五分公司", "安装分公司", "{abbr}分公司"),
    ),
    IndustryUnion(
        "北京市教育工会",
        "教育工会",
        22,
        (
            Bureau("首都师范大学", "首师大", "P", "12"),
            Bureau("北京工业大学", "北工大", "P", "12"),
            Bureau("北京联合大学", "北联大", "P", "12"),
            Bureau("首都经济贸易大学", "首经贸", "P", "12"),
            Bureau("北京第二外国语学院", "二外", "P", "12"),
            Bureau("北京信息科技大学", "北信科", "P", "12"),
            Bureau("北京建筑大学", "北建大", "P", "12"),
            Bureau("北京农学院", "北农", "P", "12"),
            Bureau("首都体育学院", "首体", "P", "12"),
            Bureau("北京石油化工学院", "北石化", "P", "12"),
            Bureau("北京物资学院", "物资学院", "P", "12"),
            Bureau("北京服装学院", "北服", "P", "12"),
            Bureau("北京印刷学院", "北印", "P", "12"),
            Bureau("北京舞蹈学院", "北舞", "P", "12"),
            Bureau("首都医科大学", "首医", "P", "12"),
        ),
        "北京市{abbr}区职业教育中心",
        "P",
        "12",
        ("附属中学", "附属小学", "附属实验学校", "附属幼儿园", "继续教育学院"),
    ),
    IndustryUnion(
        "北京市卫生工会",
        "卫生工会",
        24,
        (
            Bureau("北京天坛医院", "天坛医院", "Q", "12"),
            Bureau("北京朝阳医院", "朝阳医院", "Q", "12"),
            Bureau("北京友谊医院", "友谊医院", "Q", "12"),
            Bureau("北京同仁医院", "同仁医院", "Q", "12"),
            Bureau("北京安贞医院", "安贞医院", "Q", "12"),
            Bureau("北京宣武医院", "宣武医院", "Q", "12"),
            Bureau("北京积水潭医院", "积水潭医院", "Q", "12"),
            Bureau("北京儿童医院", "儿童医院", "Q", "12"),
            Bureau("北京世纪坛医院", "世纪坛医院", "Q", "12"),
            Bureau("北京安定医院", "安定医院", "Q", "12"),
            Bureau("北京地坛医院", "地坛医院", "Q", "12"),
            Bureau("北京佑安医院", "佑安医院", "Q", "12"),
            Bureau("北京妇产医院", "妇产医院", "Q", "12"),
            Bureau("北京市疾病预防控制中心", "市疾控中心", "Q", "12"),
            Bureau("北京急救中心", "北京急救中心", "Q", "12"),
        ),
        "北京市{abbr}区中医医院",
        "Q",
        "12",
        ("{abbr}院区", "社区卫生服务中心", "第二门诊部"),
    ),
    IndustryUnion(
        "北京市农林水利工会",
        "农林水利工会",
        12,
        (
            Bureau("北京首农食品集团有限公司", "首农食品集团", "A"),
            Bureau(
                "北京市园林绿化局",
                "市园林绿化局",
                "N",
                "11",
                ("北京市西山试验林场", "北京市八达岭林场", "北京松山国家级自然保护区管理处", "北京市京西林场"),
            ),
            Bureau(
                "北京市水务局",
                "市水务局",
                "N",
                "11",
                ("北京市密云水库管理处", "北京市十三陵水库管理处", "北京市怀柔水库管理处", "北京市水文总站"),
            ),
            Bureau(
                "北京市公园管理中心",
                "市公园管理中心",
                "N",
                "12",
                (
                    "北京市颐和园管理处",
                    "北京市天坛公园管理处",
                    "北京市北海公园管理处",
                    "北京市香山公园管理处",
                    "北京动物园",
                    "北京市中山公园管理处",
                    "北京市景山公园管理处",
                ),
            ),
            Bureau("北京市农林科学院", "市农林科学院", "M", "12"),
        ),
        "北京{brand}农业发展集团有限公司",
        "A",
        "91",
        ("{abbr}分公司", "第一分场", "第二分场", "种业分公司"),
    ),
    IndustryUnion(
        "北京市国防邮电工会",
        "国防邮电工会",
        12,
        (
            Bureau("中国邮政集团有限公司北京市分公司", "北京邮政", "G"),
            Bureau("中国移动通信集团北京有限公司", "北京移动", "I"),
            Bureau("中国联合网络通信有限公司北京市分公司", "北京联通", "I"),
            Bureau("中国电信股份有限公司北京分公司", "北京电信", "I"),
            Bureau("北京电子控股有限责任公司", "北京电控", "C"),
            Bureau("北京歌华有线电视网络股份有限公司", "歌华有线", "I"),
        ),
        "北京{brand}通信技术有限公司",
        "I",
        "91",
        ("{abbr}分公司",),
    ),
    IndustryUnion(
        "北京市能源化工工会",
        "能源化工工会",
        13,
        (
            Bureau("国网北京市电力公司", "北京电力", "D"),
            Bureau("北京能源集团有限责任公司", "京能集团", "D"),
            Bureau("北京市燃气集团有限责任公司", "北京燃气", "D"),
            Bureau("北京市热力集团有限责任公司", "北京热力", "D"),
            Bureau("中国石油化工股份有限公司北京燕山分公司", "燕山石化", "C"),
            Bureau("北京化学工业集团有限责任公司", "北化集团", "C"),
        ),
        "北京{brand}化工集团有限公司",
        "C",
        "91",
        ("{abbr}分公司", "第一分公司", "第二分公司"),
    ),
)


# --- Generated names ---------------------------------------------------------------------------------

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤"
)
GIVEN_NAME_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲文辉建国志强立新海燕晓梅淑珍"
    "振宇子豪思雨欣怡浩然宇航俊杰雪梅春燕凤英建华国栋永刚晓东红霞丽娟文静佳琪嘉怡"
)
# Trade names (字号) are two of these characters.
BRAND_CHARS = (
    "华鑫盛泰恒嘉诚信达通源博创汇宏瑞丰德隆兴安康美佳永新金天和润祥福明光远昌旭辰星宇腾飞龙凤京燕雅致益众"
    "利联世百方圆正中鸿聚合卓越锦绣泓晟骏铭晨峰海川山林森禾田睿智思悦乐道朗蓝青春秋"
)

# Words after the trade name, by GB/T 4754 section, and how common each section is among
# the micro and small firms of a district (wholesale/retail and business services lead).
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("农业发展", "农业科技", "生态农业", "果品产销"),
    "C": ("机械制造", "电子科技", "精密仪器", "食品", "服装", "印刷", "医疗器械", "新材料", "汽车配件"),
    "D": ("热力", "新能源科技", "供水设备"),
    "E": ("建筑工程", "装饰工程", "建设工程", "市政工程", "防水工程"),
    "F": ("商贸", "贸易", "商业连锁", "医药", "建材销售", "电子产品", "超市", "果蔬批发"),
    "G": ("物流", "运输", "快递服务", "货运代理", "出租汽车", "搬家服务"),
    "H": ("餐饮管理", "酒店管理", "快餐", "饭店", "烤鸭店", "面包房"),
    "I": ("网络科技", "信息技术", "软件", "数据服务", "互联网信息服务"),
    "J": ("融资担保", "典当"),
    "K": ("房地产经纪", "物业管理", "置业"),
    "L": ("企业管理咨询", "商务服务", "广告", "人力资源服务", "会展服务", "知识产权代理"),
    "M": ("科技发展", "技术服务", "工程设计", "检测技术", "生物技术"),
    "N": ("环境工程", "园林绿化", "环卫服务"),
    "O": ("家政服务", "保洁服务", "美容美发", "汽车维修", "洗衣服务", "养老照护"),
    "P": ("教育咨询", "教育科技"),
    "Q": ("健康管理", "养老服务", "口腔诊所"),
    "R": ("文化传媒", "影视文化", "体育发展", "文化艺术"),
}
INDUSTRY_WEIGHTS = {
    "F": 25,
    "L": 16,
    "M": 12,
    "I": 10,
    "H": 8,
    "O": 7,
    "E": 5,
    "K": 4,
    "C": 4,
    "G": 4,
    "R": 3,
    "Q": 1,
    "P": 1,
    "N": 1,
    "A": 1,
    "J": 1,
    "D": 1,
}
# Outer districts: more farming, fewer software houses.
OUTER_INDUSTRY_WEIGHTS = {**INDUSTRY_WEIGHTS, "A": 6, "I": 4, "C": 6}


# --- Service points (阵地) and the five disclosures (五亮) ------------------------------------------------

ACTIVITY_CENTRES = 23
MOTHER_BABY_ROOMS = 25
BOOK_HOUSES = 40
OUTDOOR_REST_STATIONS = 60
KIOSKS = 20  # one of them Daxing's Fengqiao smart cabin

# Taxi-driver homes at the stations and airports: (name, district, address, latitude, longitude).
TAXI_DRIVER_HOMES = (
    ("首都机场T3航站楼的士职工之家", "顺义区", "北京市顺义区首都国际机场T3航站楼出租车调蓄站", 40.0530, 116.6110),
    ("首都机场T2航站楼的士职工之家", "顺义区", "北京市顺义区首都国际机场T2航站楼出租车调蓄站", 40.0799, 116.5880),
    ("北京站的士职工之家", "东城区", "北京市东城区北京站出租车站", 39.9029, 116.4272),
    ("北京西站的士职工之家", "丰台区", "北京市丰台区北京西站南广场出租车站", 39.8950, 116.3215),
    ("北京南站的士职工之家", "丰台区", "北京市丰台区北京南站出租车站", 39.8652, 116.3786),
    ("北京北站的士职工之家", "西城区", "北京市西城区北京北站出租车站", 39.9444, 116.3530),
    ("北京朝阳站的士职工之家", "朝阳区", "北京市朝阳区北京朝阳站出租车站", 39.9442, 116.5047),
    ("大兴国际机场的士职工之家", "大兴区", "北京市大兴区大兴国际机场出租车调蓄站", 39.5098, 116.4105),
)

FENGQIAO_CABIN = "大兴区“枫桥智能舱”"

SERVICE_POINT_TEXT = {
    "service_centre": {
        "area": (1500, 20000),
        "hours": ("周一至周五 9:00-17:00，周六 9:00-12:00", "周一至周六 8:30-17:30"),
        "facilities": (
            "服务大厅",
            "劳动争议调解室",
            "法律援助接待室",
            "职工心理咨询室",
            "职业技能培训教室",
            "京卡·互助服务卡办理窗口",
            "12351职工服务热线座席",
        ),
        "staff_titles": ("中心主任", "副主任", "法律援助律师", "劳动争议调解员", "社会工作者", "热线接线员"),
        "rules": (
            "首问负责制：第一位接待的工作人员负责到底",
            "限时办结制：一般事项当日办结，复杂事项5个工作日内答复",
            "服务承诺制：服务项目、时限、标准向职工公开",
            "工作人员佩戴统一标识、亮牌上岗",
            "困难帮扶资金使用情况按季度公示",
            "职工满意度回访制度",
        ),
        "items": (
            "职工法律援助",
            "劳动争议调解",
            "困难职工帮扶",
            "京卡·互助服务卡办理",
            "职工互助保险",
            "职业技能培训与学历提升",
            "职工心理咨询",
            "农民工入会和就业服务",
        ),
        "steps": (
            "职工到中心或拨打12351提出诉求",
            "前台登记并告知办理时限",
            "分类受理：当场办结或转专业窗口",
            "专人跟踪办理进度",
            "反馈办理结果",
            "回访满意度并归档",
        ),
    },
    "worker_home": {
        "area": (60, 400),
        "hours": ("周一至周五 9:00-17:00", "周一至周五 8:30-17:30，周六 9:00-12:00"),
        "facilities": ("接待服务台", "劳动争议调解室", "职工书屋", "职工减压室", "职工学习室", "京卡办理终端"),
        "staff_titles": ("站长", "副站长", "社会工作者", "社会工作者", "劳动争议调解员", "法律服务志愿者"),
        "rules": (
            "工作人员分工及岗位职责上墙公示",
            "首问负责制",
            "限时办结制",
            "服务承诺制",
            "与区职工服务中心协调联动制度",
            "职工之家管理办法",
        ),
        "items": (
            "组建工会、发展会员",
            "京卡·互助服务卡办理",
            "困难职工建档与帮扶申请受理",
            "劳动争议调解",
            "法律咨询",
            "区域性工资集体协商指导",
            "职业介绍与技能培训报名",
            "文体活动组织",
        ),
        "steps": (
            "职工到站或拨打12351提出需求",
            "工作人员登记并告知办理时限",
            "当场办结或转区职工服务中心",
            "跟踪办理进度",
            "反馈结果并回访满意度",
        ),
    },
    "activity_centre": {
        "area": (800, 6000),
        "hours": ("周二至周日 9:00-21:00", "周一至周日 9:00-20:30"),
        "facilities": ("培训区", "活动区", "健身区", "文艺区", "心理咨询区", "职工书屋"),
        "staff_titles": ("中心主任", "活动策划", "健身指导员", "文艺辅导员", "心理咨询师"),
        "rules": (
            "持京卡·互助服务卡免费或优惠使用",
            "场地预约使用制度",
            "安全管理制度",
            "器材借用登记制度",
            "开放时间和收费标准公示",
        ),
        "items": (
            "职工技能培训",
            "文体活动和比赛",
            "健身场地开放",
            "职工艺术团排练",
            "心理咨询与减压",
            "劳模讲座与展览",
        ),
        "steps": ("线上或现场预约", "持京卡·互助服务卡签到", "参加活动或使用场地", "活动结束后评价"),
    },
    "book_house": {
        "area": (30, 300),
        "hours": ("周一至周五 9:00-18:00", "周一至周六 9:00-20:00"),
        "facilities": ("图书借阅区", "电子阅览区", "读书沙龙区"),
        "staff_titles": ("管理员", "志愿者"),
        "rules": ("凭京卡·互助服务卡借阅", "每人每次限借3册，借期30天", "爱护图书，损坏照价赔偿", "保持安静，禁止吸烟"),
        "items": ("图书借阅", "电子书刊阅览", "职工读书会", "好书推荐"),
        "steps": ("出示京卡·互助服务卡", "选书登记", "按期归还"),
    },
    "mother_baby_room": {
        "area": (10, 40),
        "hours": ("工作日 8:30-17:30", "周一至周五 8:00-18:00"),
        "facilities": ("哺乳椅", "冰箱", "婴儿护理台", "洗手池", "温奶器"),
        "staff_titles": ("女职工委员会主任", "管理员"),
        "rules": (
            "仅供哺乳期女职工和孕期女职工使用",
            "使用前登记，使用后清洁",
            "冰箱存放母乳须标注姓名日期",
            "保护使用者隐私",
        ),
        "items": ("哺乳休息", "母乳储存", "孕期健康咨询", "女职工权益政策宣传"),
        "steps": ("向管理员登记", "使用小屋", "清洁整理并离开"),
    },
    "outdoor_rest_station": {
        "area": (15, 60),
        "hours": ("全天24小时开放", "每天 7:00-21:00"),
        "facilities": ("饮水机", "微波炉", "手机充电", "休息座椅", "应急药箱", "卫生间"),
        "staff_titles": ("驿站负责人", "志愿者"),
        "rules": (
            "面向环卫工人、快递员、外卖送餐员、出租车司机等户外劳动者开放",
            "免费使用",
            "爱护设施，保持卫生",
            "遇紧急情况拨打12351或120",
        ),
        "items": ("饮水热饭", "休息避暑取暖", "手机充电", "应急药品", "入会咨询"),
        "steps": ("进站", "自助使用设施", "需要帮助时联系驿站负责人"),
    },
    "taxi_driver_home": {
        "area": (80, 300),
        "hours": ("全天24小时开放",),
        "facilities": ("休息区", "饮水热饭区", "卫生间", "手机充电", "法律咨询角"),
        "staff_titles": ("站长", "志愿者", "法律服务志愿者"),
        "rules": ("面向出租车和网约车司机免费开放", "文明休息，车辆按指定区域停放", "保持环境整洁"),
        "items": ("休息饮水热饭", "入会登记", "京卡·互助服务卡办理", "法律咨询", "节日慰问"),
        "steps": ("停车进站", "登记入内", "休息或办理服务", "离站"),
    },
    "kiosk": {
        "area": (4, 12),
        "hours": ("7×24小时",),
        "facilities": ("触摸屏", "视频通话终端", "身份证读卡器", "打印机"),
        "staff_titles": ("运维联系人", "远程值守调解员"),
        "rules": ("实名登记后使用", "个人信息仅用于办理诉求", "远程调解须双方同意"),
        "items": ("法律咨询（远程视频）", "心理服务", "远程调解", "京卡·互助服务卡查询", "12351诉求提交"),
        "steps": ("刷身份证或京卡登录", "选择服务项目", "提交诉求或连线工作人员", "获取受理回执"),
    },
}


# --- Members (会员) for ``seed_city --members N`` ----------------------------------------------------------
# Everything about the people is invented; the codes they are built from are real: region codes of
# GB/T 2260 and the mobile number blocks of the three carriers.

# Where the workers are: rough jobs per district in 10,000s (orders of magnitude from the city's
# economic census, not exact figures). A member's district is drawn with these weights; within a
# district, employers weigh by headcount.
DISTRICT_WORKFORCE = {
    "东城区": 95,
    "西城区": 160,
    "朝阳区": 330,
    "丰台区": 125,
    "石景山区": 45,
    "海淀区": 300,
    "门头沟区": 12,
    "房山区": 45,
    "通州区": 65,
    "顺义区": 85,
    "昌平区": 80,
    "大兴区": 70,
    "怀柔区": 20,
    "平谷区": 15,
    "密云区": 18,
    "延庆区": 10,
    "北京经济技术开发区": 40,
}

# How members are spread: most in unions of their own employer, many in the joint unions and
# stations that cover small firms, and new-form workers (新就业形态劳动者) who mostly join a
# community joint union or a station with no employer on record.
MEMBER_NEW_FORM_SHARE = 0.12
MEMBER_COVERED_SHARE = 0.26  # the rest (≈62%) belong to an enterprise union
MEMBER_LEFT_SHARE = 0.03
# Share of members whose identity card was issued outside Beijing (外省市户籍), by how they work.
MIGRANT_SHARE = {"enterprise": 0.28, "covered": 0.50, "new_form": 0.75}
# New-form workers: platform weights, and which platforms often have a (courier/logistics) employer.
PLATFORM_WEIGHTS = {
    "delivery": 35,
    "ride_hailing": 22,
    "courier": 20,
    "trucking": 10,
    "domestic": 7,
    "livestream": 3,
    "other": 3,
}
PLATFORMS_WITH_EMPLOYER = {"courier": 0.5, "trucking": 0.4}
# Units a new-form worker joins, with weights: the joint unions take most.
NEW_FORM_UNIT_WEIGHTS = {"community_joint_union": 3, "street_station": 2, "community_station": 1}

# Surnames with their approximate share per 100,000 people (national household-register
# rankings), including polyphonic ones read differently as surnames (曾 zeng, 单 shan, 解 xie…)
# and a few compound surnames.
MEMBER_SURNAMES = (
    ("王", 7120), ("李", 7000), ("张", 6740), ("刘", 5380), ("陈", 4530), ("杨", 3080), ("黄", 2230),
    ("赵", 2150), ("吴", 1990), ("周", 1960), ("徐", 1440), ("孙", 1380), ("马", 1290), ("朱", 1280),
    ("胡", 1160), ("郭", 1140), ("何", 1080), ("高", 1030), ("林", 1020), ("罗", 990), ("郑", 870),
    ("梁", 840), ("谢", 700), ("宋", 680), ("唐", 660), ("许", 620), ("韩", 610), ("冯", 600),
    ("邓", 580), ("曹", 560), ("彭", 550), ("曾", 530), ("肖", 510), ("田", 500), ("董", 490),
    ("袁", 480), ("潘", 470), ("于", 460), ("蒋", 450), ("蔡", 440), ("余", 430), ("杜", 420),
    ("叶", 410), ("程", 400), ("苏", 390), ("魏", 380), ("吕", 370), ("丁", 360), ("任", 350),
    ("沈", 340), ("姚", 330), ("卢", 320), ("姜", 310), ("崔", 300), ("钟", 290), ("谭", 280),
    ("陆", 270), ("汪", 270), ("范", 260), ("金", 250), ("石", 250), ("廖", 240), ("贾", 240),
    ("夏", 230), ("韦", 230), ("付", 220), ("方", 220), ("白", 210), ("邹", 210), ("孟", 200),
    ("熊", 200), ("秦", 200), ("邱", 190), ("江", 190), ("尹", 180), ("薛", 180), ("闫", 180),
    ("段", 170), ("雷", 170), ("侯", 160), ("龙", 160), ("史", 160), ("陶", 150), ("黎", 150),
    ("贺", 150), ("顾", 140), ("毛", 140), ("郝", 140), ("龚", 130), ("邵", 130), ("万", 130),
    ("钱", 120), ("严", 120), ("覃", 120), ("武", 120), ("戴", 120), ("莫", 110), ("孔", 110),
    ("向", 110), ("汤", 100), ("常", 100), ("温", 100), ("康", 90), ("施", 90), ("牛", 90),
    ("翟", 60), ("单", 40), ("解", 40), ("仇", 20), ("查", 20), ("缪", 20), ("乐", 20), ("朴", 20),
    ("盖", 10), ("欧阳", 30), ("司马", 5), ("上官", 5), ("诸葛", 3), ("东方", 3), ("皇甫", 3),
)  # fmt: skip

# Given names: one or two characters, by sex and by generation (older members carry the
# names of their time: 建国, 淑珍; younger ones 子豪, 欣怡). Characters whose reading changes
# with context (长, 乐, 重, 朝…) are left out, so a name's pinyin is its surname's plus its
# given name's.
GIVEN_NAMES = {
    ("M", "older"): (
        "建国志永立学文德振春海金宝庆福明红卫俊世",
        "国华军民平强明林生东伟刚峰勇新忠斌成山荣宏",
    ),
    ("M", "younger"): (
        "子浩宇俊梓博安嘉睿天一明晨逸泽皓文雨志鸿",
        "轩宇豪然杰航涛阳辰鹏睿铭博凯翔磊浩源诚森",
    ),
    ("F", "older"): (
        "秀桂淑玉丽凤春美金红素月海艳晓慧",
        "英兰珍芳华梅琴荣云霞萍莲娟燕玲敏",
    ),
    ("F", "younger"): (
        "欣梓子雨书诗佳可语心梦紫若婉雅晓",
        "怡涵萱琪琳妍彤瑶雯婷悦欣冉颖然蕾",
    ),
}
SINGLE_GIVEN_NAMES = {
    "M": "伟强磊军勇杰涛明超刚平辉鹏斌波宇浩凯健帅峰亮龙鑫",
    "F": "芳娜静敏丽艳娟霞燕玲婷洁琳颖萍红雪倩",
}
SINGLE_GIVEN_NAME_SHARE = 0.15

# Region codes (GB/T 2260, first six digits of an identity number). Beijing's districts weigh
# by household population in 10,000s (rough); 崇文 (110103) and 宣武 (110104) were merged into
# 东城 and 西城 in 2010, but numbers issued before keep them.
BEIJING_ID_REGIONS = {
    "110101": 97,
    "110102": 145,
    "110103": 10,
    "110104": 15,
    "110105": 216,
    "110106": 118,
    "110107": 40,
    "110108": 245,
    "110109": 25,
    "110111": 82,
    "110112": 80,
    "110113": 64,
    "110114": 64,
    "110115": 70,
    "110116": 29,
    "110117": 40,
    "110118": 44,
    "110119": 29,
}
# Where Beijing's workers from other provinces come from (weights: rough shares in percent),
# with real county-level codes from each.
MIGRANT_ID_REGIONS = (
    ("河北", 22, ("130102", "130104", "130105", "130181", "130183", "130184", "130202", "130203", "130302",
                "130402", "130602", "130682", "130684", "130702", "130802", "130902", "130984", "131002",
                "131081", "131082", "131102")),
    ("河南", 13, ("410102", "410105", "410202", "410302", "410402", "410502", "410702", "410802", "411102",
                "411302", "411381", "411402", "411421", "411502", "411602", "411621", "411702", "411721")),
    ("山东", 8, ("370102", "370202", "370302", "370402", "370602", "370702", "370902", "371302", "371402",
               "371502", "371602", "371702")),
    ("安徽", 7, ("340102", "340202", "340302", "341202", "341221", "341222", "341302", "341602")),
    ("黑龙江", 5, ("230102", "230103", "230202", "230602", "231002")),
    ("四川", 4, ("510104", "510105", "510107", "510802", "511302", "511381", "511602", "511702", "511902")),
    ("山西", 4, ("140105", "140106", "140202", "140802")),
    ("湖北", 4, ("420102", "420106", "420111", "420602", "421002")),
    ("内蒙古", 3, ("150102", "150203", "150402")),
    ("辽宁", 3, ("210102", "210202", "210302")),
    ("江苏", 3, ("320102", "320106", "320311")),
    ("吉林", 2, ("220102", "220202")),
    ("湖南", 2, ("430102", "430104")),
    ("天津", 2, ("120101", "120102", "120104")),
    ("陕西", 2, ("610102", "610113")),
    ("甘肃", 1, ("620102",)),
    ("浙江", 1, ("330106",)),
    ("江西", 1, ("360102",)),
    ("重庆", 1, ("500103",)),
    ("福建", 1, ("350102",)),
    ("广东", 1, ("440103", "440104")),
)  # fmt: skip

# Ages at the reference date and how common each band is among members (18–60).
MEMBER_AGE_BANDS = ((18, 24, 45), (25, 34, 100), (35, 44, 100), (45, 54, 80), (55, 60, 45))

# Mobile prefixes (号段) of China Mobile, Unicom and Telecom, with rough weights.
MOBILE_PREFIXES = {
    **{str(p): 10 for p in range(130, 140)},
    "134": 6,
    "135": 14,
    "136": 12,
    "137": 12,
    "138": 16,
    "139": 16,
    **{str(p): 8 for p in range(150, 160)},
    "154": 1,
    **{str(p): 3 for p in (170, 171, 173, 175, 176, 177, 178)},
    **{str(p): 8 for p in range(180, 190)},
    **{str(p): 3 for p in range(195, 200)},
}
