"""Pages for 12351 appeals: the hotline operator's intake form, the staff's lists and the
appeal page with its actions, and the worker's tracking page. Alerts, analysis and settings
are in oversight_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.appeals import selectors, services
from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.forms import AppealIntakeForm, TrackForm
from gonghui.appeals.models import AppealStatus, Channel, Difficulty, HandoffKind, Satisfaction
from gonghui.core.audit import request_origin
from gonghui.core.forms import apply_service_errors
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.members.identity import normalise_phone
from gonghui.orgs.models import Unit


@staff_required("appeals.view")
def appeal_list(request):
    view = request.GET.get("view") or "todo"
    if view not in selectors.LIST_VIEWS:
        view = "todo"
    qs = selectors.appeal_list(
        user=request.user,
        view=view,
        q=request.GET.get("q", "")[:50],
        status=request.GET.get("status", "") if request.GET.get("status") in AppealStatus.values else "",
        category=request.GET.get("category", "") if request.GET.get("category") in AppealCategory.values else "",
        channel=request.GET.get("channel", "") if request.GET.get("channel") in Channel.values else "",
    )
    return render(
        request,
        "appeals/appeal_list.html",
        {
            "page": paginate(request, qs),
            "view": view,
            "views": [
                ("todo", _("本单位待办")),
                ("overdue", _("已超期")),
                ("escalated", _("督办")),
                ("all", _("全部")),
            ],
            "statuses": AppealStatus.choices,
            "categories": AppealCategory.choices,
            "channels": Channel.choices,
        },
    )


@staff_required("appeals.intake")
def appeal_create(request):
    """The operator's intake form; on success the new appeal's page with its ticket."""
    form = AppealIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            appeal = services.appeal_submit(
                by=request.user,
                channel=d["channel"],
                worker_name=d["worker_name"],
                phone=d["phone"],
                description=d["description"],
                employer_name=d["employer_name"],
                workplace=d["workplace"],
                workers_involved=d["workers_involved"],
                amount=d["amount"],
                category=d["category"],
                difficulty=d["difficulty"],
                attachments=request.FILES.getlist("attachments"),
                unit_hint=request.user.unit if d["channel"] == Channel.WALK_IN else None,
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(
                request,
                _("已登记，受理编号 %(t)s，交由%(u)s办理。请告知职工凭编号和手机号查询进度。")
                % {"t": appeal.ticket, "u": appeal.unit.name},
            )
            return redirect("appeals:appeal_detail", pk=appeal.pk)
    return render(request, "appeals/appeal_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@staff_required("appeals.intake")
def caller(request):
    """Who is calling: the member (masked) and their recent appeals, as the operator types."""
    from gonghui.members.identity import parse_mobile
    from gonghui.members.services import phone_hash

    try:
        phone = parse_mobile(request.GET.get("phone", ""))
    except ValidationError:
        return JsonResponse({"member": None, "appeals": []})
    return JsonResponse(selectors.caller_lookup(phone_hash(phone)))


@require_GET
@staff_required("appeals.intake")
def suggest(request):
    """The classifier's and the gazetteer's suggestions for the text typed so far."""
    from gonghui.appeals.classifier import suggest_category

    text = request.GET.get("text", "")[:2000]
    if len(text.strip()) < 5:
        return JsonResponse({"category": None})
    s = suggest_category(text)
    district, station = services.suggest_place(text)
    return JsonResponse(
        {
            "category": s.category.value,
            "label": s.category.label,
            "confidence": round(s.confidence, 2),
            "keywords": list(s.keywords),
            "district": district.name if district else None,
            "station": station.name if station else None,
        }
    )


@require_GET
@staff_required("appeals.intake")
def employers(request):
    """Registered employers whose name contains the text (names only)."""
    from gonghui.portal.selectors import employer_suggestions

    return JsonResponse({"results": employer_suggestions(request.GET.get("q", "")[:50])})


@staff_required("appeals.view")
def appeal_detail(request, pk):
    appeal = selectors.appeal_get(pk)
    return render(
        request,
        "appeals/appeal_detail.html",
        {
            "appeal": appeal,
            "history": selectors.appeal_history(appeal),
            "attachments": list(appeal.attachments.all()),
            "handoffs": list(appeal.handoffs.select_related("unit")),
            "categories": AppealCategory.choices,
            "difficulties": Difficulty.choices,
            "satisfactions": Satisfaction.choices,
            "handoff_kinds": HandoffKind.choices,
            "targets": selectors.reassign_targets(request.user, appeal) if appeal.is_open else [],
            "can_handle": request.user.can("appeals.handle"),
        },
    )


ACTIONS = {
    "accept": lambda by, a, p: services.appeal_accept(by=by, appeal=a, note=p.get("note", "")),
    "start": lambda by, a, p: services.appeal_start(by=by, appeal=a, note=p.get("note", "")),
    "wait": lambda by, a, p: services.appeal_wait(by=by, appeal=a, note=p.get("note", "")),
    "resume": lambda by, a, p: services.appeal_resume(by=by, appeal=a, note=p.get("note", "")),
    "reply": lambda by, a, p: services.appeal_reply(by=by, appeal=a, reply=p.get("reply", "")),
    "close": lambda by, a, p: services.appeal_close(
        by=by, appeal=a, satisfaction=p.get("satisfaction", ""), note=p.get("note", "")
    ),
    "reopen": lambda by, a, p: services.appeal_reopen(by=by, appeal=a, note=p.get("note", "")),
    "reject": lambda by, a, p: services.appeal_reject(by=by, appeal=a, note=p.get("note", "")),
    "note": lambda by, a, p: services.appeal_note(
        by=by, appeal=a, note=p.get("note", ""), public=p.get("public") == "on"
    ),
    "categorise": lambda by, a, p: services.appeal_categorise(
        by=by, appeal=a, category=p.get("category", ""), difficulty=p.get("difficulty", "")
    ),
}


@require_POST
@staff_required("appeals.handle")
def appeal_act(request, pk):
    """Every action on an appeal's page posts here with ``action``; one service each."""
    appeal = selectors.appeal_get(pk)
    action = request.POST.get("action", "")
    try:
        if action in ACTIONS:
            ACTIONS[action](request.user, appeal, request.POST)
        elif action == "reassign":
            unit = _unit_or_error(request.POST.get("unit"))
            services.appeal_reassign(by=request.user, appeal=appeal, unit=unit, note=request.POST.get("note", ""))
        elif action == "handoff":
            unit = _unit_or_error(request.POST.get("unit"))
            services.appeal_handoff(
                by=request.user,
                appeal=appeal,
                kind=request.POST.get("kind", ""),
                unit=unit,
                note=request.POST.get("note", ""),
            )
        elif action == "merge":
            into = _appeal_by_ticket(request.POST.get("ticket", ""))
            services.appeal_merge(by=request.user, appeal=appeal, into=into, note=request.POST.get("note", ""))
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(_("请选择要上传的文件。"))
            services.appeal_attach(by=request.user, appeal=appeal, upload=upload)
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已保存。"))
    return redirect("appeals:appeal_detail", pk=pk)


