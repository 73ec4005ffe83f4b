"""Every graded test fails for plausible wrong answers, with a message that names the mistake.

One kernel per notebook runs the first code cell (the imports) and then the graded cells in
order. For each mutant, the edited solution cell and its test cell run; the test must raise
and say what is wrong; the original solution cell then runs again to restore the state.
"""
from __future__ import annotations

import copy

import nbformat
import pytest
from nbclient import NotebookClient

from mutants import MUTANTS
from notebook_tools import ASSIGNMENTS, read, solution_path


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _error(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
    return None


def test_every_notebook_has_mutants():
    assert sorted(MUTANTS) == ASSIGNMENTS
    for assignment, mutants in MUTANTS.items():
        graded = {_grade_id(c) for c in read(solution_path(assignment)).cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
        covered = {m.test for m in mutants}
        assert graded <= covered, f"{assignment}: graded cells without mutants: {sorted(graded - covered)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mutants_are_caught_with_helpful_messages(assignment):
    nb = read(solution_path(assignment))
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    graded = [c for c in nb.cells if "nbgrader" in c.metadata and c.cell_type == "code"]
    run_nb = nbformat.v4.new_notebook(metadata=nb.metadata)
    run_nb.cells = [copy.deepcopy(first_code)] + [copy.deepcopy(c) for c in graded]
    client = NotebookClient(run_nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(solution_path(assignment).parent)}})
    problems = []
    with client.setup_kernel():
        for index, cell in enumerate(run_nb.cells):
            client.execute_cell(cell, index)
            assert _error(cell) is None, f"{assignment}: cell {_grade_id(cell)} fails unmutated: {_error(cell)}"

        def run(source: str) -> str | None:
            cell = nbformat.v4.new_code_cell(source)
            client.execute_cell(cell, 0)
            return _error(cell)

        cells = {_grade_id(c): c for c in run_nb.cells[1:]}
        for mutant in MUTANTS[assignment]:
            original = cells[mutant.solution].source
            assert original.count(mutant.old) == 1, f"{mutant.name}: old text not found exactly once"
            error = run(original.replace(mutant.old, mutant.new)) or run(cells[mutant.test].source)
            assert run(original) is None, f"{mutant.name}: restoring the solution failed"
            if error is None:
                problems.append(f"{mutant.new!r} passes the tests of {mutant.test}")
            elif mutant.message not in error:
                problems.append(f"{mutant.new!r}: expected a message with {mutant.message!r}, got: {error}")
    assert not problems, f"{len(problems)} of {len(MUTANTS[assignment])} wrong answers are not caught well:\n" + "\n".join(problems)
