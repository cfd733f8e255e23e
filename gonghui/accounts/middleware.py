from django.contrib.auth import logout
from django.shortcuts import redirect

from gonghui.accounts.services import api_token_authenticate
from gonghui.cards.services import VENUE_TOKEN_PREFIX, venue_authenticate
from gonghui.core.scoping import scopes_disabled


class StaffSessionMiddleware:
    """Who is asking: a bearer token (integrators) or the session (people).

    - ``Authorization: Bearer …`` replaces the session user for that request; a token that
      is unknown, expired or revoked leaves the request anonymous and marks it so the API
      answers 401.
    - A session of a role that requires two-factor authentication but was not verified
      (e.g. the role was granted after login) is ended.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_token = None
        request.bearer_rejected = False
        header = request.META.get("HTTP_AUTHORIZATION", "")
        request.venue = None
        if header[:7].lower() == "bearer " and header[7:].strip().startswith(VENUE_TOKEN_PREFIX):
            # A partner venue's terminal: not a person, no organisation scope; the venue
            # endpoints check what it may do.
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
            request.venue = venue_authenticate(header[7:].strip())
            request.bearer_rejected = request.venue is None
            request._dont_enforce_csrf_checks = True
        elif header[:7].lower() == "bearer ":
            token = api_token_authenticate(header[7:].strip())
            if token is None:
                from django.contrib.auth.models import AnonymousUser

                request.user = AnonymousUser()
                request.bearer_rejected = True
            else:
                request.user = token.staff
                request.api_token = token
                request._dont_enforce_csrf_checks = True
        else:
            with scopes_disabled():
                user = request.user
                authenticated = user.is_authenticated
            if authenticated and user.needs_two_factor and not user.is_verified():
                logout(request)
                return redirect("accounts:login")
        return self.get_response(request)
