"""Gonghui's hot paths at city scale, each measured twice in the same run.

For every path: once through Gonghui — its HTTP API or pages, served by gunicorn as in
production, with concurrent clients (or, for imports and seeding, its own services and
command end to end) — and once as the bare SQL doing the same reads and writes over
psycopg with the same number of clients. The ratio of the two is the figure to watch: the
machine is often shared, and both halves of a row suffer the same neighbours.

    .venv/bin/python bench/run.py --members 1000000 --reuse
    .venv/bin/python bench/run.py --members 20000 --clients 8 --seconds 10 --only verify,lookup

Paths (``--only`` takes these names):
  seed       building the city: ``manage.py seed_city --members N`` into an empty database
             (baseline: copying the same member and membership-event rows, same indexes)
  verify     card verification with redemption at a venue (POST /api/v1/venue/verify)
  lookup     member look-up in one district's scope by exact ID number, exact phone, name
             prefix and pinyin initials (GET /api/v1/members?q=…)
  dashboard  the workspace home page (/) for the whole city and for one district: member,
             employer and unit totals, each child's totals, and the open-appeal counts
  import     importing rows from a .csv (or .xlsx) through the import services, checked and
             written, into a city that already holds N members (baseline: COPY of the rows)
  appeals    appeal intake with routing (POST /api/v1/appeals) and a busy station's to-do
             list (GET /api/v1/appeals?view=todo)

Without ``--reuse`` the database is dropped and the city built from nothing (and timed);
with it an existing city is kept (topped up to N) and the last recorded build time is shown.
Results: a table on stdout and run_<N>.json / run_<N>.md in bench/results/ (or --results).
"""

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness
from bench.harness import HttpClient, Row, SqlClient, drive

PATHS = ("seed", "verify", "lookup", "dashboard", "import", "appeals")
BENCH_PASSWORD = "Bench-gonghui-2024!"


# --- Setting the stage (in-process Django, outside any organisation scope) -------------------


def _staff(username, unit, roles):
    """A staff account for the benchmark and a fresh API token for it. Created as seed_city
    creates its demo staff (a management task, not a user's action)."""
    from gonghui.accounts.models import Staff, StaffRole
    from gonghui.accounts.services import api_token_create
    from gonghui.orgs.services import unit_counts_add

    staff = Staff.objects.filter(username=username).first()
    if staff is None:
        staff = Staff(username=username, full_name="基准测试", unit=unit)
        staff.set_password(BENCH_PASSWORD)
        staff.save()
        StaffRole.objects.bulk_create([StaffRole(staff=staff, role=r) for r in roles])
        unit_counts_add(unit=unit, staff=1)
    elif staff.unit_id != unit.pk:
        Staff.objects.filter(pk=staff.pk).update(unit=unit)
        staff.refresh_from_db()
    _token, raw = api_token_create(staff=staff, name="bench")
    return staff, raw


