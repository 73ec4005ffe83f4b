#!/usr/bin/env bash
# Create (or bring up to date) the course's virtual environment in .venv.
# Idempotent: it re-installs only when requirements*.txt or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv
PIP_VERSION=26.2.1

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found; install Python 3.10-3.12 (with venv) first." >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))'; then
  echo "error: $PYTHON is Python $("$PYTHON" -c 'import platform; print(platform.python_version())'); the course" \
       "needs Python 3.10-3.12 (torch's wheels). Point PYTHON at one, e.g. PYTHON=python3.11 bash $0" >&2
  exit 1
fi
# A virtual environment left half-made (no python, or no pip: venv failed for lack of ensurepip)
# is removed and made again, instead of failing later with a puzzling error.
if [ -e "$VENV" ] && ! { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; }; then
  echo "The virtual environment in $VENV is incomplete (an earlier set-up stopped half-way): making it again ..."
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtual environment in $VENV ..."
  if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    echo "error: '$PYTHON -m venv' failed. On Debian or Ubuntu install the venv module first" \
         "(sudo apt install python3-venv, or python3.X-venv for your version), then run this again." >&2
    exit 1
  fi
fi
# pip install, quietly, without the warnings about index folders that do not exist (pip's exit status kept).
pip_install() {
  "$VENV/bin/python" -m pip install --quiet "$@" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}
stamp="$VENV/.course-installed"
want=$(cat requirements.txt requirements-test.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the pinned dependencies (first time: several minutes; torch is large) ..."
  # The pip that venv brings (23.2 with Python 3.11) takes 46 s to resolve these pins against a large
  # package index; pip 26.2.1 takes 16 s, and installs the same packages.
  pip_install "pip==$PIP_VERSION"
  # pip byte-compiles every file on one core; compileall below does it on all of them (half the time on two).
  pip_install --no-compile -r requirements.txt -r requirements-test.txt
  # Left out: the packages' own test folders, never imported by the course (among them a file of torch's
  # written in Python 3.12's syntax, which pip skips the same way).
  "$VENV/bin/python" -m compileall -q -j 0 -x '/tests?/|/torch/testing/_internal/' \
    "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null
  "$VENV/bin/python" -m pip install --quiet --no-deps -e . >"$VENV/.install-course_lib.log" 2>&1 \
    || { cat "$VENV/.install-course_lib.log" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
