#!/usr/bin/env bash
# Set everything up, then open the course in JupyterLab (nbgrader extension on).
#
#   bash scripts/lab.sh                 students: JupyterLab on notebooks/
#   bash scripts/lab.sh --instructor    instructors: JupyterLab on the repository, so that nbgrader's
#                                       formgrader (Nbgrader > Formgrader) finds nbgrader_config.py
#   bash scripts/lab.sh --no-browser --port 8889 ...   any other argument goes to `jupyter lab`
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
root="$PWD/notebooks"
if [ "${1:-}" = "--instructor" ]; then
  # The formgrader works only when the course (this folder) lies inside the server's root.
  root="$PWD"; shift
fi
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)   # JupyterLab refuses root without it
# The URL printed below carries the access token: open it in a browser.
exec jupyter lab --ServerApp.root_dir="$root" "${extra[@]}" "$@"