def prepare(members: int) -> dict:
    """Who asks and what they ask for: staff tokens in the city, in the largest district and
    in one of its stations; a venue with unlimited benefits and cards; look-up inputs drawn
    from the district's own members."""
    from django.db import connection

    from gonghui.cards.demo import seed_demo_cards
    from gonghui.cards.models import Benefit, Card, Venue
    from gonghui.cards.services import venue_token_create
    from gonghui.core import pii
    from gonghui.core.scoping import scopes_disabled
    from gonghui.orgs import selectors as org_selectors
    from gonghui.orgs.models import Unit, UnitKind

    with scopes_disabled():
        root = Unit.objects.filter(depth=1).order_by("path").first()
        districts = [
            (unit, totals)
            for unit, totals in org_selectors.children_with_totals(root)
            if unit.kind == UnitKind.DISTRICT_UNION
        ]
        district = max(districts, key=lambda d: d[1]["members"])[0]
        station = (
            Unit.objects.filter(path__startswith=district.path, kind=UnitKind.STREET_STATION).order_by("path").first()
        )
        city_staff, city_token = _staff("bench_city", root, ["officer"])
        district_staff, district_token = _staff("bench_district", district, ["officer"])
        station_staff, station_token = _staff("bench_station", station, ["social_worker"])

        # Cards: for everyone up to 200,000 (enough for the verify path to draw from).
        seed_demo_cards(cards=min(members, 200_000))
        venue, _ = Venue.objects.get_or_create(name="基准测试场馆", defaults={"unit": root})
        today = dt.date.today()
        while Benefit.objects.filter(venue=venue).count() < 4:
            Benefit.objects.create(
                venue=venue,
                name=f"基准项目{Benefit.objects.filter(venue=venue).count() + 1}",
                kind="free",
                valid_from=today - dt.timedelta(days=1),
                valid_to=today + dt.timedelta(days=365),
            )
        benefit_ids = list(Benefit.objects.filter(venue=venue).values_list("pk", flat=True))
        cards = list(
            Card.objects.filter(status__in=["issued", "active"], member__status="active")
            .order_by("?")
            .values_list("pk", "token_version")[:20_000]
        )
        venue_token = venue_token_create(by=None, venue=venue)

    with connection.cursor() as cur:
        cur.execute(
            "SELECT m.id_number_cipher, m.phone_cipher, m.name, m.name_initials, m.id_number_hash, m.phone_hash"
            " FROM members_member m JOIN orgs_unit u ON u.id = m.unit_id"
            " WHERE u.path LIKE %s AND m.status = 'active' AND m.phone_cipher IS NOT NULL"
            " ORDER BY random() LIMIT 500",
            [district.path + "%"],
        )
        sample = cur.fetchall()
    lookups = {
        "id_number": [(pii.decrypt(bytes(r[0])), bytes(r[4])) for r in sample],
        "phone": [(pii.decrypt(bytes(r[1])), bytes(r[5])) for r in sample],
        # The hard cases: a surname alone, two pinyin initials — many matches, capped.
        "name": [(r[2][:1], r[2][:1]) for r in sample],
        "pinyin": [(r[3][:2], r[3][:2]) for r in sample if len(r[3]) >= 2],
    }
    return {
        "root": root,
        "district": district,
        "station": station,
        "staff": {"city": city_staff, "district": district_staff, "station": station_staff},
        "tokens": {"city": city_token, "district": district_token, "station": station_token},
        "venue_id": venue.pk,
        "venue_token": venue_token,
        "benefit_ids": benefit_ids,
        "cards": cards,
        "lookups": lookups,
    }


def _sql_of(queryset):
    """The SQL Django sends for a queryset, for the baseline to send itself."""
    sql, params = queryset.query.sql_with_params()
    return sql, params


# --- 1. Card verification ----------------------------------------------------------------


class VerifyHttp(HttpClient):
    """A venue terminal scanning members' QR codes. The codes are what members' phones show:
    signed ahead (a minute's validity, renewed every 30 s), not by the terminal per scan."""

    def __init__(self, port, ctx):
        super().__init__(port)
        self.cards, self.benefits, self.token = ctx["cards"], ctx["benefit_ids"], ctx["venue_token"]
        self.codes, self.signed_at = [], 0.0

    def _qr_codes(self):
        from django.core import signing

        from gonghui.cards.services import QR_SALT

        if time.time() - self.signed_at > 30:
            sample = self.rng.sample(self.cards, min(len(self.cards), 2000))
            self.codes = [signing.dumps([card_id, version], salt=QR_SALT, compress=True) for card_id, version in sample]
            self.signed_at = time.time()
        return self.codes

    def request(self):
        body = json.dumps(
            {
                "benefit_id": self.rng.choice(self.benefits),
                "idempotency_key": uuid.uuid4().hex,
                "token": self.rng.choice(self._qr_codes()),
            }
        )
        return "POST", "/api/v1/venue/verify", body, {**_json, "Authorization": f"Bearer {self.token}"}


_json = {"Content-Type": "application/json"}


