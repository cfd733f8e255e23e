"""The workers' self-service pages (会员自助服务), phone first.

Anyone with a mainland mobile number signs in by SMS code; members may also use their ID
number and a password. A worker who is not a member applies to join here; a member shows
the card's QR code, sees the benefits they can use and their history, moves their
membership, keeps their contact details current and exercises their personal-data rights.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.cards.models import USABLE
from gonghui.core import pii
from gonghui.core.audit import request_origin
from gonghui.core.scoping import scopes_disabled
from gonghui.members import services as member_services
from gonghui.members.identity import normalise_phone
from gonghui.members.models import DataRequestKind, Platform
from gonghui.portal import selectors, services
from gonghui.portal.auth import account_required, member_required, record_required


def _errors(e: ValidationError) -> dict[str, list[str]]:
    """A service error as {field: [messages]}; messages without a field go under ''."""
    if hasattr(e, "error_dict"):
        return {k: [m for err in v for m in err.messages] for k, v in e.error_dict.items()}
    return {"": e.messages}


# --- Signing in --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request):
    """Step one: the mobile number."""
    phone = normalise_phone(request.POST.get("phone", ""))[:20]
    if request.method == "POST":
        try:
            services.sms_code_send(phone=phone, ip=request_origin(request).ip)
        except ValidationError as e:
            return render(request, "portal/signin.html", {"phone": phone, "errors": e.messages}, status=400)
        return render(request, "portal/signin_code.html", {"phone": phone, "sent": True})
    return render(request, "portal/signin.html", {"phone": phone})


@never_cache
@require_POST
def signin_code(request):
    """Step two: the code. The number travels in the form, so nothing about a visitor who
    is not yet signed in is kept on the server beyond the hashed code row."""
    phone = normalise_phone(request.POST.get("phone", ""))[:20]
    try:
        phone = services.sms_code_verify(phone=phone, code=request.POST.get("code", ""))
    except ValidationError as e:
        return render(request, "portal/signin_code.html", {"phone": phone, "errors": e.messages}, status=400)
    services.portal_sign_in(request=request, account=services.account_for_phone(phone))
    return redirect("portal:home")


@never_cache
@require_http_methods(["GET", "POST"])
def signin_password(request):
    """Members who set a password may sign in with their ID number instead."""
    errors = []
    if request.method == "POST":
        try:
            account = services.password_sign_in_check(
                id_number=request.POST.get("id_number", "")[:30], password=request.POST.get("password", "")[:200]
            )
        except ValidationError as e:
            errors = e.messages
        else:
            services.portal_sign_in(request=request, account=account)
            return redirect("portal:home")
    return render(request, "portal/signin_password.html", {"errors": errors}, status=400 if errors else 200)


@require_POST
def signout(request):
    account = selectors.portal_account(request.session.get(services.SESSION_KEY))
    services.portal_sign_out(request=request, account=account)
    messages.success(request, _("您已退出。"))
    return redirect("portal:signin")


# --- Home, card, benefits, history -------------------------------------------------------


@never_cache
@require_GET
@account_required
def home(request):
    member = request.member
    context = {
        "account": request.account,
        "member": member,
        "applications": selectors.portal_applications(request.account),
    }
    if member is not None:
        card = selectors.portal_card(member)
        usable = card is not None and card.status in USABLE
        context.update(card=card, usable=usable, qr=selectors.portal_qr(card) if usable else None)
    return render(request, "portal/home.html", context)


@never_cache
@require_GET
@member_required
def qr(request):
    """A fresh token and image for the home page's card, fetched every 30 seconds."""
    card = selectors.portal_card(request.member)
    if card is None or card.status not in USABLE:
        return JsonResponse({"error": _("您当前没有可用的服务卡。")}, status=404)
    return JsonResponse(selectors.portal_qr(card))


@never_cache
@require_GET
@member_required
def benefits(request):
    return render(request, "portal/benefits.html", {"benefits": selectors.portal_benefits(request.member)})


@never_cache
@require_GET
@member_required
def mutualaid(request):
    return render(request, "portal/mutualaid.html", {"cover": selectors.portal_mutualaid(request.member)})


@never_cache
@require_GET
@member_required
def redemptions(request):
    return render(
        request,
        "portal/redemptions.html",
        {"member": request.member, "redemptions": selectors.portal_redemptions(request.member)},
    )


# --- Applications to join or transfer ----------------------------------------------------


def _application_form_context(request, post, errors):
    return {
        "post": post,
        "errors": errors,
        "platforms": Platform.choices,
        "receiving_units": selectors.receiving_units(),
        "member": request.member,
    }


def _where(post):
    """The employer (picked from the suggestions) or the chosen station."""
    employer = selectors.employer_by_name(post.get("employer_name", ""))
    unit = None if employer else selectors.receiving_unit(post.get("unit"))
    return employer, unit


