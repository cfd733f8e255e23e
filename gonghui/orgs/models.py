"""The organisation tree (三级服务体系), employers and service points (阵地)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from gonghui.core.scoping import org_scoped_manager
from gonghui.orgs.validators import validate_division_code, validate_uscc


class UnitKind(models.TextChoices):
    CITY_FEDERATION = "city_federation", _("市总工会")
    DISTRICT_UNION = "district_union", _("区总工会")
    STREET_STATION = "street_station", _("街道（乡镇）工会服务站")
    COMMUNITY_STATION = "community_station", _("社区（楼宇）工会服务站")
    COMMUNITY_JOINT_UNION = "community_joint_union", _("社区联合工会")
    INDUSTRY_UNION = "industry_union", _("产业工会")
    BUREAU_UNION = "bureau_union", _("局（总公司）工会")
    ENTERPRISE_UNION = "enterprise_union", _("企业工会")


# Which kinds may sit directly below which: the local line (city → district → street
# station → community) and the industry line (city → industry → bureau/company → enterprise).
ALLOWED_CHILDREN = {
    UnitKind.CITY_FEDERATION: {UnitKind.DISTRICT_UNION, UnitKind.INDUSTRY_UNION},
    UnitKind.DISTRICT_UNION: {UnitKind.STREET_STATION, UnitKind.ENTERPRISE_UNION, UnitKind.INDUSTRY_UNION},
    UnitKind.STREET_STATION: {
        UnitKind.COMMUNITY_STATION,
        UnitKind.COMMUNITY_JOINT_UNION,
        UnitKind.ENTERPRISE_UNION,
    },
    UnitKind.COMMUNITY_STATION: {UnitKind.ENTERPRISE_UNION},
    UnitKind.COMMUNITY_JOINT_UNION: {UnitKind.ENTERPRISE_UNION},
    UnitKind.INDUSTRY_UNION: {UnitKind.BUREAU_UNION, UnitKind.ENTERPRISE_UNION},
    UnitKind.BUREAU_UNION: {UnitKind.ENTERPRISE_UNION},
    UnitKind.ENTERPRISE_UNION: set(),
}


class Unit(MP_Node):
    """A node of the union organisation tree.

    Stored as a materialised path (django-treebeard, 4 characters a level): a whole
    subtree is one indexed ``path LIKE 'prefix%'`` range on SQLite and PostgreSQL, and a
    unit's ancestors are the prefixes of its own path, with no recursive query.
    """

    steplen = 4

    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=UnitKind.choices, db_index=True)
    division_code = models.CharField(
        _("行政区划代码"), max_length=12, blank=True, validators=[validate_division_code], db_index=True
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    chair_name = models.CharField(_("工会主席"), max_length=60, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("path__startswith", MP_NodeManager)

    class Meta:
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.path

    @property
    def label(self):
        return self.short_name or self.name

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]


class UnitCounts(models.Model):
    """Direct counts for one unit, kept current by the services that change them.

    A subtree's figure is the sum over the subtree's units (thousands of small rows),
    never a scan of the member or employer tables (millions).
    """

    unit = models.OneToOneField(Unit, primary_key=True, on_delete=models.CASCADE, related_name="counts")
    employers = models.IntegerField(default=0)
    unionised_employers = models.IntegerField(default=0)
    service_points = models.IntegerField(default=0)
    staff = models.IntegerField(default=0)
    members = models.BigIntegerField(default=0)
    # Service cards held (issued, active, lost or frozen) by the unit's members: kept by the
    # card services and by member_transfer, which moves a holder's card with them. A database
    # default too: the bulk loaders' own INSERTs (seeding) do not name this column.
    cards = models.BigIntegerField(default=0, db_default=0)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("组织统计")

    def __str__(self):
        return f"{self.unit_id}"


class Industry(models.TextChoices):
    """国民经济行业分类 (GB/T 4754-2017), top-level sections."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class Ownership(models.TextChoices):
    STATE_OWNED = "state_owned", _("国有")
    NON_PUBLIC = "non_public", _("非公有制")
    OTHER = "other", _("其他")


