from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.core import selectors, services
from gonghui.core.audit import readable_changes
from gonghui.core.forms import CalendarDayForm, apply_service_errors
from gonghui.core.models import AuditAction
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.orgs import selectors as org_selectors


@require_GET
def healthz(request):
    """Liveness and database reachability, for the load balancer and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return JsonResponse({"status": "error", "database": "unreachable", "detail": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": db, "vendor": connection.vendor})


@staff_required("orgs.view")
def home(request):
    unit = request.user.unit
    context = {
        "unit": unit,
        "totals": org_selectors.subtree_totals(unit) if unit else {},
        "children": org_selectors.children_with_totals(unit) if unit else [],
    }
    if unit and request.user.can("appeals.view"):
        from gonghui.appeals.selectors import workbench_counts

        context["appeals"] = workbench_counts(request.user)
    if unit:
        from gonghui.core.workbench import todos

        context["todos"] = todos(request.user)
    return render(request, "core/home.html", context)


def _audited_types():
    """The models whose rows the audit trail records (those that place themselves in the
    tree), as filter choices — not a DISTINCT over the whole trail."""
    from django.apps import apps

    return sorted(
        (m._meta.label_lower, str(m._meta.verbose_name)) for m in apps.get_models() if hasattr(m, "audit_scope_path")
    )


@staff_required("audit.view")
def audit_log(request):
    f = request.GET
    qs = selectors.audit_entries(
        actor=f.get("actor", ""),
        action=f.get("action", ""),
        object_type=f.get("object_type", ""),
        object_id=f.get("object_id", ""),
        start=parse_date(f.get("from") or ""),
        end=parse_date(f.get("to") or ""),
    )
    page = paginate(request, qs, per_page=50)
    for entry in page.object_list:
        entry.readable = readable_changes(entry)
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "actions": AuditAction.choices, "filters": f, "object_types": _audited_types()},
    )


def _calendar_year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


@staff_required("orgs.view")
@require_http_methods(["GET", "POST"])
def calendar(request):
    """工作日历: the year's working days for everyone; city-level managers edit days."""
    may_edit = services.can_manage_calendar(request.user)
    year = _calendar_year(request)
    form = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["date"]
            try:
                if request.POST.get("action") == "clear":
                    services.calendar_day_clear(by=request.user, date=day)
                    messages.success(request, _("已将 %(d)s 恢复为默认安排。") % {"d": f"{day:%Y-%m-%d}"})
                else:
                    services.calendar_day_set(
                        by=request.user,
                        date=day,
                        is_workday=form.cleaned_data["is_workday"],
                        name=form.cleaned_data["name"],
                    )
                    messages.success(request, _("已保存 %(d)s 的安排。") % {"d": f"{day:%Y-%m-%d}"})
                return redirect(f"{reverse('core:calendar')}?year={day.year}")
            except ValidationError as e:
                apply_service_errors(form, e)
        elif form.cleaned_data.get("date"):
            year = form.cleaned_data["date"].year
    elif may_edit:
        try:
            picked = parse_date(request.GET.get("date") or "")
        except ValueError:  # well-formed but impossible, e.g. 2026-02-30
            picked = None
        existing = selectors.calendar_day_get(picked) if picked else None
        initial = {"date": picked}
        if existing is not None:
            initial.update(is_workday="1" if existing.is_workday else "0", name=existing.name)
        if picked:
            year = picked.year
        form = CalendarDayForm(initial=initial)
    return render(
        request,
        "core/calendar.html",
        {
            "cal": selectors.calendar_year(year),
            "form": form,
            "may_edit": may_edit,
        },
    )
