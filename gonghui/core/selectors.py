import datetime as dt

from gonghui.core.models import AuditEntry


def audit_entries(*, actor="", action="", object_type="", object_id="", start: dt.date | None = None, end=None):
    """Audit entries in scope (a district auditor sees the district's events), newest first."""
    qs = AuditEntry.objects.all().order_by("-seq")
    if actor.strip():
        qs = qs.filter(actor_name__icontains=actor.strip())
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id.strip():
        qs = qs.filter(object_id=object_id.strip())
    if start is not None:
        qs = qs.filter(at__date__gte=start)
    if end is not None:
        qs = qs.filter(at__date__lte=end)
    return qs
