"""Organisation scoping: the one place that decides which rows a person may see.

Every model that belongs to a part of the organisation tree declares its managers with
:func:`org_scoped_manager`, naming the lookup from the model to a unit's materialised path.
A query through such a manager is filtered to the subtree of the *active scope*; with no
scope active it raises ``ScopeError`` instead of returning everything (fail closed).

The scope is entered once per request by ``OrgScopeMiddleware`` (pages, API, admin and
exports all pass through it), by management commands and background jobs with
:func:`scopes_disabled` on purpose, and by tests through the same middleware. An object
outside the subtree is therefore simply *not found*: views answer 404 exactly as for an id
that never existed.

Built on django-scopes (pretix's scoping library); the dimension is ``org`` and its value is
the path prefix of the user's unit, used with a ``__startswith`` lookup so one condition
covers a whole subtree on SQLite and PostgreSQL alike.
"""

from contextlib import contextmanager

from django.db import models
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled  # noqa: F401

SCOPE_DIMENSION = "org"
# A prefix no materialised path starts with: staff not bound to a unit see nothing.
NOWHERE = "~"


def org_scoped_manager(lookup: str, manager_class=models.Manager):
    """A manager whose queries are limited to the active organisation subtree.

    ``lookup`` is the path to a unit's ``path`` field followed by ``__startswith``,
    e.g. ``"unit__path__startswith"``.
    """
    manager = ScopedManager(_manager_class=manager_class, **{SCOPE_DIMENSION: lookup})
    # Migrations work on historical models without scopes; a generated class cannot be
    # serialised into them anyway.
    manager.use_in_migrations = False
    return manager


def scope_prefix_for(user) -> str | None:
    """The path prefix a user may see, or None for an anonymous visitor."""
    if user is None or not user.is_authenticated:
        return None
    unit = getattr(user, "unit", None)
    if unit is None or not user.is_active:
        return NOWHERE
    return unit.path


@contextmanager
def user_scope(user):
    """Run the block with the user's organisation scope active."""
    prefix = scope_prefix_for(user)
    if prefix is None:
        with scope():
            yield
    else:
        with scope(**{SCOPE_DIMENSION: prefix}):
            yield


def active_prefix() -> str | None:
    current = get_scope()
    if not current.get("_enabled", True):
        return ""
    return current.get(SCOPE_DIMENSION)


def path_in_scope(path: str) -> bool:
    """Whether a unit path lies inside the active scope (for checks on single values)."""
    prefix = active_prefix()
    if prefix is None:
        return False
    return path.startswith(prefix)
