"""Writes for staff accounts: logging in, lockout, roles, tokens, two-factor devices."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import ApiToken, Staff, StaffRole
from gonghui.accounts.roles import EXCLUSIVE_ROLES, Role
from gonghui.core import rawsql
from gonghui.core.audit import audit_record, diff
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.orgs.models import Unit


class LoginRefused(Exception):
    def __init__(self, message, *, locked=False):
        super().__init__(message)
        self.message = message
        self.locked = locked


@dataclass
class LoginResult:
    staff: Staff
    needs_two_factor: bool


def _refusal_message():
    return _("用户名或密码不正确。")


def _locked_message(staff: Staff):
    minutes = max(1, int((staff.locked_until - timezone.now()).total_seconds() // 60) + 1)
    return _("账号因连续登录失败已被锁定，请 %(m)d 分钟后再试，或联系单位管理员解锁。") % {"m": minutes}


def login_check_password(*, username: str, password: str) -> LoginResult:
    """Check a username and password, counting failures against the *account*.

    Five failures lock the account for 15 minutes whatever address they came from; while
    locked even the right password is refused. Every outcome is audited. The failure is
    recorded in its own committed transaction and only then raised, so the count and the
    audit row survive the refusal.
    """
    username = (username or "").strip()
    refusal = None
    with transaction.atomic(), scopes_disabled():
        staff = Staff.objects.select_for_update(of=("self",)).filter(username=username).select_related("unit").first()
        if staff is None:
            # Hash anyway so that an unknown name takes as long as a wrong password.
            Staff().set_password(password)
            audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_name=username[:150], note="unknown user")
            refusal = LoginRefused(_refusal_message())
        elif staff.is_locked():
            audit_record(actor=None, action=AuditAction.LOGIN_FAILED, obj=staff, actor_name=username, note="locked")
            refusal = LoginRefused(_locked_message(staff), locked=True)
        elif not staff.is_active or not staff.check_password(password):
            refusal = _count_failure(staff, note="bad password" if staff.is_active else "inactive")
    if refusal is not None:
        raise refusal
    return LoginResult(staff=staff, needs_two_factor=staff.needs_two_factor)


def _count_failure(staff: Staff, *, note: str) -> LoginRefused:
    """Add one failure to a locked row; lock the account at the threshold."""
    staff.failed_logins += 1
    if staff.failed_logins >= settings.LOGIN_LOCKOUT_THRESHOLD:
        staff.locked_until = timezone.now() + settings.LOGIN_LOCKOUT_DURATION
        staff.failed_logins = 0
        staff.save(update_fields=["failed_logins", "locked_until"])
        audit_record(actor=None, action=AuditAction.LOCKED, obj=staff, actor_name=staff.username, note=note)
        return LoginRefused(_locked_message(staff), locked=True)
    staff.save(update_fields=["failed_logins"])
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, obj=staff, actor_name=staff.username, note=note)
    return LoginRefused(_refusal_message())


def login_second_factor_failed(*, staff: Staff) -> None:
    """A wrong one-time code counts like a wrong password; raises ``LoginRefused`` once
    the account is locked."""
    with transaction.atomic(), scopes_disabled():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        refusal = _count_failure(locked, note="bad otp")
    if refusal.locked:
        raise refusal


def login_succeeded(*, staff: Staff, method: str = "password") -> None:
    with transaction.atomic(), scopes_disabled():
        Staff.objects.filter(pk=staff.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=staff, action=AuditAction.LOGIN, obj=staff, note=method)


def logout_recorded(*, staff: Staff) -> None:
    audit_record(actor=staff, action=AuditAction.LOGOUT, obj=staff)


def otp_device_for(staff: Staff, *, confirmed: bool | None = None) -> TOTPDevice | None:
    qs = TOTPDevice.objects.filter(user=staff)
    if confirmed is not None:
        qs = qs.filter(confirmed=confirmed)
    return qs.order_by("-confirmed", "-id").first()


def otp_device_start(*, staff: Staff) -> TOTPDevice:
    """An unconfirmed authenticator for the staff member to scan; reused until confirmed."""
    device = otp_device_for(staff, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=staff, name=_("身份验证器"), confirmed=False)
    return device


def otp_device_confirm(*, staff: Staff, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token((token or "").strip()):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=staff).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=staff, action=AuditAction.OTP_ENROLLED, obj=staff)
    return True


# --- Staff administration ------------------------------------------------------------


def _check_roles(*, by: Staff, roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("未知角色：%(r)s") % {"r": ", ".join(sorted(unknown))}})
    for exclusive in EXCLUSIVE_ROLES:
        if exclusive <= roles:
            raise ValidationError({"roles": _("系统管理员与审计员不能由同一人兼任。")})
    reserved = {Role.SYSADMIN, Role.AUDITOR}
    if roles & reserved and not by.can("admin.access"):
        raise PermissionDenied(_("只有系统管理员可以授予系统管理员或审计员角色。"))


def _check_manages(by: Staff, unit) -> None:
    if not by.can("accounts.manage_staff") or unit is None or not path_in_scope(unit.path):
        raise PermissionDenied(_("无权管理该单位的工作人员。"))


def staff_create(*, by: Staff, unit, username: str, full_name: str, password: str, roles, title: str = "") -> Staff:
    _check_manages(by, unit)
    roles = set(roles)
    _check_roles(by=by, roles=roles)
    username = (username or "").strip()
    with scopes_disabled():
        if Staff.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("用户名“%(u)s”已被使用。") % {"u": username}})
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    try:
        Staff.username_validator(username)
    except ValidationError as e:
        raise ValidationError({"username": e.messages}) from e
    staff = Staff(username=username, full_name=full_name, unit=unit, title=title)
    try:
        password_validation.validate_password(password, staff)
    except ValidationError as e:
        raise ValidationError({"password": e.messages}) from e
    staff.set_password(password)
    with transaction.atomic():
        staff.save()
        StaffRole.objects.bulk_create([StaffRole(staff=staff, role=r) for r in sorted(roles)])
        from gonghui.orgs.services import unit_counts_add

        unit_counts_add(unit=unit, staff=1)
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=staff,
            changes={"username": [None, username], "unit": [None, unit.pk], "roles": [None, sorted(roles)]},
        )
    return staff


def staff_set_roles(*, by: Staff, staff: Staff, roles) -> Staff:
    _check_manages(by, staff.unit)
    roles = set(roles)
    _check_roles(by=by, roles=roles)
    with transaction.atomic():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        before = sorted(locked.roles.values_list("role", flat=True))
        if set(before) & {Role.SYSADMIN, Role.AUDITOR} and not by.can("admin.access"):
            raise PermissionDenied(_("只有系统管理员可以调整系统管理员或审计员的角色。"))
        StaffRole.objects.filter(staff=locked).exclude(role__in=roles).delete()
        existing = set(StaffRole.objects.filter(staff=locked).values_list("role", flat=True))
        StaffRole.objects.bulk_create([StaffRole(staff=locked, role=r) for r in sorted(roles - existing)])
        if before != sorted(roles):
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"roles": [before, sorted(roles)]})
    staff.__dict__.pop("role_set", None)
    staff.__dict__.pop("permissions", None)
    return staff


def staff_update(*, by: Staff, staff: Staff, full_name: str, title: str, is_active: bool) -> Staff:
    _check_manages(by, staff.unit)
    if staff.pk == by.pk and not is_active:
        raise ValidationError({"is_active": _("不能停用自己的账号。")})
    fields = ["full_name", "title", "is_active"]
    with transaction.atomic():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        before = {f: getattr(locked, f) for f in fields}
        locked.full_name, locked.title, locked.is_active = full_name, title, is_active
        changes = diff(before, {f: getattr(locked, f) for f in fields})
        if changes:
            locked.save(update_fields=fields)
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


def staff_unlock(*, by: Staff, staff: Staff) -> Staff:
    _check_manages(by, staff.unit)
    with transaction.atomic():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        if locked.locked_until is None and locked.failed_logins == 0:
            return locked
        changes = {"locked_until": [locked.locked_until, None]}
        locked.locked_until, locked.failed_logins = None, 0
        locked.save(update_fields=["locked_until", "failed_logins"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=changes, note="unlock")
    return locked


def staff_set_password(*, by: Staff, staff: Staff, password: str) -> None:
    if by.pk != staff.pk:
        _check_manages(by, staff.unit)
    try:
        password_validation.validate_password(password, staff)
    except ValidationError as e:
        raise ValidationError({"password": e.messages}) from e
    with transaction.atomic():
        staff.set_password(password)
        staff.save(update_fields=["password"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=staff, changes={"password": ["***", "***"]})


TOKEN_PREFIX = "gh_"


def api_token_create(*, staff: Staff, name: str = "", valid_days: int | None = None, by: Staff | None = None):
    """Create a bearer token; returns ``(token, raw)``. ``raw`` is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=valid_days) if valid_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            staff=staff, name=name, prefix=raw[:10], digest=ApiToken.digest_of(raw), expires_at=expires
        )
        audit_record(actor=by or staff, action=AuditAction.TOKEN_CREATED, obj=staff, note=f"{token.prefix}… {name}")
    return token, raw


