"""Time every solution notebook top to bottom in the FAST budget (kernel start included).

Usage: .venv/bin/python scripts/benchmark_notebooks.py [NOTEBOOK ...]
Prints a Markdown table; copy it into docs/BENCHMARKS.md with the machine it ran on.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as checkpoints:
        os.environ.update(COURSE_BUDGET="fast", COURSE_CHECKPOINT_DIR=checkpoints)
        os.environ.pop("MPLBACKEND", None)
        client = NotebookClient(nb, timeout=900, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()  # raises on the first failing cell
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to time (default: every solution notebook)")
    paths = parser.parse_args(argv).notebooks or sorted(ROOT.glob("solutions/*/*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    print(f"CPU cores: {os.cpu_count()}\n")
    print("| notebook | FAST wall time (s) |\n|---|---|")
    for path in paths:
        print(f"| {path.stem} | {run(path):.1f} |", flush=True)


if __name__ == "__main__":
    main()
