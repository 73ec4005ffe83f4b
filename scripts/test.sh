#!/usr/bin/env bash
# Set everything up, then run every test: course_lib unit tests, the graded-notebook
# pipeline (nbgrader generate/autograde, leaks, mutants, cheats) and nbval on every solution notebook.
#
#   bash scripts/test.sh                 everything (what CI runs)
#   bash scripts/test.sh unit            the course_lib unit tests alone (under a minute)
#   bash scripts/test.sh notebook 03     one notebook's pipeline, mutants, cheats and nbval
#   bash scripts/test.sh PYTEST-ARGS...  anything else goes to pytest as it is
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
# One folder of checkpoints for the whole run: nbval's execution of each solution notebook
# (solutions/, collected first) trains from scratch, and the autograder's runs (tests/) resume it.
export COURSE_CHECKPOINT_DIR="$scratch/checkpoints"

NOTEBOOK_TESTS=(tests/test_pipeline.py tests/test_mutants.py tests/test_autograde_limits.py)
case "${1:-}" in
  "") set -- solutions tests ;;
  unit) shift; set -- tests "${NOTEBOOK_TESTS[@]/#/--ignore=}" "$@" ;;
  notebook)
    number=${2:?usage: scripts/test.sh notebook NN}; shift 2
    export COURSE_ASSIGNMENTS=$number
    set -- solutions/"$number"_*/*.ipynb tests/test_pipeline.py tests/test_mutants.py "$@" ;;
esac
# Not exec: the trap above removes the scratch folder when pytest is done.
python -m pytest -p no:cacheprovider \
  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --nbval-cell-timeout 600 "$@"
