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
from gonghui.cards.models import CardStatus
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
    rows = selectors.redemption_stats(start=start, end=end)
    return render(request, "cards/redemption_stats.html", {"rows": rows, "start": start, "end": end})
