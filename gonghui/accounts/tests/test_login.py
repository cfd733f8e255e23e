from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import login, make_staff
from gonghui.accounts import services
from gonghui.accounts.models import Staff
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scope, scopes_disabled

PASSWORD = "Test#Pass2024"


def post_login(client, username, password, ip="10.0.0.1", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def actions():
    with scopes_disabled():
        return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_officer_logs_in_and_login_is_audited(client, district_officer):
    response = post_login(client, "cy_officer", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert actions()[-1] == AuditAction.LOGIN


def test_wrong_password_is_refused_in_chinese_and_audited(client, district_officer):
    response = post_login(client, "cy_officer", "nope")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert actions()[-1] == AuditAction.LOGIN_FAILED


def test_five_failures_lock_the_account_whatever_the_address(client, district_officer):
    for i in range(5):
        post_login(client, "cy_officer", "wrong", ip=f"10.0.0.{i + 1}")
    response = post_login(client, "cy_officer", PASSWORD, ip="10.9.9.9")
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditAction.LOCKED in actions()
    with scopes_disabled():
        staff = Staff.objects.get(username="cy_officer")
    assert staff.locked_until > timezone.now() + timedelta(minutes=14)


def test_lock_expires_after_fifteen_minutes(client, district_officer):
    for _ in range(5):
        post_login(client, "cy_officer", "wrong")
    with scopes_disabled():
        Staff.objects.filter(pk=district_officer.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    response = post_login(client, "cy_officer", PASSWORD)
    assert response.status_code == 302


def test_unit_admin_can_unlock(client, city, district_officer):
    for _ in range(5):
        post_login(client, "cy_officer", "wrong")
    admin = make_staff(city.chaoyang, "unit_admin")
    with scope(org=city.chaoyang.path):
        services.staff_unlock(by=admin, staff=district_officer)
    assert post_login(client, "cy_officer", PASSWORD).status_code == 302


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, district_officer):
    body = post_login(client, "nobody", "x").content.decode()
    assert "用户名或密码不正确" in body


def test_expired_session_sends_back_to_login(client, district_officer):
    login(client, district_officer)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/orgs/employers/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "登录已超时" in client.get(response["Location"]).content.decode()


def test_session_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST


def test_administrator_must_pass_totp(client, city, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a failure; not under test here
    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin")
    response = post_login(client, "cy_admin", PASSWORD)
    assert response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session
    # first time: the page enrols an authenticator and shows its QR code
    page = client.get("/accounts/login/verify/").content.decode()
    assert "data:image/svg+xml;charset=utf-8," in page
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed
    assert client.post("/accounts/login/verify/", {"token": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post("/accounts/login/verify/", {"token": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/accounts/staff/").status_code == 200


def test_wrong_codes_lock_the_account(client, city):
    make_staff(city.chaoyang, "unit_admin", username="cy_admin")
    post_login(client, "cy_admin", PASSWORD)
    for _ in range(4):
        assert client.post("/accounts/login/verify/", {"token": "000000"}).status_code == 200
    response = client.post("/accounts/login/verify/", {"token": "000000"})
    assert response["Location"] == "/accounts/login/"
    assert AuditAction.LOCKED in actions()
    assert "已被锁定" in post_login(client, "cy_admin", PASSWORD).content.decode()


def test_admin_session_without_second_factor_is_ended(client, city):
    admin = make_staff(city.chaoyang, "unit_admin")
    client.force_login(admin, backend="gonghui.accounts.backends.StaffBackend")  # no OTP in session
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "password",
    ["short1A", "alllowercaseletters", "12345678", "password1", "Password"],
)
def test_weak_passwords_are_refused(city, password):
    admin = make_staff(city.chaoyang, "unit_admin")
    with scope(org=city.chaoyang.path), pytest.raises(ValidationError) as exc:
        services.staff_create(
            by=admin, unit=city.chaoyang, username="new_user", full_name="新人", password=password, roles=["officer"]
        )
    assert "password" in exc.value.message_dict


def test_strong_password_is_accepted(city):
    admin = make_staff(city.chaoyang, "unit_admin")
    with scope(org=city.chaoyang.path):
        staff = services.staff_create(
            by=admin,
            unit=city.chaoyang_station,
            username="sw1",
            full_name="社工",
            password="Gh-2024-sw!",
            roles=["social_worker"],
        )
    assert staff.check_password("Gh-2024-sw!") and staff.role_set == {"social_worker"}


def test_sysadmin_and_auditor_are_never_the_same_person(city):
    root_sysadmin = make_staff(city.root, "sysadmin")
    with scope(org=city.root.path), pytest.raises(ValidationError) as exc:
        services.staff_create(
            by=root_sysadmin,
            unit=city.root,
            username="both",
            full_name="兼任",
            password="Gh-2024-both!",
            roles=["sysadmin", "auditor"],
        )
    assert "不能由同一人兼任" in exc.value.message_dict["roles"][0]
    auditor = make_staff(city.root, "auditor")
    with scope(org=city.root.path), pytest.raises(ValidationError):
        services.staff_set_roles(by=root_sysadmin, staff=auditor, roles=["auditor", "sysadmin"])


def test_unit_admin_cannot_grant_auditor_or_sysadmin(city):
    from django.core.exceptions import PermissionDenied

    admin = make_staff(city.chaoyang, "unit_admin")
    officer = make_staff(city.chaoyang, "officer")
    with scope(org=city.chaoyang.path), pytest.raises(PermissionDenied):
        services.staff_set_roles(by=admin, staff=officer, roles=["sysadmin"])


def test_unit_admin_cannot_manage_staff_of_another_district(city, outsider):
    from django.core.exceptions import PermissionDenied

    admin = make_staff(city.chaoyang, "unit_admin")
    with scope(org=city.chaoyang.path), pytest.raises(PermissionDenied):
        services.staff_unlock(by=admin, staff=outsider)


def test_logout_is_audited(client, district_officer):
    login(client, district_officer)
    client.post("/accounts/logout/")
    assert actions()[-1] == AuditAction.LOGOUT
