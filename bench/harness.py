"""What every benchmark in bench/ shares: the city in its own PostgreSQL database, the
production server started and stopped around the measurements, a load generator that
drives concurrent clients from several processes, percentile maths, and the writer of the
results table (printed, JSON and Markdown, with the machine it ran on).

The load generator forks one process per client: a Python client loop is itself CPU-bound,
and threads in one process would measure the generator's lock rather than the server.
"""

import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gonghui_bench"


# --- The database and the city ------------------------------------------------------------


def admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def db_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def database_exists(url: str) -> bool:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name(url),)).fetchone())


def create_database(url: str, *, fresh: bool) -> None:
    """Create the bench database; ``fresh`` drops it first (only ever the one named)."""
    import psycopg

    name = db_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            # Code-point collation, as production's: member search bounds name prefixes as
            # ranges (gonghui/members/selectors.py), which a linguistic collation would not.
            conn.execute(f'CREATE DATABASE "{name}"' + " TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')


def server_env(url: str) -> dict:
    """The environment of every process that touches the bench database: production-like
    (no debug, no query log), tasks run inline so nothing is queued to the shared var/."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "TASKS_IMMEDIATE": "1"}
    env.pop("REDIS_URL", None)
    env.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    return env


def django_setup(url: str) -> None:
    """Django in this process, on the bench database."""
    env = server_env(url)
    for key in ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "TASKS_IMMEDIATE", "DJANGO_SETTINGS_MODULE"):
        os.environ[key] = env[key]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(url: str, *args: str, quiet: bool = True) -> float:
    """Run a management command against the bench database; returns its wall time."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(url),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - started


def member_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass('members_member') IS NOT NULL").fetchone()
        if not row[0]:
            return 0
        return conn.execute("SELECT count(*) FROM members_member").fetchone()[0]


def analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


# --- The production server ----------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(url: str, *, port: int, workers: int, threads: int):
    """gunicorn as README's production section runs it, bound to 127.0.0.1 only."""
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "gonghui.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--preload",
    ]
    server = subprocess.Popen(cmd, cwd=ROOT, env=server_env(url))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield {"workers": workers, "threads": threads, "command": " ".join(cmd[2:])}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


# --- Load generation ----------------------------------------------------------------------


def percentile(values, p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return 0.0
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summarise(latencies_ms: list[float], errors: int, elapsed: float) -> dict:
    return {
        "requests": len(latencies_ms),
        "errors": errors,
        "throughput": len(latencies_ms) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(latencies_ms, 50),
        "p99_ms": percentile(latencies_ms, 99),
        "mean_ms": sum(latencies_ms) / len(latencies_ms) if latencies_ms else 0.0,
    }


class Client:
    """One simulated client. ``start`` runs in the client's own process (open connections
    there); ``one`` does one operation and says whether it succeeded."""

    def start(self, index: int) -> None:
        self.rng = random.Random(index)

    def one(self) -> bool:
        raise NotImplementedError

    def finish(self) -> None:
        pass


class HttpClient(Client):
    """Keep-alive HTTP/1.1 to gunicorn; ``request()`` returns (method, path, body, headers)."""

    ok_statuses = (200,)

    def __init__(self, port: int):
        self.port = port

    def start(self, index):
        super().start(index)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self):
        raise NotImplementedError

    def one(self):
        method, path, body, headers = self.request()
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            response.read()
            return response.status in self.ok_statuses
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return False

    def finish(self):
        self.conn.close()


class SqlClient(Client):
    """The baseline: one psycopg connection per client, ``run(conn)`` the bare SQL."""

    def __init__(self, url: str):
        self.url = url

    def start(self, index):
        import psycopg

        super().start(1000 + index)
        # Never prepared, as Django never prepares: psycopg would after five runs of one
        # statement, and PostgreSQL may then plan it once for any value (a generic plan),
        # which for a prefix range is a plan for no prefix in particular (seen: minutes).
        self.conn = psycopg.connect(self.url, autocommit=True, prepare_threshold=None)

    def one(self):
        self.run(self.conn)
        return True

    def run(self, conn):
        raise NotImplementedError

    def finish(self):
        self.conn.close()


def _client_process(client: Client, index: int, start_at: float, warmup: float, stop_at: float, pipe) -> None:
    latencies, errors = [], 0
    try:
        client.start(index)
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < start_at + warmup:
            client.one()
        while True:
            t0 = time.time()
            if t0 >= stop_at:
                break
            ok = client.one()
            latencies.append((time.time() - t0) * 1000)
            errors += not ok
        client.finish()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which counts it
        pipe.send((latencies, errors + 1, repr(exc)))
        return
    pipe.send((latencies, errors, ""))


