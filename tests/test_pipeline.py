"""The graded-notebook pipeline: release generation, leaks, metadata, and autograding.

1. Regenerating notebooks/ from solutions/ with nbgrader gives the committed student notebooks.
2. Autograding a solution notebook gives full marks; autograding an untouched student notebook
   gives zero on every graded cell (scores read from nbgrader's Gradebook).
3. No solution code or hidden test reaches notebooks/; every nbgrader cell passes nbgrader's
   metadata checks.
(nbval's strict execution of the solutions is the fourth check: see scripts/test.sh.)

One training run per notebook: nbval's strict execution of each solution notebook
(``solutions/``, run before this module by scripts/test.sh) trains from scratch and writes
its checkpoints to ``$COURSE_CHECKPOINT_DIR``, one folder for the whole test session; the
autograder's executions of the solution and of the untouched release resume from them (run on
its own, this module trains once itself, in the solution's autograding). Each assignment gets
its own scratch course (its own gradebook), and two assignments are released and graded at
once, one per CPU core.
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.preprocessors import CheckCellMetadata

from cheats import CHEATS
from notebook_tools import (
    ALL_ASSIGNMENTS, ASSIGNMENTS, RELEASE, comparable, leaked_lines, make_course, nbgrader, read, release_path, solution_path,
)

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no solution notebooks yet")


WORKERS = 2  # the CI machine's cores: two notebooks graded side by side


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """{assignment: a scratch nbgrader course in which that assignment was released}."""
    made = {a: make_course(tmp_path_factory.mktemp(f"nbgrader-{a}")) for a in ASSIGNMENTS}
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda a: nbgrader(made[a], "generate_assignment", a, "--force"), ASSIGNMENTS))
    return made


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_committed_student_notebook(courses, assignment):
    generated = read(courses[assignment] / "notebooks" / assignment / f"{assignment}.ipynb")
    committed_path = release_path(assignment)
    assert committed_path.is_file(), f"{committed_path} is missing: run scripts/release.sh"
    committed = read(committed_path)
    expected, actual = comparable(generated), comparable(committed)
    assert len(actual) == len(expected), (
        f"{committed_path.name}: {len(actual)} cells, a fresh release has {len(expected)}: run scripts/release.sh")
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert a == e, f"{committed_path.name}, cell {i} differs from a fresh release: run scripts/release.sh"


def test_every_solution_has_a_release_and_no_strays():
    released = sorted(p.name for p in RELEASE.iterdir() if p.is_dir()) if RELEASE.exists() else []
    assert released == ALL_ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_has_no_solutions_hidden_tests_or_outputs(assignment):
    student = read(release_path(assignment))
    text = "\n".join(c.source for c in student.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{marker!r} found in the student notebook"
    leaked = leaked_lines(read(solution_path(assignment)), student)
    assert not leaked, f"solution or hidden-test lines in the student notebook: {leaked[:5]}"
    with_outputs = [i for i, c in enumerate(student.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, f"student notebook cells {with_outputs} carry outputs"
    assert "widgets" not in student.metadata, "the student notebook carries widget state: run scripts/release.sh"
    stubs = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert stubs and all("raise NotImplementedError()" in c.source for c in stubs)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_metadata_is_valid(assignment):
    for path in (solution_path(assignment), release_path(assignment)):
        nb = read(path)
        CheckCellMetadata().preprocess(nb, {})  # raises on invalid nbgrader metadata
        grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
        assert len(grade_ids) == len(set(grade_ids)), f"{path.name}: duplicate grade ids"
    graded = [c for c in read(solution_path(assignment)).cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) >= 4, "each notebook grades at least four parts"
    for cell in graded:
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{cell.metadata['nbgrader']['grade_id']} has no hidden tests"
        assert cell.metadata["nbgrader"]["points"] > 0


# The notebook whose cheats also go through the real autograder (the others' run in kernels:
# tests/test_mutants.py). One submission per kind: every answer cell replaced by a cheat of that kind.
CHEATED = "03_optimal_discriminator_jsd"


def _cheating_submission(release: Path, assignment: str, kind: str, course: Path) -> Path:
    nb = read(release)
    cheats = {}
    for cheat in CHEATS[assignment]:
        if cheat.kind == kind:
            cheats.setdefault(cheat.solution, cheat.source)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cheats:
            cell.source = cheats[grade_id]
    path = course / f"{kind}-cheater.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def autograded(courses, tmp_path_factory):
    """Autograde two submissions of every notebook: the solution, and the untouched student release.

    Both resume the checkpoints of nbval's run of the solution (or, without one, of the solution's autograding).
    """
    checkpoints = os.environ.get("COURSE_CHECKPOINT_DIR") or str(tmp_path_factory.mktemp("checkpoints"))
    def release(a):
        return courses[a] / "notebooks" / a / f"{a}.ipynb"

    def grade(assignment: str) -> dict:
        course, scores = courses[assignment], {}
        sources = {"solution-author": solution_path, "untouched-student": release}
        if assignment == CHEATED:
            for kind in ("delegation", "tampering"):
                sources[f"{kind}-cheater"] = lambda a, kind=kind: _cheating_submission(release(a), a, kind, course)
        for student, source in sources.items():
            target = course / "submitted" / student / assignment
            target.mkdir(parents=True)
            shutil.copy(source(assignment), target / f"{assignment}.ipynb")
            nbgrader(course, "autograde", assignment, "--student", student, "--force",
                     COURSE_CHECKPOINT_DIR=checkpoints)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for student in sources:
                submission = gb.find_submission_notebook(assignment, assignment, student)
                scores[assignment, student] = {g.cell.name: (g.score, g.max_score) for g in submission.grades}
        return scores

    with ThreadPoolExecutor(WORKERS) as pool:
        return {key: value for scores in pool.map(grade, ASSIGNMENTS) for key, value in scores.items()}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(autograded, assignment):
    grades = autograded[assignment, "solution-author"]
    assert grades, "no graded cells found"
    short = {cell: f"{score}/{max_score}" for cell, (score, max_score) in grades.items() if score != max_score}
    assert not short, f"the solution loses points on: {short}"


@pytest.mark.parametrize("kind", ["delegation", "tampering"])
def test_cheats_score_zero_under_the_real_autograder(autograded, kind):
    if CHEATED not in ASSIGNMENTS:
        pytest.skip(f"{CHEATED} is not among the chosen assignments")
    grades = autograded[CHEATED, f"{kind}-cheater"]
    targeted = {c.test for c in CHEATS[CHEATED] if c.kind == kind}
    assert targeted and targeted <= set(grades)
    scored = {cell: f"{score}/{max_score}" for cell, (score, max_score) in grades.items() if cell in targeted and score}
    assert not scored, f"{kind} cheats score on: {scored}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_student_notebook_scores_zero(autograded, assignment):
    grades = autograded[assignment, "untouched-student"]
    assert grades, "no graded cells found"
    scored = {cell: f"{score}/{max_score}" for cell, (score, max_score) in grades.items() if score != 0}
    assert not scored, f"the untouched student notebook scores on: {scored}"


def test_leak_check_catches_solution_and_hidden_lines_but_not_public_ones():
    import nbformat

    solution = nbformat.v4.new_notebook()
    solution.cells = [
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x.sum(dim=1) * 0.5\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("assert f(torch.ones(2, 2)).shape == (2,)\n### BEGIN HIDDEN TESTS\n"
                                  "assert f(torch.ones(3, 3)).shape == (3,)\nassert f(torch.ones(2, 2)).shape == (2,)\n"
                                  "### END HIDDEN TESTS"),
    ]
    student = nbformat.v4.new_notebook()
    student.cells = [nbformat.v4.new_code_cell("def f(x):\n    return x.sum(dim=1) * 0.5"),
                     nbformat.v4.new_code_cell("assert f(torch.ones(2, 2)).shape == (2,)\n"
                                               "assert f(torch.ones(3, 3)).shape == (3,)")]
    assert leaked_lines(solution, student) == ["return x.sum(dim=1) * 0.5", "assert f(torch.ones(3, 3)).shape == (3,)"]