class VerifySql(SqlClient):
    """What one verify call asks of the database (gonghui/cards/hotpath.py), hand-written:
    the terminal's token, the card and its holder, then in one transaction the benefit's
    lock, the member's uses this day/month/year, the insert (its unique key settles a
    repeated scan) and the benefit's count."""

    def __init__(self, url, ctx):
        super().__init__(url)
        self.cards, self.benefits, self.venue_id = ctx["cards"], ctx["benefit_ids"], ctx["venue_id"]
        self.digest = hashlib.sha256(ctx["venue_token"].encode()).hexdigest()

    def run(self, conn):
        card_id, _ = self.rng.choice(self.cards)
        benefit_id = self.rng.choice(self.benefits)
        key = uuid.uuid4().hex
        today = dt.date.today()
        conn.execute(
            "SELECT id, name, unit_id, service_point_id, is_active FROM cards_venue"
            " WHERE token_digest = %s AND is_active",
            (self.digest,),
        ).fetchone()
        card = conn.execute(
            "SELECT c.id, c.member_id, c.number, c.status, c.token_version, m.id, m.name, m.phone_masked,"
            " m.unit_id, m.is_new_form_worker, m.is_model_worker, m.in_hardship, m.status"
            " FROM cards_card c JOIN members_member m ON m.id = c.member_id WHERE c.id = %s",
            (card_id,),
        ).fetchone()
        with conn.transaction():
            conn.execute(
                "SELECT id, venue_id, name, kind, discount_percent, member_price, eligibility, eligible_unit_id,"
                " valid_from, valid_to, per_member_day, per_member_month, per_member_year, capacity, redeemed,"
                " is_active FROM cards_benefit WHERE id = %s FOR UPDATE",
                (benefit_id,),
            ).fetchone()
            conn.execute(
                "SELECT COUNT(CASE WHEN on_date = %s THEN 1 END), COUNT(CASE WHEN on_date >= %s THEN 1 END),"
                " COUNT(*) FROM cards_redemption WHERE member_id = %s AND benefit_id = %s AND on_date >= %s",
                (today, today.replace(day=1), card[1], benefit_id, today.replace(month=1, day=1)),
            ).fetchone()
            conn.execute(
                "INSERT INTO cards_redemption (benefit_id, venue_id, card_id, member_id, idempotency_key, on_date, at)"
                " VALUES (%s, %s, %s, %s, %s, %s, now())"
                " ON CONFLICT (venue_id, idempotency_key) DO NOTHING RETURNING id",
                (benefit_id, self.venue_id, card_id, card[1], key, today),
            ).fetchone()
            conn.execute("UPDATE cards_benefit SET redeemed = redeemed + 1 WHERE id = %s", (benefit_id,))


def bench_verify(args, ctx, port):
    g = drive(VerifyHttp(port, ctx), clients=args.clients, seconds=args.seconds)
    b = drive(VerifySql(args.database_url, ctx), clients=args.clients, seconds=args.seconds)
    return [Row("card verify + redemption", g, b)]


# --- 2. Member look-up -------------------------------------------------------------------

LOOKUP_LIMIT = 20


class LookupHttp(HttpClient):
    def __init__(self, port, token, inputs):
        super().__init__(port)
        self.token, self.inputs = token, inputs

    def request(self):
        from urllib.parse import quote

        q = self.rng.choice(self.inputs)[0]
        path = f"/api/v1/members?q={quote(q)}&limit={LOOKUP_LIMIT}"
        return "GET", path, None, {"Authorization": f"Bearer {self.token}"}


class LookupSql(SqlClient):
    """The statement member_search + keyset_page compile to, with each input's parameter."""

    def __init__(self, url, statements):
        super().__init__(url)
        self.statements = statements

    def run(self, conn):
        sql, params = self.rng.choice(self.statements)
        conn.execute(sql, params).fetchall()


