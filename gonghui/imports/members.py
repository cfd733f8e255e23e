"""Members from a spreadsheet: the columns, the checks (no database writes), the writing.

Every row goes through the same validation as a member registered by hand
(``clean_member_input``); what a form checks one at a time is checked here per batch of
rows with one query each — ID numbers already registered, employers by credit code or by
name — so a 100,000-row file costs a few hundred queries, not a few hundred thousand.
"""

import dataclasses
import datetime as dt
from collections import Counter
from operator import attrgetter, itemgetter

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.scoping import scopes_disabled
from gonghui.imports import columns as cells
from gonghui.imports.columns import Column
from gonghui.imports.lookups import UnitDirectory, normalise_name
from gonghui.imports.report import BATCH_ROWS, Checked
from gonghui.members.identity import id_check_char
from gonghui.members.models import Member, MembershipEvent, MembershipEventKind, Platform
from gonghui.members.services import CleanMember, clean_member_input
from gonghui.orgs.models import Employer, Unit
from gonghui.orgs.services import unit_counts_add
from gonghui.orgs.validators import normalise_uscc


def _example_id():
    first17 = "11010519900307123"
    return first17 + id_check_char(first17)


# Headers are the spreadsheet's format, the same in every language; help texts are not.
COLUMNS = (
    Column("name", "姓名", ("职工姓名", "会员姓名"), required=True, example="张三"),
    Column(
        "id_number",
        "身份证号码",
        ("身份证号", "身份证", "公民身份号码", "公民身份证号码", "证件号码", "身份证件号码"),
        required=True,
        help=gettext_lazy("18位，请把该列设置为文本格式"),
        example=_example_id(),
    ),
    Column(
        "phone",
        "手机号码",
        ("手机号", "手机", "联系电话", "联系方式", "移动电话"),
        required=True,
        help=gettext_lazy("11位手机号码"),
        example="13812345678",
    ),
    Column(
        "employer",
        "工作单位",
        ("用人单位", "单位名称", "所在单位", "工作单位名称"),
        help=gettext_lazy("须已登记的用人单位"),
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        ("社会信用代码", "信用代码", "单位统一社会信用代码"),
        help=gettext_lazy("填写后按代码确定工作单位"),
    ),
    Column("unit", "所属工会", ("工会名称", "所在工会", "会员所属工会"), help=gettext_lazy("留空则为导入人所在单位")),
    Column(
        "new_form",
        "新就业形态",
        ("是否新就业形态", "新就业形态劳动者", "是否新就业形态劳动者"),
        help=gettext_lazy("是 / 否"),
        example="否",
    ),
    Column("platform", "平台类型", ("从业平台", "平台", "就业平台"), help=gettext_lazy("外卖配送、网约车、快递物流等")),
    Column(
        "joined_on", "入会日期", ("入会时间",), help=gettext_lazy("如 2024-01-05，留空为导入当天"), example="2024-01-05"
    ),
)


