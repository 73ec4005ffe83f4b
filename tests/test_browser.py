"""The student's and the instructor's flows in a real browser: Playwright driving Debian's Chromium.

The course starts with the README's own command (``bash scripts/lab.sh``, ``--instructor`` for the
formgrader) in a scratch copy of the repository, so that generating and grading touch nothing here.

* student: open notebook 01 from the file browser, run its set-up cells, see the figure, type the
  answer of the first exercise, run its test cell and see it pass, press nbgrader's Validate;
* instructor: open the formgrader, see every assignment, generate notebook 03, autograde a
  submission, open its manual-grading page, generate its feedback and open it.

Needs the ``playwright`` package (requirements-test.txt) and Chromium at /usr/bin/chromium
(``apt-get install -y chromium``; scripts/test.sh installs it when it runs as root). Playwright's own
browser downloads are not used. On failure, a screenshot and the page's HTML are saved next to the
JUnit report (``--junitxml``), else in ``build/browser-screenshots/``, with the server's log.
The instructor's kernels get a checkpoint folder of their own, so that they never share one with
nbval's run of notebook 03 in the other test process. The student's Validate resumes the test
command's folder, where nbval has just trained notebook 01 in the same process (conftest.py runs the
test right after that notebook); run alone, it trains in a fresh one.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from notebook_tools import ASSIGNMENTS, ROOT, read, release_path, solution_path

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium's own requests are refused on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STUDENT_NOTEBOOK = "01_autoencoders_vae"
EXERCISE = "kl_to_standard_normal"            # notebook 01's first exercise
GRADED = "03_optimal_discriminator_jsd"       # the fastest notebook to autograde
SLOW = 300_000                                 # ms: running a notebook on a busy 2-core machine

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing: "
                               "pip install -r requirements-test.txt")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason=(
    f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium; scripts/test.sh "
    "does it when run as root), or point COURSE_CHROMIUM at a Chromium binary"))


# ---------------------------------------------------------------------------------------------- the course
@pytest.fixture
def course(tmp_path):
    """A scratch copy of the repository's course, sharing its virtual environment."""
    # The environment brought up to date here first: the copy's scripts/lab.sh must find nothing to install,
    # for an install from the copy (which has no course_lib/) would point the shared one at nothing.
    subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh")], check=True, capture_output=True)
    copy = tmp_path / "course"
    copy.mkdir()
    skip = shutil.ignore_patterns("checkpoints", ".ipynb_checkpoints", "__pycache__")
    for folder in ("scripts", "solutions", "notebooks"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=skip)
    for name in ("nbgrader_config.py", "requirements.txt", "requirements-test.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")   # scripts/setup.sh finds it up to date
    return copy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def lab(course: Path, tmp_path: Path, *options: str, checkpoints: Path | None = None):
    """``bash scripts/lab.sh [options]`` on a free port with a known token; yields (base URL, token, log).

    The kernels' checkpoint folder is ``checkpoints``, else a fresh one.
    """
    port, token = _free_port(), "browser-test"
    env = dict(os.environ)
    for variable, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                             ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        env[variable] = str(tmp_path / "jupyter" / folder)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.setdefault("COURSE_BUDGET", "fast")
    env["COURSE_CHECKPOINT_DIR"] = str(checkpoints or tmp_path / "checkpoints")
    # Every cell in the page, not only those scrolled into view, so that the test can find them.
    settings = tmp_path / "jupyter" / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    log = tmp_path / "lab.log"
    command = ["bash", str(course / "scripts" / "lab.sh"), *options, "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}"]
    with open(log, "w") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, f"scripts/lab.sh exited:\n{log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, f"JupyterLab did not answer in 120 s:\n{log.read_text()[-3000:]}"
                time.sleep(0.5)
        yield base, token, log
    finally:
        os.killpg(server.pid, 15)   # lab.sh execs jupyter lab: its group holds the server and its kernels
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