def lookup_statements(ctx, kind):
    from gonghui.core.scoping import user_scope
    from gonghui.members import selectors

    statements = []
    with user_scope(ctx["staff"]["district"]):
        for plain, _ in ctx["lookups"][kind][:200]:
            qs = selectors.member_search(q=plain)[: LOOKUP_LIMIT + 1]
            statements.append(_sql_of(qs))
    return statements


def bench_lookup(args, ctx, port):
    rows = []
    labels = {"id_number": "look-up: exact ID number", "phone": "look-up: exact phone"}
    labels |= {"name": "look-up: name prefix (surname)", "pinyin": "look-up: pinyin initials (2 letters)"}
    # Under the run's concurrent clients, and for one person searching with nobody else
    # asking: the targets for look-ups are response times, not a load.
    for clients in (args.clients, 1):
        for kind, label in labels.items():
            inputs = ctx["lookups"][kind]
            g = drive(LookupHttp(port, ctx["tokens"]["district"], inputs), clients=clients, seconds=args.seconds)
            statements = lookup_statements(ctx, kind)
            b = drive(LookupSql(args.database_url, statements), clients=clients, seconds=args.seconds)
            label += ", one client" if clients == 1 else ""
            rows.append(Row(label, g, b, note=f"district scope, ≤ {LOOKUP_LIMIT} results"))
    return rows


# --- 3. Dashboard ------------------------------------------------------------------------


class PageHttp(HttpClient):
    def __init__(self, port, token, path):
        super().__init__(port)
        self.token, self.path = token, path

    def request(self):
        return "GET", self.path, None, {"Authorization": f"Bearer {self.token}"}


class DashboardSql(SqlClient):
    """The figures of the home page as bare SQL: subtree totals (with the service cards),
    each child's totals, the children themselves, and the 12351 panel's counts."""

    def __init__(self, url, unit, station_id):
        super().__init__(url)
        self.path, self.depth, self.unit_id = unit.path, unit.depth, unit.pk

    def run(self, conn):
        like = self.path + "%"
        conn.execute(
            "SELECT sum(c.members), sum(c.employers), sum(c.unionised_employers), sum(c.service_points),"
            " sum(c.staff), sum(c.cards), count(c.unit_id) FROM orgs_unitcounts c JOIN orgs_unit u ON u.id = c.unit_id"
            " WHERE u.path LIKE %s",
            (like,),
        ).fetchone()
        conn.execute(
            "SELECT id, path, name FROM orgs_unit WHERE path LIKE %s AND depth = %s ORDER BY path",
            (like, self.depth + 1),
        ).fetchall()
        conn.execute(
            "SELECT substr(u.path, 1, %s), sum(c.members), sum(c.employers), sum(c.unionised_employers),"
            " sum(c.service_points), sum(c.staff), sum(c.cards), count(c.unit_id) FROM orgs_unitcounts c"
            " JOIN orgs_unit u ON u.id = c.unit_id WHERE u.path LIKE %s AND u.depth > %s GROUP BY 1",
            ((self.depth + 1) * 4, like, self.depth),
        ).fetchall()
        conn.execute(
            "SELECT count(a.id) FILTER (WHERE a.unit_id = %s AND a.status IN ('received','accepted','in_progress',"
            "'waiting','replied')), count(a.id) FILTER (WHERE a.status IN ('received','accepted','in_progress',"
            "'replied') AND a.paused_at IS NULL AND a.resolve_due < now()) FROM appeals_appeal a"
            " JOIN orgs_unit u ON u.id = a.unit_id WHERE u.path LIKE %s",
            (self.unit_id, like),
        ).fetchone()
        conn.execute("SELECT count(*) FROM appeals_alert WHERE status <> 'closed'").fetchone()


