"""The member service card (京卡·互助服务卡), partner venues, benefits and redemptions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import org_scoped_manager


class CardStatus(models.TextChoices):
    ISSUED = "issued", _("已发卡")
    ACTIVE = "active", _("已激活")
    LOST = "lost", _("已挂失")
    FROZEN = "frozen", _("已冻结")
    REPLACED = "replaced", _("已补换")
    CANCELLED = "cancelled", _("已注销")


# A workflow is a status and the moves allowed from it (django-oscar's pipeline).
CARD_PIPELINE = {
    CardStatus.ISSUED: {CardStatus.ACTIVE, CardStatus.LOST, CardStatus.FROZEN, CardStatus.CANCELLED},
    CardStatus.ACTIVE: {CardStatus.LOST, CardStatus.FROZEN, CardStatus.CANCELLED},
    CardStatus.LOST: {CardStatus.REPLACED, CardStatus.ACTIVE, CardStatus.CANCELLED},
    CardStatus.FROZEN: {CardStatus.ACTIVE, CardStatus.CANCELLED},
    CardStatus.REPLACED: set(),
    CardStatus.CANCELLED: set(),
}
USABLE = (CardStatus.ISSUED, CardStatus.ACTIVE)
HELD = (CardStatus.ISSUED, CardStatus.ACTIVE, CardStatus.LOST, CardStatus.FROZEN)


class Card(models.Model):
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("卡号"), max_length=16, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=CardStatus.choices, default=CardStatus.ISSUED)
    # Bumped whenever the card changes state: every QR code signed before stops working.
    token_version = models.PositiveIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", verbose_name=_("补换自"), null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    issued_at = models.DateTimeField(_("发卡时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("member__unit__path__startswith")

    class Meta:
        verbose_name = _("服务卡")
        verbose_name_plural = _("服务卡")
        constraints = [
            # One card held at a time: issuing a second while one is held fails in the database too.
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=HELD), name="card_one_held_per_member")
        ]

    def __str__(self):
        return self.number

    def audit_scope_path(self):
        return self.member.unit.path

    @property
    def masked_number(self):
        return self.number[:4] + " **** **** " + self.number[-4:]


class CardEvent(models.Model):
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=CardStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CardStatus.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True)

    objects = org_scoped_manager("card__member__unit__path__startswith")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.card_id}: {self.from_status}→{self.to_status}"


class Venue(models.Model):
    """A partner venue (a service point of the union, or an outside partner) with its own
    terminal token."""

    name = models.CharField(_("名称"), max_length=120)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("签约单位"), on_delete=models.PROTECT, related_name="venues")
    service_point = models.ForeignKey(
        "orgs.ServicePoint", verbose_name=_("服务阵地"), null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("合作场馆")
        verbose_name_plural = _("合作场馆")

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.unit.path


class BenefitKind(models.TextChoices):
    FREE = "free", _("免费")
    DISCOUNT = "discount", _("折扣")
    MEMBER_PRICE = "member_price", _("会员价")


class Eligibility(models.TextChoices):
    ALL = "all", _("全体会员")
    NEW_FORM = "new_form", _("新就业形态劳动者")
    MODEL_WORKER = "model_worker", _("劳动模范")
    HARDSHIP = "hardship", _("困难职工")
    SUBTREE = "subtree", _("指定工会及下级的会员")


class Benefit(models.Model):
    venue = models.ForeignKey(Venue, verbose_name=_("场馆"), on_delete=models.PROTECT, related_name="benefits")
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("优惠方式"), max_length=16, choices=BenefitKind.choices)
    discount_percent = models.PositiveSmallIntegerField(_("折扣（%）"), null=True, blank=True)
    member_price = models.DecimalField(_("会员价（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    eligibility = models.CharField(_("适用对象"), max_length=16, choices=Eligibility.choices, default=Eligibility.ALL)
    eligible_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("适用工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("截止日期"))
    per_member_day = models.PositiveIntegerField(_("每人每日限次"), null=True, blank=True)
    per_member_month = models.PositiveIntegerField(_("每人每月限次"), null=True, blank=True)
    per_member_year = models.PositiveIntegerField(_("每人每年限次"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("总名额"), null=True, blank=True)
    redeemed = models.PositiveIntegerField(_("已使用"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = org_scoped_manager("venue__unit__path__startswith")

    class Meta:
        verbose_name = _("优惠项目")
        verbose_name_plural = _("优惠项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(redeemed__lte=models.F("capacity")),
                name="benefit_within_capacity",
            )
        ]

    def __str__(self):
        return self.name


class Redemption(models.Model):
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="redemptions")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="redemptions")
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="redemptions")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="redemptions")
    idempotency_key = models.CharField(max_length=80)
    on_date = models.DateField(db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = org_scoped_manager("member__unit__path__startswith")

    class Meta:
        verbose_name = _("核销记录")
        verbose_name_plural = _("核销记录")
        constraints = [models.UniqueConstraint(fields=["venue", "idempotency_key"], name="redemption_once_per_key")]
        indexes = [models.Index(fields=["member", "benefit", "on_date"], name="redemption_quota")]

    def __str__(self):
        return f"{self.benefit_id}/{self.member_id}@{self.on_date}"
