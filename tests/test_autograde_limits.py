"""Faulty submissions lose their parts, never the grading: real ``nbgrader autograde`` runs with
the repository's ``nbgrader_config.py`` on a tiny assignment.

The submission's answers: one right, one that loops forever when tested, one that prints
megabytes, one that raises SystemExit when tested, one that raises KeyboardInterrupt, and then a cell
that kills the kernel with ``os._exit``, followed by a right answer that can no longer run.
"""
from __future__ import annotations

import shutil

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from notebook_tools import ROOT, nbgrader

ASSIGNMENT = "limits"


def _answer(grade_id: str, source: str):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": True, "task": False}})


def _test(grade_id: str, source: str):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "grade_id": grade_id, "locked": True, "points": 1, "schema_version": 3, "solution": False,
        "task": False}})


def _notebook(answers: dict[str, str]):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for part in ("right", "loop", "loud", "leave", "interrupt", "killer", "after"):
        nb.cells.append(_answer(part, answers.get(part, f"def {part}():\n    ### BEGIN SOLUTION\n    return 1\n"
                                                          "    ### END SOLUTION")))
        nb.cells.append(_test(f"test_{part}", f"assert {part}() == 1"))
    return nb


def test_faulty_answers_lose_their_parts_and_grading_goes_on(tmp_path):
    course = tmp_path / "course"
    (course / "solutions" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    nbformat.write(_notebook({}), course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    faulty = _notebook({
        "loop": "def loop():\n    while True:\n        pass",
        "loud": "print('x' * 5_000_000)\ndef loud():\n    return 1",
        "leave": "def leave():\n    raise SystemExit",
        "interrupt": "def interrupt():\n    raise KeyboardInterrupt",
        "killer": "import os\ndef killer():\n    os._exit(0)",
    })
    for student, nb in {"faulty": faulty, "author": _notebook({})}.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    # One command for both students, with short limits: the faulty one must not stop the other.
    nbgrader(course, "autograde", ASSIGNMENT, "--force", "--LimitedExecute.timeout=10",
             "--LimitedExecute.notebook_timeout=120", "--LimitedExecute.max_output_chars=10000")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {student: {g.cell.name: g.score for g in gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades}
                  for student in ("faulty", "author")}
    assert scores["author"] == {f"test_{p}": 1 for p in ("right", "loop", "loud", "leave", "interrupt", "killer", "after")}
    assert scores["faulty"] == {"test_right": 1, "test_loop": 0, "test_loud": 1, "test_leave": 0, "test_interrupt": 0,
                                "test_killer": 0, "test_after": 0}
    graded = nbformat.read(course / "autograded" / "faulty" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = {c.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") + o.get("evalue", "") for o in c.outputs)
            for c in graded.cells}
    assert len(text["loud"]) < 11_000 and "output cut at 10000 characters" in text["loud"]
    assert "the kernel died in cell" in text["test_killer"]
    assert "not run: the kernel died" in text["test_after"]
