#!/usr/bin/env bash
# Run one notebook top to bottom in a chosen budget and keep the executed copy under build/.
# Usage: scripts/run_notebook.sh solutions/01_autoencoders_vae/01_autoencoders_vae.ipynb [fast|full]
set -euo pipefail
cd "$(dirname "$0")/.."
notebook=${1:?usage: scripts/run_notebook.sh NOTEBOOK [fast|full]}
export COURSE_BUDGET=${2:-full}
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
unset MPLBACKEND
mkdir -p build
out="build/$(basename "${notebook%.ipynb}")-${COURSE_BUDGET}.ipynb"
start=$(date +%s)
jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=-1 --output-dir build \
  --output "$(basename "$out")" "$notebook"
echo "ran $notebook in the ${COURSE_BUDGET} budget in $(( $(date +%s) - start )) s -> $out"
