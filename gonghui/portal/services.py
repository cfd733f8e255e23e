"""Writes for the members' portal: sending and checking one-time SMS codes, signing a
member in and out.

The portal's visitor is not staff and has no place in the organisation tree, so every
query here runs with scopes disabled on purpose and is narrowed to one phone or one member.
"""

import datetime as dt
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.locks import advisory_xact_lock
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scopes_disabled
from gonghui.members.identity import parse_id_number, parse_mobile
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import phone_hash
from gonghui.portal.models import PortalAccount, SmsCode
from gonghui.portal.sms import get_backend

CODE_TTL = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
PHONE_INTERVAL = dt.timedelta(seconds=60)
PHONE_PER_HOUR = 5
IP_PER_HOUR = 20
SESSION_KEY = "portal_account_id"
SIGNED_IN_AT_KEY = "portal_signed_in_at"
# However active the page (the card's QR code refreshes itself every 30 seconds), a portal
# session ends this long after signing in: a phone left signed in is not signed in forever.
SESSION_MAX_AGE = dt.timedelta(hours=12)
HMAC_SALT = "gonghui.portal.sms_code"


def _code_hash(phone_index: bytes, code: str) -> str:
    # Bound to the phone: a hash copied to another phone's row matches nothing.
    return salted_hmac(HMAC_SALT, phone_index.hex() + ":" + code, algorithm="sha256").hexdigest()


def _active_members(phone_index: bytes):
    with scopes_disabled():
        return list(
            Member.objects.select_related("unit").filter(phone_hash=phone_index, status=MemberStatus.ACTIVE)[:2]
        )


def _code_row_create(index: bytes, code: str, ip: str | None, now) -> SmsCode:
    return SmsCode.objects.create(
        phone_hash=index,
        code_hash=_code_hash(index, code),
        client_ip=ip or None,
        created_at=now,
        expires_at=now + CODE_TTL,
    )


def sms_code_send(*, phone: str, ip: str | None) -> None:
    """Send a one-time code to ``phone``. Any valid mainland mobile number gets one: workers
    who are not members yet sign in to apply to join. The per-number and per-address
    limits keep the gateway from being used to flood a phone. Raises ValidationError for
    an invalid number or a rate limit."""
    phone = parse_mobile(phone)
    index = phone_hash(phone)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # Simultaneous requests for one number (or from one address) queue here, so the
        # counts below cannot be beaten by sending them all at once.
        advisory_xact_lock("sms_phone", index)
        if ip:
            advisory_xact_lock("sms_ip", ip)
        now = timezone.now()
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
        _code_row_create(index, code, ip, now)
    get_backend().send(phone, _("【工会服务平台】您的验证码为 %(code)s，5分钟内有效。请勿告诉他人。") % {"code": code})


def sms_code_verify(*, phone: str, code: str) -> str:
    """Check a code against the latest one sent to ``phone`` and use it up; returns the
    normalised number, now proved to be the visitor's. Only the newest code counts; a used,
    expired or too-often-guessed code is refused. Raises ValidationError with the reason."""
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
    return phone


def account_link_member(account: PortalAccount) -> PortalAccount:
    """Tie the account to the active member record its number belongs to, when there is
    exactly one. Called on every portal request that finds no active member on the
    account, so a worker whose join application was just approved sees their card without
    signing in again. A former member's record stays linked (they keep their personal-data
    rights); with several active records on one number nothing is guessed."""
    if account.member_id is not None and account.member.status == MemberStatus.ACTIVE:
        return account
    members = _active_members(account.phone_hash)
    if len(members) != 1:
        return account
    member = members[0]
    with transaction.atomic():
        locked = PortalAccount.objects.select_for_update().get(pk=account.pk)
        # A member record belongs to one account; a stale link elsewhere is released.
        PortalAccount.objects.filter(member=member).exclude(pk=locked.pk).update(member=None)
        locked.member = member
        locked.save(update_fields=["member"])
    return PortalAccount.objects.select_related("member__unit", "member__employer").get(pk=locked.pk)


def account_for_phone(phone: str) -> PortalAccount:
    """The account of a verified number, created on first sign-in."""
    index = phone_hash(phone)
    try:
        with transaction.atomic():
            account, _created = PortalAccount.objects.get_or_create(
                phone_hash=index,
                defaults={"phone_cipher": pii.encrypt(phone), "phone_masked": pii.mask_phone(phone)},
            )
    except IntegrityError:  # two first sign-ins at once: the other one created it
        account = PortalAccount.objects.get(phone_hash=index)
    return account_link_member(account)


def _audit_target(account: PortalAccount):
    # A member's sign-in shows in their union's audit log; a non-member's is city-level.
    return account.member if account.member_id else account


