#!/usr/bin/env bash
# Execute the instructor notebooks in place in the FAST budget, so that the outputs stored in
# solutions/ are the ones nbval compares against. Usage: scripts/execute_solutions.sh [NOTEBOOK ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH" COURSE_BUDGET=fast PYTHONHASHSEED=0
unset MPLBACKEND
export COURSE_CHECKPOINT_DIR
COURSE_CHECKPOINT_DIR=$(mktemp -d)
trap 'rm -rf "$COURSE_CHECKPOINT_DIR"' EXIT
if [ $# -eq 0 ]; then set -- solutions/*/*.ipynb; fi
for nb in "$@"; do
  echo "executing $nb"
  jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=900 "$nb"
done