def _unit_or_error(pk) -> Unit:
    from gonghui.core.scoping import scopes_disabled

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ValidationError(_("请选择单位。")) from None
    # Any unit: the service decides whether the actor may send the appeal there.
    with scopes_disabled():
        unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ValidationError(_("请选择单位。"))
    return unit


def _appeal_by_ticket(ticket):
    from gonghui.appeals.models import Appeal

    found = Appeal.objects.filter(ticket=services.normalise_ticket(ticket)).first()  # scoped
    if found is None:
        raise ValidationError(_("没有找到该受理编号的诉求，或不在您的管辖范围内。"))
    return found


@staff_required("appeals.view")
def attachment_download(request, pk, attachment_pk):
    appeal = selectors.appeal_get(pk)
    attachment = selectors.appeal_attachment(appeal, attachment_pk)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


# --- The worker's tracking page (public) ----------------------------------------------------

TRACK_PER_HOUR = 30


def _track_limited(request) -> bool:
    """A few dozen look-ups an hour per address: enough for anyone, too few to guess."""
    from django.core.cache import cache

    key = "appeals:track:" + (request_origin(request).ip or "-")
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        count = 1
    return count > TRACK_PER_HOUR


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """查询诉求进度: ticket + phone → status, the handling union, the public history."""
    form = TrackForm(request.POST or None)
    appeal = history = None
    if request.method == "POST" and form.is_valid():
        if _track_limited(request):
            form.add_error(None, _("查询次数过多，请一小时后再试，或拨打12351。"))
        else:
            try:
                appeal = services.appeal_track(
                    ticket=form.cleaned_data["ticket"], phone=normalise_phone(form.cleaned_data["phone"])
                )
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                history = selectors.appeal_public_history(appeal)
    status = 400 if form.errors else 200
    return render(request, "appeals/track.html", {"form": form, "appeal": appeal, "history": history}, status=status)
