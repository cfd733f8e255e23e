"""The benchmark suite runs: a tiny city in a temporary database, a second per path, and
the table, JSON and Markdown come out with every path in them. It asserts that the suite
works and nothing about speed (a wall-clock assertion would fail on a busy machine without
telling anything)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from bench import harness

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = [
    "seed_city (build the city)",
    "card verify + redemption",
    "look-up: exact ID number",
    "look-up: exact phone",
    "look-up: name prefix (surname)",
    "look-up: pinyin initials (2 letters)",
    "look-up: exact ID number, one client",
    "look-up: exact phone, one client",
    "look-up: name prefix (surname), one client",
    "look-up: pinyin initials (2 letters), one client",
    "dashboard: city",
    "dashboard: city, one client",
    "dashboard: district",
    "dashboard: district, one client",
    "appeal intake with routing",
    "appeals to-do list (busy unit)",
    "import 2,000 members (.csv)",
]


@pytest.mark.postgres
def test_bench_suite_produces_every_path(tmp_path):
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    url = f"postgres://{user}{password}@{host}:{port}/gonghui_benchsmoke_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    cmd = [sys.executable, "bench/run.py", "--members", "2000", "--clients", "2", "--seconds", "0.5"]
    cmd += ["--import-rows", "2000", "--database-url", url, "--results", str(tmp_path), "--workers", "2"]
    cmd += ["--port", str(18000 + os.getpid() % 1000)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    finally:
        harness.drop_database(url)
    assert done.returncode == 0, done.stderr[-3000:]

    doc = json.loads((tmp_path / "run_2000.json").read_text())
    assert [row["operation"] for row in doc["rows"]] == OPERATIONS
    for row in doc["rows"]:
        assert row["gonghui"]["throughput"] > 0, row
        assert row["baseline_sql"]["throughput"] > 0, row
        assert row["gonghui"].get("errors", 0) == 0, row
    assert doc["machine"]["cores"] and doc["machine"]["postgresql"]

    table = (tmp_path / "run_2000.md").read_text()
    for operation in OPERATIONS:
        assert f"| {operation} | 2,000 |" in table
        assert f"| {operation} | 2,000 |" in done.stdout
