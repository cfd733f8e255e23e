"""Who the portal's visitor is: a worker signed in by SMS code (or, once a member, by ID
number and password), kept in the session under its own key. Workers are not Django
users; ``request.user`` stays whatever the staff middleware made it (normally anonymous)
and plays no part here."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from gonghui.portal.selectors import active_member, portal_account
from gonghui.portal.services import SESSION_KEY, SIGNED_IN_AT_KEY, account_link_member, portal_session_expired


def account_required(view):
    """Load ``request.account``, ``request.member`` (the active member behind it, or None
    for a worker who is not a member) and ``request.record`` (their member record, also
    when they have left, for their personal-data rights) or send the visitor to sign in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        account = portal_account(request.session.get(SESSION_KEY))
        if account is not None and portal_session_expired(request.session):
            messages.info(request, _("登录已超过12小时，请重新登录。"))
            account = None
        if account is None:
            request.session.pop(SESSION_KEY, None)
            request.session.pop(SIGNED_IN_AT_KEY, None)
            return redirect("portal:signin")
        if active_member(account) is None:
            # Approved since the last request, or left meanwhile: look again.
            account = account_link_member(account)
        request.account, request.member = account, active_member(account)
        record = account.member
        request.record = record if record is not None and record.erased_at is None else None
        return view(request, *args, **kwargs)

    return wrapped


def record_required(view):
    """For the personal-data pages: anyone with a member record, current or former."""

    @account_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.record is None:
            return redirect("portal:home")
        return view(request, *args, **kwargs)

    return wrapped


def member_required(view):
    """As :func:`account_required`, for pages only members have (card, benefits, history);
    a signed-in worker who is not a member is sent to the portal's home page."""

    @account_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.member is None:
            return redirect("portal:home")
        return view(request, *args, **kwargs)

    return wrapped