def portal_sign_in(*, request, account: PortalAccount) -> None:
    """Bind the session to the account (a fresh session key: no fixation) and audit it."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    request.session[SIGNED_IN_AT_KEY] = int(timezone.now().timestamp())
    PortalAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now(), failed_logins=0)
    audit_record(actor=None, actor_name=account.actor_name, action=AuditAction.LOGIN, obj=_audit_target(account))


def portal_session_expired(session) -> bool:
    since = session.get(SIGNED_IN_AT_KEY)
    return not isinstance(since, int) or timezone.now().timestamp() - since > SESSION_MAX_AGE.total_seconds()


def portal_sign_out(*, request, account: PortalAccount | None) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SIGNED_IN_AT_KEY, None)
    request.session.cycle_key()
    if account is not None:
        audit_record(actor=None, actor_name=account.actor_name, action=AuditAction.LOGOUT, obj=_audit_target(account))


# --- ID number and password ------------------------------------------------------------

PASSWORD_MAX_FAILURES = 5
PASSWORD_LOCKOUT = dt.timedelta(minutes=15)
# Checked when no account matches, so a wrong ID number costs the same time as a wrong password.
_DUMMY_PASSWORD_HASH = make_password("gonghui-portal-dummy")


def password_sign_in_check(*, id_number: str, password: str) -> PortalAccount:
    """Sign in with ID number and the password set in the portal. One answer for every
    failure (unknown number, not a member, no password set, wrong password) so the form
    cannot be used to find out who is a member; five failures lock the account for 15
    minutes, counted in their own committed transaction."""
    from gonghui.members.services import id_number_hash

    failure = ValidationError(_("身份证号码或密码不正确。"), code="password")
    try:
        identity = parse_id_number(id_number)
    except ValidationError:
        check_password(password or "", _DUMMY_PASSWORD_HASH)
        raise failure from None
    with scopes_disabled():
        member = Member.objects.filter(
            id_number_hash=id_number_hash(identity.value), status=MemberStatus.ACTIVE
        ).first()
    account = PortalAccount.objects.filter(member=member).first() if member else None
    if account is None or not account.password:
        check_password(password or "", _DUMMY_PASSWORD_HASH)
        raise failure
    now = timezone.now()
    if account.locked_until and account.locked_until > now:
        raise ValidationError(_("密码错误次数过多，账户已锁定，请15分钟后再试或使用短信验证码登录。"), code="locked")
    if not check_password(password or "", account.password):
        with transaction.atomic():
            locked = PortalAccount.objects.select_for_update().get(pk=account.pk)
            locked.failed_logins += 1
            if locked.failed_logins >= PASSWORD_MAX_FAILURES:
                locked.failed_logins, locked.locked_until = 0, now + PASSWORD_LOCKOUT
            locked.save(update_fields=["failed_logins", "locked_until"])
            audit_record(
                actor=None,
                actor_name=account.actor_name,
                action=AuditAction.LOGIN_FAILED,
                obj=member,
                note="portal password",
            )
        raise failure
    return account_link_member(account)


def account_set_password(*, account: PortalAccount, password: str, password2: str) -> None:
    """Set or change the portal password. Only members have one (it signs in with the ID
    number); the visitor is already signed in by SMS code, which proves the phone."""
    if account.member_id is None:
        raise ValidationError(_("入会后才能设置登录密码。"))
    if password != password2:
        raise ValidationError({"password2": [_("两次输入的密码不一致。")]})
    try:
        validate_password(password)
    except ValidationError as e:
        raise ValidationError({"password": e.messages}) from None
    with transaction.atomic():
        locked = PortalAccount.objects.select_for_update().get(pk=account.pk)
        locked.password = make_password(password)
        locked.failed_logins, locked.locked_until = 0, None
        locked.save(update_fields=["password", "failed_logins", "locked_until"])
        audit_record(
            actor=None,
            actor_name=account.actor_name,
            action=AuditAction.UPDATE,
            obj=account.member,
            note="portal password set",
        )


# --- Contact details ---------------------------------------------------------------------


def phone_taken() -> str:
    return _("该手机号已绑定另一个自助服务账户，请联系所在工会处理。")


def account_change_phone(*, account: PortalAccount, new_phone: str, code: str) -> PortalAccount:
    """Move the account, and the member record behind it, to a new mobile number proved by
    a code sent to that number."""
    from gonghui.members.services import member_self_change_phone

    new_phone = sms_code_verify(phone=new_phone, code=code)
    index = phone_hash(new_phone)
    if index == account.phone_hash:
        raise ValidationError({"phone": [_("新号码与当前号码相同。")]})
    with transaction.atomic():
        locked = PortalAccount.objects.select_for_update().get(pk=account.pk)
        if PortalAccount.objects.filter(phone_hash=index).exclude(pk=locked.pk).exists():
            raise ValidationError({"phone": [phone_taken()]})
        old_masked = locked.phone_masked
        locked.phone_hash, locked.phone_cipher = index, pii.encrypt(new_phone)
        locked.phone_masked = pii.mask_phone(new_phone)
        try:
            with transaction.atomic():
                locked.save(update_fields=["phone_hash", "phone_cipher", "phone_masked"])
        except IntegrityError:  # the other account was created meanwhile
            raise ValidationError({"phone": [phone_taken()]}) from None
        if locked.member_id:
            member_self_change_phone(member=locked.member, phone=new_phone, actor_name="member:" + old_masked)
        else:
            audit_record(
                actor=None,
                actor_name="member:" + old_masked,
                action=AuditAction.UPDATE,
                obj=locked,
                changes={"phone_masked": [old_masked, locked.phone_masked]},
            )
    return locked
