#!/usr/bin/env bash
# Set everything up, then open the course: JupyterLab on notebooks/ (nbgrader extension on).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)   # JupyterLab refuses root without it
# The URL printed below carries the access token: open it in a browser.
exec jupyter lab --ServerApp.root_dir="$PWD/notebooks" "${extra[@]}" "$@"
