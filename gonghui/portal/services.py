"""Writes for the members' portal: sending and checking one-time SMS codes, signing a
member in and out.

The portal's visitor is not staff and has no place in the organisation tree, so every
query here runs with scopes disabled on purpose and is narrowed to one phone or one member.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scopes_disabled
from gonghui.members.identity import parse_mobile
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import phone_hash
from gonghui.portal.models import SmsCode
from gonghui.portal.sms import get_backend

CODE_TTL = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
PHONE_INTERVAL = dt.timedelta(seconds=60)
PHONE_PER_HOUR = 5
IP_PER_HOUR = 20
SESSION_KEY = "portal_member_id"
HMAC_SALT = "gonghui.portal.sms_code"


def _code_hash(phone_index: bytes, code: str) -> str:
    # Bound to the phone: a hash copied to another phone's row matches nothing.
    return salted_hmac(HMAC_SALT, phone_index.hex() + ":" + code, algorithm="sha256").hexdigest()


def _active_members(phone_index: bytes):
    with scopes_disabled():
        return list(
            Member.objects.select_related("unit").filter(phone_hash=phone_index, status=MemberStatus.ACTIVE)[:2]
        )


def sms_code_send(*, phone: str, ip: str | None) -> None:
    """Send a sign-in code to ``phone`` if it belongs to an active member. Whether it does
    is never told: an unknown number is rate-limited and answered exactly the same, only
    no message leaves. Raises ValidationError for an invalid number or a rate limit."""
    phone = parse_mobile(phone)
    index = phone_hash(phone)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        hour_ago = now - dt.timedelta(hours=1)
        recent = SmsCode.objects.filter(phone_hash=index, created_at__gt=hour_ago)
        last = recent.order_by("-created_at").first()
        if last is not None and last.created_at > now - PHONE_INTERVAL:
            wait = int((last.created_at + PHONE_INTERVAL - now).total_seconds()) + 1
            raise ValidationError(_("获取验证码过于频繁，请 %(s)s 秒后再试。") % {"s": wait}, code="phone_interval")
        if recent.count() >= PHONE_PER_HOUR:
            raise ValidationError(_("该号码一小时内获取验证码次数已达上限，请稍后再试。"), code="phone_hourly")
        if ip and SmsCode.objects.filter(client_ip=ip, created_at__gt=hour_ago).count() >= IP_PER_HOUR:
            raise ValidationError(_("当前网络获取验证码次数过多，请一小时后再试。"), code="ip_hourly")
        SmsCode.objects.create(
            phone_hash=index,
            code_hash=_code_hash(index, code),
            client_ip=ip or None,
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    if _active_members(index):
        get_backend().send(
            phone, _("【工会服务平台】您的登录验证码为 %(code)s，5分钟内有效。请勿告诉他人。") % {"code": code}
        )


def sms_code_verify(*, phone: str, code: str) -> Member:
    """Check a code against the latest one sent to ``phone`` and use it up; returns the
    member it signs in. Only the newest code counts; a used, expired or too-often-guessed
    code is refused. Raises ValidationError with the reason."""
    phone = parse_mobile(phone)
    code = (code or "").strip()
    index = phone_hash(phone)
    now = timezone.now()
    problem = None
    with transaction.atomic():
        row = SmsCode.objects.select_for_update().filter(phone_hash=index).order_by("-created_at", "-pk").first()
        if row is None:
            problem = _("请先获取验证码。")
        elif row.used_at is not None:
            problem = _("该验证码已使用，请重新获取。")
        elif row.expires_at <= now:
            problem = _("验证码已过期，请重新获取。")
        elif row.attempts >= MAX_ATTEMPTS:
            problem = _("验证码输入错误次数过多，请重新获取。")
        elif not constant_time_compare(row.code_hash, _code_hash(index, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = MAX_ATTEMPTS - row.attempts
            if left:
                problem = _("验证码不正确，还可尝试 %(n)s 次。") % {"n": left}
            else:
                problem = _("验证码输入错误次数过多，请重新获取。")
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
    if problem:
        raise ValidationError(problem, code="sms_code")
    members = _active_members(index)
    if len(members) != 1:
        # Nobody (left meanwhile) or several active records on one phone: do not guess.
        raise ValidationError(_("无法登录：该手机号未对应唯一的在会会员记录，请联系所在工会核实。"), code="no_member")
    return members[0]


def portal_sign_in(*, request, member: Member) -> None:
    """Bind the session to the member (a fresh session key: no fixation) and audit it."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = member.pk
    audit_record(actor=None, actor_name="member:" + member.phone_masked, action=AuditAction.LOGIN, obj=member)


def portal_sign_out(*, request, member: Member | None) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    if member is not None:
        audit_record(actor=None, actor_name="member:" + member.phone_masked, action=AuditAction.LOGOUT, obj=member)
