from gonghui.core.audit import request_origin, reset_origin, set_origin
from gonghui.core.scoping import scopes_disabled, user_scope


class OrgScopeMiddleware:
    """Enter the user's organisation scope for the whole request (see core/scoping.py),
    and note where the request came from for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scopes_disabled():
            user = request.user
            if user.is_authenticated and user.unit_id:
                user.unit  # noqa: B018 - resolve before the scope exists
        token = set_origin(request_origin(request))
        try:
            with user_scope(user):
                return self.get_response(request)
        finally:
            reset_origin(token)