@pytest.fixture
def page(request, tmp_path):
    """A Chromium page; when the test fails, its screenshot, its HTML and the server's log are kept."""
    failures_before = request.session.testsfailed
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        # Offline, deterministically: a request off this machine (the formgrader's MathJax comes from a CDN)
        # fails at once, instead of hanging until a closed network times it out and holding back the page's
        # load event, on which its scripts start.
        page.route(lambda url: not url.startswith(("http://127.0.0.1", "file:")), lambda route: route.abort())
        page.set_default_timeout(60_000)
        yield page
        if request.session.testsfailed > failures_before:   # the call's report is logged before teardown
            report = request.config.getoption("xmlpath", None)
            folder = (Path(report).resolve().parent if report else ROOT / "build") / "browser-screenshots"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
            (folder / f"{request.node.name}.html").write_text(page.content())
            if (tmp_path / "lab.log").is_file():
                shutil.copy(tmp_path / "lab.log", folder / f"{request.node.name}-lab.log")
        browser.close()


def _cell_index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _confirm(page, words: str) -> None:
    """Wait for the formgrader's dialog saying ``words`` and close it."""
    dialog = page.locator(".modal-dialog", has_text=words)
    dialog.wait_for(timeout=SLOW)
    dialog.locator("button", has_text="OK").click()
    page.locator(".modal-dialog").wait_for(state="detached")


# ---------------------------------------------------------------------------------------------- the flows
@pytest.mark.skipif(STUDENT_NOTEBOOK not in ASSIGNMENTS, reason=f"{STUDENT_NOTEBOOK} is not among the chosen assignments")
def test_student_runs_answers_tests_and_validates_notebook_01(course, tmp_path, page):
    release = read(release_path(STUDENT_NOTEBOOK))
    setup = _cell_index(release, "setup")
    # The set-up cells: from "setup" to the first cell that draws (the data set's digits).
    figure = next(i for i, c in enumerate(release.cells) if i > setup and "plt.show()" in c.source)
    answer, test = _cell_index(release, EXERCISE), _cell_index(release, f"test_{EXERCISE}")
    solution = read(solution_path(STUDENT_NOTEBOOK)).cells[_cell_index(read(solution_path(STUDENT_NOTEBOOK)), EXERCISE)]

    shared = os.environ.get("COURSE_CHECKPOINT_DIR")
    with lab(course, tmp_path, checkpoints=Path(shared) if shared else None) as (base, token, log):
        page.goto(f"{base}/lab?token={token}")
        page.locator(".jp-DirListing-item", has_text=STUDENT_NOTEBOOK).first.dblclick()
        page.locator(".jp-DirListing-item", has_text=f"{STUDENT_NOTEBOOK}.ipynb").dblclick()
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=SLOW)
        cells = page.locator(".jp-Notebook .jp-Cell")
        assert cells.count() == len(release.cells), "the notebook's cells are not all shown"

        cells.nth(setup).locator(".jp-InputArea-editor").click()
        for _ in range(setup, figure + 1):
            page.keyboard.press("Shift+Enter")
        cells.nth(figure).locator(".jp-OutputArea-output img").wait_for(timeout=SLOW)
        assert cells.nth(figure).locator(".jp-OutputArea-output img").first.bounding_box()["height"] > 50

        cells.nth(answer).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(solution.source)   # typed as one insertion: no auto-indent, no auto-brackets
        page.keyboard.press("Shift+Enter")           # the answer
        page.keyboard.press("Shift+Enter")           # its test
        cells.nth(test).locator(".jp-OutputArea-output", has_text="Visible tests passed.").wait_for(timeout=SLOW)
        assert not cells.nth(test).locator("[data-mime-type='application/vnd.jupyter.stderr']").count()

        # Validate saves the notebook and runs it all in a fresh kernel: the exercise answered passes,
        # the next one (still "raise NotImplementedError()") is the first failure reported.
        page.get_by_role("button", name="Validate").first.click()
        dialog = page.locator(".jp-Dialog", has_text="Validation Results")
        dialog.wait_for(timeout=SLOW)
        report = dialog.inner_text()
        assert "The following cell failed" in report and "NotImplementedError" in report, report
        assert "KL on random inputs" not in report, f"the answered exercise fails validation:\n{report}"
    saved = nbformat.read(course / "notebooks" / STUDENT_NOTEBOOK / f"{STUDENT_NOTEBOOK}.ipynb", as_version=4)
    assert saved.cells[answer].source == solution.source, "the typed answer was not saved"


