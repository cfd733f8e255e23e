"""The members' self-service pages (会员自助服务), phone first."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.cards.models import USABLE
from gonghui.core.audit import request_origin
from gonghui.members.identity import normalise_phone
from gonghui.portal import selectors, services
from gonghui.portal.auth import member_required


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request):
    """Step one: the mobile number. The answer never says whether it is a member's."""
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
        member = services.sms_code_verify(phone=phone, code=request.POST.get("code", ""))
    except ValidationError as e:
        return render(request, "portal/signin_code.html", {"phone": phone, "errors": e.messages}, status=400)
    services.portal_sign_in(request=request, member=member)
    return redirect("portal:home")


@require_POST
def signout(request):
    member = selectors.portal_member(request.session.get(services.SESSION_KEY))
    services.portal_sign_out(request=request, member=member)
    messages.success(request, _("您已退出。"))
    return redirect("portal:signin")


@never_cache
@require_GET
@member_required
def home(request):
    member = request.member
    card = selectors.portal_card(member)
    usable = card is not None and card.status in USABLE
    context = {
        "member": member,
        "card": card,
        "usable": usable,
        "qr": selectors.portal_qr(card) if usable else None,
    }
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
def redemptions(request):
    return render(
        request,
        "portal/redemptions.html",
        {"member": request.member, "redemptions": selectors.portal_redemptions(request.member)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def data_requests(request):
    """个人信息权利: the member asks for a copy, a correction or deletion; sees their requests."""
    from gonghui.core.scoping import scopes_disabled
    from gonghui.members.models import DataRequestKind
    from gonghui.members.services import data_request_submit

    errors = []
    if request.method == "POST":
        try:
            with scopes_disabled():
                data_request_submit(
                    member=request.member, kind=request.POST.get("kind", ""), details=request.POST.get("details", "")
                )
            messages.success(request, _("已提交，所在工会将在30日内办理。"))
            return redirect("portal:data_requests")
        except ValidationError as e:
            errors = e.messages
    mine = selectors.portal_data_requests(request.member)
    return render(
        request,
        "portal/data_requests.html",
        {"requests": mine, "kinds": DataRequestKind.choices, "errors": errors},
        status=400 if errors else 200,
    )


@never_cache
@require_GET
@member_required
def my_data(request):
    """Download a copy of one's own data (JSON), audited."""
    import json

    from django.http import HttpResponse

    from gonghui.core.scoping import scopes_disabled
    from gonghui.members.services import member_data_copy

    with scopes_disabled():
        data = member_data_copy(member=request.member)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
