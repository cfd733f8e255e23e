import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.cards import selectors, services, tasks
from gonghui.cards.forms import BenefitFilterForm, BenefitForm, VenueFilterForm, VenueForm, active_value
from gonghui.cards.models import CardStatus
from gonghui.core.forms import apply_service_errors
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.members import selectors as member_selectors
from gonghui.orgs import selectors as org_selectors

ACTIONS = {
    "lost": (CardStatus.LOST, _("已挂失，该卡的二维码和卡号立即停止使用。")),
    "found": (CardStatus.ACTIVE, _("已解除挂失。")),
    "freeze": (CardStatus.FROZEN, _("已冻结。")),
    "unfreeze": (CardStatus.ACTIVE, _("已解冻。")),
    "cancel": (CardStatus.CANCELLED, _("已注销。")),
}


@require_POST
@staff_required("members.manage")
def card_issue(request, member_pk):
    member = member_selectors.member_get(member_pk)
    try:
        card = services.card_issue(by=request.user, member=member)
        messages.success(request, _("已发卡，卡号 %(n)s。") % {"n": card.masked_number})
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("members:member_detail", pk=member.pk)


@require_POST
@staff_required("members.manage")
def card_action(request, pk):
    card = selectors.card_get(pk)
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")[:200]
    try:
        if action == "replace":
            new = services.card_replace(by=request.user, card=card, reason=reason or _("补卡"))
            messages.success(request, _("已补卡，新卡号 %(n)s；旧卡立即失效。") % {"n": new.masked_number})
        elif action in ACTIONS:
            to, done = ACTIONS[action]
            services.card_change_status(by=request.user, card=card, to=to, reason=reason)
            messages.success(request, done)
        else:
            messages.error(request, _("未知操作。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("members:member_detail", pk=card.member_id)


@require_POST
@staff_required("members.manage")
def card_issue_bulk(request, unit_pk):
    unit = org_selectors.unit_get(unit_pk)
    tasks.issue_cards_for_unit(request.user.pk, unit.pk)
    messages.success(request, _("已开始为“%(u)s”及下级的在会会员批量发卡，可在本页查看进度。") % {"u": unit.name})
    return redirect("orgs:unit_detail", pk=unit.pk)


@require_GET
@staff_required("members.manage")
def card_issue_bulk_progress(request, unit_pk):
    unit = org_selectors.unit_get(unit_pk)
    return JsonResponse(cache.get(tasks.progress_key(unit.pk)) or {"state": "idle", "issued": 0})


# --- The venue's phone page --------------------------------------------------------------

VENUE_SESSION_KEY = "gonghui_venue_id"
QUOTA_LABELS = {
    "day": gettext_lazy("今日"),
    "month": gettext_lazy("本月"),
    "year": gettext_lazy("本年"),
    "capacity": gettext_lazy("总名额"),
}


def venue_terminal(request):
    """A phone-friendly page for venue staff: sign the device in once with the venue's
    terminal token, then scan (or type) and verify. Not a staff page: the venue is the user."""
    venue = selectors.venue_active(request.session.get(VENUE_SESSION_KEY))
    action = request.POST.get("action") if request.method == "POST" else None
    verdict = None
    if action == "signin":
        venue = services.venue_authenticate(request.POST.get("venue_token", "").strip())
        if venue is None:
            messages.error(request, _("场馆令牌无效。"))
        else:
            request.session.cycle_key()
            request.session[VENUE_SESSION_KEY] = venue.pk
            return redirect("venue_terminal")
    elif action == "signout":
        request.session.pop(VENUE_SESSION_KEY, None)
        return redirect("venue_terminal")
    elif request.method == "POST" and venue is not None:
        benefit_id = request.POST.get("benefit", "")
        verdict = services.card_verify_and_redeem(
            venue=venue,
            benefit_id=int(benefit_id) if benefit_id.isdigit() else 0,
            idempotency_key=request.POST.get("idempotency_key", ""),
            token=request.POST.get("token", "").strip(),
            number=request.POST.get("card_number", "").strip(),
            phone_last4=request.POST.get("phone_last4", "").strip(),
        )
    return render(
        request,
        "cards/venue_terminal.html",
        {
            "venue": venue,
            "benefits": selectors.venue_benefits(venue) if venue else [],
            "verdict": verdict,
            "quota_left": [(QUOTA_LABELS[k], n) for k, n in verdict.quota_left.items()] if verdict else [],
            "idempotency_key": secrets.token_hex(8),
        },
    )


@staff_required("members.view")
def redemption_stats(request):
    """Redemptions by members in the user's subtree, by venue and benefit, for a period."""
    today = timezone.localdate()
    start = parse_date(request.GET.get("from") or "") or today.replace(day=1)
    end = parse_date(request.GET.get("to") or "") or today
    benefit = request.GET.get("benefit", "")
    benefit_id = int(benefit) if benefit.isdigit() and len(benefit) < 10 else None
    rows = selectors.redemption_stats(start=start, end=end, benefit_id=benefit_id)
    return render(
        request, "cards/redemption_stats.html", {"rows": rows, "start": start, "end": end, "benefit_id": benefit_id}
    )


# --- The benefit catalogue: partner venues and their benefits ------------------------------


@staff_required("members.view")
def venue_list(request):
    form = VenueFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {"q": form.cleaned_data["q"], "active": active_value(form.cleaned_data["active"])}
    page = paginate(request, selectors.venue_list(**filters))
    return render(request, "cards/venue_list.html", {"page": page, "form": form})


def _render_venue(request, venue, raw_token=None):
    response = render(
        request,
        "cards/venue_detail.html",
        {"venue": venue, "benefits": selectors.benefit_list(venue=venue), "raw_token": raw_token},
    )
    if raw_token:
        response["Cache-Control"] = "no-store"  # the token is shown once: never from a cache
    return response


@staff_required("members.view")
def venue_detail(request, pk):
    return _render_venue(request, selectors.venue_get(pk))


@staff_required("cards.manage")
def venue_edit(request, pk=None):
    venue = selectors.venue_get(pk) if pk else None
    form = VenueForm(request.POST or None, instance=venue, initial=None if venue else {"unit": request.user.unit_id})
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if venue is None:
                venue = services.venue_create(by=request.user, **data)
                messages.success(request, _("已登记场馆“%(n)s”。请为其终端签发令牌。") % {"n": venue.name})
            else:
                venue = services.venue_update(by=request.user, venue=venue, **data)
                messages.success(request, _("已保存。"))
            return redirect("cards:venue_detail", pk=venue.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "cards/venue_form.html", {"form": form, "venue": venue})


@require_POST
@staff_required("cards.manage")
def venue_token(request, pk):
    """A new terminal token, shown on this response only; the previous one stops working."""
    raw = services.venue_token_create(by=request.user, venue=selectors.venue_get(pk))
    return _render_venue(request, selectors.venue_get(pk), raw_token=raw)  # read again: now with a token


@staff_required("members.view")
def benefit_list(request):
    form = BenefitFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"q": d["q"], "venue": d["venue"], "kind": d["kind"] or None, "active": active_value(d["active"])}
    page = paginate(request, selectors.benefit_list(**filters))
    return render(request, "cards/benefit_list.html", {"page": page, "form": form, "today": timezone.localdate()})


@staff_required("members.view")
def benefit_detail(request, pk):
    benefit = selectors.benefit_get(pk)
    return render(
        request,
        "cards/benefit_detail.html",
        {"benefit": benefit, "usage": selectors.benefit_usage_by_month(benefit), "today": timezone.localdate()},
    )


@staff_required("cards.manage")
def benefit_edit(request, pk=None):
    benefit = selectors.benefit_get(pk) if pk else None
    initial = None
    if benefit is None:
        today = timezone.localdate()
        initial = {"valid_from": today, "valid_to": today.replace(month=12, day=31), "venue": request.GET.get("venue")}
    form = BenefitForm(request.POST or None, instance=benefit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if benefit is None:
                benefit = services.benefit_create(by=request.user, **data)
                messages.success(request, _("已新增优惠项目“%(n)s”。") % {"n": benefit.name})
            else:
                benefit = services.benefit_update(by=request.user, benefit=benefit, **data)
                messages.success(request, _("已保存。"))
            return redirect("cards:benefit_detail", pk=benefit.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "cards/benefit_form.html", {"form": form, "benefit": benefit})


@require_POST
@staff_required("cards.manage")
def benefit_set_active(request, pk):
    benefit = selectors.benefit_get(pk)
    active = request.POST.get("active") == "1"
    try:
        services.benefit_set_active(by=request.user, benefit=benefit, active=active)
        messages.success(request, _("已启用，各场馆终端即可核销。") if active else _("已停用，各场馆终端不再受理。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("cards:benefit_detail", pk=benefit.pk)
