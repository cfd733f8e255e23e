"""Who the portal's visitor is: a member signed in by SMS code, kept in the session under
its own key. Members are not Django users; ``request.user`` stays whatever the staff
middleware made it (normally anonymous) and plays no part here."""

from functools import wraps

from django.shortcuts import redirect

from gonghui.portal.selectors import portal_member
from gonghui.portal.services import SESSION_KEY


def member_required(view):
    """Load ``request.member`` from the session (active members only) or send the visitor
    to the portal's sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        member = portal_member(request.session.get(SESSION_KEY))
        if member is None:
            request.session.pop(SESSION_KEY, None)
            return redirect("portal:signin")
        request.member = member
        return view(request, *args, **kwargs)

    return wrapped
