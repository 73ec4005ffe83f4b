"""A whole class autograded at once by ``python -m course_lib grade-class``.

The class's assignment is notebook 03 cut to what grading needs: its set-up cell and its nbgrader
cells (answers, tests with their hidden parts, and the locked cells they rely on), released into a
scratch course of the test's own. The command is what is tested, not the notebook: the cut keeps
every graded part, the hidden tests and the tampering guards, without the training and figures
that would make each of the class's submissions cost a whole notebook run (tests/test_pipeline.py
and tests/test_instructor_flow.py autograde the whole notebooks).

Eighteen entries in one folder, in both layouts (nbgrader's ``<student>/<assignment>/`` folders
and flat ``<student>.ipynb`` files): the solution, the untouched release, a partial answer, a wrong
answer, a cheat, answers that raise, loop forever (interruptibly or not), kill their kernel after
leaving a process behind, exhaust memory or print megabytes, an unreadable notebook, an empty file,
wrongly named files, another assignment's notebook and a duplicate. Two workers, a time and a memory limit per
submission. Every entry must get its row, with the right score or the reason it has none; the
gradebook must hold the same scores; nothing the submissions started may survive.
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import nbformat
import psutil
import pytest
from nbgrader.api import Gradebook

from cheats import CHEATS
from notebook_tools import (
    ASSIGNMENTS, ROOT, graded_cells_only, make_course, nbgrader, read, release_path, solution_path,
)

ASSIGNMENT = "03_optimal_discriminator_jsd"
FULL = 9.0   # kl 2, optimal discriminator 1, value 2, JSD 2, parallel lines 2
DAEMON = "987654"   # the argument of the `sleep` a submission leaves behind
FLAT = ("raising", "memory-hog")   # submitted as <student>.ipynb (a flat export); the others in nbgrader's layout

pytestmark = pytest.mark.skipif(ASSIGNMENT not in ASSIGNMENTS, reason=f"{ASSIGNMENT} is not among the chosen assignments")


def _solution_answers() -> dict[str, str]:
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in read(solution_path(ASSIGNMENT)).cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def _notebook(base: str, answers: dict[str, str]):
    """The (cut) release (``base="release"``) or solution with some answer cells replaced."""
    nb = graded_cells_only(read(release_path(ASSIGNMENT) if base == "release" else solution_path(ASSIGNMENT)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _cheats(kind: str) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for cheat in CHEATS[ASSIGNMENT]:
        if cheat.kind == kind:
            chosen.setdefault(cheat.solution, cheat.source)
    return chosen


SOLUTION = _solution_answers()
# student -> (notebook, expected score, expected status, expected words in the reason)
CLASS = {
    "author": (_notebook("solution", {}), FULL, "graded", ""),
    "untouched": (_notebook("release", {}), 0.0, "graded", ""),
    "partial": (_notebook("release", {k: SOLUTION[k] for k in ("kl_divergence", "optimal_discriminator")}),
                3.0, "graded", ""),
    "wrong": (_notebook("solution", {"optimal_discriminator": SOLUTION["optimal_discriminator"].replace(
        "p_data / total", "p_g / total")}), FULL - 1, "graded", ""),
    # (tests/test_pipeline.py autogrades the delegation cheats too, tests/test_mutants.py the exits.)
    "tampering": (_notebook("release", _cheats("tampering")), 0.0, "graded", ""),
    "raising": (_notebook("solution", {"value_function": "def value_function(p_data, p_g, d):\n"
                                                          "    raise ValueError('not finished')\n"}),
                FULL - 2, "graded", ""),
    # The loops sleep, so as not to take the CPU from the other worker during the test.
    "endless-loop": (_notebook("solution", {"js_divergence": "import time\n\nwhile True:\n    time.sleep(0.05)\n"}),
                     FULL - 2, "graded", "js_divergence ran past the time limit of a cell"),
    "uninterruptible": (_notebook("solution", {"parallel_lines": "import time\n\ndef parallel_lines(theta, shift):\n"
                                                                 "    while True:\n        try:\n"
                                                                 "            time.sleep(0.05)\n"
                                                                 "        except:\n            pass\n"}),
                        FULL - 2, "graded", "ignored the interrupt at the time limit of test_parallel_lines"),
    # It leaves a process behind, then kills its kernel.
    "kernel-killer": (_notebook("solution", {"value_function": "import os\nimport subprocess\n\n"
                                                               f"subprocess.Popen(['sleep', '{DAEMON}'], start_new_session=True)\n\n"
                                                               "def value_function(p_data, p_g, d):\n    os._exit(1)\n"}),
                      3.0, "graded", "the kernel died in test_value_function"),
    "memory-hog": (_notebook("solution", {"optimal_discriminator": "def optimal_discriminator(p_data, p_g):\n"
                                                                   "    hoard = []\n    while True:\n"
                                                                   "        hoard.append(bytes(2**28))\n"}),
                   FULL - 1, "graded", "memory limit was reached in test_optimal_discriminator"),
    "loud": (_notebook("solution", {"kl_divergence": "print('x' * 5_000_000)\n\n" + SOLUTION["kl_divergence"]}),
             FULL, "graded", "the output of kl_divergence was cut"),
}


def _course_of_the_cut_notebook(tmp):
    """A scratch course whose source of ASSIGNMENT is the cut solution, released and recorded in its gradebook."""
    course = make_course(tmp)
    nbformat.write(graded_cells_only(read(solution_path(ASSIGNMENT))),
                   course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def test_the_cut_notebook_keeps_every_graded_part_and_its_points():
    cut, whole = _notebook("solution", {}), read(solution_path(ASSIGNMENT))
    def points(nb):
        return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points") for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade")}
    assert points(cut) == points(whole) and sum(points(cut).values()) == FULL
    assert len(cut.cells) < len(whole.cells) / 2, "the cut should leave out the notebook's demonstrations"


def _grade_the_class(tmp):
    """The class's folder, graded once by the command line: (course, rows, the command's output)."""
    course = _course_of_the_cut_notebook(tmp)
    folder = tmp / "submissions"
    for student, (nb, *_) in CLASS.items():
        if student in FLAT:
            nbformat.write(nb, folder / f"{student}.ipynb")
        else:
            (folder / student / ASSIGNMENT).mkdir(parents=True)
            nbformat.write(nb, folder / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbformat.write(CLASS["author"][0], folder / "author.ipynb")             # a second one of "author"
    (folder / "flat-notes.txt").write_text("my answers are in the notebook")
    (folder / "unreadable" / ASSIGNMENT).mkdir(parents=True)
    (folder / "unreadable" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [{"cell_type": "code",')
    (folder / "empty" / ASSIGNMENT).mkdir(parents=True)
    (folder / "empty" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text("")
    (folder / "misnamed" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(CLASS["author"][0], folder / "misnamed" / ASSIGNMENT / "my answers.ipynb")
    (folder / "other" / "02_gan_minimax_game").mkdir(parents=True)   # the wrong assignment's notebook
    nbformat.write(read(release_path("02_gan_minimax_game")), folder / "other" / "02_gan_minimax_game" / "02_gan_minimax_game.ipynb")
    (folder / "typo" / "03_optimal_discriminator").mkdir(parents=True)
    nbformat.write(CLASS["author"][0], folder / "typo" / "03_optimal_discriminator" / f"{ASSIGNMENT}.ipynb")
    (folder / ".DS_Store").write_text("not a submission")

    env = dict(os.environ, COURSE_CHECKPOINT_DIR=str(tmp / "checkpoints"))   # shared with no other test
    command = [sys.executable, "-m", "course_lib", "grade-class", ASSIGNMENT, str(folder), "--course", str(course),
               "--workers", "2", "--time-limit", "120", "--cell-time-limit", "20", "--memory-limit", "6144",
               "--no-progress"]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"grade-class failed:\n{proc.stdout}\n{proc.stderr}"
    with open(course / f"grade_class_{ASSIGNMENT}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return course, rows, proc.stdout


def test_a_class_of_18_entries_gets_18_rows_in_the_report_and_the_gradebook(tmp_path):
    # One test, not several sharing a fixture: the class is graded once, wherever the test runs.
    course, rows, output = _grade_the_class(tmp_path)

    # 1. Every entry has its row: the right score, or the reason it has none.
    names = [row["student"] for row in rows]
    expected_names = sorted({*CLASS, "flat-notes", "unreadable", "empty", "misnamed", "typo", "other"})
    assert sorted(set(names)) == expected_names and len(rows) == len(expected_names) + 1, \
        f"rows for {names}, expected one per entry:\n{output}"
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], []).append(row)
    wrong = []
    for student, (_, score, status, words) in CLASS.items():
        row = by_student[student][0]
        if (row["status"], float(row["score"])) != (status, score) or words not in row["reason"]:
            wrong.append(f"{student}: {row['status']} {row['score']} ({row['reason']!r}), expected {status} "
                         f"{score} ({words!r})")
    assert not wrong, "\n".join(wrong) + f"\n{output}"
    duplicate = by_student["author"][1]
    assert duplicate["status"] == "duplicate" and duplicate["entry"].endswith("author.ipynb"), duplicate
    problems = {student: (by_student[student][0]["status"], by_student[student][0]["reason"])
                for student in ("flat-notes", "unreadable", "empty", "misnamed", "typo", "other")}
    assert problems["flat-notes"][0] == "wrong file name" and "flat-notes.txt" in problems["flat-notes"][1]
    assert problems["unreadable"][0] == "unreadable" and "not a readable notebook" in problems["unreadable"][1]
    assert problems["empty"][0] == "unreadable"
    assert problems["misnamed"] == ("wrong file name", f"expected {ASSIGNMENT}.ipynb, found my answers.ipynb")
    assert problems["typo"][0] == "wrong file name" and "found: 03_optimal_discriminator" in problems["typo"][1]
    assert problems["other"][0] == "wrong file name" and "found: 02_gan_minimax_game" in problems["other"][1]
    assert all(float(by_student[s][0]["score"]) == 0 for s in problems)

    # 2. The gradebook holds the same scores; the ungraded are flagged, with the reason as a comment.
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for row in rows:
            if row["status"] == "duplicate":
                continue
            submission = gb.find_submission(ASSIGNMENT, row["student"])
            notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, row["student"])
            assert (submission.score, submission.max_score) == (float(row["score"]), FULL), row
            assert notebook.flagged == (row["status"] != "graded"), row
            if row["status"] != "graded":
                assert all(c.auto_comment == f"Not graded: {row['reason']}" for c in notebook.comments), row
            else:
                assert (course / "autograded" / row["student"] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
        # The cheats score zero on every part (the same grades nbgrader recorded in the worker's gradebook).
        for student in ("tampering", "untouched"):
            grades = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades
            assert not [g.name for g in grades if g.score], f"{student} scores on {[g.name for g in grades if g.score]}"
    # The course's submitted/ keeps what was graded, for the formgrader and the feedback.
    assert (course / "submitted" / "raising" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert (course / "submitted" / "misnamed" / ASSIGNMENT / "my answers.ipynb").is_file()
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "loud")
    assert (course / "feedback" / "loud" / ASSIGNMENT / f"{ASSIGNMENT}.html").stat().st_size < 2_000_000

    # 3. Nothing a submission started survives it.
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline"]) if DAEMON in (p.info["cmdline"] or [])]
    assert not left, f"processes left behind: {left}"


def test_the_time_limit_stops_a_submission_and_kills_its_kernel(tmp_path):
    from course_lib.grade_class import grade_class

    course = _course_of_the_cut_notebook(tmp_path)
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(CLASS["endless-loop"][0], folder / "slow.ipynb")
    # The cells' own limits are long: only the parent's limit per submission can stop it.
    [row] = grade_class(ASSIGNMENT, folder, course=course, workers=1, time_limit=12, cell_time_limit=600,
                        notebook_time_limit=600, progress=False)
    assert (row.status, row.score, row.max_score) == ("time limit", 0.0, FULL), row
    assert "time limit of 12 s per submission" in row.reason and 12 <= row.seconds < 27, row
    assert not psutil.Process().children(recursive=True), "the submission's processes outlived it"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "slow").flagged


@pytest.mark.parametrize("argument, value, words", [
    ("workers", 0, "workers must be a positive integer"),
    ("time_limit", -1, "time_limit must be a positive number"),
    ("memory_limit", 10, "memory_limit must be an integer number of MiB"),
    ("cell_time_limit", 0.5, "cell_time_limit must be a positive integer"),
])
def test_bad_limits_are_refused_by_name(tmp_path, argument, value, words):
    from course_lib.grade_class import grade_class

    with pytest.raises(ValueError, match=words):
        grade_class(ASSIGNMENT, tmp_path, course=tmp_path, **{argument: value})


def test_an_assignment_missing_from_the_gradebook_is_refused(tmp_path):
    from course_lib.grade_class import grade_class

    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}").close()   # an empty gradebook: nothing recorded
    with pytest.raises(ValueError, match="is not recorded in the gradebook.*scripts/release.sh"):
        grade_class(ASSIGNMENT, tmp_path, course=tmp_path)


def test_a_submission_runs_with_its_token_and_openmp_threads_that_sleep_when_they_wait(monkeypatch):
    from course_lib.grade_class import TOKEN_VARIABLE, _environment

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    env = _environment("a-token")
    assert env[TOKEN_VARIABLE] == "a-token" and env["OMP_WAIT_POLICY"] == "PASSIVE"
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)   # nbgrader finds alembic
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert _environment("another")["OMP_WAIT_POLICY"] == "ACTIVE", "an instructor's own setting is kept"
