from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from gonghui.core.audit import readable_changes
from gonghui.core.models import AuditAction
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.core.selectors import audit_entries
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
    qs = audit_entries(
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
