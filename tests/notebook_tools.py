"""Shared helpers for the graded-notebook pipeline tests."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "notebooks"
ALL_ASSIGNMENTS = sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").is_file())
# COURSE_ASSIGNMENTS="04_dcgan 05_wgan" restricts the notebook checks to those notebooks (the inner loop).
_chosen = os.environ.get("COURSE_ASSIGNMENTS", "").split()
ASSIGNMENTS = [a for a in ALL_ASSIGNMENTS if not _chosen or a in _chosen or a[:2] in _chosen]


def solution_path(assignment: str) -> Path:
    return SOLUTIONS / assignment / f"{assignment}.ipynb"


def release_path(assignment: str) -> Path:
    return RELEASE / assignment / f"{assignment}.ipynb"


def read(path: Path):
    return nbformat.read(path, as_version=4)


def nbgrader_env(**extra: str) -> dict[str, str]:
    """Environment for nbgrader subprocesses: this interpreter's bin/ first (nbgrader runs alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["COURSE_BUDGET"] = "fast"
    env.pop("MPLBACKEND", None)
    env.update(extra)
    return env


def nbgrader(course: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the nbgrader command line in ``course``; fail with its output if it fails."""
    exe = Path(sys.executable).parent / "nbgrader"
    cmd = [str(exe) if exe.exists() else "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=course, env=nbgrader_env(**env), capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_course(where: Path) -> Path:
    """A scratch nbgrader course: the repository's config and a copy of solutions/."""
    course = where / "course"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(SOLUTIONS, course / "solutions",
                    ignore=shutil.ignore_patterns("checkpoints", ".ipynb_checkpoints", "__pycache__"))
    return course


def graded_cells_only(nb):
    """``nb`` cut to what grading needs: its set-up cell (the first code cell) and its nbgrader cells
    (answers, tests with their hidden parts, and the locked cells the tests rely on), in order.

    tests/test_mutants.py shows that these cells run on their own; nbval runs the whole notebooks.
    """
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    nb.cells = [c for c in nb.cells if c is first_code or "nbgrader" in c.metadata]
    return nb


def comparable(nb) -> list[tuple]:
    """What must match between two releases: cell types, sources and nbgrader metadata (no ids, no outputs)."""
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells]


def split_lines(nb) -> tuple[list[str], list[str]]:
    """(secret, public): the stripped non-trivial lines inside BEGIN/END SOLUTION and
    BEGIN/END HIDDEN TESTS blocks, and those outside them."""
    secret, public, inside = [], [], False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker.startswith("### BEGIN SOLUTION") or marker.startswith("### BEGIN HIDDEN TESTS"):
                inside = True
                continue
            if marker.startswith("### END SOLUTION") or marker.startswith("### END HIDDEN TESTS"):
                inside = False
                continue
            if len(marker) > 12 and not marker.startswith("#"):
                (secret if inside else public).append(marker)
    return secret, public


def leaked_lines(solution_nb, student_nb) -> list[str]:
    """Secret lines of the solution notebook found in the student notebook.

    A line that the solution notebook also shows outside its secret blocks (a visible test
    calling the student's function, say) is public and does not count.
    """
    secret, public = split_lines(solution_nb)
    student_lines = {line.strip() for cell in student_nb.cells for line in cell.source.splitlines()}
    return [line for line in secret if line in student_lines and line not in set(public)]
