#!/usr/bin/env bash
# Regenerate the student notebooks (notebooks/) from the instructor notebooks (solutions/)
# with nbgrader: solutions and hidden tests removed, outputs cleared. Never edit notebooks/ by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"   # nbgrader shells out to alembic
for dir in solutions/*/; do
  assignment=$(basename "$dir")
  nbgrader generate_assignment "$assignment" --force --log-level=WARN
done
# The progress bars' widget state of the instructors' run means nothing in a notebook without outputs.
python - <<'PY'
import glob

import nbformat

for path in sorted(glob.glob("notebooks/*/*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.pop("widgets", None) is not None:
        nbformat.write(nb, path)
PY
echo "notebooks/ regenerated from solutions/ (the gradebook is gradebook.db, not committed)."
