"""Oversight pages for 12351 appeals: early-warning alerts (早发现、早报告), the appeal
analysis of a subtree (诉求分析) with server-drawn SVG charts, and the city's settings
(routing rules, deadline policies, alert thresholds).

Reads need ``appeals.view``; handling an alert needs ``appeals.handle``; the settings are
shown to everyone who may view appeals and changed only by city staff
(``configuration.may_configure``)."""

import math

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.appeals import alerts, analytics, configuration
from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.models import AlertKind, AlertRule, AlertStatus, DeadlinePolicy, Difficulty, RoutingRule
from gonghui.core.forms import apply_service_errors
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.orgs.models import Unit, UnitKind

# --- Alerts -------------------------------------------------------------------------------


@staff_required("appeals.view")
def alert_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    status = status if status in AlertStatus.values else ""
    kind = kind if kind in AlertKind.values else ""
    page = paginate(request, analytics.alert_list(status=status, kind=kind))
    now = timezone.now()
    for alert in page:
        alert.workdays_open = analytics.alert_workdays_open(alert, now)
    return render(
        request,
        "appeals/oversight/alert_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": AlertStatus.choices,
            "kinds": AlertKind.choices,
        },
    )


@staff_required("appeals.view")
def alert_detail(request, pk):
    alert = analytics.alert_get(pk)
    return render(
        request,
        "appeals/oversight/alert_detail.html",
        {
            "alert": alert,
            "appeals": analytics.alert_appeals(alert),
            "history": analytics.alert_history(alert),
            "workdays_open": analytics.alert_workdays_open(alert),
            "can_handle": request.user.can("appeals.handle"),
        },
    )


ALERT_ACTIONS = {
    "acknowledge": (lambda by, alert, note: alerts.alert_acknowledge(by=by, alert=alert), gettext_lazy("已签收。")),
    "handle": (
        lambda by, alert, note: alerts.alert_handle(by=by, alert=alert, note=note),
        gettext_lazy("已记录处置。"),
    ),
    "close": (lambda by, alert, note: alerts.alert_close(by=by, alert=alert, note=note), gettext_lazy("预警已关闭。")),
}


@require_POST
@staff_required("appeals.handle")
def alert_act(request, pk):
    alert = analytics.alert_get(pk)  # scoped: another district's alert is not found
    action = ALERT_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("未知的操作。"))
        return redirect("appeals:alert_detail", pk=alert.pk)
    run, done = action
    try:
        run(request.user, alert, request.POST.get("note", "")[:2000])
        messages.success(request, str(done))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("appeals:alert_detail", pk=alert.pk)


# --- Analysis -----------------------------------------------------------------------------

CHART_WIDTH = 640


