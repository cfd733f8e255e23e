#!/usr/bin/env bash
# Creates .venv with the machine's Python 3.11 and installs the requirements, again only
# when a requirements file changed. Used by start.sh and test.sh; not needed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-runtime}
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'; then
  echo "Gonghui needs Python 3.11 or newer (found: $("$PY" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
req=requirements.txt
[ "$kind" = dev ] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$kind"
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages ($req)…"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
  touch "$stamp"
fi

# The CJK font embedded in mediation agreement PDFs (MEDIATION_PDF_FONT): Debian's
# fonts-wqy-microhei, from the distribution's archive, never fetched at run time.
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's fonts-wqy-microhei for the mediation agreement PDF…"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null
fi
