from django.contrib.auth.backends import ModelBackend

from gonghui.core.scoping import scopes_disabled


class StaffBackend(ModelBackend):
    """Django's model backend, with the look-ups that *establish* who someone is made
    before any organisation scope can exist."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        with scopes_disabled():
            return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        with scopes_disabled():
            user = super().get_user(user_id)
            if user is not None and user.unit_id:
                user.unit  # noqa: B018 - load the unit now; the scope is computed from it
            return user

    # Django's own permission framework is not used for authorisation: roles are.
    def has_perm(self, user_obj, perm, obj=None):
        return False
