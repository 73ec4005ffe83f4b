#!/usr/bin/env bash
# Regenerate the student notebooks (notebooks/) from the instructor notebooks (solutions/)
# with nbgrader: solutions and hidden tests removed, outputs cleared. Never edit notebooks/ by hand.
# Usage: scripts/release.sh [ASSIGNMENT ...]   (default: every assignment, recorded in gradebook.db;
# with names, only those, without touching gradebook.db)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"   # nbgrader shells out to alembic
db_args=()
if [ $# -eq 0 ]; then
  for dir in solutions/*/; do set -- "$@" "$(basename "$dir")"; done
else
  scratch_db=$(mktemp -d)
  trap 'rm -rf "$scratch_db"' EXIT
  db_args=(--CourseDirectory.db_url="sqlite:///$scratch_db/gradebook.db")
fi
for assignment in "$@"; do
  nbgrader generate_assignment "$assignment" --force --log-level=WARN "${db_args[@]}"
done
# The progress bars' widget state of the instructors' run means nothing in a notebook without outputs.
python - "$@" <<'PY'
import sys

import nbformat

for assignment in sys.argv[1:]:
    path = f"notebooks/{assignment}/{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.pop("widgets", None) is not None:
        nbformat.write(nb, path)
PY
echo "notebooks/ regenerated from solutions/ for: $*"