# Every bearer-token API call starts here, so its two reads are fixed statements (see
# core.rawsql): the token with its staff member and their unit, then the member's roles.
_TOKEN_COLUMNS, _STAFF_COLUMNS, _UNIT_COLUMNS = rawsql.columns(ApiToken), rawsql.columns(Staff), rawsql.columns(Unit)
_TOKEN_WITH_STAFF = (
    f"SELECT {rawsql.select_list(_TOKEN_COLUMNS, 't')}, {rawsql.select_list(_STAFF_COLUMNS, 's')},"
    f" {rawsql.select_list(_UNIT_COLUMNS, 'u')} FROM {ApiToken._meta.db_table} t"
    f" JOIN {Staff._meta.db_table} s ON s.id = t.staff_id LEFT JOIN {Unit._meta.db_table} u ON u.id = s.unit_id"
    " WHERE t.digest = %s"
)
_ROLES = f"SELECT role FROM {StaffRole._meta.db_table} WHERE staff_id = %s"


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token ``raw`` names, with its staff member (their unit and roles loaded),
    or None. Marks the token used, at most every five minutes."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    row = rawsql.fetchone(_TOKEN_WITH_STAFF, [ApiToken.digest_of(raw)])
    if row is None:
        return None
    split = (len(_TOKEN_COLUMNS), len(_TOKEN_COLUMNS) + len(_STAFF_COLUMNS))
    token = rawsql.instance(ApiToken, _TOKEN_COLUMNS, row[: split[0]])
    staff = rawsql.instance(Staff, _STAFF_COLUMNS, row[split[0] : split[1]])
    if not token.is_usable() or not staff.is_active:
        return None
    staff.unit = rawsql.instance(Unit, _UNIT_COLUMNS, row[split[1] :]) if staff.unit_id else None
    staff.__dict__["role_set"] = frozenset(r for (r,) in rawsql.fetchall(_ROLES, [staff.pk]))  # Staff.role_set
    token.staff = staff
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        with scopes_disabled():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