def bench_dashboard(args, ctx, port):
    """Each home page twice: under the run's concurrent clients (what the server sustains),
    and for one person opening it with nobody else asking (the page's own response time —
    the figure the dashboard target is about)."""
    rows = []
    for who, unit in (("city", ctx["root"]), ("district", ctx["district"])):
        for clients in (args.clients, 1):
            g = drive(PageHttp(port, ctx["tokens"][who], "/"), clients=clients, seconds=args.seconds)
            b = drive(DashboardSql(args.database_url, unit, None), clients=clients, seconds=args.seconds)
            label = f"dashboard: {who}" + (", one client" if clients == 1 else "")
            rows.append(Row(label, g, b, note=f"home page of {unit.name}"))
    return rows


# --- 4. Import ---------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉文"
# Beijing's district codes; sequence 999 is one seed_city never gives (it uses 001–998),
# so the imported people are new to a seeded city of any size.
REGIONS = ["110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111"]
REGIONS += ["110112", "110113", "110114", "110115", "110116", "110117", "110118", "110119"]


def import_rows(n: int, unit_name: str) -> list[list[str]]:
    from gonghui.members.identity import id_check_char

    rng = random.Random(99)
    header = ["姓名", "身份证号码", "手机号码", "工作单位", "所属工会", "入会日期", "新就业形态", "平台类型"]
    rows, day = [header], 0
    start = dt.date(1965, 1, 1)
    while len(rows) <= n:
        birth = (start + dt.timedelta(days=day)).strftime("%Y%m%d")
        for region in REGIONS:
            first17 = f"{region}{birth}999"
            platform = "外卖配送" if rng.random() < 0.1 else ""
            rows.append(
                [
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    first17 + id_check_char(first17),
                    f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                    "",
                    unit_name,
                    "2024-03-01",
                    "是" if platform else "否",
                    platform,
                ]
            )
            if len(rows) > n:
                break
        day += 1
    return rows


def import_file(rows, fmt: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return SimpleUploadedFile("基准导入.xlsx", out.getvalue())
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile("基准导入.csv", out.getvalue().encode("utf-8-sig"))


def _forget_members_after(conn, last_id: int) -> None:
    """Take the imported rows out again, with their counts, so the next run starts alike."""
    conn.execute(
        "UPDATE orgs_unitcounts c SET members = c.members - x.n FROM"
        " (SELECT unit_id, count(*) AS n FROM members_member WHERE id > %s GROUP BY unit_id) x"
        " WHERE c.unit_id = x.unit_id",
        (last_id,),
    )
    conn.execute("DELETE FROM members_membershipevent WHERE member_id > %s", (last_id,))
    conn.execute("DELETE FROM members_member WHERE id > %s", (last_id,))


def bench_import(args, ctx, port):
    import psycopg
    from django.db import connections

    from gonghui.core.scoping import scopes_disabled, user_scope
    from gonghui.imports import services
    from gonghui.imports.models import ImportJob, ImportStatus
    from gonghui.orgs.models import Unit

    by = ctx["staff"]["district"]
    with scopes_disabled():
        # A unit whose name is unique in the district: the column every row names.
        names = {}
        for unit in Unit.objects.filter(path__startswith=ctx["district"].path, depth=ctx["district"].depth + 1):
            names[unit.name] = names.get(unit.name, 0) + 1
        unit_name = next(name for name, n in sorted(names.items()) if n == 1)
    n = args.import_rows
    rows = import_rows(n, unit_name)
    upload = import_file(rows, args.import_format)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        last_id = conn.execute("SELECT coalesce(max(id), 0) FROM members_member").fetchone()[0]

    started = time.perf_counter()
    with user_scope(by):
        job = services.import_job_create(by=by, kind="members", uploaded_file=upload)
    checked = time.perf_counter()
    with scopes_disabled():
        job = ImportJob.objects.get(pk=job.pk)
    if job.status != ImportStatus.VALIDATED or job.valid_rows != n:
        raise RuntimeError(f"import check: {job.status}, {job.valid_rows} valid of {n}: {job.errors[:3]}")
    with user_scope(by):
        services.import_job_confirm(by=by, job=job, only_valid=False)
    elapsed = time.perf_counter() - started
    written = elapsed - (checked - started)
    with scopes_disabled():
        job = ImportJob.objects.get(pk=job.pk)
    if job.status != ImportStatus.DONE:
        raise RuntimeError(f"import write: {job.status}: {job.failure}")
    connections.close_all()

    # The baseline: the same rows, as stored, written back with COPY (members and their
    # join events, counts adjusted) — the database's own limit for these writes.
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'members_member'"
                " AND column_name <> 'id' ORDER BY ordinal_position"
            )
        ]
        col_list = ", ".join(cols)
        data = io.BytesIO()
        with conn.cursor().copy(
            f"COPY (SELECT {col_list} FROM members_member WHERE id > {int(last_id)} ORDER BY id) TO STDOUT"
        ) as copy:
            for chunk in copy:
                data.write(chunk)
        _forget_members_after(conn, last_id)
        t0 = time.perf_counter()
        with conn.transaction():
            with conn.cursor().copy(f"COPY members_member ({col_list}) FROM STDIN") as copy:
                copy.write(data.getvalue())
            conn.execute(
                "INSERT INTO members_membershipevent (member_id, kind, to_unit_id, reason, occurred_on, by_id,"
                " created_at) SELECT id, 'join', unit_id, 'bench', joined_on, %s, now() FROM members_member"
                " WHERE id > %s",
                (by.pk, last_id),
            )
            conn.execute(
                "UPDATE orgs_unitcounts c SET members = c.members + x.n FROM"
                " (SELECT unit_id, count(*) AS n FROM members_member WHERE id > %s GROUP BY unit_id) x"
                " WHERE c.unit_id = x.unit_id",
                (last_id,),
            )
        copy_seconds = time.perf_counter() - t0
        _forget_members_after(conn, last_id)

    g = {"throughput": n / elapsed, "seconds": elapsed, "check_seconds": checked - started, "write_seconds": written}
    b = {"throughput": n / copy_seconds, "seconds": copy_seconds}
    note = (
        f"{n:,} rows .{args.import_format}: {elapsed:.1f} s (check {checked - started:.1f} s, "
        f"write {written:.1f} s) vs COPY {copy_seconds:.1f} s"
    )
    return [Row(f"import {n:,} members (.{args.import_format})", g, b, unit="rows/s", note=note)]


