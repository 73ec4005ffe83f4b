"""The graded-notebook pipeline: release generation, leaks, metadata, and autograding.

1. Regenerating notebooks/ from solutions/ with nbgrader gives the committed student notebooks.
2. Autograding a solution notebook gives full marks; autograding an untouched student notebook
   gives zero on every graded cell (scores read from nbgrader's Gradebook).
3. No solution code or hidden test reaches notebooks/; every nbgrader cell passes nbgrader's
   metadata checks.
(nbval's strict execution of the solutions is the fourth check: see scripts/test.sh.)
"""
from __future__ import annotations

import shutil

import pytest
from nbgrader.api import Gradebook
from nbgrader.preprocessors import CheckCellMetadata

from notebook_tools import (
    ALL_ASSIGNMENTS, ASSIGNMENTS, RELEASE, comparable, leaked_lines, make_course, nbgrader, read, release_path, solution_path,
)

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no solution notebooks yet")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("nbgrader"))
    for assignment in ASSIGNMENTS:
        nbgrader(course, "generate_assignment", assignment, "--force")
    return course


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_committed_student_notebook(course, assignment):
    generated = read(course / "notebooks" / assignment / f"{assignment}.ipynb")
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


@pytest.fixture(scope="module")
def autograded(course, tmp_path_factory):
    """Autograde two submissions of every notebook: the solution, and the untouched student release."""
    submissions = {"solution-author": solution_path, "untouched-student": lambda a: course / "notebooks" / a / f"{a}.ipynb"}
    for student, source in submissions.items():
        for assignment in ASSIGNMENTS:
            target = course / "submitted" / student / assignment
            target.mkdir(parents=True)
            shutil.copy(source(assignment), target / f"{assignment}.ipynb")
    for assignment in ASSIGNMENTS:
        for student in submissions:
            checkpoints = tmp_path_factory.mktemp(f"checkpoints-{student}")
            nbgrader(course, "autograde", assignment, "--student", student, "--force",
                     COURSE_CHECKPOINT_DIR=str(checkpoints))
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in ASSIGNMENTS:
            for student in submissions:
                submission = gb.find_submission_notebook(assignment, assignment, student)
                scores[assignment, student] = {g.cell.name: (g.score, g.max_score) for g in submission.grades}
    return scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(autograded, assignment):
    grades = autograded[assignment, "solution-author"]
    assert grades, "no graded cells found"
    short = {cell: f"{score}/{max_score}" for cell, (score, max_score) in grades.items() if score != max_score}
    assert not short, f"the solution loses points on: {short}"


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
