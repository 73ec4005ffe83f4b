#!/usr/bin/env bash
# Create (or bring up to date) the course's virtual environment in .venv.
# Idempotent: it re-installs only when requirements*.txt or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found; install Python 3.10-3.12 (with venv) first." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtual environment in $VENV ..."
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.course-installed"
want=$(cat requirements.txt requirements-test.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the pinned dependencies (first time: several minutes; torch is large) ..."
  "$VENV/bin/python" -m pip install --quiet -r requirements.txt -r requirements-test.txt 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  "$VENV/bin/python" -m pip install --quiet --no-deps -e . >"$VENV/.install-course_lib.log" 2>&1 \
    || { cat "$VENV/.install-course_lib.log" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
