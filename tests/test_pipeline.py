"""The graded-notebook pipeline: release generation, leaks, metadata, and autograding.

1. Regenerating notebooks/ from solutions/ with nbgrader gives the committed student notebooks.
2. Under the real autograder (``nbgrader autograde`` with the course's configuration), the
   solution gets full marks and the untouched student notebook zero on every graded cell
   (scores read from nbgrader's Gradebook); so do notebook 03's cheats.
3. No solution code or hidden test reaches notebooks/; every nbgrader cell passes nbgrader's
   metadata checks.

The submissions autograded here are cut to what grading needs (``graded_cells_only``: the
set-up cell and the nbgrader cells, with every graded part and its hidden tests), so that each
costs seconds, not a training run. The rest of each notebook is covered elsewhere: nbval runs
every solution notebook whole, hidden tests included, and fails on any error (scripts/test.sh);
tests/test_mutants.py runs the cut solution cell by cell; tests/test_instructor_flow.py and
tests/test_browser.py autograde the whole of notebook 03, untouched and solved.

Each assignment gets its own scratch course (its own gradebook and checkpoint folder). Its tests
form one unit of work for pytest-xdist (conftest.py), so that the assignment is released and
graded once, in one process.
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.preprocessors import CheckCellMetadata

from cheats import CHEATS
from notebook_tools import (
    ALL_ASSIGNMENTS, ASSIGNMENTS, RELEASE, comparable, graded_cells_only, leaked_lines, make_course, nbgrader, read,
    release_path, solution_path,
)

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no solution notebooks yet")

# The notebook whose cheats also go through the real autograder (the others' run in kernels:
# tests/test_mutants.py). One submission per kind: every answer cell replaced by a cheat of that kind.
CHEATED = "03_optimal_discriminator_jsd"
CHEAT_KINDS = ("delegation", "tampering")


class Pipeline:
    """Each assignment released in a scratch course of its own, and autograded, once per process, when first asked."""

    def __init__(self, tmp_path_factory):
        self._factory = tmp_path_factory
        self._courses: dict[str, Path] = {}
        self._grades: dict[str, dict] = {}

    def course(self, assignment: str) -> Path:
        """A scratch nbgrader course in which ``assignment`` was released (and recorded in its gradebook)."""
        if assignment not in self._courses:
            course = make_course(self._factory.mktemp(f"nbgrader-{assignment}"))
            nbgrader(course, "generate_assignment", assignment, "--force")
            self._courses[assignment] = course
        return self._courses[assignment]

    def grades(self, assignment: str) -> dict[str, dict[str, tuple[float, float]]]:
        """{student: {graded cell: (score, max score)}} for the cut solution, the cut untouched release
        and, for CHEATED, one cut submission per kind of cheat."""
        if assignment not in self._grades:
            course = self.course(assignment)
            release = read(course / "notebooks" / assignment / f"{assignment}.ipynb")
            submissions = {"solution-author": read(solution_path(assignment)), "untouched-student": release}
            if assignment == CHEATED:
                submissions.update({f"{kind}-cheater": _cheating(release, assignment, kind) for kind in CHEAT_KINDS})
            for student, nb in submissions.items():
                target = course / "submitted" / student / assignment
                target.mkdir(parents=True)
                nbformat.write(graded_cells_only(nb), target / f"{assignment}.ipynb")
            # One command for all of them; their own checkpoint folder, shared with no other test.
            nbgrader(course, "autograde", assignment, "--force", COURSE_CHECKPOINT_DIR=str(course / "checkpoints"))
            with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
                self._grades[assignment] = {
                    student: {g.cell.name: (g.score, g.max_score)
                              for g in gb.find_submission_notebook(assignment, assignment, student).grades}
                    for student in submissions}
        return self._grades[assignment]


def _cheating(release, assignment: str, kind: str):
    """The release with every answer cell that has a cheat of ``kind`` replaced by the first such cheat."""
    nb = copy.deepcopy(release)
    cheats = {}
    for cheat in CHEATS[assignment]:
        if cheat.kind == kind:
            cheats.setdefault(cheat.solution, cheat.source)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cheats:
            cell.source = cheats[grade_id]
    return nb


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    return Pipeline(tmp_path_factory)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_committed_student_notebook(pipeline, assignment):
    generated = read(pipeline.course(assignment) / "notebooks" / assignment / f"{assignment}.ipynb")
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


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(pipeline, assignment):
    grades = pipeline.grades(assignment)["solution-author"]
    assert grades, "no graded cells found"
    short = {cell: f"{score}/{max_score}" for cell, (score, max_score) in grades.items() if score != max_score}
    assert not short, f"the solution loses points on: {short}"


# The ids name the assignment, so that conftest.py keeps these tests with the assignment's others.
@pytest.mark.parametrize("kind", CHEAT_KINDS, ids=[f"{CHEATED}-{kind}" for kind in CHEAT_KINDS])
def test_cheats_score_zero_under_the_real_autograder(pipeline, kind):
    if CHEATED not in ASSIGNMENTS:
        pytest.skip(f"{CHEATED} is not among the chosen assignments")
    grades = pipeline.grades(CHEATED)[f"{kind}-cheater"]
    targeted = {c.test for c in CHEATS[CHEATED] if c.kind == kind}
    assert targeted and targeted <= set(grades)
    scored = {cell: f"{score}/{max_score}" for cell, (score, max_score) in grades.items() if cell in targeted and score}
    assert not scored, f"{kind} cheats score on: {scored}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_student_notebook_scores_zero(pipeline, assignment):
    grades = pipeline.grades(assignment)["untouched-student"]
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