@pytest.mark.skipif(GRADED not in ASSIGNMENTS, reason=f"{GRADED} is not among the chosen assignments")
def test_instructor_generates_autogrades_grades_and_writes_feedback(course, tmp_path, page):
    submitted = course / "submitted" / "alice" / GRADED
    submitted.mkdir(parents=True)
    shutil.copy(solution_path(GRADED), submitted / f"{GRADED}.ipynb")
    assignments = sorted(p.name for p in (course / "solutions").iterdir() if p.is_dir())

    with lab(course, tmp_path, "--instructor") as (base, token, log):
        page.goto(f"{base}/formgrader?token={token}")
        page.locator("tr", has_text=GRADED).wait_for(timeout=SLOW)
        listed = page.locator("td.name").all_inner_texts()
        assert sorted(name.strip() for name in listed) == assignments
        assert not page.get_by_text("does not exist and could not be created").count(), "the exchange is missing"

        page.locator("tr", has_text=GRADED).locator("td.assign a").click()
        _confirm(page, f"Successfully created the student version of '{GRADED}'")

        page.locator("tr", has_text=GRADED).locator("td.num-submissions a").click()
        alice = page.locator("tr", has_text="alice")
        alice.locator("td.autograde a").click()
        _confirm(page, f"Successfully autograded '{GRADED}' for student 'alice'")
        assert alice.locator("td.score").inner_text().strip() == "9 / 9"

        # The manual-grading page of the submission: a score box per graded cell, a comment box per answer.
        page.goto(f"{base}/formgrader/gradebook/{GRADED}/{GRADED}")
        page.locator("tr", has_text="Submission #1").locator("td.name a.name-hidden").click()
        page.locator("input.score").first.wait_for()
        # The page's script fills the boxes from the gradebook once it has fetched their grades and comments:
        # a comment typed before that would be overwritten with the stored (empty) one.
        page.wait_for_function("() => formgrader.grades && formgrader.grades.loaded && formgrader.comments.loaded",
                               timeout=SLOW)
        solution = read(solution_path(GRADED))
        graded = [c.metadata["nbgrader"]["grade_id"] for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert sorted(page.locator("input.score").evaluate_all("boxes => boxes.map(b => b.id)")) == sorted(graded)
        # Leaving the box saves the comment. On a busy machine the page may still refill its boxes from a late
        # answer of the server and wipe what was typed (seen once in a run of the test command), as it would for
        # an instructor, who would type it again: so does the test, at most three times.
        page.wait_for_load_state("networkidle")
        for attempt in range(3):
            page.locator("#kl_divergence-comment").fill("Well done: the 0 log 0 terms are handled.")
            page.keyboard.press("Tab")
            if _wait_for_comment(course, "kl_divergence", "Well done", seconds=10 if attempt < 2 else 30):
                break
        else:
            pytest.fail("the comment typed on the manual-grading page was not saved, typed three times")

        page.goto(f"{base}/formgrader/manage_submissions/{GRADED}")
        page.locator("tr", has_text="alice").locator("td.generate-feedback a").click()
        _confirm(page, f"Successfully generated feedback for '{GRADED}' for student 'alice'")
        page.goto((course / "feedback" / "alice" / GRADED / f"{GRADED}.html").as_uri())
        text = page.locator("body").inner_text()
        assert "Score: 9.0 / 9.0" in text and "Well done: the 0 log 0 terms are handled." in text


def _wait_for_comment(course: Path, cell: str, words: str, seconds: float) -> bool:
    """Whether the gradebook's manual comment of ``cell`` holds ``words`` within ``seconds``."""
    from nbgrader.api import Gradebook

    deadline = time.monotonic() + seconds
    while True:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            comment = gb.find_comment(cell, GRADED, GRADED, "alice").manual_comment or ""
        if words in comment:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