class EmployerSize(models.TextChoices):
    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class Employer(models.Model):
    """用人单位, identified by its unified social credit code."""

    name = models.CharField(_("单位名称"), max_length=200, db_index=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    industry = models.CharField(_("行业"), max_length=1, choices=Industry.choices, db_index=True)
    ownership = models.CharField(_("经济类型"), max_length=16, choices=Ownership.choices, db_index=True)
    size = models.CharField(_("规模"), max_length=8, choices=EmployerSize.choices, db_index=True)
    headcount = models.PositiveIntegerField(_("职工人数"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    district = models.ForeignKey(
        Unit,
        verbose_name=_("所在区"),
        on_delete=models.PROTECT,
        related_name="employers_located",
        limit_choices_to={"kind": UnitKind.DISTRICT_UNION},
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("覆盖工会"),
        help_text=_("建会单位为其本单位工会；未建会单位为负责覆盖它的服务站或联合工会。"),
        on_delete=models.PROTECT,
        related_name="employers",
    )
    has_own_union = models.BooleanField(_("已单独建会"), default=False, db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("存续"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.unit.path


class ServicePointKind(models.TextChoices):
    SERVICE_CENTRE = "service_centre", _("职工服务中心")
    WORKER_HOME = "worker_home", _("职工之家")
    ACTIVITY_CENTRE = "activity_centre", _("职工活动中心")
    BOOK_HOUSE = "book_house", _("职工书屋")
    MOTHER_BABY_ROOM = "mother_baby_room", _("爱心妈妈小屋")
    OUTDOOR_REST_STATION = "outdoor_rest_station", _("户外劳动者驿站")
    TAXI_DRIVER_HOME = "taxi_driver_home", _("的士职工之家")
    KIOSK = "kiosk", _("自助服务终端")


class ServicePoint(models.Model):
    """A place where workers are served (阵地), with its five public disclosures (五亮)."""

    kind = models.CharField(_("类型"), max_length=32, choices=ServicePointKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    code = models.SlugField(_("公开编号"), max_length=40, unique=True, help_text=_("公开页面地址中的编号"))
    unit = models.ForeignKey(Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="service_points")
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    opening_hours = models.CharField(_("开放时间"), max_length=200, blank=True)
    facilities = models.TextField(_("设施"), blank=True, help_text=_("每行一项"))
    # 五亮: the five things every worker home shows the public.
    sign_and_place = models.TextField(_("亮牌子·场所"), blank=True, help_text=_("标牌名称与场所位置、面积"))
    chair_name = models.CharField(_("工会主席"), max_length=60, blank=True)
    chair_phone = models.CharField(_("主席电话"), max_length=40, blank=True)
    chair_email = models.EmailField(_("主席邮箱"), blank=True)
    staff_on_duty = models.TextField(_("亮身份·工作人员"), blank=True, help_text=_("每行一人：姓名 职务"))
    rules = models.TextField(_("亮制度"), blank=True, help_text=_("每行一条"))
    service_items = models.TextField(_("亮服务项目"), blank=True, help_text=_("每行一项"))
    procedures = models.TextField(_("亮流程"), blank=True, help_text=_("每行一个步骤，按顺序显示为流程图"))
    is_public = models.BooleanField(_("对外公开"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["unit__path", "name", "id"]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.unit.path

    @staticmethod
    def _lines(text):
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    def facility_list(self):
        return self._lines(self.facilities)

    def staff_list(self):
        return self._lines(self.staff_on_duty)

    def rule_list(self):
        return self._lines(self.rules)

    def service_item_list(self):
        return self._lines(self.service_items)

    def procedure_steps(self):
        return self._lines(self.procedures)
