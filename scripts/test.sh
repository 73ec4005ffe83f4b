#!/usr/bin/env bash
# Set everything up, then run every test: course_lib unit tests, the graded-notebook
# pipeline (nbgrader generate/autograde, leaks, mutants) and nbval on every solution notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"   # nbgrader shells out to alembic from here

# Isolate Jupyter and IPython from the user's own configuration.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export JUPYTER_CONFIG_DIR="$scratch/jupyter-config" JUPYTER_DATA_DIR="$scratch/jupyter-data"
export JUPYTER_RUNTIME_DIR="$scratch/jupyter-runtime" IPYTHONDIR="$scratch/ipython"
export JUPYTER_PLATFORM_DIRS=1
unset MPLBACKEND          # Agg here would make the notebooks' figure outputs vanish
export COURSE_BUDGET=fast PYTHONHASHSEED=0
# One folder of checkpoints for the whole run: the autograding of each solution (tests/, collected
# first) trains from scratch, and nbval's execution of the same notebook (solutions/) resumes it.
export COURSE_CHECKPOINT_DIR="$scratch/checkpoints"

# Not exec: the trap above removes the scratch folder when pytest is done.
python -m pytest tests solutions -p no:cacheprovider \
  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --nbval-cell-timeout 600 "$@"
