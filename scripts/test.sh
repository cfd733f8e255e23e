#!/usr/bin/env bash
# The whole test suite: lint, migrations check, then pytest on SQLite (with the browser
# tests in headless Chromium) and again on PostgreSQL. Extra arguments go to pytest.
# PostgreSQL: TEST_DATABASE_URL, default the local server on 127.0.0.1:5432 (trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests…"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

echo "== pytest on SQLite (with browser tests)"
env -u DATABASE_URL .venv/bin/python -m pytest -p no:cacheprovider "$@"

echo "== pytest on PostgreSQL"
PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gonghui}
DATABASE_URL="$PG_URL" GONGHUI_REQUIRE_POSTGRES=1 .venv/bin/python -m pytest -p no:cacheprovider -m "not browser" "$@"
