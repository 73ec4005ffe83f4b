"""The README's instructor section, step by step, with nbgrader's own commands in a scratch course.

Record and release an assignment, share it through the course-local exchange
(``nbgrader_config.py``: ``<course>/exchange``, no root needed), fetch and submit it as a
student from another folder, collect it, autograde it, export the grades and generate the
feedback. Notebook 03 (the fastest) stands for every assignment; its untouched release, run whole,
must score zero. Its kernel gets a checkpoint folder of its own: nbval may be training notebook 03
in the other test process at the same time.
"""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from notebook_tools import ASSIGNMENTS, ROOT, make_course, nbgrader, nbgrader_env

ASSIGNMENT = "03_optimal_discriminator_jsd"
COURSE_ID = "deep-generative-models"

pytestmark = pytest.mark.skipif(ASSIGNMENT not in ASSIGNMENTS, reason=f"{ASSIGNMENT} is not among the chosen assignments")


def _student(folder: Path, *args: str) -> None:
    """A nbgrader command run by a student: in their own folder, without the course's configuration."""
    exe = Path(sys.executable).parent / "nbgrader"
    proc = subprocess.run([str(exe), *args], cwd=folder, env=nbgrader_env(), capture_output=True, text=True)
    assert proc.returncode == 0, f"student: nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


def test_release_fetch_submit_collect_autograde_export_feedback(tmp_path):
    course = make_course(tmp_path)
    exchange = course / "exchange"
    # 1. Record the assignment in the gradebook and make the student version (scripts/release.sh does it
    #    for all of them), then share it through the exchange.
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(course, "release_assignment", ASSIGNMENT)
    assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert "/exchange/" in (ROOT / ".gitignore").read_text().split(), "the exchange must stay out of git"
    # 2. A student on the same machine fetches it into their folder and submits it untouched.
    home = tmp_path / "student"
    home.mkdir()
    where = (f"--course={COURSE_ID}", f"--Exchange.root={exchange}")
    _student(home, "fetch_assignment", ASSIGNMENT, *where)
    assert (home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    _student(home, "submit", ASSIGNMENT, *where)
    # 3. The instructor collects, autogrades, exports and writes the feedback.
    nbgrader(course, "collect", ASSIGNMENT)
    submitted = list((course / "submitted").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
    assert len(submitted) == 1, f"collect put {len(submitted)} submissions in submitted/"
    student_id = submitted[0].parents[1].name
    nbgrader(course, "autograde", ASSIGNMENT, COURSE_CHECKPOINT_DIR=str(tmp_path / "checkpoints"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(ASSIGNMENT, student_id)
        assert submission.max_score > 0 and submission.score == 0, \
            f"the untouched release scored {submission.score} of {submission.max_score}"
    nbgrader(course, "export")
    with open(course / "grades.csv", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["assignment"] == ASSIGNMENT]
    assert [(row["student_id"], float(row["score"])) for row in rows] == [(student_id, 0.0)]
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    assert (course / "feedback" / student_id / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()