def _accepted_platform_words() -> str:
    """The Chinese words the importer accepts, whatever the reader's interface language."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return "、".join(str(label) for label in Platform.labels)


PLATFORM_WORDS = {
    **{cells.normalise_header(label): value for value, label in Platform.choices},
    **{cells.normalise_header(value): value for value in Platform.values},
    "外卖": Platform.DELIVERY,
    "外卖骑手": Platform.DELIVERY,
    "骑手": Platform.DELIVERY,
    "即时配送": Platform.DELIVERY,
    "网约车司机": Platform.RIDE_HAILING,
    "快递": Platform.COURIER,
    "快递员": Platform.COURIER,
    "快递小哥": Platform.COURIER,
    "货车": Platform.TRUCKING,
    "货运": Platform.TRUCKING,
    "家政": Platform.DOMESTIC,
    "主播": Platform.LIVESTREAM,
    "直播": Platform.LIVESTREAM,
    "其他": Platform.OTHER,
}
FIELD_COLUMNS = {"name": "name", "id_number": "id_number", "phone": "phone", "platform": "platform"}


def _new_form_flags(raw) -> tuple:
    """``(is a new-form worker: True / False / None for not a yes or no, said 否)``."""
    return cells.yes_no(raw), cells.yes_no(raw, default=None) is False


def _platform_of(raw) -> tuple:
    """``(the cell's text, the platform it names or None)``; ``("", "")`` for an empty cell."""
    platform_text = cells.text(raw)
    return platform_text, cells.choice(platform_text, PLATFORM_WORDS) if platform_text else ""


def _uscc_of(raw) -> str:
    return normalise_uscc(cells.code(raw))


class MemberImporter:
    kind = "members"
    columns = COLUMNS
    permissions = ("members.import", "members.manage")
    # The write may leave "registered meanwhile" to the unique index on id_number_hash
    # (see services.import_job_run): it then skips 100,000 index look-ups of its own.
    index_rechecks_registered = True

    def __init__(self, *, by, header, epoch=None, job=None):
        self.by, self.header, self.epoch, self.job = by, header, epoch, job
        self.today = timezone.localdate()
        self.units = UnitDirectory()
        self.default_unit = self.units.by_id.get(by.unit_id)
        self.seen_ids: dict[bytes, int] = {}
        self.employers_by_uscc: dict[str, Employer | None] = {}
        self.employers_by_name: dict[str, list[Employer]] = {}
        self.per_unit = Counter()
        self.imported = 0
        positions = [header.index.get(c.field) for c in COLUMNS]
        self._width = max((i for i in positions if i is not None), default=-1) + 1
        # a column the file lacks reads the None put after the row's last cell
        self._pick = itemgetter(*(self._width if i is None else i for i in positions))
        self._flags, self._platforms, self._dates, self._texts, self._codes = {}, {}, {}, {}, {}
        self.names = {}  # a cell's text → the same, normalised for matching (names repeat)
        self._copy_targets = None  # PostgreSQL: how members and events are COPYed, once known

    def _cells(self, values) -> tuple:
        """The row's cells in COLUMNS order (None for a column the file lacks or a short row)."""
        width = self._width
        if len(values) != width:
            values = (*values[:width], *(None,) * (width - len(values)))
        return self._pick((*values, None))

    def _memo(self, memo: dict, raw, compute):
        """``compute(raw)``, once per distinct cell value (type included: 1 is not True).
        Most columns hold a few values on every row: the union, the date, 是/否."""
        key = (raw.__class__, raw)
        found = memo.get(key, memo)
        if found is memo:
            found = memo[key] = compute(raw)
        return found

    # --- checking ----------------------------------------------------------------------

    def check(self, batch) -> list[Checked]:
        label = self.header.label
        results, pending = [], []
        for number, values in batch:
            result = Checked(number)
            results.append(result)
            pending.append((result, self._check_row(result, values)))
        self._resolve_employers([row for _result, row in pending])
        registered = self._registered([row["clean"].id_number_hash for _r, row in pending if row["clean"]])
        for result, row in pending:
            clean = row["clean"]
            if clean is not None:
                if clean.id_number_hash in registered:
                    result.problem(label["id_number"], _("该身份证号码已登记为会员。"))
                else:
                    first = self.seen_ids.setdefault(clean.id_number_hash, result.row)
                    if first != result.row:
                        result.problem(label["id_number"], _("与第 %(row)d 行的身份证号码重复。") % {"row": first})
            employer = self._employer_for(result, row)
            if not result.problems:
                # Plain values only: the payload is spooled to disk between checking and writing.
                result.payload = (clean, row["unit"].pk, employer.pk if employer else None, row["joined_on"])
        return results

    def _check_row(self, result: Checked, values) -> dict:
        label = self.header.label
        name, raw_id, phone, raw_employer, raw_uscc, raw_unit, raw_new_form, raw_platform, raw_date = self._cells(
            values
        )
        new_form, said_no = self._memo(self._flags, raw_new_form, _new_form_flags)
        if new_form is None:
            result.problem(label["new_form"], _("请填写“是”或“否”。"))
            new_form = False
        platform_text, platform = self._memo(self._platforms, raw_platform, _platform_of)
        if platform_text:
            if platform is None:
                result.problem(
                    label["platform"],
                    _("平台类型“%(value)s”无法识别，可填写：%(options)s。")
                    % {"value": platform_text, "options": _accepted_platform_words()},
                )
                platform = ""
            elif said_no:
                result.problem(label["new_form"], _("填写了平台类型，“新就业形态”应为“是”。"))
        clean = None
        try:
            clean = clean_member_input(
                name=cells.text(name),
                id_number=cells.code(raw_id),
                phone=cells.code(phone),
                is_new_form_worker=new_form,
                platform=platform,
            )
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                column = label[field] if field in FIELD_COLUMNS else field
                if field == "id_number" and isinstance(raw_id, float):
                    messages = [_("身份证号码被 Excel 存成了数字，末几位已丢失：请把该列设置为“文本”格式后重新填写。")]
                for message in messages:
                    result.problem(column, message)
        unit = self.default_unit
        unit_text = self._memo(self._texts, raw_unit, cells.text)
        if unit_text:
            unit, reason = self.units.find(unit_text)
            if unit is None:
                result.problem(label["unit"], _("所属工会%(reason)s") % {"reason": reason})
        elif unit is None:
            result.problem(label["unit"], _("请填写所属工会。"))
        joined_on = self.today
        parsed = self._memo(self._dates, raw_date, self._date)
        if isinstance(parsed, cells.BadDate):
            result.problem(
                label["joined_on"],
                _("入会日期“%(value)s”无法识别，请填写如 2024-01-05 的日期。") % {"value": cells.text(raw_date)},
            )
        else:
            joined_on = parsed or self.today
            if joined_on > self.today:
                result.problem(label["joined_on"], _("入会日期不能晚于今天。"))
            elif clean is not None and joined_on < clean.birth_date:
                result.problem(label["joined_on"], _("入会日期早于出生日期。"))
        employer = self._memo(self._texts, raw_employer, cells.text)
        if employer:
            if employer not in self.names:
                self.names[employer] = normalise_name(employer)
            employer = self.names[employer]
        return {
            "clean": clean,
            "unit": unit,
            "joined_on": joined_on,
            "uscc": self._memo(self._codes, raw_uscc, _uscc_of),
            "employer": employer,
        }

    def _date(self, raw):
        """The cell's date, None when empty, or the BadDate it raises (kept, not raised)."""
        try:
            return cells.date(raw, epoch=self.epoch)
        except cells.BadDate as e:
            return e

    def _registered(self, hashes) -> set[bytes]:
        """City-wide, like ``id_number_registered``: one person, one record."""
        if not hashes:
            return set()
        if connection.vendor == "postgresql":
            # One array parameter, sent as binary, instead of an IN list of 2,000 bytea
            # literals that the ORM compiles and the driver quotes (measured: most of the
            # time of this query was spent before it reached the server).
            table = connection.ops.quote_name(Member._meta.db_table)
            sql = f"SELECT id_number_hash FROM {table} WHERE id_number_hash = ANY(%s)"
            import psycopg

            connection.ensure_connection()
            with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(sql, [list(hashes)], binary=True)
                return {bytes(h) for (h,) in cursor}
        found = set()
        with scopes_disabled():
            for chunk in _chunks(list(hashes)):  # an older SQLite takes 999 parameters at most
                rows = Member.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", flat=True)
                found.update(bytes(h) for h in rows)
        return found

    def _resolve_employers(self, rows) -> None:
        codes = {r["uscc"] for r in rows if r["uscc"]} - self.employers_by_uscc.keys()
        names = {r["employer"] for r in rows if r["employer"] and not r["uscc"]} - self.employers_by_name.keys()
        fields = ("id", "name", "uscc", "is_active", "unit_id")
        for chunk in _chunks(sorted(codes)):
            for employer in Employer.objects.filter(uscc__in=chunk).only(*fields):
                self.employers_by_uscc[employer.uscc] = employer
        self.employers_by_uscc.update(dict.fromkeys(codes - self.employers_by_uscc.keys()))
        for chunk in _chunks(sorted(names)):
            for employer in Employer.objects.filter(name__in=chunk).only(*fields):
                self.employers_by_name.setdefault(normalise_name(employer.name), []).append(employer)
        for name in names - self.employers_by_name.keys():  # not registered (in scope)
            self.employers_by_name[name] = []

    def _employer_for(self, result: Checked, row) -> Employer | None:
        label = self.header.label
        if row["uscc"]:
            employer = self.employers_by_uscc.get(row["uscc"])
            if employer is None:
                result.problem(label["uscc"], _("未找到该统一社会信用代码的用人单位（须先登记，且在您的管辖范围内）。"))
                return None
            if row["employer"] and normalise_name(employer.name) != row["employer"]:
                result.problem(
                    label["employer"],
                    _("统一社会信用代码对应的单位是“%(name)s”，与所填工作单位不一致。") % {"name": employer.name},
                )
        elif row["employer"]:
            found = self.employers_by_name.get(row["employer"], [])
            if not found:
                result.problem(label["employer"], _("未找到该用人单位（须先登记，且在您的管辖范围内），或留空。"))
                return None
            if len(found) > 1:
                result.problem(label["employer"], _("有多个同名用人单位，请同时填写统一社会信用代码。"))
                return None
            employer = found[0]
        else:
            return None
        if not employer.is_active:
            result.problem(label["employer"], _("该用人单位已注销。"))
        return employer

    # --- between checking and writing ---------------------------------------------------

    # A checked row is kept as one flat JSON list: CleanMember's fields in their order
    # (bytes as hex, dates as ISO text), then the union, the employer and the joining date.
    # (It was a list of {"hex": …} / {"date": …} objects: a third of the check's time went on
    # writing and reading them.)

    @staticmethod
    def encode_payload(payload) -> list:
        """A checked row's payload as JSON values (kept with the upload until it is written)."""
        clean, unit_id, employer_id, joined = payload
        phone_cipher, phone_hash = clean.phone_cipher, clean.phone_hash
        return [
            clean.name,
            clean.name_pinyin,
            clean.name_initials,
            clean.id_number_cipher.hex(),
            clean.id_number_hash.hex(),
            clean.id_number_masked,
            clean.birth_date.isoformat(),
            clean.sex,
            None if phone_cipher is None else phone_cipher.hex(),
            None if phone_hash is None else phone_hash.hex(),
            clean.phone_masked,
            clean.is_new_form_worker,
            clean.platform,
            unit_id,
            employer_id,
            joined.isoformat(),
        ]

    @staticmethod
    def decode_payload(value):
        if len(value) == 4:  # kept by an earlier version: [[fields…], unit, employer, joined]
            fields, unit_id, employer_id, joined = value
            clean = CleanMember(*(_decode(v) for v in fields))
            return clean, unit_id, employer_id, dt.date.fromisoformat(joined)
        (name, pinyin, initials, id_cipher, id_hash, id_masked, birth, sex, phone_cipher, phone_hash, phone_masked,
         new_form, platform, unit_id, employer_id, joined) = value  # fmt: skip
        clean = CleanMember(
            name,
            pinyin,
            initials,
            bytes.fromhex(id_cipher),
            bytes.fromhex(id_hash),
            id_masked,
            dt.date.fromisoformat(birth),
            sex,
            None if phone_cipher is None else bytes.fromhex(phone_cipher),
            None if phone_hash is None else bytes.fromhex(phone_hash),
            phone_masked,
            new_form,
            platform,
        )
        return clean, unit_id, employer_id, dt.date.fromisoformat(joined)

    def recheck(self, items, *, registered=True) -> tuple[list, list[Checked]]:
        """Inside the write transaction, what can have changed since the check: the person
        registered meanwhile, the row's union or employer closed or no longer in scope.
        ``registered=False`` leaves the first to the unique index on the ID number's hash."""
        registered = self._registered([payload[0].id_number_hash for _row, payload in items]) if registered else ()
        employer_ids = {payload[2] for _row, payload in items if payload[2]}
        employers = set(Employer.objects.filter(pk__in=employer_ids, is_active=True).values_list("pk", flat=True))
        unit_ids = {payload[1] for _row, payload in items}
        units = set(Unit.objects.filter(pk__in=unit_ids, is_active=True).values_list("pk", flat=True))
        label = self.header.label
        fresh, clashes = [], []
        for row, payload in items:
            clash = Checked(row)
            if payload[0].id_number_hash in registered:
                clash.problem(label["id_number"], _("该身份证号码已登记为会员。"))
            if payload[1] not in units:
                clash.problem(label["unit"], _("所属工会已停用或已不在您的管辖范围内。"))
            if payload[2] and payload[2] not in employers:
                clash.problem(label["employer"], _("该用人单位已注销或已不在您的管辖范围内。"))
            if clash.problems:
                clashes.append(clash)
            else:
                fresh.append(payload)
        return fresh, clashes

    # --- writing (inside the caller's transaction) ---------------------------------------

    def write(self, payloads) -> None:
        if not payloads:
            return
        reason = _("批量导入（导入任务 #%(id)s）") % {"id": self.job.pk} if self.job else ""
        if connection.vendor == "postgresql":
            unit_ids = self._copy(payloads, reason)
        else:
            unit_ids = self._bulk_create(payloads, reason)
        self.per_unit.update(unit_ids)
        self.imported += len(payloads)

    def _bulk_create(self, payloads, reason) -> list[int]:
        members = [
            Member(**clean.fields(), unit_id=unit_id, employer_id=employer_id, joined_on=joined)
            for clean, unit_id, employer_id, joined in payloads
        ]
        Member.objects.bulk_create(members, batch_size=BATCH_ROWS)
        MembershipEvent.objects.bulk_create(
            [
                MembershipEvent(
                    member_id=m.pk,
                    kind=MembershipEventKind.JOIN,
                    to_unit_id=m.unit_id,
                    reason=reason,
                    occurred_on=m.joined_on,
                    by=self.by,
                )
                for m in members
            ],
            batch_size=BATCH_ROWS,
        )
        return [m.unit_id for m in members]

    def _copy(self, payloads, reason) -> list[int]:
        """PostgreSQL: members and their join events through COPY, as seeding writes them —
        bulk_create spends most of its time compiling every row into SQL (measured: 2,000
        rows/s against COPY's 14,000). The same rows as bulk_create's: every column from the
        model's defaults, then the row's values; ids drawn from the table's sequence first,
        so each event names its member. Binary COPY: bytes and dates go as they are instead
        of being spelt out as text and parsed again by the server."""
        now = timezone.now()
        with connection.cursor() as cursor:
            if self._copy_targets is None:
                self._copy_targets = (
                    _CopyTarget(cursor, Member, ("id", *CLEAN_FIELDS, "unit_id", "employer_id", "joined_on"), now),
                    _CopyTarget(
                        cursor,
                        MembershipEvent,
                        ("member_id", "kind", "to_unit_id", "reason", "occurred_on", "by_id"),
                        now,
                    ),
                )
            members, events = self._copy_targets
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Member._meta.db_table, len(payloads)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            clean_values, join, by_id = _clean_values, MembershipEventKind.JOIN.value, self.by.pk
            members.write(
                cursor,
                (
                    (pk, *clean_values(clean), unit_id, employer_id, joined)
                    for pk, (clean, unit_id, employer_id, joined) in zip(ids, payloads, strict=True)
                ),
                now,
            )
            events.write(
                cursor,
                (
                    (pk, join, unit_id, reason, joined, by_id)
                    for pk, (_clean, unit_id, _employer_id, joined) in zip(ids, payloads, strict=True)
                ),
                now,
            )
        return [payload[1] for payload in payloads]

    def finish(self) -> int:
        for unit_id, n in sorted(self.per_unit.items()):
            unit_counts_add(unit=self.units.by_id[unit_id], members=n)
        return self.imported

    def summary(self) -> str:
        return _("导入会员 %(n)d 人") % {"n": self.imported}


def _decode(value):
    if isinstance(value, dict):
        return bytes.fromhex(value["hex"]) if "hex" in value else dt.date.fromisoformat(value["date"])
    return value


CLEAN_FIELDS = tuple(f.name for f in dataclasses.fields(CleanMember))
_clean_values = attrgetter(*CLEAN_FIELDS)


class _CopyTarget:
    """Binary COPY into ``model``'s table: each row gives the ``given`` columns, in order;
    every other column takes the field's default (timestamps: the time of the write)."""

    def __init__(self, cursor, model, given: tuple, now):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key]
        self.auto_now = [
            i for i, f in enumerate(rest) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.rest = [None if i in self.auto_now else f.get_default() for i, f in enumerate(rest)]
        columns = [fields[name].column for name in given] + [f.column for f in rest]
        table = model._meta.db_table
        # Binary COPY needs each column's exact type: the table's own, as the database has it.
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
            " AND NOT attisdropped",
            [connection.ops.quote_name(table)],
        )
        oids = dict(cursor.fetchall())
        self.types = [oids[column] for column in columns]
        quote = connection.ops.quote_name
        self.sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"

    def write(self, cursor, rows, now) -> None:
        rest = list(self.rest)
        for i in self.auto_now:
            rest[i] = now
        rest = tuple(rest)
        # Through the driver's cursor (Django's has no COPY); its errors as Django's, so that a
        # duplicate met here is the IntegrityError import_job_run answers.
        with connection.wrap_database_errors, cursor.connection.cursor() as raw, raw.copy(self.sql) as copy:
            copy.set_types(self.types)
            write_row = copy.write_row
            for row in rows:
                write_row(row + rest)


def _chunks(items, size=500):
    for i in range(0, len(items), size):
        yield items[i : i + size]
