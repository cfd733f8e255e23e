#!/usr/bin/env bash
# Set up and start Gonghui on the embedded default: SQLite in var/, a demo city, the
# server on http://127.0.0.1:8000 (HOST/PORT to change). Safe to run again: it keeps the
# data it loaded and prints the demo logins each time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh runtime
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_city --members 20000
exec .venv/bin/python manage.py serve "${HOST:-127.0.0.1}:${PORT:-8000}"
