"""The WSGI entry point loads every view when the server starts (not in the first request of
each worker), and opens no database connection doing so — under gunicorn --preload the
workers are forked from that process and must not share a socket."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import sys
import gonghui.wsgi
from django.db import connections
print(all(m in sys.modules for m in ("gonghui.api", "gonghui.appeals.api", "gonghui.members.views")))
print(any(c.connection is not None for c in connections.all(initialized_only=True)))
"""


def test_the_application_loads_its_views_without_touching_the_database():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gonghui.settings"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
