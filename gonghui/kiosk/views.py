"""Pages of the kiosk (枫桥智能舱) and the staff pages that run it.

The kiosk device pages are public routes guarded by the device's own sign-in (like the
venue terminal): a technician enters the kiosk's token once, the device then holds a
signed cookie naming the kiosk and its current token, so issuing a new token signs every
old device out. What a worker enters or is shown is never kept on the server: each result
is rendered on the response to the worker's own submission (no session, no redirect
carrying it), the responses are not cached, and the page's script returns to the start
screen after a minute without a touch.
"""

from decimal import Decimal, InvalidOperation
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_service_errors
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.kiosk import selectors, services
from gonghui.kiosk.forms import (
    KioskForm,
    MediationCloseForm,
    MediationFilterForm,
    MediationScheduleForm,
    SlotFilterForm,
    SlotForm,
)
from gonghui.kiosk.models import BookingChannel, BookingStatus, MediationStatus, SlotKind

DEVICE_COOKIE = "gonghui_kiosk"
DEVICE_SALT = "gonghui.kiosk.device"
DEVICE_MAX_AGE = 400 * 24 * 3600  # a kiosk stays signed in until its token is replaced

# What a worker can tick on the screen instead of typing (no keyboard on a kiosk). The
# appeal's text is made from these labels only.
ISSUES = [
    ("wages", gettext_lazy("拖欠工资")),
    ("overtime", gettext_lazy("加班费未支付")),
    ("contract", gettext_lazy("未签订劳动合同")),
    ("dismissal", gettext_lazy("解除劳动合同未给补偿")),
    ("insurance", gettext_lazy("未缴纳社会保险")),
    ("injury", gettext_lazy("工伤待遇")),
    ("safety", gettext_lazy("劳动安全隐患")),
    ("other", gettext_lazy("其他劳动权益问题")),
]
ISSUE_LABELS = dict(ISSUES)

# The on-screen name input: a surname and a form of address (“张先生”), which is also what
# the 12351 hotline asks for. The 100 most common surnames cover most callers.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
ADDRESS_FORMS = (gettext_lazy("先生"), gettext_lazy("女士"))


# --- The kiosk device ---------------------------------------------------------------------


def _device_value(kiosk) -> str:
    return f"{kiosk.pk}:{(kiosk.token_digest or '')[:16]}"


def _device_signed_in(request, kiosk) -> bool:
    if not kiosk.token_digest:
        return False
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    return value == _device_value(kiosk)


def kiosk_device(view):
    """The kiosk named in the URL, for a device signed in as that kiosk; otherwise back to
    the kiosk's start page, which asks for the token."""

    @never_cache
    @wraps(view)
    def wrapped(request, code, *args, **kwargs):
        kiosk = selectors.kiosk_by_code(code)
        if not _device_signed_in(request, kiosk):
            return redirect("kiosk:home", code=kiosk.code)
        return view(request, kiosk, *args, **kwargs)

    return wrapped


