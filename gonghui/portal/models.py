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


class PortalAccount(models.Model):
    """A worker's portal identity: a mobile number proved by an SMS code, and — once they
    are a member — their member record. Workers who are not members yet have an account
    too: it is how they apply to join and follow their application.

    The phone is kept like a member's (ciphertext, blind index, mask). The password, for
    signing in with ID number and password, is optional and stored with Django's hashers.
    """

    phone_hash = models.BinaryField(_("手机号（索引）"), max_length=32, unique=True)
    phone_cipher = models.BinaryField(_("手机号（密文）"))
    phone_masked = models.CharField(_("手机号"), max_length=11)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("会员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_account",
    )
    password = models.CharField(_("登录密码"), max_length=128, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("自助服务账户")
        verbose_name_plural = _("自助服务账户")

    def __str__(self):
        return f"PortalAccount {self.phone_masked}"

    @property
    def actor_name(self) -> str:
        """How the account appears in the audit log (never the full number)."""
        return "member:" + self.phone_masked
