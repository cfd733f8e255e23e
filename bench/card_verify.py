"""Card verification at a venue, measured twice in one run.

1. Through Gonghui: POST /api/v1/venue/verify to gunicorn (the production server) with
   concurrent clients, each request a fresh signed QR token and a new idempotency key.
2. The baseline: the same transaction as bare SQL over psycopg (look up the card and
   member, lock the benefit, count the member's uses, insert the redemption, bump the
   counter), with the same number of concurrent clients.

It prints throughput and p50/p99 latency of both and their ratio, and writes them as JSON
and Markdown under bench/results/. The city is built (or reused) in its own PostgreSQL
database with `seed_city --members N`.

    .venv/bin/python bench/card_verify.py --members 100000 --clients 8 --seconds 15
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def run_manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(members: int, benefits: int = 4) -> dict:
    """Venue, unlimited benefits, cards for everyone, a terminal token (in-process Django)."""
    import django

    django.setup()
    from gonghui.cards.demo import seed_demo_cards
    from gonghui.cards.models import Benefit, Card, Venue
    from gonghui.cards.services import venue_token_create
    from gonghui.core.scoping import scopes_disabled

    with scopes_disabled():
        seed_demo_cards(cards=members)
        venue, _ = Venue.objects.get_or_create(name="基准测试场馆", defaults={"unit": Venue.objects.first().unit})
        import datetime as dt

        today = dt.date.today()
        while Benefit.objects.filter(venue=venue).count() < benefits:
            Benefit.objects.create(
                venue=venue,
                name=f"基准项目{Benefit.objects.filter(venue=venue).count() + 1}",
                kind="free",
                valid_from=today - dt.timedelta(days=1),
                valid_to=today + dt.timedelta(days=365),
            )
        benefit_ids = list(Benefit.objects.filter(venue=venue).values_list("pk", flat=True))
        cards = list(Card.objects.filter(status__in=["issued", "active"]).values_list("pk", "token_version"))
        token = venue_token_create(by=None, venue=venue)
    return {"venue_id": venue.pk, "benefit_ids": benefit_ids, "cards": cards, "token": token}


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def load(worker, clients: int, seconds: float) -> dict:
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def loop(i):
        local, state = [], worker.start(i)
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            ok = worker.one(state)
            local.append((time.perf_counter() - t0) * 1000)
            if not ok:
                with lock:
                    errors[0] += 1
        worker.finish(state)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "throughput": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "mean_ms": statistics.fmean(latencies) if latencies else 0.0,
    }


class HttpWorker:
    def __init__(self, port, ctx):
        from django.core import signing

        from gonghui.cards.services import QR_SALT

        self.port, self.ctx, self.signing, self.salt = port, ctx, signing, QR_SALT

    def start(self, i):
        return {"conn": http.client.HTTPConnection("127.0.0.1", self.port, timeout=30), "rng": random.Random(i)}

    def one(self, state):
        card_id, version = state["rng"].choice(self.ctx["cards"])
        body = json.dumps(
            {
                "benefit_id": state["rng"].choice(self.ctx["benefit_ids"]),
                "idempotency_key": uuid.uuid4().hex,
                "token": self.signing.dumps([card_id, version], salt=self.salt, compress=True),
            }
        )
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.ctx['token']}"}
        try:
            state["conn"].request("POST", "/api/v1/venue/verify", body, headers)
            response = state["conn"].getresponse()
            data = json.loads(response.read())
            return response.status == 200 and data.get("ok")
        except (OSError, http.client.HTTPException):
            state["conn"] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return False

    def finish(self, state):
        state["conn"].close()


class SqlWorker:
    """The same transaction, hand-written: what the database alone costs."""

    SQL_CARD = "SELECT id, member_id, status, token_version FROM cards_card WHERE id = %s"
    SQL_MEMBER = "SELECT status, unit_id, is_new_form_worker FROM members_member WHERE id = %s"
    SQL_LOCK = "SELECT venue_id, capacity, redeemed FROM cards_benefit WHERE id = %s FOR UPDATE"
    SQL_COUNT = "SELECT count(*) FROM cards_redemption WHERE member_id = %s AND benefit_id = %s AND on_date >= %s"
    SQL_INSERT = (
        "INSERT INTO cards_redemption (benefit_id, venue_id, card_id, member_id, idempotency_key, on_date, at)"
        " VALUES (%s, %s, %s, %s, %s, CURRENT_DATE, now())"
    )
    SQL_BUMP = "UPDATE cards_benefit SET redeemed = redeemed + 1 WHERE id = %s"

    def __init__(self, url, ctx):
        self.url, self.ctx = url, ctx

    def start(self, i):
        import psycopg

        return {"conn": psycopg.connect(self.url), "rng": random.Random(1000 + i)}

    def one(self, state):
        import datetime as dt

        conn, rng = state["conn"], state["rng"]
        card_id, _ = rng.choice(self.ctx["cards"])
        benefit_id = rng.choice(self.ctx["benefit_ids"])
        with conn.transaction():
            card = conn.execute(self.SQL_CARD, (card_id,)).fetchone()
            conn.execute(self.SQL_MEMBER, (card[1],)).fetchone()
            conn.execute(self.SQL_LOCK, (benefit_id,)).fetchone()
            conn.execute(self.SQL_COUNT, (card[1], benefit_id, dt.date.today().replace(month=1, day=1))).fetchone()
            conn.execute(self.SQL_INSERT, (benefit_id, self.ctx["venue_id"], card_id, card[1], uuid.uuid4().hex))
            conn.execute(self.SQL_BUMP, (benefit_id,))
        return True

    def finish(self, state):
        state["conn"].close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gonghui_bench")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
    env.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    sys.path.insert(0, str(ROOT))
    ensure_database(args.database_url)
    run_manage(env, "migrate", "-v0")
    run_manage(env, "seed_city", "--members", str(args.members), "--quiet")
    ctx = prepare(args.members)

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gonghui.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        gonghui = load(HttpWorker(args.port, ctx), args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    baseline = load(SqlWorker(args.database_url, ctx), args.clients, args.seconds)

    ratio = gonghui["throughput"] / baseline["throughput"] if baseline["throughput"] else 0.0
    result = {
        "operation": "card verification + redemption",
        "members": args.members,
        "clients": args.clients,
        "gonghui": gonghui,
        "baseline_sql": baseline,
        "throughput_ratio": ratio,
        "machine": f"{os.cpu_count()} cores",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"card_verify_{args.members}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    table = (
        "| operation | members | clients | Gonghui req/s | p50 ms | p99 ms | SQL req/s | p50 ms | p99 ms | ratio |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        f"| card verify | {args.members:,} | {args.clients} | {gonghui['throughput']:.0f} | {gonghui['p50_ms']:.1f} | "
        f"{gonghui['p99_ms']:.1f} | {baseline['throughput']:.0f} | {baseline['p50_ms']:.1f} | "
        f"{baseline['p99_ms']:.1f} | {ratio:.2f} |\n"
    )
    stem.with_suffix(".md").write_text(table)
    print(table)
    if gonghui["errors"]:
        print(f"warning: {gonghui['errors']} Gonghui requests failed", file=sys.stderr)


if __name__ == "__main__":
    main()
