"""Every graded test fails for plausible wrong answers and for cheats, with a message that says why.

One kernel per notebook runs the set-up cell and then the graded cells in order. For each
mutant, the edited solution cell and its test cell run; the test must raise and say what is
wrong; the original solution cell then runs again to restore the state. The cheats
(``tests/cheats``) run in the same kernel the same way: each scores zero on the part it
targets, with its message.
"""
from __future__ import annotations

import copy

import nbformat
import pytest
from nbclient import NotebookClient

from cheats import CHEATS, KINDS
from mutants import MUTANTS
from notebook_tools import ALL_ASSIGNMENTS, ASSIGNMENTS, read, solution_path


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _error(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
    return None


def test_every_notebook_has_mutants():
    assert sorted(MUTANTS) == ALL_ASSIGNMENTS
    for assignment, mutants in MUTANTS.items():
        graded = {_grade_id(c) for c in read(solution_path(assignment)).cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
        covered = {m.test for m in mutants}
        assert graded <= covered, f"{assignment}: graded cells without mutants: {sorted(graded - covered)}"


def test_every_notebook_has_cheats_of_every_kind():
    assert sorted(CHEATS) == ALL_ASSIGNMENTS
    for assignment, cheats in CHEATS.items():
        graded = {_grade_id(c) for c in read(solution_path(assignment)).cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
        for kind in ("delegation", "tampering"):
            covered = {c.test for c in cheats if c.kind == kind}
            assert graded <= covered, f"{assignment}: graded cells without a {kind} cheat: {sorted(graded - covered)}"
        for kind in KINDS:
            assert any(c.kind == kind for c in cheats), f"{assignment}: no {kind} cheat"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mutants_and_cheats_are_caught_with_helpful_messages(assignment):
    nb = read(solution_path(assignment))
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    # The set-up cell, then every nbgrader code cell: answers, tests and the locked cells they rely on.
    graded = [c for c in nb.cells if "nbgrader" in c.metadata and c.cell_type == "code" and c is not first_code]
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
        for cheat in CHEATS.get(assignment, []):
            original = cells[cheat.solution].source
            run(cheat.source)  # the cheat may fail at once (an exit); what counts is the test cell
            error = run(cells[cheat.test].source)
            if cheat.undo:
                assert run(cheat.undo) is None, f"{cheat.name}: its undo failed"
            assert run(original) is None, f"{cheat.name}: restoring the solution failed"
            assert run(cells[cheat.test].source) is None, f"{cheat.name}: the solution fails after the cheat"
            if error is None:
                problems.append(f"cheat {cheat.name!r} passes the tests of {cheat.test}")
            elif cheat.message not in error:
                problems.append(f"cheat {cheat.name!r}: expected a message with {cheat.message!r}, got: {error}")
    total = len(MUTANTS[assignment]) + len(CHEATS.get(assignment, []))
    assert not problems, f"{len(problems)} of {total} wrong answers and cheats are not caught well:\n" + "\n".join(problems)
