#!/usr/bin/env bash
# Install what the tests need into a virtual environment and run the whole suite, browser
# tests included. Used as-is by CI (.ci/run) and by anyone on a fresh machine:
# `bash tests/run.sh`. A venv, because a stock Debian/Ubuntu Python refuses `pip install`
# into the system interpreter (PEP 668, "externally-managed-environment").
# Browser tests fail here when Chromium is missing, CI variable or not; a developer without
# Chromium runs the rest with `.venv/bin/python -m pytest -m "not e2e"` (docs/setup.md).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtual environment $VENV…"
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "Chromium is missing and cannot be installed here: the browser tests will FAIL." >&2
    echo "Without a browser, run the rest: $VENV/bin/python -m pytest -m \"not e2e\"" >&2
  fi
fi

export ACADEMIE_REQUIRE_BROWSER=1
exec "$VENV/bin/python" -m pytest "$@"