# --- 5. Appeals --------------------------------------------------------------------------


class IntakeHttp(HttpClient):
    ok_statuses = (201,)

    def __init__(self, port, token, workplace):
        super().__init__(port)
        self.token, self.workplace = token, workplace

    def request(self):
        body = json.dumps(
            {
                "channel": "hotline",
                "worker_name": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                "phone": f"139{self.rng.randrange(10**8):08d}",
                "description": "公司已经两个月没有发工资，老板说下个月再说，我们十几个人都没拿到。",
                "workplace": self.workplace,
                "workers_involved": 12,
            }
        )
        return "POST", "/api/v1/appeals", body, {**_json, "Authorization": f"Bearer {self.token}"}


class IntakeSql(SqlClient):
    """Routing reads (rules, the station, the deadline policy) and the appeal with its
    first history row, written as bare SQL by copying a just-made appeal's values."""

    def __init__(self, url, template_id, unit_id):
        super().__init__(url)
        self.template_id, self.unit_id = template_id, unit_id

    def start(self, index):
        super().start(index)
        cols = [
            r[0]
            for r in self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'appeals_appeal'"
                " AND column_name NOT IN ('id', 'ticket') ORDER BY ordinal_position"
            )
        ]
        self.insert = (
            f"INSERT INTO appeals_appeal (ticket, {', '.join(cols)}) SELECT %s, {', '.join(cols)}"
            " FROM appeals_appeal WHERE id = %s RETURNING id"
        )
        ev = [
            r[0]
            for r in self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'appeals_appealevent'"
                " AND column_name NOT IN ('id', 'appeal_id') ORDER BY ordinal_position"
            )
        ]
        self.event = (
            f"INSERT INTO appeals_appealevent (appeal_id, {', '.join(ev)}) SELECT %s, {', '.join(ev)}"
            " FROM appeals_appealevent WHERE appeal_id = %s ORDER BY id LIMIT 1"
        )

    def run(self, conn):
        conn.execute("SELECT * FROM appeals_routingrule WHERE is_active ORDER BY priority, id").fetchall()
        conn.execute("SELECT id, path, kind FROM orgs_unit WHERE id = %s", (self.unit_id,)).fetchone()
        conn.execute("SELECT * FROM appeals_deadlinepolicy").fetchall()
        with conn.transaction():
            ticket = "9" + "".join(self.rng.choice("0123456789") for _ in range(11))
            new_id = conn.execute(self.insert, (ticket, self.template_id)).fetchone()[0]
            conn.execute(self.event, (new_id, self.template_id))


