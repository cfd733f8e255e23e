"""The members' self-service portal (会员自助服务): one-time SMS sign-in codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsCode(models.Model):
    """One request for a sign-in code. The code itself is never stored, only its keyed
    hash; the phone only as its blind index. A row is written for *every* request, also
    for a number that is no member's (then nothing is sent and nobody knows the code), so
    the rate limits answer identically whether or not the number is registered."""

    phone_hash = models.BinaryField(_("手机号（索引）"), max_length=32, db_index=True)
    code_hash = models.CharField(max_length=64)
    client_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("发送时间"), db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["client_ip", "created_at"], name="smscode_ip_created")]

    def __str__(self):
        return f"SmsCode {self.pk} @ {self.created_at:%Y-%m-%d %H:%M:%S}"