def _screen(request, kiosk, template, context=None, status=200):
    base = {
        "kiosk": kiosk,
        "idle_seconds": settings.KIOSK_IDLE_SECONDS,
        "surnames": SURNAMES,
        "address_forms": ADDRESS_FORMS,
        "issues": ISSUES,
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def _errors(error: ValidationError, fields) -> dict:
    """``{"errors": per field, "top_errors": the rest}`` for a kiosk form's context."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {
        "errors": {k: v for k, v in by_field.items() if k in fields},
        "top_errors": [m for k, v in by_field.items() if k not in fields for m in v],
    }


@never_cache
def home(request, code):
    """The start screen; on a device not yet signed in, the token form."""
    kiosk = selectors.kiosk_by_code(code)
    if request.method == "POST" and request.POST.get("action") == "signin":
        found = services.kiosk_authenticate(request.POST.get("kiosk_token", "").strip())
        if found is None or found.pk != kiosk.pk:
            return _screen(request, kiosk, "kiosk/signin.html", {"error": _("设备令牌无效。")}, status=400)
        response = redirect("kiosk:home", code=kiosk.code)
        response.set_signed_cookie(
            DEVICE_COOKIE,
            _device_value(found),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            path="/kiosk/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
    if not _device_signed_in(request, kiosk):
        return _screen(request, kiosk, "kiosk/signin.html")
    return _screen(request, kiosk, "kiosk/home.html")


def _kind(value: str) -> str | None:
    return value if value in SlotKind.values else None


@kiosk_device
def book(request, kiosk):
    """预约咨询: choose a slot of the kiosk's district, then enter name and phone."""
    data = request.POST if request.method == "POST" else request.GET
    kind = _kind(data.get("kind", ""))
    if kind is None:
        return redirect("kiosk:home", code=kiosk.code)
    kind_label = SlotKind(kind).label
    slot_id = data.get("slot", "")
    if not slot_id:
        return _screen(
            request,
            kiosk,
            "kiosk/slots.html",
            {"kind": kind, "kind_label": kind_label, "slots": selectors.kiosk_slots(kiosk, kind)},
        )
    slot = selectors.kiosk_slot(kiosk, slot_id)
    if slot is None or slot.kind != kind:
        return _screen(
            request,
            kiosk,
            "kiosk/slots.html",
            {
                "kind": kind,
                "kind_label": kind_label,
                "slots": selectors.kiosk_slots(kiosk, kind),
                "error": _("该时段已不可预约，请重新选择。"),
            },
        )
    context = {"kind": kind, "kind_label": kind_label, "slot": slot, "values": {}, "errors": {}}
    if request.method == "POST":
        values = {"name": request.POST.get("name", ""), "phone": request.POST.get("phone", "")}
        try:
            booking = services.slot_book(
                slot=slot, name=values["name"], phone=values["phone"], channel=BookingChannel.KIOSK
            )
        except ValidationError as e:
            context.update(values=values, **_errors(e, ("name", "phone")))
            return _screen(request, kiosk, "kiosk/book.html", context, status=400)
        return _screen(request, kiosk, "kiosk/booked.html", {"booking": booking, "slot": booking.slot})
    return _screen(request, kiosk, "kiosk/book.html", context)


def _chosen_issues(post) -> list[str]:
    return [str(ISSUE_LABELS[key]) for key in post.getlist("issues") if key in ISSUE_LABELS]


@kiosk_device
def mediation(request, kiosk):
    """申请远程调解: both sides receive the video link by SMS."""
    context = {"values": {}, "errors": {}, "chosen": []}
    if request.method == "POST":
        post = request.POST
        values = {k: post.get(k, "") for k in ("applicant_name", "applicant_phone", "other_name", "other_phone")}
        chosen = _chosen_issues(post)
        description = _("通过智能舱申请远程调解，事项：%(issues)s。") % {"issues": "、".join(chosen)} if chosen else ""
        try:
            submitted = services.remote_mediation_request(
                unit=kiosk.unit, description=description, kiosk=kiosk, **values
            )
        except ValidationError as e:
            shown = _errors(e, ("applicant_name", "applicant_phone", "other_name", "other_phone", "description"))
            if shown["errors"].pop("description", None):
                shown["errors"]["issues"] = [_("请至少选择一项需要调解的事项。")]
            context.update(values=values, chosen=post.getlist("issues"), **shown)
            return _screen(request, kiosk, "kiosk/mediation.html", context, status=400)
        return _screen(request, kiosk, "kiosk/mediation_done.html", {"mediation": submitted})
    return _screen(request, kiosk, "kiosk/mediation.html", context)


# The appeals app's service API, used through these two adapters only.


def appeal_submit_from_kiosk(*, kiosk, name: str, phone: str, issues: list[str], workers_involved, amount):
    from gonghui.appeals.services import appeal_submit

    description = _("职工通过智能舱反映：%(issues)s。") % {"issues": "、".join(issues)} if issues else ""
    return appeal_submit(
        channel="kiosk",
        worker_name=name,
        phone=phone,
        description=description,
        workers_involved=workers_involved or 1,
        amount=amount or None,
        unit_hint=kiosk.unit,
    )


def appeal_track_from_kiosk(*, ticket: str, phone: str):
    """The appeal and its public steps."""
    from gonghui.appeals.selectors import appeal_public_history
    from gonghui.appeals.services import appeal_track

    appeal = appeal_track(ticket=ticket, phone=phone)
    return appeal, appeal_public_history(appeal)


def _amount(value: str):
    """The keypad gives digits and at most one point; anything else is the service's to refuse."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


@kiosk_device
def appeal(request, kiosk):
    """提交诉求 (12351): the kiosk's station is the routing hint."""
    context = {"values": {}, "errors": {}, "chosen": []}
    if request.method == "POST":
        post = request.POST
        values = {k: post.get(k, "") for k in ("name", "phone", "workers_involved", "amount")}
        try:
            submitted = appeal_submit_from_kiosk(
                kiosk=kiosk,
                name=values["name"],
                phone=values["phone"],
                issues=_chosen_issues(post),
                workers_involved=values["workers_involved"].strip(),
                amount=_amount(values["amount"]),
            )
        except ValidationError as e:
            shown = _errors(e, ("worker_name", "phone", "description", "workers_involved", "amount"))
            errors = shown["errors"]
            if "worker_name" in errors:
                errors["name"] = errors.pop("worker_name")
            if errors.pop("description", None):
                errors["issues"] = [_("请至少选择一项要反映的问题。")]
            context.update(values=values, chosen=post.getlist("issues"), **shown)
            return _screen(request, kiosk, "kiosk/appeal.html", context, status=400)
        return _screen(request, kiosk, "kiosk/appeal_done.html", {"appeal": submitted})
    return _screen(request, kiosk, "kiosk/appeal.html", context)


@kiosk_device
def track(request, kiosk):
    """查询诉求进度 with the ticket number and the phone it was registered with."""
    context = {"values": {}, "errors": {}}
    if request.method == "POST":
        values = {"ticket": request.POST.get("ticket", ""), "phone": request.POST.get("phone", "")}
        try:
            found, history = appeal_track_from_kiosk(ticket=values["ticket"], phone=values["phone"])
        except ValidationError as e:
            context.update(values=values, **_errors(e, ("ticket", "phone")))
            return _screen(request, kiosk, "kiosk/track.html", context, status=400)
        return _screen(request, kiosk, "kiosk/track_result.html", {"appeal": found, "history": history})
    return _screen(request, kiosk, "kiosk/track.html", context)


# --- Staff: consultation slots --------------------------------------------------------------


@staff_required("orgs.view")
def slot_list(request):
    form = SlotFilterForm(request.GET or None)
    kind, past = "", False
    if form.is_valid():
        kind, past = form.cleaned_data["kind"], form.cleaned_data["past"]
    page = paginate(request, selectors.slot_list(kind=kind, past=past))
    return render(request, "kiosk/slot_list.html", {"page": page, "form": form, "past": past})


@staff_required("kiosk.manage")
def slot_create(request):
    form = SlotForm(request.POST or None, initial={"unit": request.user.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            slot = services.slot_publish(by=request.user, **form.cleaned_data)
            messages.success(request, _("已发布%(slot)s。") % {"slot": slot})
            return redirect("kiosk:slot_detail", pk=slot.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "kiosk/slot_form.html", {"form": form})


@staff_required("orgs.view")
def slot_detail(request, pk):
    slot = selectors.slot_get(pk)
    return render(
        request,
        "kiosk/slot_detail.html",
        {"slot": slot, "bookings": selectors.slot_bookings(slot), "BookingStatus": BookingStatus},
    )


@require_POST
@staff_required("kiosk.manage")
def slot_cancel(request, pk):
    slot = selectors.slot_get(pk)
    try:
        services.slot_cancel(by=request.user, slot=slot, reason=request.POST.get("reason", ""))
        messages.success(request, _("已取消该时段，已预约的职工将收到短信通知。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("kiosk:slot_detail", pk=slot.pk)


BOOKING_ACTIONS = {
    "cancel": gettext_lazy("已取消该预约，名额已释放。"),
    BookingStatus.ATTENDED: gettext_lazy("已登记到场。"),
    BookingStatus.NO_SHOW: gettext_lazy("已登记未到场。"),
}


@require_POST
@staff_required("kiosk.manage")
def booking_action(request, pk, booking_pk):
    slot = selectors.slot_get(pk)
    booking = get_object_or_404(slot.bookings.all(), pk=booking_pk)
    action = request.POST.get("action", "")
    try:
        if action == "cancel":
            services.booking_cancel(by=request.user, booking=booking, reason=request.POST.get("reason", ""))
        elif action in BOOKING_ACTIONS:
            services.booking_mark(by=request.user, booking=booking, status=action)
        else:
            raise ValidationError(_("未知操作。"))
        messages.success(request, BOOKING_ACTIONS[action])
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("kiosk:slot_detail", pk=slot.pk)


# --- Staff: remote mediation ----------------------------------------------------------------


@staff_required("orgs.view")
def mediation_list(request):
    form = MediationFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = paginate(request, selectors.mediation_list(status=status))
    return render(
        request, "kiosk/mediation_list.html", {"page": page, "form": form, "counts": selectors.mediation_counts()}
    )


def _render_mediation(request, item, schedule_form=None, close_form=None, status=200):
    open_ = item.status in (MediationStatus.REQUESTED, MediationStatus.SCHEDULED)
    return render(
        request,
        "kiosk/mediation_detail.html",
        {
            "item": item,
            "can_act": open_ and request.user.can("kiosk.manage"),
            "schedule_form": schedule_form or MediationScheduleForm(initial={"scheduled_at": item.scheduled_at}),
            "close_form": close_form or MediationCloseForm(),
        },
        status=status,
    )


@staff_required("orgs.view")
def mediation_detail(request, pk):
    return _render_mediation(request, selectors.mediation_get(pk))


@require_POST
@staff_required("kiosk.manage")
def mediation_schedule(request, pk):
    item = selectors.mediation_get(pk)
    form = MediationScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.mediation_schedule(by=request.user, mediation=item, **form.cleaned_data)
            messages.success(request, _("已安排调解时间，双方将收到短信通知。"))
            return redirect("kiosk:mediation_detail", pk=item.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return _render_mediation(request, item, schedule_form=form, status=400)


@require_POST
@staff_required("kiosk.manage")
def mediation_close(request, pk):
    item = selectors.mediation_get(pk)
    form = MediationCloseForm(request.POST)
    if form.is_valid():
        try:
            services.mediation_close(by=request.user, mediation=item, **form.cleaned_data)
            messages.success(request, _("已办结。"))
            return redirect("kiosk:mediation_detail", pk=item.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return _render_mediation(request, item, close_form=form, status=400)


# --- Staff: kiosk devices -------------------------------------------------------------------


@staff_required("orgs.view")
def kiosk_list(request):
    return render(request, "kiosk/kiosk_list.html", {"page": paginate(request, selectors.kiosk_list())})


@staff_required("kiosk.manage")
def kiosk_create(request):
    form = KioskForm(request.POST or None, initial={"unit": request.user.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            kiosk = services.kiosk_create(by=request.user, **form.cleaned_data)
            messages.success(request, _("已登记智能舱“%(n)s”。请为设备签发令牌。") % {"n": kiosk.name})
            return redirect("kiosk:kiosk_detail", pk=kiosk.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "kiosk/kiosk_form.html", {"form": form})


def _render_kiosk(request, kiosk, raw_token=None):
    response = render(request, "kiosk/kiosk_detail.html", {"kiosk": kiosk, "raw_token": raw_token})
    if raw_token:
        response["Cache-Control"] = "no-store"  # the token is shown once: never from a cache
    return response


@staff_required("orgs.view")
def kiosk_detail(request, pk):
    return _render_kiosk(request, selectors.kiosk_get(pk))


@require_POST
@staff_required("kiosk.manage")
def kiosk_token(request, pk):
    """A new device token, shown on this response only; devices signed in with the
    previous one are signed out."""
    raw = services.kiosk_token_create(by=request.user, kiosk=selectors.kiosk_get(pk))
    return _render_kiosk(request, selectors.kiosk_get(pk), raw_token=raw)


@require_POST
@staff_required("kiosk.manage")
def kiosk_set_active(request, pk):
    kiosk = selectors.kiosk_get(pk)
    active = request.POST.get("is_active") == "1"
    services.kiosk_set_active(by=request.user, kiosk=kiosk, is_active=active)
    messages.success(request, _("已启用。") if active else _("已停用，设备页面不再可用。"))
    return redirect("kiosk:kiosk_detail", pk=kiosk.pk)
