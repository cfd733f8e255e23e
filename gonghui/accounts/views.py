import base64

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, password_validation, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gonghui.accounts import selectors, services
from gonghui.accounts.forms import LoginForm, OtpForm, PasswordChangeForm, StaffCreateForm, StaffRolesForm
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required

PENDING = "gonghui_pending_2fa"


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _session_ended(request) -> bool:
    """The browser still sends a session cookie, but the session behind it is gone: it
    timed out (or was ended), as opposed to a first visit."""
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME in request.COOKIES and not request.session.get("_auth_user_id")


@never_cache
@csrf_protect
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "GET" and request.GET.get("next") and _session_ended(request):
        messages.info(request, _("登录已超时（30分钟无操作），请重新登录。"))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.login_check_password(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except services.LoginRefused as refused:
            form.add_error(None, refused.message)
        else:
            if result.needs_two_factor:
                request.session.cycle_key()
                request.session[PENDING] = result.staff.pk
                request.session["gonghui_next"] = _next_url(request)
                return redirect("accounts:otp")
            login(request, result.staff, backend="gonghui.accounts.backends.StaffBackend")
            services.login_succeeded(staff=result.staff)
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@never_cache
@csrf_protect
def otp_view(request):
    """Second step for administrator roles: a TOTP code, enrolling an authenticator first
    if the account has none yet."""
    staff_id = request.session.get(PENDING)
    if not staff_id:
        return redirect("accounts:login")
    staff = selectors.staff_pending_second_factor(staff_id)
    device = services.otp_device_for(staff, confirmed=True)
    enrolling = device is None
    if enrolling:
        device = services.otp_device_start(staff=staff)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        ok = (
            services.otp_device_confirm(staff=staff, device=device, token=token)
            if enrolling
            else device.verify_token(token)
        )
        if ok:
            target = request.session.pop("gonghui_next", "/")
            request.session.pop(PENDING, None)
            login(request, staff, backend="gonghui.accounts.backends.StaffBackend")
            otp_login(request, device)
            services.login_succeeded(staff=staff, method="password+totp")
            return redirect(target)
        try:
            services.login_second_factor_failed(staff=staff)
            form.add_error("token", _("验证码不正确或已过期。"))
        except services.LoginRefused as refused:
            request.session.pop(PENDING, None)
            messages.error(request, refused.message)
            return redirect("accounts:login")
    context = {"form": form, "enrolling": enrolling, "staff": staff}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
    return render(request, "accounts/otp.html", context)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.logout_recorded(staff=request.user)
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


@staff_required("orgs.view")
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", _("原密码不正确。"))
        else:
            try:
                services.staff_set_password(
                    by=request.user, staff=request.user, password=form.cleaned_data["new_password"]
                )
                update_session_auth_hash(request, request.user)
                messages.success(request, _("密码已修改。"))
                return redirect("core:home")
            except ValidationError as e:
                for msg in e.message_dict.get("password", e.messages):
                    form.add_error("new_password", msg)
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "password_rules": password_validation.password_validators_help_texts()},
    )


@staff_required("accounts.manage_staff")
def staff_list(request):
    q = request.GET.get("q", "").strip()
    return render(request, "accounts/staff_list.html", {"page": paginate(request, selectors.staff_list(q=q)), "q": q})


@staff_required("accounts.manage_staff")
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff = services.staff_create(
                by=request.user,
                unit=d["unit"],
                username=d["username"],
                full_name=d["full_name"],
                title=d["title"],
                password=d["password"],
                roles=d["roles"],
            )
            messages.success(request, _("已创建账号“%(u)s”。") % {"u": staff.username})
            return redirect("accounts:staff_detail", pk=staff.pk)
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
    return render(request, "accounts/staff_form.html", {"form": form})


@staff_required("accounts.manage_staff")
def staff_detail(request, pk):
    staff = selectors.staff_get(pk)
    form = StaffRolesForm(request.POST or None, initial={"roles": sorted(staff.role_set)})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "unlock":
                services.staff_unlock(by=request.user, staff=staff)
                messages.success(request, _("账号已解锁。"))
                return redirect("accounts:staff_detail", pk=staff.pk)
            if action in ("deactivate", "activate"):
                services.staff_update(
                    by=request.user,
                    staff=staff,
                    full_name=staff.full_name,
                    title=staff.title,
                    is_active=action == "activate",
                )
                messages.success(request, _("已保存。"))
                return redirect("accounts:staff_detail", pk=staff.pk)
            if action == "roles" and form.is_valid():
                services.staff_set_roles(by=request.user, staff=staff, roles=form.cleaned_data["roles"])
                messages.success(request, _("角色已更新。"))
                return redirect("accounts:staff_detail", pk=staff.pk)
        except ValidationError as e:
            form.add_error(None, e.messages)
    return render(request, "accounts/staff_detail.html", {"staff": staff, "form": form})
