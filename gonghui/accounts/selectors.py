from django.db.models import Q
from django.shortcuts import get_object_or_404

from gonghui.accounts.models import Staff
from gonghui.core.scoping import scopes_disabled


def staff_list(*, q: str = ""):
    """Staff in scope, with their roles in one extra query for the whole page."""
    qs = Staff.objects.select_related("unit").prefetch_related("roles").order_by("unit__path", "username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    return qs


def staff_get(pk) -> Staff:
    return get_object_or_404(Staff.objects.select_related("unit"), pk=pk)


def staff_pending_second_factor(pk) -> Staff:
    """The account half-way through signing in: no scope exists before the sign-in ends."""
    with scopes_disabled():
        return get_object_or_404(Staff.objects.select_related("unit"), pk=pk, is_active=True)