def bench_appeals(args, ctx, port):
    """Intake by the city's 12351 hotline (the API's caller sees every unit, wherever the
    routing sends the appeal), for workplaces in the benchmark's district; then the to-do
    list of the unit the routing filled."""
    import psycopg

    from gonghui.appeals import selectors
    from gonghui.core.scoping import scopes_disabled, user_scope
    from gonghui.orgs.models import Unit

    workplace = f"{ctx['district'].name.replace('北京市', '').replace('总工会', '')}{ctx['station'].name[:4]}大厦"
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        first = conn.execute("SELECT coalesce(max(id), 0) FROM appeals_appeal").fetchone()[0]
    g = drive(IntakeHttp(port, ctx["tokens"]["city"], workplace), clients=args.clients, seconds=args.seconds)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        busy_id, template_id = conn.execute(
            "SELECT unit_id, max(id) FROM appeals_appeal WHERE id > %s GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1",
            (first,),
        ).fetchone()
        before = conn.execute("SELECT coalesce(max(id), 0) FROM appeals_appeal").fetchone()[0]
    b = drive(IntakeSql(args.database_url, template_id, busy_id), clients=args.clients, seconds=args.seconds)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        # The baseline's rows are copies, not appeals anyone made: take them out again.
        conn.execute("DELETE FROM appeals_appealevent WHERE appeal_id > %s", (before,))
        conn.execute("DELETE FROM appeals_appeal WHERE id > %s", (before,))
        todo = conn.execute(
            "SELECT count(*) FROM appeals_appeal WHERE unit_id = %s"
            " AND status IN ('received','accepted','in_progress','waiting','replied')",
            (busy_id,),
        ).fetchone()[0]
    with scopes_disabled():
        busy = Unit.objects.get(pk=busy_id)
        handler, token = _staff("bench_busy", busy, ["social_worker"])
    rows = [Row("appeal intake with routing", g, b, note=f"hotline → {busy.name}")]

    with user_scope(handler):
        qs = selectors.appeal_list(user=handler, view="todo")
        count_sql, count_params = _sql_of(qs.order_by())
        statements = [(f"SELECT count(*) FROM ({count_sql}) AS page_count", count_params), _sql_of(qs[:50])]

    class TodoSql(SqlClient):
        def run(self, conn):
            for sql, params in statements:
                conn.execute(sql, params).fetchall()

    g = drive(
        PageHttp(port, token, "/api/v1/appeals?view=todo&page_size=50"), clients=args.clients, seconds=args.seconds
    )
    b = drive(TodoSql(args.database_url), clients=args.clients, seconds=args.seconds)
    rows.append(Row("appeals to-do list (busy unit)", g, b, note=f"{busy.name}: {todo:,} open appeals, page of 50"))
    return rows


# --- 6. Seeding --------------------------------------------------------------------------


EVENTS = "members_membershipevent"


