"""Demo members (会员) for ``manage.py seed_city --members N``: many, fast, and the same every time.

**Determinism by ordinal.** Member *k* (the k-th member the seeder ever adds) is always the same
person for a given seed: rows are drawn in generation chunks of ``GENERATION_ROWS``, chunk *c*
from its own ``Random`` seeded with (seed, c). Topping up a database that holds *m* members starts
at ordinal *m*, so running the command twice with the same N adds nothing the second time and a
run interrupted half-way resumes where it stopped.

**Unique by construction.** An identity number is region + birth date + 3-digit sequence; the
sequence's parity is the sex. Every (region, birth date) cell gets a capacity proportional to how
common that region and age are, and a keyed permutation (a small Feistel network) maps ordinal *k*
to one slot of that space: distinct ordinals give distinct slots, hence distinct numbers, with no
set of seen numbers to keep and no retries. Phones use the same trick over the carriers' number
blocks. Numbers registered by other means (by hand, or by a run with another seed) are looked up
before writing and skipped.

**Stored exactly as the services store them.** Each row's protected fields are made like
``services.clean_member_input`` makes them (ciphertext, keyed hash, mask, pinyin, birth date and
sex from the number); the tests compare the two. Pinyin is cached per surname and per given name:
the name pools contain no character whose reading depends on its neighbours, so a name's pinyin is
its surname's followed by its given name's (a test checks every combination).

**Writing.** Rows are made and written one chunk of ``COMMIT_ROWS`` at a time, so memory stays
flat whatever N is; a chunk is sorted by name first, which keeps the six name indexes' inserts
local. On PostgreSQL, ids are reserved from the sequence and the chunk streams through binary
``COPY`` in one transaction with ``synchronous_commit`` off, two chunks at a time on two
connections (the server's side of COPY is most of the work). A JOIN event per member (and a LEAVE
event per member who left) is then inserted from the new rows in one statement, and
``UnitCounts.members`` gets one upsert per unit. On SQLite the rows go in by ``executemany`` under
ids above the highest ever used, and the same SQL makes the events and counts. The counts move in
the same transaction as the members they count, so they stay right if a run stops half-way.
"""

import datetime as dt
import hashlib
import queue
import threading
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, count, islice
from operator import itemgetter
from random import Random
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from gonghui.core import pii
from gonghui.members import services
from gonghui.members.identity import ID_CHECK, ID_WEIGHTS, name_pinyin
from gonghui.members.models import Member, MembershipEvent, MembershipEventKind, MemberStatus
from gonghui.orgs import demo_data as data
from gonghui.orgs.models import Employer, Unit, UnitCounts, UnitKind

# Dates are counted from a fixed day, not from today, so the same seed gives the same people
# next year too. Members are 18–60 on this day and joined between 1990 and this day.
AS_OF = dt.date(2025, 6, 30)
JOINED_FROM = dt.date(1990, 1, 1)
NEW_FORM_JOINED_FROM = dt.date(2018, 1, 1)  # the campaign to organise new-form workers (八大群体入会)
GENERATION_ROWS = 10_000
COMMIT_ROWS = 200_000
SQLITE_BATCH = 5_000
WRITER_THREADS = 2  # PostgreSQL connections writing at once
MAX_MEMBERS = 50_000_000
LEAVE_REASON = "离职"
_SEQUENCES = 998  # sequence numbers 001–998 in each (region, birth date) cell
_ADULT_DAYS = 6575  # 18 years

# The protected row, in Member's column names (attnames), as the writers store it.
MEMBER_COLUMNS = (
    "name",
    "name_pinyin",
    "name_initials",
    "id_number_cipher",
    "id_number_hash",
    "id_number_masked",
    "birth_date",
    "sex",
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "unit_id",
    "employer_id",
    "is_new_form_worker",
    "platform",
    "status",
    "joined_on",
    "left_on",
)
_UNIT, _STATUS = MEMBER_COLUMNS.index("unit_id"), MEMBER_COLUMNS.index("status")
_NAME_ORDER = itemgetter(MEMBER_COLUMNS.index("name_pinyin"), MEMBER_COLUMNS.index("name"))


