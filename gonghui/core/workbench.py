"""The workbench's to-do panel (待办事项): what is waiting for the signed-in user across the
domains — applications to decide, files to approve, reviews and requests falling due,
mediation cases past day 15. Each domain answers for itself in its selectors
(``workbench_todos(user)``: a few aggregate queries, scoped like every read, limited to
what the user's permissions let them act on); this module only gathers them."""

from dataclasses import dataclass
from importlib import import_module

PROVIDERS = (
    "gonghui.members.selectors",
    "gonghui.mediation.selectors",
    "gonghui.hardship.selectors",
    "gonghui.mutualaid.selectors",
)


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str
    warn: bool = False  # overdue, or otherwise past a deadline


def decides_at_district_level(user) -> bool:
    """Approvals (hardship files and assistance, mutual-aid claims) are the district's or
    the city's: a station officer holds the permission but the services refuse them, so
    their panel does not offer the work."""
    from gonghui.orgs.models import UnitKind

    return user.unit is not None and user.unit.kind in (UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION)


def todos(user) -> list[Todo]:
    if user.unit_id is None:
        return []
    items: list[Todo] = []
    for path in PROVIDERS:
        items.extend(t for t in import_module(path).workbench_todos(user) if t.count)
    return items