def seed_baseline(url: str) -> dict:
    """The same member and membership-event rows copied by the database into fresh tables
    with the same indexes: what writing them costs without Gonghui."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        n = conn.execute("SELECT count(*) FROM members_member").fetchone()[0]
        conn.execute("DROP TABLE IF EXISTS bench_member_copy, bench_event_copy")
        t0 = time.perf_counter()
        with conn.transaction():
            for copy, table in (("bench_member_copy", "members_member"), ("bench_event_copy", EVENTS)):
                conn.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)")
            conn.execute("INSERT INTO bench_member_copy SELECT * FROM members_member")
            conn.execute("INSERT INTO bench_event_copy SELECT * FROM members_membershipevent")
        seconds = time.perf_counter() - t0
        conn.execute("DROP TABLE bench_member_copy, bench_event_copy")
    return {"throughput": n / seconds if seconds else 0.0, "seconds": seconds}


def seed_row(members: int, built: dict | None, url: str, results_dir: Path) -> Row:
    record = results_dir / f"seed_{members}.json"
    if built is not None:
        baseline = seed_baseline(url)
        g = {"throughput": members / built["seconds"], "seconds": built["seconds"]}
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(
            json.dumps({"gonghui": g, "baseline_sql": baseline, "when": time.strftime("%Y-%m-%d %H:%M:%S")})
        )
        note = f"seed_city {built['seconds']:.1f} s vs copy {baseline['seconds']:.1f} s"
        return Row("seed_city (build the city)", g, baseline, unit="members/s", note=note)
    if record.exists():
        saved = json.loads(record.read_text())
        note = f"reused city; recorded build {saved['when']}: {saved['gonghui']['seconds']:.1f} s"
        return Row("seed_city (build the city)", saved["gonghui"], saved["baseline_sql"], unit="members/s", note=note)
    return Row("seed_city (build the city)", {}, {}, unit="members/s", note="reused city; no recorded build")


# --- The run -----------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10, help="per measurement (each half of each row)")
    parser.add_argument("--only", default=",".join(PATHS), help=f"comma-separated subset of {','.join(PATHS)}")
    parser.add_argument("--reuse", action="store_true", help="keep an existing city (topped up to --members)")
    parser.add_argument("--database-url", default=harness.DEFAULT_URL)
    parser.add_argument("--results", type=Path, default=harness.RESULTS)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (README: 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers, README)")
    args = parser.parse_args(argv)
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(only) - set(PATHS)
    if unknown:
        parser.error(f"unknown path(s): {', '.join(sorted(unknown))}")

    url = args.database_url
    fresh = not (args.reuse and harness.database_exists(url))
    harness.create_database(url, fresh=fresh)
    harness.manage(url, "migrate", "-v0")
    built = None
    if fresh or harness.member_count(url) < args.members:
        seconds = harness.manage(url, "seed_city", "--members", str(args.members), "--quiet")
        if fresh:
            built = {"seconds": seconds}
    # A city written in bulk has no planner statistics until autovacuum gets round to it;
    # without them PostgreSQL guesses a district's subtree is one unit and picks nested
    # loops that cost 50–100× (measured). Production runs ANALYZE after a bulk load.
    harness.analyze(url)
    harness.django_setup(url)
    rows = []
    if "seed" in only:
        rows.append(seed_row(args.members, built, url, args.results))
    ctx = prepare(args.members)
    meta = {
        "members": args.members,
        "clients": args.clients,
        "seconds": args.seconds,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": harness.machine_info(url),
        "paths": only,
    }
    http_paths = [p for p in ("verify", "lookup", "dashboard", "appeals") if p in only]
    if http_paths:
        with harness.gunicorn(url, port=args.port, workers=args.workers, threads=args.threads) as server:
            meta["server"] = server
            for name in http_paths:
                print(f"… {name}", file=sys.stderr, flush=True)
                rows.extend(globals()[f"bench_{name}"](args, ctx, args.port))
    meta.setdefault("server", {"workers": args.workers, "threads": args.threads})
    if "import" in only:
        print("… import", file=sys.stderr, flush=True)
        rows.extend(bench_import(args, ctx, args.port))
    return harness.write_results(meta, rows, args.results)


if __name__ == "__main__":
    main()