@never_cache
@require_http_methods(["GET", "POST"])
@account_required
def apply_join(request):
    """入会申请: routed to the union of the employer, else the station of the workplace."""
    if request.member is not None:
        return redirect("portal:apply_transfer")
    post, errors = request.POST, {}
    if request.method == "POST":
        employer, unit = _where(post)
        try:
            with scopes_disabled():
                member_services.application_submit_join(
                    phone=pii.decrypt(request.account.phone_cipher),
                    name=post.get("name", "")[:40],
                    id_number=post.get("id_number", "")[:30],
                    employer=employer,
                    employer_name=post.get("employer_name", ""),
                    unit=unit,
                    workplace=post.get("workplace", ""),
                    is_new_form_worker=post.get("is_new_form_worker") == "on",
                    platform=post.get("platform", ""),
                    note=post.get("note", ""),
                )
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, _("申请已提交，工会审核后会在本页告知结果。"))
            return redirect("portal:home")
    return render(
        request,
        "portal/apply_join.html",
        _application_form_context(request, post, errors),
        status=400 if errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def apply_transfer(request):
    """会员关系转接申请: to the union of the new employer or workplace."""
    post, errors = request.POST, {}
    if request.method == "POST":
        employer, unit = _where(post)
        try:
            with scopes_disabled():
                member_services.application_submit_transfer(
                    member=request.member,
                    employer=employer,
                    employer_name=post.get("employer_name", ""),
                    unit=unit,
                    workplace=post.get("workplace", ""),
                    note=post.get("note", ""),
                )
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, _("转接申请已提交，转入工会审核后会在首页告知结果。"))
            return redirect("portal:home")
    return render(
        request,
        "portal/apply_transfer.html",
        _application_form_context(request, post, errors),
        status=400 if errors else 200,
    )


@require_POST
@account_required
def application_withdraw(request, pk):
    application = selectors.portal_application(request.account, pk)
    if application is None:
        raise Http404
    try:
        member_services.application_withdraw(application=application, phone_index=request.account.phone_hash)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("portal:home")


@never_cache
@require_GET
@account_required
def employers(request):
    """Suggestions for the employer field (names only)."""
    return JsonResponse({"results": selectors.employer_suggestions(request.GET.get("q", "")[:50])})


# --- 12351 appeals ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@account_required
def appeals(request):
    """My appeals (诉求): submit one online and follow those made with my number."""
    from gonghui.appeals import selectors as appeal_selectors
    from gonghui.appeals import services as appeal_services
    from gonghui.appeals.models import Channel

    post, errors = request.POST, {}
    if request.method == "POST":
        member = request.member
        try:
            appeal = appeal_services.appeal_submit(
                channel=Channel.PORTAL,
                worker_name=member.name if member else post.get("worker_name", ""),
                phone=pii.decrypt(request.account.phone_cipher),
                description=post.get("description", ""),
                employer=member.employer if member and member.employer_id and not post.get("employer_name") else None,
                employer_name=post.get("employer_name", ""),
                workplace=post.get("workplace", ""),
                workers_involved=post.get("workers_involved") or 1,
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(
                request,
                _("诉求已提交，受理编号 %(t)s。承办工会：%(u)s。") % {"t": appeal.ticket, "u": appeal.unit.name},
            )
            return redirect("portal:appeals")
    mine = appeal_selectors.appeals_for_phone(request.account.phone_hash)
    return render(
        request,
        "portal/appeals.html",
        {"post": post, "errors": errors, "appeals": mine, "member": request.member},
        status=400 if errors else 200,
    )


# --- Contact details and password --------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@account_required
def contact(request):
    """Change the mobile number: a code goes to the new number, which must be typed back."""
    phone = normalise_phone(request.POST.get("phone", ""))[:20]
    context = {"account": request.account, "phone": phone, "errors": {}, "step": "phone"}
    if request.method == "POST" and request.POST.get("step") == "code":
        try:
            services.account_change_phone(account=request.account, new_phone=phone, code=request.POST.get("code", ""))
        except ValidationError as e:
            context.update(errors=_errors(e), step="code")
        else:
            messages.success(request, _("手机号码已更新。"))
            return redirect("portal:home")
    elif request.method == "POST":
        try:
            services.sms_code_send(phone=phone, ip=request_origin(request).ip)
        except ValidationError as e:
            context["errors"] = _errors(e)
        else:
            context["step"] = "code"
    status = 400 if context["errors"] else 200
    return render(request, "portal/contact.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def password(request):
    errors = {}
    if request.method == "POST":
        try:
            services.account_set_password(
                account=request.account,
                password=request.POST.get("password", "")[:200],
                password2=request.POST.get("password2", "")[:200],
            )
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, _("登录密码已设置，今后也可以用身份证号码和密码登录。"))
            return redirect("portal:home")
    return render(
        request,
        "portal/password.html",
        {"errors": errors, "has_password": bool(request.account.password)},
        status=400 if errors else 200,
    )


# --- Personal-data rights ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@record_required
def data_requests(request):
    """个人信息权利: the member asks for a copy, a correction or deletion; sees their requests."""
    errors = []
    if request.method == "POST":
        try:
            with scopes_disabled():
                member_services.data_request_submit(
                    member=request.record, kind=request.POST.get("kind", ""), details=request.POST.get("details", "")
                )
            messages.success(request, _("已提交，所在工会将在30日内办理。"))
            return redirect("portal:data_requests")
        except ValidationError as e:
            errors = e.messages
    mine = selectors.portal_data_requests(request.record)
    return render(
        request,
        "portal/data_requests.html",
        {"requests": mine, "kinds": DataRequestKind.choices, "errors": errors},
        status=400 if errors else 200,
    )


@never_cache
@require_GET
@record_required
def my_data(request):
    """Download a copy of one's own data (JSON), audited."""
    with scopes_disabled():
        data = member_services.member_data_copy(member=request.record)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
