"""Employers (用人单位) from a spreadsheet: the columns, the checks, the writing.

The checks are those of ``employer_create`` — a valid credit code unique in the whole city,
a covering union in the user's scope, a district — made per batch of rows.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.scoping import scopes_disabled
from gonghui.imports import columns as cells
from gonghui.imports.columns import Column
from gonghui.imports.lookups import UnitDirectory
from gonghui.imports.report import BATCH_ROWS, Checked
from gonghui.orgs.models import Employer, EmployerSize, Industry, Ownership
from gonghui.orgs.selectors import district_choices
from gonghui.orgs.services import unit_counts_add
from gonghui.orgs.validators import normalise_uscc, uscc_check_char, validate_uscc


def _example_uscc():
    first17 = "91110105MA4WXY2K7"
    return first17 + uscc_check_char(first17)


# Headers are the spreadsheet's format, the same in every language; help texts are not.
COLUMNS = (
    Column(
        "name",
        "单位名称",
        ("用人单位名称", "企业名称", "用人单位", "单位"),
        required=True,
        example="北京某某餐饮有限公司",
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        ("社会信用代码", "信用代码"),
        required=True,
        help=gettext_lazy("18位"),
        example=_example_uscc(),
    ),
    Column(
        "industry",
        "行业",
        ("所属行业", "行业门类", "行业类别", "行业分类"),
        required=True,
        help=gettext_lazy("门类名称或字母（A–T）"),
        example="住宿和餐饮业",
    ),
    Column(
        "ownership",
        "经济类型",
        ("所有制", "所有制类型", "经济性质"),
        required=True,
        help=gettext_lazy("国有 / 非公有制 / 其他"),
        example="非公有制",
    ),
    Column(
        "size",
        "规模",
        ("企业规模", "单位规模"),
        required=True,
        help=gettext_lazy("微型 / 小型 / 中型 / 大型"),
        example="小型",
    ),
    Column("headcount", "职工人数", ("从业人数", "员工人数", "职工数"), example=40),
    Column("address", "地址", ("单位地址", "注册地址", "经营地址"), example="朝阳区建国门外大街1号"),
    Column("district", "所在区", ("所在区县", "区县", "所属区"), help=gettext_lazy("留空则按覆盖工会确定")),
    Column("unit", "覆盖工会", ("所属工会", "负责工会", "工会"), help=gettext_lazy("留空则为导入人所在单位")),
    Column(
        "has_own_union", "是否建会", ("已建会", "是否单独建会", "建会情况"), help=gettext_lazy("是 / 否"), example="否"
    ),
    Column("contact_name", "联系人", ()),
    Column("contact_phone", "联系电话", ("联系人电话",)),
)

INDUSTRY_WORDS = {
    **{cells.normalise_header(label): value for value, label in Industry.choices},
    **{value.lower(): value for value in Industry.values},
}
OWNERSHIP_WORDS = {
    **{cells.normalise_header(label): value for value, label in Ownership.choices},
    "国有企业": Ownership.STATE_OWNED,
    "国企": Ownership.STATE_OWNED,
    "非公": Ownership.NON_PUBLIC,
    "非公企业": Ownership.NON_PUBLIC,
    "民营": Ownership.NON_PUBLIC,
    "民营企业": Ownership.NON_PUBLIC,
    "私营": Ownership.NON_PUBLIC,
    "私营企业": Ownership.NON_PUBLIC,
}
SIZE_WORDS = {
    **{cells.normalise_header(label): value for value, label in EmployerSize.choices},
    **{cells.normalise_header(label) + "企业": value for value, label in EmployerSize.choices},
}
TEXT_LIMITS = {"name": 200, "address": 200, "contact_name": 60, "contact_phone": 40}


class EmployerImporter:
    kind = "employers"
    columns = COLUMNS
    permissions = ("members.import", "orgs.manage_employers")

    def __init__(self, *, by, header, epoch=None, job=None):
        self.by, self.header, self.job = by, header, job
        self.units = UnitDirectory()
        self.districts = UnitDirectory(district_choices(), partial=True)
        self.default_unit = self.units.by_id.get(by.unit_id)
        self.seen_codes: dict[str, int] = {}
        self.per_unit = Counter()
        self.unionised = Counter()
        self.imported = 0

    def _cell(self, values, field):
        i = self.header.index.get(field)
        return values[i] if i is not None and i < len(values) else None

    def check(self, batch) -> list[Checked]:
        label = self.header.label
        results, pending = [], []
        for number, values in batch:
            result = Checked(number)
            results.append(result)
            pending.append((result, self._check_row(result, values)))
        codes = [row["uscc"] for _r, row in pending if row.get("uscc")]
        with scopes_disabled():
            # Unique in the whole city; the message does not say where it is registered.
            taken = set(Employer.objects.filter(uscc__in=codes).values_list("uscc", flat=True)) if codes else set()
        for result, row in pending:
            code = row.get("uscc")
            if code:
                if code in taken:
                    result.problem(label["uscc"], _("该统一社会信用代码已登记，请勿重复录入。"))
                else:
                    first = self.seen_codes.setdefault(code, result.row)
                    if first != result.row:
                        result.problem(label["uscc"], _("与第 %(row)d 行的统一社会信用代码重复。") % {"row": first})
            if not result.problems:
                # Plain values only: the payload is spooled to disk between checking and writing.
                row["unit"], row["district"] = row["unit"].pk, row["district"].pk
                result.payload = row
        return results

    def recheck(self, items) -> tuple[list, list[Checked]]:
        """Inside the write transaction: which codes were registered since the check."""
        with scopes_disabled():
            taken = set(Employer.objects.filter(uscc__in=[p["uscc"] for _r, p in items]).values_list("uscc", flat=True))
        fresh, clashes = [], []
        for row, payload in items:
            if payload["uscc"] in taken:
                clash = Checked(row)
                clash.problem(self.header.label["uscc"], _("该统一社会信用代码已登记，请勿重复录入。"))
                clashes.append(clash)
            else:
                fresh.append(payload)
        return fresh, clashes

    def _check_row(self, result: Checked, values) -> dict:
        label = self.header.label
        row = {}
        for field, limit in TEXT_LIMITS.items():
            value = cells.text(self._cell(values, field))
            if len(value) > limit:
                result.problem(label[field], _("内容过长（最多%(n)d个字）。") % {"n": limit})
            row[field] = value[:limit]
        if not row["name"]:
            result.problem(label["name"], _("请填写单位名称。"))
        code = normalise_uscc(cells.code(self._cell(values, "uscc")))
        if not code:
            result.problem(label["uscc"], _("请填写统一社会信用代码。"))
        else:
            try:
                validate_uscc(code)
                row["uscc"] = code
            except ValidationError as e:
                for message in e.messages:
                    result.problem(label["uscc"], message)
        for field, words, hint in (
            ("industry", INDUSTRY_WORDS, _("请填写国民经济行业门类名称（如“住宿和餐饮业”）或字母代码（A–T）。")),
            ("ownership", OWNERSHIP_WORDS, _("可填写：国有、非公有制、其他。")),
            ("size", SIZE_WORDS, _("可填写：微型、小型、中型、大型。")),
        ):
            raw = cells.text(self._cell(values, field))
            value = cells.choice(raw, words) if raw else None
            if value is None:
                if raw:
                    result.problem(label[field], _("“%(value)s”无法识别，%(hint)s") % {"value": raw, "hint": hint})
                else:
                    result.problem(
                        label[field], _("请填写%(column)s，%(hint)s") % {"column": label[field], "hint": hint}
                    )
            row[field] = value
        row["headcount"] = 0
        raw = self._cell(values, "headcount")
        if cells.text(raw):
            number = cells.text(raw).replace(",", "")
            if not number.isdigit() or len(number) > 9:
                result.problem(label["headcount"], _("职工人数应为不小于0的整数。"))
            else:
                row["headcount"] = int(number)
        row["has_own_union"] = cells.yes_no(self._cell(values, "has_own_union"))
        if row["has_own_union"] is None:
            result.problem(label["has_own_union"], _("请填写“是”或“否”。"))
        unit = self.default_unit
        unit_text = cells.text(self._cell(values, "unit"))
        if unit_text:
            unit, reason = self.units.find(unit_text)
            if unit is None:
                result.problem(label["unit"], _("覆盖工会%(reason)s") % {"reason": reason})
        elif unit is None:
            result.problem(label["unit"], _("请填写覆盖工会。"))
        row["unit"] = unit
        district_text = cells.text(self._cell(values, "district"))
        district = None
        if district_text:
            district, reason = self.districts.find(district_text)
            if district is None:
                result.problem(label["district"], _("所在区%(reason)s") % {"reason": reason})
        elif unit is not None:
            district = self.districts.district_of(unit)
            if district is None:
                result.problem(label["district"], _("请填写所在区。"))
        row["district"] = district
        return row

    def write(self, payloads) -> None:
        if not payloads:
            return
        employers = [
            Employer(
                name=row["name"],
                uscc=row["uscc"],
                industry=row["industry"],
                ownership=row["ownership"],
                size=row["size"],
                headcount=row["headcount"],
                address=row["address"],
                district_id=row["district"],
                unit_id=row["unit"],
                has_own_union=row["has_own_union"],
                contact_name=row["contact_name"],
                contact_phone=row["contact_phone"],
            )
            for row in payloads
        ]
        Employer.objects.bulk_create(employers, batch_size=BATCH_ROWS)
        for employer in employers:
            self.per_unit[employer.unit_id] += 1
            self.unionised[employer.unit_id] += int(employer.has_own_union)
        self.imported += len(employers)

    def finish(self) -> int:
        for unit_id, n in sorted(self.per_unit.items()):
            unit_counts_add(unit=self.units.by_id[unit_id], employers=n, unionised_employers=self.unionised[unit_id])
        return self.imported

    def summary(self) -> str:
        return _("导入用人单位 %(n)d 家") % {"n": self.imported}
