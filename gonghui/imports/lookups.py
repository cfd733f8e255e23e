"""Finding the units a spreadsheet names, within the importing user's scope, without a
query per row: the units in scope are read once (thousands at most) and looked up by name."""

import re
import unicodedata
from collections import defaultdict

from django.utils.translation import gettext as _

from gonghui.orgs.models import Unit, UnitKind


def normalise_name(value) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or "")))


class UnitDirectory:
    """Units by name (or short name) among ``units`` — by default every unit in scope."""

    def __init__(self, units=None, *, partial=False):
        if units is None:
            units = Unit.objects.all()
        self.by_id, self.by_path = {}, {}
        self.by_name = defaultdict(list)
        for unit in units.only("id", "name", "short_name", "path", "depth", "kind", "is_active").order_by("path"):
            self.by_id[unit.pk] = unit
            self.by_path[unit.path] = unit
            self.by_name[normalise_name(unit.name)].append(unit)
            if unit.short_name and normalise_name(unit.short_name) != normalise_name(unit.name):
                self.by_name[normalise_name(unit.short_name)].append(unit)
        # Districts are named loosely ("朝阳区" for 北京市朝阳区总工会): allow a unique
        # part of the name there.
        self.partial = partial
        self._cache = {}

    def find(self, raw) -> tuple[Unit | None, str]:
        """``(unit, "")`` or ``(None, reason)``."""
        if raw not in self._cache:  # the same few names on every row: look each up once
            self._cache[raw] = self._find(normalise_name(raw), str(raw).strip())
        return self._cache[raw]

    def _find(self, key, shown):
        found = self.by_name.get(key, [])
        if not found and self.partial and len(key) >= 2:
            found = [u for name, units in self.by_name.items() if key in name for u in units]
            found = list({u.pk: u for u in found}.values())
        if not found:
            return None, _("“%(name)s”不存在或不在您的管辖范围内。") % {"name": shown}
        if len(found) > 1:
            return None, _("有多个名为“%(name)s”的单位，请填写完整名称。") % {"name": shown}
        unit = found[0]
        if not unit.is_active:
            return None, _("“%(name)s”已停用。") % {"name": unit.name}
        return unit, ""

    def district_of(self, unit: Unit) -> Unit | None:
        """The district union above (or at) ``unit``, if it is in this directory."""
        for end in range(len(unit.path), 0, -Unit.steplen):
            found = self.by_path.get(unit.path[:end])
            if found is not None and found.kind == UnitKind.DISTRICT_UNION:
                return found
        return None
