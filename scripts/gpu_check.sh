#!/usr/bin/env bash
# One GPU check, within about 8 minutes on one GPU, its results in one Markdown file:
#   1. tests/test_cuda.py (the loop's CUDA defaults; resumed vs uninterrupted);
#   2. scripts/benchmark_dcgan.py --device cuda (the loop vs pytorch/examples, fp32 and bf16 rows);
#   3. notebook 04 top to bottom in the full budget (offline data when there is no network).
#
#   bash scripts/gpu_check.sh [RESULTS.md]          on the GPU machine
#   bash scripts/gpu_check.sh --cpu-dry-run [RESULTS.md]   the same steps, small, on the CPU
#
# It uses the machine's own Python and PyTorch (not the course's pins) with the repository on
# PYTHONPATH. Packages it needs beyond PyTorch (scripts/gpu_requirements.txt) are installed
# from wheels in ./wheels when that folder exists (made elsewhere with
# `pip download -r scripts/gpu_requirements.txt -d wheels`), since the machine has no network.
set -uo pipefail
cd "$(dirname "$0")/.."
dry=0
if [ "${1:-}" = "--cpu-dry-run" ]; then dry=1; shift; fi
results=${1:-${OUT:-build}/gpu_check.md}
mkdir -p "$(dirname "$results")"
python=${PYTHON:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ -d wheels ]; then
  "$python" -m pip install --quiet --no-index --find-links wheels -r scripts/gpu_requirements.txt
fi
status=0
section() { printf '\n## %s\n\n```\n' "$1" >>"$results"; }
close() { printf '```\n' >>"$results"; }

{
  echo "# GPU check ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  "$python" - <<'PY'
import platform, torch
print(f"- torch {torch.__version__}, Python {platform.python_version()}")
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print(f"- {p.name}, {p.total_memory / 2**30:.0f} GiB, bf16: {torch.cuda.is_bf16_supported()}")
else:
    print("- no CUDA device: CPU dry run")
PY
} >"$results"

section "tests/test_cuda.py"
if [ $dry = 1 ]; then export COURSE_CUDA_TESTS_ON_CPU=1; fi
timeout 180 "$python" -m pytest -q -p no:cacheprovider tests/test_cuda.py >>"$results" 2>&1 || status=1
close

section "scripts/benchmark_dcgan.py"
if [ $dry = 1 ]; then bench=(--device cpu --steps 3 --warmup 1 --repeats 1 --width 8)
else bench=(--device cuda --steps 200 --warmup 20 --repeats 3); fi
timeout 240 "$python" scripts/benchmark_dcgan.py "${bench[@]}" >>"$results" 2>&1 || status=1
close

section "notebook 04 in the $([ $dry = 1 ] && echo fast || echo full) budget"
budget=$([ $dry = 1 ] && echo fast || echo full)
checkpoints=$(mktemp -d)
trap 'rm -rf "$checkpoints"' EXIT
start=$(date +%s)
COURSE_BUDGET=$budget COURSE_CHECKPOINT_DIR=$checkpoints timeout 300 "$python" - <<'PY' >>"$results" 2>&1 || status=1
import nbformat
from nbclient import NotebookClient

path = "solutions/04_dcgan/04_dcgan.ipynb"
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": "solutions/04_dcgan"}}).execute()
for cell in nb.cells:
    for out in cell.get("outputs", []):
        if out.get("name") == "stdout":
            print(out["text"], end="")
PY
echo "wall time: $(( $(date +%s) - start )) s" >>"$results"
close

echo "results: $results (status $status)"
exit $status