class Person(NamedTuple):
    """One generated member, plain values (nothing here is stored as is)."""

    ordinal: int
    name: str
    pinyin: str
    initials: str
    id_number: str
    birth_date: dt.date
    sex: str
    phone: str
    unit_id: int
    employer_id: int | None
    is_new_form_worker: bool
    platform: str
    status: str
    joined_on: dt.date
    left_on: dt.date | None


def protect(person: Person) -> tuple:
    """The stored row for a person: what ``services.clean_member_input`` would produce."""
    return (
        person.name,
        person.pinyin,
        person.initials,
        pii.encrypt(person.id_number),
        services.id_number_hash(person.id_number),
        pii.mask_id_number(person.id_number),
        person.birth_date,
        person.sex,
        pii.encrypt(person.phone),
        services.phone_hash(person.phone),
        pii.mask_phone(person.phone),
        person.unit_id,
        person.employer_id,
        person.is_new_form_worker,
        person.platform,
        person.status,
        person.joined_on,
        person.left_on,
    )


# --- Drawing ---------------------------------------------------------------------------------------------


class Weighted:
    """Draw items by weight with one uniform number (bisect over cumulative weights)."""

    def __init__(self, items: Iterable, weights: Iterable[float]):
        pairs = [(item, w) for item, w in zip(items, weights, strict=True) if w > 0]
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(w for _, w in pairs))
        self.total = self.cumulative[-1] if pairs else 0

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, u: float):
        return self.items[min(bisect_right(self.cumulative, u * self.total), len(self.items) - 1)]


