"""The self-service kiosk (枫桥智能舱): the devices, the consultation hours stations publish
for legal and psychological counselling, workers' bookings, and remote mediation requests.

Phones are stored like a member's: ciphertext, keyed hash and mask (core/pii.py), never in
plain text.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import org_scoped_manager

# A kiosk's code sits in /kiosk/<code>/, beside the staff pages under /kiosk/manage/.
RESERVED_CODES = frozenset({"manage"})


def validate_kiosk_code(value: str) -> None:
    if value in RESERVED_CODES:
        raise ValidationError(_("该编号为系统保留，请换一个。"), code="reserved")


class Kiosk(models.Model):
    """A self-service cabin placed at a station or a mall, run by one station. The device
    signs in with its own token (only the SHA-256 digest is stored), like a venue terminal."""

    name = models.CharField(_("名称"), max_length=120)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("运营单位"), on_delete=models.PROTECT, related_name="kiosks")
    service_point = models.ForeignKey(
        "orgs.ServicePoint", verbose_name=_("服务阵地"), null=True, blank=True, on_delete=models.SET_NULL
    )
    code = models.SlugField(
        _("公开编号"),
        max_length=40,
        unique=True,
        validators=[validate_kiosk_code],
        help_text=_("设备页面地址中的编号，如 jianwai-01"),
    )
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("智能舱")
        verbose_name_plural = _("智能舱")
        ordering = ["unit__path", "name", "id"]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.unit.path


class SlotKind(models.TextChoices):
    LEGAL = "legal", _("法律咨询")
    PSYCHOLOGICAL = "psychological", _("心理咨询")


class ConsultationSlot(models.Model):
    """An hour of counselling a station offers, with a number of places."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="consultation_slots"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=SlotKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("名额"))
    counsellor = models.CharField(_("咨询师/律师"), max_length=60)
    location = models.CharField(_("地点"), max_length=200)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("咨询时段")
        verbose_name_plural = _("咨询时段")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["is_active", "starts_at"], name="kiosk_slot_open")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="kiosk_slot_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="kiosk_slot_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    def audit_scope_path(self):
        return self.unit.path


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已到场")
    NO_SHOW = "no_show", _("未到场")


# Every status but "cancelled" holds a place.
HOLDS_PLACE = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class BookingChannel(models.TextChoices):
    KIOSK = "kiosk", _("智能舱")
    PORTAL = "portal", _("网上自助服务")
    STAFF = "staff", _("工作人员代约")


class SlotBooking(models.Model):
    slot = models.ForeignKey(
        ConsultationSlot, verbose_name=_("咨询时段"), on_delete=models.PROTECT, related_name="bookings"
    )
    name = models.CharField(_("姓名"), max_length=40)
    phone_cipher = models.BinaryField(_("手机号（密文）"))
    phone_hash = models.BinaryField(_("手机号（索引）"), max_length=32, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=11)
    status = models.CharField(_("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    channel = models.CharField(_("预约渠道"), max_length=16, choices=BookingChannel.choices)
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = org_scoped_manager("slot__unit__path__startswith")

    class Meta:
        verbose_name = _("咨询预约")
        verbose_name_plural = _("咨询预约")
        ordering = ["created_at", "id"]
        constraints = [
            # One place per phone per slot; a cancelled booking frees the phone to book again.
            models.UniqueConstraint(
                fields=["slot", "phone_hash"],
                condition=Q(status__in=HOLDS_PLACE),
                name="kiosk_one_active_booking_per_phone",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.slot}"

    def audit_scope_path(self):
        return self.slot.unit.path


class MediationStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    SCHEDULED = "scheduled", _("已安排")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# The workflow: which status may follow which.
MEDIATION_PIPELINE = {
    MediationStatus.REQUESTED: {MediationStatus.SCHEDULED, MediationStatus.CANCELLED},
    MediationStatus.SCHEDULED: {MediationStatus.SCHEDULED, MediationStatus.DONE, MediationStatus.CANCELLED},
    MediationStatus.DONE: set(),
    MediationStatus.CANCELLED: set(),
}


class RemoteMediationRequest(models.Model):
    """远程调解: a worker asks, at the kiosk, for a video mediation with the other party
    (their employer or a person). Both receive the meeting link by SMS."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="remote_mediations"
    )
    kiosk = models.ForeignKey(
        Kiosk, verbose_name=_("申请终端"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_name = models.CharField(_("申请人"), max_length=40)
    applicant_phone_cipher = models.BinaryField(_("申请人手机号（密文）"))
    applicant_phone_hash = models.BinaryField(_("申请人手机号（索引）"), max_length=32, db_index=True)
    applicant_phone_masked = models.CharField(_("申请人手机号"), max_length=11)
    other_name = models.CharField(_("对方当事人"), max_length=120, blank=True, help_text=_("用人单位或个人"))
    other_phone_cipher = models.BinaryField(_("对方手机号（密文）"), null=True, blank=True)
    other_phone_hash = models.BinaryField(_("对方手机号（索引）"), max_length=32, null=True, blank=True)
    other_phone_masked = models.CharField(_("对方手机号"), max_length=11, blank=True)
    description = models.TextField(_("调解事项"))
    status = models.CharField(
        _("状态"), max_length=16, choices=MediationStatus.choices, default=MediationStatus.REQUESTED
    )
    room = models.CharField(_("会议室编号"), max_length=40, unique=True)
    meeting_link = models.CharField(_("视频会议链接"), max_length=300)
    scheduled_at = models.DateTimeField(_("调解时间"), null=True, blank=True)
    note = models.CharField(_("办理说明"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("远程调解申请")
        verbose_name_plural = _("远程调解申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"], name="kiosk_mediation_unit_status")]

    def __str__(self):
        return _("%(name)s的远程调解申请") % {"name": self.applicant_name}

    def audit_scope_path(self):
        return self.unit.path
