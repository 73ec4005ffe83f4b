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

# tests/test_browser.py drives Debian's Chromium (Playwright's own browser downloads are not used):
# installed here when missing and this runs as root with apt; otherwise that test is skipped, saying so.
ensure_chromium() {
  if [ -x /usr/bin/chromium ] || [ -n "${COURSE_CHROMIUM:-}" ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser test (tests/test_browser.py) ..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
      || echo "warning: apt-get could not install chromium; tests/test_browser.py will be skipped" >&2
  fi
}

# Isolate Jupyter and IPython from the user's own configuration.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export JUPYTER_CONFIG_DIR="$scratch/jupyter-config" JUPYTER_DATA_DIR="$scratch/jupyter-data"
export JUPYTER_RUNTIME_DIR="$scratch/jupyter-runtime" IPYTHONDIR="$scratch/ipython"
export JUPYTER_PLATFORM_DIRS=1
unset MPLBACKEND          # Agg here would make the notebooks' figure outputs vanish
export COURSE_BUDGET=fast PYTHONHASHSEED=0
# Two test processes on two cores, each with torch's two OpenMP threads: threads that wait for work sleep
# at once instead of spinning on a core the other process needs (the unit tests: 128 s -> 92 s). The number
# of threads, and so every number the notebooks print, is unchanged.
export OMP_WAIT_POLICY=PASSIVE
export COURSE_CUDA_TESTS_ON_CPU=1   # without a GPU, tests/test_cuda.py runs its settings on the CPU
# One folder of checkpoints for the whole run: nbval's execution of each solution notebook trains it
# from scratch (the tests that autograde notebooks give their kernels folders of their own).
export COURSE_CHECKPOINT_DIR="$scratch/checkpoints"

PYTEST=(python -m pytest -p no:cacheprovider --nbval --nbval-current-env
        --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600)
# Two processes, one per core; what must share a process stays together, the longest first (conftest.py).
PARALLEL=(-n 2 --dist loadscope)

# One run: nbval trains every notebook once, beside the unit tests, mutants and cheats, the nbgrader
# pipeline, the instructor's flow and the browser test. With SUITE_REPORTS=DIR it writes a JUnit
# report there (scripts/suite_parts.py reads it).
everything() {  # $@: what to run
  local reports=()
  if [ -n "${SUITE_REPORTS:-}" ]; then reports=(--junitxml="$SUITE_REPORTS/suite.xml"); fi
  "${PYTEST[@]}" "${PARALLEL[@]}" "$@" "${reports[@]}"
}

case "${1:-}" in
  "") ensure_chromium; everything solutions tests ;;
  unit) shift; "${PYTEST[@]}" "${PARALLEL[@]}" tests --ignore=tests/test_pipeline.py \
          --ignore=tests/test_mutants.py --ignore=tests/test_autograde_limits.py \
          --ignore=tests/test_instructor_flow.py --ignore=tests/test_grade_class.py \
          --ignore=tests/test_browser.py "$@" ;;
  notebook)
    number=${2:?usage: scripts/test.sh notebook NN}; shift 2
    export COURSE_ASSIGNMENTS=$number
    ensure_chromium
    everything solutions/"$number"_*/*.ipynb tests/test_mutants.py tests/test_pipeline.py \
      tests/test_instructor_flow.py tests/test_browser.py "$@" ;;
  *) if [[ " $* " == *test_browser* ]]; then ensure_chromium; fi
     "${PYTEST[@]}" "$@" ;;
esac