class Shuffle:
    """A keyed permutation of ``range(size)``: a 4-round Feistel network over the next power of
    two (halves of ``a`` and ``b`` bits that swap sizes each round), walked until the value falls
    inside the range (cycle walking). Any round function gives a bijection; this one (the top
    bits of a multiplicative hash) only has to scatter neighbouring ordinals."""

    def __init__(self, size: int, key: str):
        bits = max(2, (size - 1).bit_length())
        self.size, self.a, self.b = size, bits // 2, bits - bits // 2
        digest = hashlib.sha256(key.encode()).digest()
        self.keys = [int.from_bytes(digest[i : i + 8], "big") for i in range(0, 32, 8)]

    def __call__(self, x: int) -> int:
        size, keys = self.size, self.keys
        while True:
            a, b = self.a, self.b  # x = left (a bits) · 2^b + right (b bits)
            for key in keys:
                left, right = x >> b, x & ((1 << b) - 1)
                # F: b bits → a bits, the top a bits of a 64-bit multiplicative hash.
                f = (((right ^ key) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> (64 - a)
                x = (right << a) | (left ^ f)
                a, b = b, a
            if x < size:
                return x


def _birth_dates() -> list[dt.date]:
    first = AS_OF.replace(year=AS_OF.year - 61) + dt.timedelta(days=1)  # turns 61 tomorrow: still 60
    last = AS_OF.replace(year=AS_OF.year - 18)
    return [dt.date.fromordinal(d) for d in range(first.toordinal(), last.toordinal() + 1)]


def _age(birth: dt.date) -> int:
    return AS_OF.year - birth.year - ((AS_OF.month, AS_OF.day) < (birth.month, birth.day))


class IdentitySpace:
    """Every identity number one group of regions can give, laid out date by date, region by
    region; ``number(k)`` is the number in slot ``shuffle(k)``. A cell's capacity (how many of
    its 998 sequence numbers are used) follows the region's and the age band's weight, so a
    uniform choice of slot is a weighted choice of region and age."""

    def __init__(self, regions: dict[str, float], births: list[dt.date], key: str):
        self.regions = list(regions)
        top_region = max(regions.values())
        top_band = max(w for _, _, w in data.MEMBER_AGE_BANDS)
        band_of_age = {age: i for i, (lo, hi, _) in enumerate(data.MEMBER_AGE_BANDS) for age in range(lo, hi + 1)}
        # One cumulative capacity list per age band: cell (date, region) → offsets in the date.
        self.band_cumulative = [
            list(accumulate(max(1, round(_SEQUENCES * w / top_region * bw / top_band)) for w in regions.values()))
            for _, _, bw in data.MEMBER_AGE_BANDS
        ]
        self.date_band = [band_of_age[_age(b)] for b in births]
        self.date_cumulative = list(accumulate(self.band_cumulative[band][-1] for band in self.date_band))
        self.size = self.date_cumulative[-1]
        self.shuffle = Shuffle(self.size, key)
        # Check character (GB 11643, see identity.id_check_char) from partial weighted sums.
        self.region_sums = [sum(int(c) * w for c, w in zip(r, ID_WEIGHTS[:6], strict=True)) for r in self.regions]
        self.date_texts = [b.strftime("%Y%m%d") for b in births]
        self.date_sums = [sum(int(c) * w for c, w in zip(t, ID_WEIGHTS[6:14], strict=True)) for t in self.date_texts]

    def number(self, ordinal: int) -> tuple[str, int]:
        """``(identity number, index of the birth date)`` for an ordinal below ``size``."""
        slot = self.shuffle(ordinal)
        day = bisect_right(self.date_cumulative, slot)
        offset = slot - (self.date_cumulative[day - 1] if day else 0)
        cumulative = self.band_cumulative[self.date_band[day]]
        region = bisect_right(cumulative, offset)
        position = offset - (cumulative[region - 1] if region else 0)
        # Spread the used positions over 001–998; the step is odd, so odd and even (male and
        # female) alternate and distinct positions give distinct sequence numbers.
        sequence = 1 + (position * 617 + day * 31 + region) % _SEQUENCES
        seq = f"{sequence:03d}"
        total = self.region_sums[region] + self.date_sums[day] + _SEQUENCE_SUMS[sequence]
        return f"{self.regions[region]}{self.date_texts[day]}{seq}{ID_CHECK[total % 11]}", day


_SEQUENCE_SUMS = [sum(int(c) * w for c, w in zip(f"{s:03d}", ID_WEIGHTS[14:], strict=True)) for s in range(1000)]


class PhoneSpace:
    """Mobile numbers: each prefix (号段) owns a block of slots sized by its weight; within a
    block, slot → 8 digits by an affine map that is one-to-one modulo 10^8."""

    def __init__(self, prefixes: dict[str, float], key: str):
        total = sum(prefixes.values())
        unit = min(10**8 // max(prefixes.values()), (1 << 30) // total)
        sizes = [int(w * unit) for w in prefixes.values()]
        self.prefixes = list(prefixes)
        self.cumulative = list(accumulate(sizes))
        self.size = self.cumulative[-1]
        self.shuffle = Shuffle(self.size, key)

    def number(self, ordinal: int) -> str:
        slot = self.shuffle(ordinal)
        block = bisect_right(self.cumulative, slot)
        rest = slot - (self.cumulative[block - 1] if block else 0)
        return f"{self.prefixes[block]}{(rest * 7_654_321 + block * 1_000_003) % 10**8:08d}"


# --- Where members go ------------------------------------------------------------------------------------


@dataclass
class DistrictTargets:
    enterprise: Weighted  # (unit_id, employer_id): employers with their own union
    covered: Weighted  # (unit_id, employer_id): small firms covered by a joint union or station
    new_form_units: Weighted  # unit_id: joint unions and stations new-form workers join
    logistics: Weighted  # (unit_id, employer_id): courier and transport firms (industry G)


class CityTargets:
    """The units and employers members attach to, read from the database in a fixed order
    (paths, credit codes) so the same city gives the same members."""

    def __init__(self):
        districts = list(
            Unit.objects.filter(kind=UnitKind.DISTRICT_UNION).order_by("path").values_list("id", "path", "name")
        )
        workforce = {d.name: data.DISTRICT_WORKFORCE.get(d.short, 1) for d in data.DISTRICTS}
        employers = list(
            Employer.objects.filter(is_active=True)
            .order_by("uscc")
            .values_list("id", "unit_id", "district_id", "has_own_union", "headcount", "industry")
        )
        units = list(
            Unit.objects.filter(kind__in=list(data.NEW_FORM_UNIT_WEIGHTS), is_active=True)
            .order_by("path")
            .values_list("id", "path", "kind")
        )
        keys = [pk for pk, _, _ in districts] or [None]
        by_path = {path: pk for pk, path, _ in districts}
        groups = {key: {"enterprise": [], "covered": [], "new_form_units": [], "logistics": []} for key in keys}

        def group(district_id):
            # Without district unions (a city built by hand) the whole city is one district.
            return groups[None] if not districts else groups.get(district_id)

        for pk, unit_id, district_id, own, headcount, industry in employers:
            if (pools := group(district_id)) is not None:
                pools["enterprise" if own else "covered"].append(((unit_id, pk), max(headcount, 1)))
                if industry == "G":
                    pools["logistics"].append(((unit_id, pk), max(headcount, 1)))
        for pk, path, kind in units:
            if (pools := group(by_path.get(path[: 2 * Unit.steplen]))) is not None:
                pools["new_form_units"].append((pk, data.NEW_FORM_UNIT_WEIGHTS[kind]))

        def weighted(pairs):
            return Weighted([p[0] for p in pairs], [p[1] for p in pairs])

        city = {kind: weighted([p for g in groups.values() for p in g[kind]]) for kind in groups[keys[0]]}
        if not (city["enterprise"] or city["covered"] or city["new_form_units"]):
            raise ValueError("no employers, joint unions or stations to attach members to")
        self.districts = Weighted(keys, [workforce.get(name, 1) for _, _, name in districts] or [1])
        self.by_district = {}
        for key, kinds in groups.items():
            own = {kind: weighted(pairs) for kind, pairs in kinds.items()}
            # A district without one kind of target still gets members: the nearest other kind
            # first, then the same kind elsewhere in the city.
            enterprise = own["enterprise"] or own["covered"] or city["enterprise"] or city["covered"]
            covered = own["covered"] or own["enterprise"] or city["covered"] or city["enterprise"]
            new_form = own["new_form_units"] or city["new_form_units"]
            self.by_district[key] = DistrictTargets(
                enterprise=enterprise or new_form,
                covered=covered or new_form,
                new_form_units=new_form or covered,
                logistics=own["logistics"],
            )


# --- The generator ---------------------------------------------------------------------------------------


class MemberGenerator:
    """``people(start)`` yields Person ordinal ``start``, ``start + 1``, …; see the module docstring."""

    def __init__(self, *, seed: int, targets: CityTargets):
        self.seed = seed
        self.targets = targets
        self.births = _birth_dates()
        migrant_regions = {code: weight / len(codes) for _, weight, codes in data.MIGRANT_ID_REGIONS for code in codes}
        self.local_ids = IdentitySpace(data.BEIJING_ID_REGIONS, self.births, f"gonghui/{seed}/id/local")
        self.migrant_ids = IdentitySpace(migrant_regions, self.births, f"gonghui/{seed}/id/migrant")
        self.phones = PhoneSpace(data.MOBILE_PREFIXES, f"gonghui/{seed}/phone")
        self.capacity = min(self.local_ids.size, self.migrant_ids.size, self.phones.size)
        self.surnames = Weighted([s for s, _ in data.MEMBER_SURNAMES], [w for _, w in data.MEMBER_SURNAMES])
        self.platforms = Weighted(list(data.PLATFORM_WEIGHTS), list(data.PLATFORM_WEIGHTS.values()))
        self.pinyin: dict[str, tuple[str, str]] = {}
        self.as_of = AS_OF.toordinal()

    def people(self, start: int = 0) -> Iterator[Person]:
        chunk, skip = divmod(start, GENERATION_ROWS)
        while True:
            rows = self.chunk(chunk)
            yield from islice(rows, skip, None)
            chunk, skip = chunk + 1, 0

    def chunk(self, index: int) -> list[Person]:
        rng = Random(f"gonghui-members/{self.seed}/{index}")
        first = index * GENERATION_ROWS
        if first + GENERATION_ROWS > self.capacity:
            raise ValueError(f"more than {self.capacity:,} members cannot be generated")
        return [self.person(k, rng) for k in range(first, first + GENERATION_ROWS)]

    def pinyin_of(self, text: str) -> tuple[str, str]:
        cached = self.pinyin.get(text)
        if cached is None:
            cached = self.pinyin[text] = name_pinyin(text)
        return cached

    def person(self, ordinal: int, rng: Random) -> Person:
        random = rng.random
        district = self.targets.by_district[self.targets.districts.pick(random())]
        u = random()
        employer_id, platform = None, ""
        if u < data.MEMBER_NEW_FORM_SHARE:
            kind = "new_form"
            platform = self.platforms.pick(random())
            with_employer = data.PLATFORMS_WITH_EMPLOYER.get(platform, 0)
            if district.logistics and random() < with_employer:
                unit_id, employer_id = district.logistics.pick(random())
            else:
                target = district.new_form_units.pick(random())
                unit_id = target if isinstance(target, int) else target[0]
        else:
            kind = "covered" if u < data.MEMBER_NEW_FORM_SHARE + data.MEMBER_COVERED_SHARE else "enterprise"
            target = (district.covered if kind == "covered" else district.enterprise).pick(random())
            unit_id, employer_id = (target, None) if isinstance(target, int) else target

        space = self.migrant_ids if random() < data.MIGRANT_SHARE[kind] else self.local_ids
        id_number, day = space.number(ordinal)
        birth = self.births[day]
        sex = "M" if int(id_number[16]) % 2 else "F"

        # Names of their generation: mostly the older pool before 1975, the younger after 1990.
        era = "younger" if random() < (birth.year - 1975) / 15 else "older"
        if random() < data.SINGLE_GIVEN_NAME_SHARE:
            chars = data.SINGLE_GIVEN_NAMES[sex]
            given = chars[int(random() * len(chars))]
        else:
            first, second = data.GIVEN_NAMES[(sex, era)]
            given = first[int(random() * len(first))] + second[int(random() * len(second))]
        surname = self.surnames.pick(random())
        surname_pinyin, given_pinyin = self.pinyin_of(surname), self.pinyin_of(given)

        # Joined any day after turning 18 (and after 1990; new-form workers after 2018).
        earliest = NEW_FORM_JOINED_FROM if kind == "new_form" else JOINED_FROM
        low = max(earliest.toordinal(), birth.toordinal() + _ADULT_DAYS)
        joined = low + int((self.as_of - low) * random())
        status, left_on = MemberStatus.ACTIVE, None
        if random() < data.MEMBER_LEFT_SHARE:
            status = MemberStatus.LEFT
            left_on = dt.date.fromordinal(joined + int((self.as_of - joined) * random()))
        return Person(
            ordinal=ordinal,
            name=surname + given,
            pinyin=surname_pinyin[0] + given_pinyin[0],
            initials=surname_pinyin[1] + given_pinyin[1],
            id_number=id_number,
            birth_date=birth,
            sex=sex,
            phone=self.phones.number(ordinal),
            unit_id=unit_id,
            employer_id=employer_id,
            is_new_form_worker=kind == "new_form",
            platform=platform,
            status=status.value,
            joined_on=dt.date.fromordinal(joined),
            left_on=left_on,
        )


# --- Writing ---------------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    added: int
    total: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.added / self.seconds if self.seconds else 0.0


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class MemberWriter:
    """Writes one chunk of rows in one transaction: the members under ids reserved for them,
    then their events from those ids in one INSERT … SELECT, then one upsert per unit of
    ``UnitCounts.members``. Subclasses reserve the ids and move the rows."""

    def __init__(self, now: dt.datetime):
        self.now = connection.ops.adapt_datetimefield_value(now)
        self.columns = ("id", *MEMBER_COLUMNS, "created_at", "updated_at")
        members, events, counts = _table(Member), _table(MembershipEvent), _table(UnitCounts)
        self.events_sql = (
            f"INSERT INTO {events} (kind, reason, occurred_on, created_at, member_id, from_unit_id, to_unit_id) "
            f"SELECT %s, '', joined_on, %s, id, NULL, unit_id FROM {members} WHERE id BETWEEN %s AND %s "
            f"UNION ALL SELECT %s, %s, left_on, %s, id, unit_id, NULL FROM {members} "
            f"WHERE id BETWEEN %s AND %s AND status = %s"
        )
        self.counts_sql = (
            f"INSERT INTO {counts} (unit_id, employers, unionised_employers, service_points, staff, members) "
            f"VALUES (%s, 0, 0, 0, 0, %s) "
            f"ON CONFLICT (unit_id) DO UPDATE SET members = {counts}.members + EXCLUDED.members"
        )

    def write(self, rows: Iterable[tuple], n: int) -> None:
        first = self.reserve_ids_outside(n)
        with transaction.atomic(), connection.cursor() as cursor:
            if first is None:
                first = self.reserve_ids_inside(cursor, n)
            added = Counter()
            written = self.insert(cursor, zip(count(first), rows), added)
            if written != n:
                raise RuntimeError(f"expected {n} rows, got {written}")
            join, leave, left = MembershipEventKind.JOIN.value, MembershipEventKind.LEAVE.value, MemberStatus.LEFT.value
            last = first + n - 1
            cursor.execute(
                self.events_sql, [join, self.now, first, last, leave, LEAVE_REASON, self.now, first, last, left]
            )
            cursor.executemany(self.counts_sql, sorted(added.items()))

    def reserve_ids_outside(self, n: int) -> int | None:
        return None

    def reserve_ids_inside(self, cursor, n: int) -> int:
        raise NotImplementedError

    def insert(self, cursor, numbered_rows: Iterator[tuple[int, tuple]], added: Counter) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


class PostgresWriter(MemberWriter):
    """Rows stream through COPY; ids come from the table's sequence."""

    def reserve_ids_outside(self, n: int) -> int:
        """The first of ``n`` consecutive ids nobody else can get, in a transaction of its own.
        The table lock (a moment long) keeps a concurrent insert from drawing a value between
        our nextval and setval."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_table(Member)} IN SHARE ROW EXCLUSIVE MODE")
            sequence = "pg_get_serial_sequence(%s, 'id')"
            cursor.execute(
                f"SELECT setval({sequence}, nextval({sequence}) + %s - 1)",
                [Member._meta.db_table, Member._meta.db_table, n],
            )
            return cursor.fetchone()[0] - n + 1

    def insert(self, cursor, numbered_rows, added) -> int:
        # Demo data: losing the last chunk in a crash is fine, waiting for every flush is not.
        cursor.execute("SET LOCAL synchronous_commit TO off")
        # Binary COPY spares the server parsing dates and hex-encoded bytes; it needs each
        # column's type, read from the catalogue.
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
            [Member._meta.db_table],
        )
        types = dict(cursor.fetchall())
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        sql = f"COPY {_table(Member)} ({columns}) FROM STDIN (FORMAT BINARY)"
        now, written = self.now, 0
        with cursor.connection.cursor() as raw, raw.copy(sql) as copy:
            copy.set_types([types[c] for c in self.columns])
            for pk, row in numbered_rows:
                copy.write_row((pk, *row, now, now))
                if row[_STATUS] == MemberStatus.ACTIVE:
                    added[row[_UNIT]] += 1
                written += 1
        return written


class SqliteWriter(MemberWriter):
    """Rows go in with ``executemany`` in batches of ``SQLITE_BATCH``. bulk_create would do, at a
    quarter of the speed: it compiles every row into SQL and reads every id back."""

    def __init__(self, now: dt.datetime):
        super().__init__(now)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.insert_sql = f"INSERT INTO {_table(Member)} ({columns}) VALUES ({', '.join(['%s'] * len(self.columns))})"
        # Fourteen indexes, several on random keys: a larger page cache for this connection while we write.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            self.cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -262144")

    def reserve_ids_inside(self, cursor, n: int) -> int:
        # The transaction holds SQLite's write lock (BEGIN IMMEDIATE): nobody else inserts until
        # it ends. Ids above both the highest row and the AUTOINCREMENT counter are never reused.
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {_table(Member)}), 0), "
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [Member._meta.db_table],
        )
        return cursor.fetchone()[0] + 1

    def insert(self, cursor, numbered_rows, added) -> int:
        now, written = self.now, 0
        while batch := [(pk, *row, now, now) for pk, row in islice(numbered_rows, SQLITE_BATCH)]:
            cursor.executemany(self.insert_sql, batch)
            added.update(row[1 + _UNIT] for row in batch if row[1 + _STATUS] == MemberStatus.ACTIVE)
            written += len(batch)
        return written

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(self.cache_size)}")


def _registered(hashes: list[bytes]) -> set[bytes]:
    found = Member.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True)
    return {bytes(h) for h in found}


def _plan_skips(generator: MemberGenerator, start: int, n: int) -> tuple[set[int], int]:
    """Ordinals from ``start`` whose number is already registered (by hand, or by a run with
    another seed), and the ordinal after the n-th free one. Looked up before the chunk is
    written: the connection cannot query while a COPY is open."""
    skip: set[int] = set()
    people = generator.people(start)
    end, free = start, 0
    while free < n:
        batch = list(islice(people, min(GENERATION_ROWS, n - free)))
        hashes = {services.id_number_hash(p.id_number): p.ordinal for p in batch}
        taken = {hashes[h] for h in _registered(list(hashes))}
        skip |= taken
        free += len(batch) - len(taken)
        end = batch[-1].ordinal + 1
    return skip, end


@dataclass(frozen=True)
class Chunk:
    """One transaction's worth: ordinals ``start`` up to ``end``, less ``skip``, are ``size`` rows."""

    start: int
    end: int
    skip: frozenset[int]
    size: int


def _chunks(generator: MemberGenerator, existing: int, wanted: int, commit_rows: int) -> Iterator[Chunk]:
    ordinal, planned = existing, 0
    while planned < wanted:
        n = min(commit_rows, wanted - planned)
        # A fresh table cannot hold any of our numbers; otherwise look them up first.
        skip, end = _plan_skips(generator, ordinal, n) if existing else (set(), ordinal + n)
        yield Chunk(ordinal, end, frozenset(skip), n)
        ordinal, planned = end, planned + n


def _write_in_threads(chunks: Iterable[Chunk], write: Callable[[Chunk], None], threads: int) -> None:
    """Chunks written by ``threads`` threads, each on its own connection (so in its own
    PostgreSQL backend: the server's side of a COPY is most of the work, and this way it runs
    on every core). The queue holds one chunk per thread, so planning stays just ahead."""
    jobs: queue.Queue[Chunk | None] = queue.Queue(maxsize=threads)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while (chunk := jobs.get()) is not None:
                if not errors:
                    try:
                        write(chunk)
                    except BaseException as e:  # noqa: BLE001 - re-raised in the calling thread
                        errors.append(e)
        finally:
            connection.close()  # this thread's own connection

    workers = [threading.Thread(target=work, name=f"seed-members-{i}") for i in range(threads)]
    for worker in workers:
        worker.start()
    try:
        for chunk in chunks:
            if errors:
                break
            jobs.put(chunk)
    finally:
        for _ in workers:
            jobs.put(None)
        for worker in workers:
            worker.join()
    if errors:
        raise errors[0]


def seed_members(
    *,
    total: int,
    seed: int,
    commit_rows: int = COMMIT_ROWS,
    threads: int = WRITER_THREADS,
    progress: Callable[[int, int, float], None] | None = None,
) -> SeedResult:
    """Add members until the database holds ``total`` (run inside ``scopes_disabled()``).

    On PostgreSQL, chunks are written by ``threads`` connections at once, unless the caller
    holds a transaction open (a test, or an outer ``atomic``): other connections could not see
    its rows, so everything then runs on the caller's connection, inside its transaction.
    """
    started = time.perf_counter()
    existing = Member.objects.count()
    wanted = total - existing
    if wanted <= 0:
        return SeedResult(0, existing, 0.0)
    generator = MemberGenerator(seed=seed, targets=CityTargets())
    if total > min(MAX_MEMBERS, generator.capacity):
        raise ValueError(f"at most {min(MAX_MEMBERS, generator.capacity):,} members")
    if connection.vendor == "postgresql":
        writer = PostgresWriter(timezone.now())
    elif connection.vendor == "sqlite":
        writer = SqliteWriter(timezone.now())
        threads = 1  # one writer at a time
    else:
        raise ValueError(f"seeding members on {connection.vendor} is not supported")
    if connection.in_atomic_block:
        threads = 1
    done = 0
    lock = threading.Lock()

    def write(chunk: Chunk) -> None:
        nonlocal done
        people = islice(generator.people(chunk.start), chunk.end - chunk.start)
        # In name order: the six name indexes then fill page by page instead of at random, which
        # makes the chunk about 40% cheaper for PostgreSQL (and it costs a chunk's rows in memory).
        rows = sorted((protect(p) for p in people if p.ordinal not in chunk.skip), key=_NAME_ORDER)
        writer.write(rows, chunk.size)
        with lock:
            done += chunk.size
            if progress is not None:
                progress(done, wanted, time.perf_counter() - started)

    chunks = _chunks(generator, existing, wanted, commit_rows)
    try:
        if threads > 1:
            _write_in_threads(chunks, write, threads)
        else:
            for chunk in chunks:
                write(chunk)
    finally:
        writer.close()
    return SeedResult(wanted, total, time.perf_counter() - started)