def drive(client: Client, *, clients: int, seconds: float, warmup: float = 0.5) -> dict:
    """``clients`` processes each running ``client`` in a closed loop for ``seconds`` (after
    ``warmup``); forked, so the client object travels by copy, not by pickling."""
    from django.db import connections

    connections.close_all()  # never share the parent's socket with the children
    ctx = multiprocessing.get_context("fork")
    start_at = time.time() + 0.3 + 0.05 * clients
    stop_at = start_at + warmup + seconds
    pipes, procs = [], []
    for i in range(clients):
        parent, child = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_client_process, args=(client, i, start_at, warmup, stop_at, child), daemon=True)
        p.start()
        pipes.append(parent)
        procs.append(p)
    latencies, errors, failures = [], 0, []
    for parent, p in zip(pipes, procs, strict=True):
        if parent.poll(seconds + warmup + 120):
            lat, err, failure = parent.recv()
            latencies.extend(lat)
            errors += err
            if failure:
                failures.append(failure)
        else:
            errors += 1
            failures.append("client process did not report")
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
    result = summarise(latencies, errors, seconds)
    if failures:
        result["failures"] = sorted(set(failures))[:3]
    return result


# --- Results ------------------------------------------------------------------------------


def machine_info(url: str) -> dict:
    import psycopg

    info = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_start": os.getloadavg(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        info["memory_gib"] = round(kb / 1024 / 1024, 1)
    with psycopg.connect(url) as conn:
        info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        settings = {}
        for name in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "max_connections",
            "synchronous_commit",
            "fsync",
            "max_wal_size",
            "checkpoint_timeout",
            "random_page_cost",
            "jit",
        ):
            settings[name] = conn.execute(f"SHOW {name}").fetchone()[0]
        info["postgresql_settings"] = settings
    return info


@dataclass
class Row:
    """One line of the table. ``unit`` is what throughput counts (req/s, rows/s)."""

    operation: str
    gonghui: dict
    baseline: dict
    unit: str = "req/s"
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        base = self.baseline.get("throughput") or 0.0
        return self.gonghui.get("throughput", 0.0) / base if base else 0.0


def _ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def render_markdown(meta: dict, rows: list[Row]) -> str:
    m = meta["machine"]
    pg = m.get("postgresql_settings", {})
    lines = [
        f"Gonghui benchmarks — {meta['members']:,} members, {meta['clients']} clients, "
        f"{meta['seconds']:g} s per measurement, {meta['when']}",
        "",
        f"Machine: {m.get('cores')} cores ({m.get('cpu', '?')}), {m.get('memory_gib', '?')} GiB; "
        f"PostgreSQL {m.get('postgresql')} (shared_buffers {pg.get('shared_buffers')}, "
        f"work_mem {pg.get('work_mem')}, max_wal_size {pg.get('max_wal_size')}, jit {pg.get('jit')}, "
        f"synchronous_commit {pg.get('synchronous_commit')}); "
        f"gunicorn {meta['server']['workers']} workers × {meta['server']['threads']} threads; "
        f"load average at start {', '.join(f'{x:.2f}' for x in m.get('loadavg_start', ()))}",
        "",
        "| operation | scale | Gonghui | p50 ms | p99 ms | baseline (bare SQL) | p50 ms | p99 ms | ratio | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        g, b = r.gonghui, r.baseline
        errors = f" ({g['errors']} errors)" if g.get("errors") else ""
        lines.append(
            f"| {r.operation} | {meta['members']:,} | {g.get('throughput', 0):,.0f} {r.unit}{errors} | "
            f"{_ms(g.get('p50_ms'))} | {_ms(g.get('p99_ms'))} | {b.get('throughput', 0):,.0f} {r.unit} | "
            f"{_ms(b.get('p50_ms'))} | {_ms(b.get('p99_ms'))} | {r.ratio:.2f} | {r.note} |"
        )
    return "\n".join(lines) + "\n"


def write_results(meta: dict, rows: list[Row], results_dir: Path) -> dict:
    results_dir.mkdir(parents=True, exist_ok=True)
    meta["machine"]["loadavg_end"] = os.getloadavg()
    stem = results_dir / f"run_{meta['members']}"
    doc = {
        **meta,
        "rows": [
            {
                "operation": r.operation,
                "unit": r.unit,
                "gonghui": r.gonghui,
                "baseline_sql": r.baseline,
                "ratio": r.ratio,
                "note": r.note,
                **r.extra,
            }
            for r in rows
        ],
    }
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
    table = render_markdown(meta, rows)
    md_path.write_text(table)
    print(table)
    return {"json": str(json_path), "markdown": str(md_path)}