def _short(text: str, limit: int = 13) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(rows, *, key: str, title: str, width: int = CHART_WIDTH) -> dict:
    """A horizontal bar chart's geometry for the SVG template: one bar per row, the label
    on the left, the number at the bar's end. ``width`` is smaller for half-width panels,
    so the text keeps about its size when the drawing is scaled to the panel."""
    label_w, value_w, bar_h, gap, pad = 190, 56, 20, 8, 4
    top = max((r.count for r in rows), default=0) or 1
    span = width - label_w - value_w
    bars = []
    for i, row in enumerate(rows):
        y = pad + i * (bar_h + gap)
        w = round(span * row.count / top, 1)
        bars.append(
            {
                "label": row.label,
                "short": _short(row.label),
                "count": row.count,
                "y": y,
                "w": w,
                "text_y": y + bar_h / 2 + 5,
                "value_x": label_w + w + 6,
            }
        )
    return {
        "key": key,
        "title": title,
        "bars": bars,
        "width": width,
        "height": pad * 2 + len(rows) * (bar_h + gap),
        "label_x": label_w - 8,
        "bar_x": label_w,
        "bar_h": bar_h,
    }


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10ⁿ)."""
    if value <= 5:
        return 5
    power = 10 ** int(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def column_chart(rows, *, key: str, title: str) -> dict:
    """A column chart's geometry for a time series: one column per period step, the axis
    labelled at zero, half and the top, at most about a dozen step labels."""
    height, left, right, top_pad, bottom = 220, 40, 8, 12, 28
    plot_w, plot_h = CHART_WIDTH - left - right, height - top_pad - bottom
    top = _nice_max(max((r.count for r in rows), default=0))
    slot = plot_w / max(len(rows), 1)
    every = max(1, math.ceil(len(rows) / 12))
    columns = []
    for i, row in enumerate(rows):
        h = round(plot_h * row.count / top, 1)
        x = left + i * slot
        columns.append(
            {
                "label": row.label,
                "count": row.count,
                "x": round(x + slot * 0.15, 1),
                "w": round(max(slot * 0.7, 1), 1),
                "y": round(top_pad + plot_h - h, 1),
                "h": h,
                "mid": round(x + slot / 2, 1),
                "show_label": i % every == 0,
            }
        )
    ticks = [{"value": v, "y": round(top_pad + plot_h - plot_h * v / top, 1)} for v in (0, top // 2, top)]
    return {
        "key": key,
        "title": title,
        "columns": columns,
        "ticks": ticks,
        "width": CHART_WIDTH,
        "height": height,
        "left": left,
        "right": CHART_WIDTH - right,
        "base_y": top_pad + plot_h,
        "label_y": height - 8,
    }


@staff_required("appeals.view")
def analysis(request):
    period = analytics.period_parse(
        preset=request.GET.get("days", "")[:4],
        start=request.GET.get("from", "")[:10],
        end=request.GET.get("to", "")[:10],
    )
    if request.user.unit is None:
        raise PermissionDenied
    result = analytics.appeal_analysis(user=request.user, period=period)
    step = {"day": _("按日"), "week": _("按周"), "month": _("按月")}[period.bucket]
    return render(
        request,
        "appeals/oversight/analysis.html",
        {
            "a": result,
            "period": period,
            "presets": analytics.PRESETS,
            "step": step,
            "charts": {
                "time": column_chart(result.by_time, key="time", title=_("诉求数量（%(step)s）") % {"step": step}),
                "category": bar_chart(result.by_category, key="category", title=_("按诉求类别"), width=440),
                "unit": bar_chart(result.by_unit, key="unit", title=_("按承办单位")),
                "employer": bar_chart(result.by_employer, key="employer", title=_("诉求较多的用人单位")),
                "channel": bar_chart(result.by_channel, key="channel", title=_("按来源渠道"), width=440),
                "words": bar_chart(result.words, key="words", title=_("热点词")),
                "satisfaction": bar_chart(result.satisfaction, key="satisfaction", title=_("回访满意度"), width=440),
            },
        },
    )


# --- Settings -----------------------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * (obj.depth - 1) + obj.name


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("规则名称"), max_length=80)
    priority = forms.IntegerField(
        label=gettext_lazy("优先级"), initial=100, help_text=gettext_lazy("数字小的先匹配（1–9999）。")
    )
    category = forms.ChoiceField(
        label=gettext_lazy("诉求类别"), choices=[("", gettext_lazy("不限"))] + AppealCategory.choices, required=False
    )
    district = UnitChoiceField(
        label=gettext_lazy("所在区"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("不限"),
        help_text=gettext_lazy("只匹配识别为该区的诉求。"),
    )
    keyword = forms.CharField(
        label=gettext_lazy("关键词"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("诉求内容包含该词时匹配。"),
    )
    target = UnitChoiceField(label=gettext_lazy("承办单位"), queryset=Unit.objects.none())
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read in the city's scope: every district, and every unit that handles appeals
        # (enterprise unions are many and take appeals through their employer instead).
        self.fields["district"].queryset = Unit.objects.filter(kind=UnitKind.DISTRICT_UNION).order_by("path")
        self.fields["target"].queryset = (
            Unit.objects.filter(is_active=True).exclude(kind=UnitKind.ENTERPRISE_UNION).order_by("path")
        )


class DeadlinePolicyForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("诉求类别"),
        choices=[("", gettext_lazy("全部类别（默认）"))] + AppealCategory.choices,
        required=False,
    )
    difficulty = forms.ChoiceField(label=gettext_lazy("难度"), choices=Difficulty.choices, initial=Difficulty.NORMAL)
    accept_days = forms.IntegerField(label=gettext_lazy("受理时限（工作日）"), min_value=0, max_value=999)
    reply_days = forms.IntegerField(label=gettext_lazy("答复时限（工作日）"), min_value=0, max_value=999)
    resolve_days = forms.IntegerField(label=gettext_lazy("办结时限（工作日）"), min_value=0, max_value=999)
    remind_days = forms.IntegerField(
        label=gettext_lazy("提前提醒（工作日）"),
        min_value=0,
        max_value=999,
        help_text=gettext_lazy("到期前多少个工作日提醒承办单位，须少于答复时限。"),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the category and difficulty are what the policy is for: fixed once made
            del self.fields["category"], self.fields["difficulty"]


class AlertRuleForm(forms.Form):
    threshold = forms.IntegerField(label=gettext_lazy("阈值"), min_value=0)
    window_days = forms.IntegerField(label=gettext_lazy("统计天数"), min_value=0)
    keywords = forms.CharField(
        label=gettext_lazy("关键词"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一个。"),
    )
    holiday_keywords = forms.CharField(
        label=gettext_lazy("节前关键词"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("节假日前的统计天数内出现即预警（如节前欠薪），每行一个。"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False)


def _editable(request, model, pk):
    """A city-wide setting opened for editing. Only the city keeps them: to anyone else the
    edit page does not exist (404, as for an object outside one's subtree)."""
    if not configuration.may_configure(request.user):
        raise Http404
    return get_object_or_404(model.objects.all(), pk=pk)


def _require_configurer(request):
    if not configuration.may_configure(request.user):
        raise PermissionDenied


@staff_required("appeals.view")
def routing_rule_list(request):
    return render(
        request,
        "appeals/oversight/routing_rules.html",
        {
            "rules": analytics.routing_rules_for(request.user),
            "may_configure": configuration.may_configure(request.user),
        },
    )


def _routing_values(d):
    return {
        "name": d["name"],
        "priority": d["priority"],
        "category": d["category"],
        "district": d["district"],
        "keyword": d["keyword"],
        "target": d["target"],
        "is_active": d["is_active"],
    }


@staff_required("appeals.view")
def routing_rule_create(request):
    may = configuration.may_configure(request.user)
    if request.method == "POST":
        _require_configurer(request)
    form = RoutingRuleForm(request.POST or None) if may else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            configuration.routing_rule_create(by=request.user, **_routing_values(form.cleaned_data))
            messages.success(request, _("分派规则已保存。"))
            return redirect("appeals:routing_rule_list")
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(
        request,
        "appeals/oversight/routing_rule_form.html",
        {"form": form, "rule": None},
        status=400 if form is not None and form.errors else 200,
    )


@staff_required("appeals.view")
def routing_rule_edit(request, pk):
    rule = _editable(request, RoutingRule, pk)
    initial = {
        "name": rule.name,
        "priority": rule.priority,
        "category": rule.category,
        "district": rule.district_id,
        "keyword": rule.keyword,
        "target": rule.target_id,
        "is_active": rule.is_active,
    }
    form = RoutingRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            configuration.routing_rule_update(by=request.user, rule=rule, **_routing_values(form.cleaned_data))
            messages.success(request, _("分派规则已保存。"))
            return redirect("appeals:routing_rule_list")
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(
        request,
        "appeals/oversight/routing_rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required("appeals.configure")
def routing_rule_deactivate(request, pk):
    rule = _editable(request, RoutingRule, pk)
    try:
        configuration.routing_rule_deactivate(by=request.user, rule=rule)
        messages.success(request, _("规则“%(name)s”已停用。") % {"name": rule.name})
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("appeals:routing_rule_list")


@staff_required("appeals.view")
def deadline_policy_list(request):
    return render(
        request,
        "appeals/oversight/deadline_policies.html",
        {"policies": analytics.deadline_policies(), "may_configure": configuration.may_configure(request.user)},
    )


def _days(d):
    return {k: d[k] for k in ("accept_days", "reply_days", "resolve_days", "remind_days")}


@staff_required("appeals.view")
def deadline_policy_create(request):
    may = configuration.may_configure(request.user)
    if request.method == "POST":
        _require_configurer(request)
    form = (
        DeadlinePolicyForm(
            request.POST or None, initial={"accept_days": 1, "reply_days": 5, "resolve_days": 15, "remind_days": 1}
        )
        if may
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            configuration.deadline_policy_create(
                by=request.user, category=d["category"], difficulty=d["difficulty"], **_days(d)
            )
            messages.success(request, _("办理时限已保存。"))
            return redirect("appeals:deadline_policy_list")
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(
        request,
        "appeals/oversight/deadline_policy_form.html",
        {"form": form, "policy": None},
        status=400 if form is not None and form.errors else 200,
    )


@staff_required("appeals.view")
def deadline_policy_edit(request, pk):
    policy = _editable(request, DeadlinePolicy, pk)
    initial = {
        "accept_days": policy.accept_days,
        "reply_days": policy.reply_days,
        "resolve_days": policy.resolve_days,
        "remind_days": policy.remind_days,
    }
    form = DeadlinePolicyForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            configuration.deadline_policy_update(by=request.user, policy=policy, **_days(form.cleaned_data))
            messages.success(request, _("办理时限已保存。"))
            return redirect("appeals:deadline_policy_list")
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(
        request,
        "appeals/oversight/deadline_policy_form.html",
        {"form": form, "policy": policy},
        status=400 if form.errors else 200,
    )


@staff_required("appeals.view")
def alert_rule_settings(request):
    """The early-warning thresholds, one form per kind (each with its own prefix)."""
    may = configuration.may_configure(request.user)
    current = {r.kind: r for r in AlertRule.objects.all()}
    status = 200
    posted = request.POST.get("kind", "") if request.method == "POST" else ""
    if request.method == "POST":
        _require_configurer(request)
        if posted not in AlertKind.values:
            raise Http404
    sections = []
    for kind, label in AlertKind.choices:
        rule = current.get(kind)
        initial = {
            "threshold": rule.threshold if rule else None,
            "window_days": rule.window_days if rule else None,
            "keywords": rule.keywords if rule else "",
            "holiday_keywords": rule.holiday_keywords if rule else "",
            "is_active": rule.is_active if rule else False,
        }
        form = AlertRuleForm(request.POST if posted == kind else None, initial=initial, prefix=kind) if may else None
        if form is not None and kind != AlertKind.KEYWORDS:  # only the words rule reads words
            del form.fields["keywords"], form.fields["holiday_keywords"]
        if form is not None and posted == kind:
            if form.is_valid():
                d = form.cleaned_data
                try:
                    configuration.alert_thresholds_update(
                        by=request.user,
                        kind=kind,
                        threshold=d["threshold"],
                        window_days=d["window_days"],
                        keywords=d.get("keywords", ""),
                        holiday_keywords=d.get("holiday_keywords", ""),
                        is_active=d["is_active"],
                    )
                    messages.success(request, _("“%(kind)s”预警规则已保存。") % {"kind": label})
                    return redirect("appeals:alert_rule_settings")
                except ValidationError as e:
                    apply_service_errors(form, e)
            status = 400
        sections.append({"kind": kind, "label": label, "rule": rule, "form": form})
    return render(
        request,
        "appeals/oversight/alert_rules.html",
        {"sections": sections, "may_configure": may},
        status=status,
    )
