"""Autograde a whole class at once: W workers, a time and a memory limit per submission, every row in the gradebook.

``python -m course_lib grade-class ASSIGNMENT [SUBMISSIONS] --workers 2 --time-limit 900 --memory-limit 8192``

The submissions folder (default: the course's ``submitted/``) holds one entry per student:

* a folder ``<student>/<assignment>/<notebook>.ipynb``: nbgrader's layout, what ``nbgrader collect`` writes;
* or a file ``<student>.ipynb``: a flat export, for an assignment of one notebook.

Entries whose names start with a dot are skipped; every other entry gets a row. Each runnable
submission is graded by nbgrader itself (``nbgrader autograde ASSIGNMENT --student S``, with the
course's ``nbgrader_config.py`` and so :class:`course_lib.autograde.LimitedExecute`) in a scratch
course of its own, with its own copy of the gradebook, so that the W workers never write to one
SQLite file at once. This process alone writes to the course's ``gradebook.db``, one submission
at a time, copying what nbgrader recorded (scores, comments, flags, timestamp, late penalty), and
copies the autograded notebooks into ``autograded/`` for the formgrader and the feedback.

Limits, per submission:

* ``time_limit`` (seconds, wall clock) is enforced here: past it, every process the submission
  started (nbgrader, its kernel and whatever the kernel spawned, found by a token in their
  environment) is killed. The notebook's own limit (``LimitedExecute.notebook_timeout``) is set
  to 80 % of it, so a slow notebook normally keeps the points of the cells that ran;
* ``memory_limit`` (MiB of address space, ``RLIMIT_AS``; Linux) applies to nbgrader and to the
  kernel it starts: an answer that exhausts memory gets ``MemoryError`` in its cell, or kills its
  own kernel, and costs that submission only.

A submission that cannot be graded (an unreadable notebook, a wrongly named file, the time limit,
nbgrader failing) is recorded with zero points, flagged, and its reason in every answer's
comment, so that ``nbgrader export`` and the formgrader list it too. Nothing is lost.
"""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

TOKEN_VARIABLE = "COURSE_GRADE_CLASS_TOKEN"   # marks every process of one submission, to kill them all
NOTEBOOK_SHARE = 0.8                          # of time_limit given to LimitedExecute.notebook_timeout
REPORT_FIELDS = ("student", "status", "score", "max_score", "reason", "seconds", "entry")


@dataclass
class Submission:
    """One entry of the submissions folder: a student's files, or why they cannot be run."""

    student: str
    entry: Path                                                   # the folder entry it came from
    notebooks: dict[str, Path] = field(default_factory=dict)      # notebook name -> file
    folder: Path | None = None                                    # nbgrader layout: <student>/<assignment>/
    problem: str | None = None                                    # why it cannot be run, else None
    status: str = ""                                              # the status when ``problem`` is set


@dataclass
class Result:
    """One row of the class's report (and of ``Submission``'s line in the gradebook)."""

    student: str
    status: str           # graded, unreadable, wrong file name, duplicate, time limit, memory limit, failed
    score: float
    max_score: float
    reason: str           # what went wrong, or what the autograder noticed; empty when nothing did
    seconds: float
    entry: str


@dataclass
class _Job:
    submission: Submission
    scratch: Path
    process: subprocess.Popen
    token: str
    started: float
    log: Path


# ---------------------------------------------------------------------------------------------- course
def _course_directory(course: Path):
    """nbgrader's CourseDirectory for ``course``, configured by its ``nbgrader_config.py``."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config_file = course / "nbgrader_config.py"
    if not config_file.is_file():
        raise ValueError(f"course must be a folder with an nbgrader_config.py, got {str(course)!r}")
    config = PyFileConfigLoader(config_file.name, path=str(course)).load_config()
    return CourseDirectory(config=config, root=str(course))


def _notebook_names(db_url: str, assignment: str) -> tuple[list[str], float]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            recorded = gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(f"assignment {assignment!r} is not recorded in the gradebook ({db_url}): "
                             "run `bash scripts/release.sh` (or `nbgrader generate_assignment`) first") from None
        return sorted(nb.name for nb in recorded.notebooks), float(recorded.max_score)


# ---------------------------------------------------------------------------------------------- discovery
def _readable(path: Path) -> str | None:
    """Why ``path`` is not a notebook nbgrader can grade, or None."""
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception as error:  # noqa: BLE001 -- any failure to read is the reason, recorded in the row
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"{path.name} is not a readable notebook ({type(error).__name__}: {first_line[:200]})"
    return None


def find_submissions(folder: Path, assignment: str, notebook_names: list[str]) -> list[Submission]:
    """Every entry of ``folder`` (see the module's docstring), as a :class:`Submission`, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions must be a folder, got {str(folder)!r}")
    expected = ", ".join(f"{name}.ipynb" for name in notebook_names)
    found: list[Submission] = []
    seen: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            submission = Submission(entry.name, entry, folder=entry / assignment)
            if not submission.folder.is_dir():
                inside = sorted(p.name for p in entry.iterdir()) or ["nothing"]
                submission.problem = f"no folder {assignment}/ in {entry.name}/ (found: {', '.join(inside)})"
                submission.status = "wrong file name"
            else:
                submission.notebooks = {name: submission.folder / f"{name}.ipynb" for name in notebook_names
                                        if (submission.folder / f"{name}.ipynb").is_file()}
                if not submission.notebooks:
                    inside = sorted(p.name for p in submission.folder.iterdir()) or ["nothing"]
                    submission.problem = f"expected {expected}, found {', '.join(inside)}"
                    submission.status = "wrong file name"
        else:
            submission = Submission(entry.name.split(".")[0] or entry.name, entry)
            if entry.suffix != ".ipynb" or len(notebook_names) != 1:
                submission.problem = (f"a flat submission must be <student>.ipynb for an assignment of one "
                                      f"notebook ({expected}), got {entry.name}")
                submission.status = "wrong file name"
            else:
                submission.notebooks = {notebook_names[0]: entry}
        if submission.problem is None:
            for path in submission.notebooks.values():
                submission.problem = submission.problem or _readable(path)
            submission.status = "unreadable" if submission.problem else ""
        if submission.student in seen:
            first = seen[submission.student]
            submission.problem = (f"a second submission of {submission.student} (the first is "
                                  f"{first.name}{'/' if first.is_dir() else ''}); not graded")
            submission.status = "duplicate"
        seen.setdefault(submission.student, entry)
        found.append(submission)
    return found


# ---------------------------------------------------------------------------------------------- workers
def _limited_nbgrader(megabytes: int) -> list[str]:
    """The command that runs nbgrader under an address-space limit, which the kernel it starts inherits.

    The limit is set by the new interpreter itself, not by a ``preexec_fn``: this process may have
    threads (pytest-xdist's, tqdm's), and code run between fork and exec could then deadlock.
    """
    size = megabytes * 1024 * 1024
    return [sys.executable, "-c",
            "import resource, runpy, sys; "
            f"resource.setrlimit(resource.RLIMIT_AS, ({size}, {size})); "
            "sys.argv[0] = 'nbgrader'; runpy.run_module('nbgrader', run_name='__main__', alter_sys=True)"]


def _environment(token: str) -> dict[str, str]:
    """The environment of one submission's processes: ours, with ``token`` and nbgrader's alembic on PATH.

    The W kernels share the machine's cores, each with torch's OpenMP threads: a thread waiting for
    work sleeps (``OMP_WAIT_POLICY=PASSIVE``, unless set already) instead of spinning on a core another
    kernel needs. The number of threads, and so every number a notebook computes, is unchanged.
    """
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")  # nbgrader runs alembic
    env[TOKEN_VARIABLE] = token
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def _start(submission: Submission, assignment: str, coursedir, template_db: Path, work: Path, *,
           time_limit: float, memory_limit: int, cell_time_limit: int | None,
           notebook_time_limit: int | None) -> _Job:
    """A scratch course for one submission and ``nbgrader autograde`` started in it."""
    scratch = Path(tempfile.mkdtemp(prefix=f"{submission.student[:20]}-", dir=work))
    course = Path(coursedir.root)
    shutil.copy(course / "nbgrader_config.py", scratch / "nbgrader_config.py")
    shutil.copy(template_db, scratch / "gradebook.db")
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    # autograde copies the source's other files (data, images) next to the graded notebook
    shutil.copytree(source, scratch / "source" / assignment,
                    ignore=shutil.ignore_patterns(*coursedir.ignore, "*.ipynb"))
    target = scratch / "submitted" / submission.student / assignment
    if submission.folder is not None:
        shutil.copytree(submission.folder, target)
    else:
        target.mkdir(parents=True)
        for name, path in submission.notebooks.items():
            shutil.copy(path, target / f"{name}.ipynb")
    token = uuid.uuid4().hex
    env = _environment(token)
    command = [*_limited_nbgrader(memory_limit), "autograde", assignment, "--student", submission.student,
               "--force", "--CourseDirectory.source_directory=source",
               "--CourseDirectory.submitted_directory=submitted", "--CourseDirectory.autograded_directory=autograded",
               f"--CourseDirectory.db_url=sqlite:///{scratch / 'gradebook.db'}",
               f"--LimitedExecute.notebook_timeout={notebook_time_limit or max(1, int(time_limit * NOTEBOOK_SHARE))}"]
    if cell_time_limit is not None:
        command.append(f"--LimitedExecute.timeout={cell_time_limit}")
    log = scratch / "nbgrader.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return _Job(submission, scratch, process, token, time.monotonic(), log)


def _kill_everything_of(job: _Job) -> None:
    """Kill nbgrader, its kernel (in a session of its own) and anything they spawned: all carry the token."""
    import psutil

    victims = []
    for process in psutil.process_iter():
        try:
            if process.pid == job.process.pid or process.environ().get(TOKEN_VARIABLE) == job.token:
                victims.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue   # gone already, or not ours (then it cannot carry our token)
    for process in victims:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass       # it ended between the listing and the signal
    psutil.wait_procs(victims, timeout=10)
    job.process.wait()


# ---------------------------------------------------------------------------------------------- the gradebook
def _record(db_url: str, assignment: str, student: str, worker_db: Path | None, reason: str) -> None:
    """Write one submission into the course's gradebook: nbgrader's own record from ``worker_db``, or
    (without one) zero points, flagged, with ``reason`` in every answer's comment."""
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    with Gradebook(db_url) as gb, warnings.catch_warnings():
        # nbgrader's add_submission links the new rows before adding them to the session (as its own
        # autograde does): SQLAlchemy warns, and adds them all at the commit.
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(student)
        try:
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass   # a first grading: nothing to replace
        if worker_db is None:
            submission = gb.add_submission(assignment, student)
            for notebook in submission.notebooks:
                notebook.flagged = True
                for grade in notebook.grades:
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
                for comment in notebook.comments:
                    comment.auto_comment = f"Not graded: {reason}"
            gb.db.commit()
            return
        with Gradebook(f"sqlite:///{worker_db}") as worker:
            graded = worker.find_submission(assignment, student)
            submission = gb.add_submission(assignment, student, timestamp=graded.timestamp, extension=graded.extension)
            by_name = {nb.name: nb for nb in submission.notebooks}
            for source in graded.notebooks:
                notebook = by_name[source.name]
                notebook.flagged = source.flagged
                notebook.late_submission_penalty = source.late_submission_penalty
                grades = {g.name: g for g in notebook.grades}
                for grade in source.grades:
                    target = grades[grade.name]
                    target.auto_score, target.manual_score = grade.auto_score, grade.manual_score
                    target.extra_credit, target.needs_manual_grade = grade.extra_credit, grade.needs_manual_grade
                comments = {c.name: c for c in notebook.comments}
                for comment in source.comments:
                    comments[comment.name].auto_comment = comment.auto_comment
                    comments[comment.name].manual_comment = comment.manual_comment
            gb.db.commit()


def _score(db_url: str, assignment: str, student: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        submission = gb.find_submission(assignment, student)
        return float(submission.score), float(submission.max_score)


# ---------------------------------------------------------------------------------------------- diagnosis
def _noticed(autograded: Path) -> list[str]:
    """What the autograder's outputs show went wrong: a dead kernel, a time limit, memory, cut output."""
    notes: list[str] = []
    for path in sorted(autograded.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            where = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index}"
            for output in cell.get("outputs", []):
                text = output.get("evalue", "") + output.get("text", "")
                name = output.get("ename", "")
                if name == "DeadKernelError":
                    notes.append(f"the kernel died in {where}")
                elif name == "NotRun" and "time limit" in text:
                    notes.append(f"the notebook's time limit was reached before {where}")
                elif name == "CellTimeoutError" and "ignored the interrupt" in text:
                    notes.append(f"the kernel ignored the interrupt at the time limit of {where}")
                elif name == "CellTimeoutError":
                    notes.append(f"{where} ran past the time limit of a cell")
                elif name == "MemoryError" or "can't allocate memory" in text:
                    notes.append(f"the memory limit was reached in {where}")
                elif "output cut at" in text:
                    notes.append(f"the output of {where} was cut")
    unique = list(dict.fromkeys(notes))
    return unique[:4] + ([f"and {len(unique) - 4} more"] if len(unique) > 4 else [])


def _failure(log: Path) -> str:
    """The last error nbgrader logged, in one line."""
    lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
    errors = [line.strip() for line in lines if "ERROR" in line or "Error" in line] or [l.strip() for l in lines[-3:]]
    return (errors[-1] if errors else "no output")[:300]


# ---------------------------------------------------------------------------------------------- the class
def grade_class(assignment: str, submissions: str | os.PathLike | None = None, *, course: str | os.PathLike = ".",
                workers: int = 2, time_limit: float = 900, memory_limit: int = 8192,
                cell_time_limit: int | None = None, notebook_time_limit: int | None = None, report: str | os.PathLike | None = None,
                progress: bool = True) -> list[Result]:
    """Autograde every submission of ``assignment`` in ``submissions`` and write every row to the gradebook.

    Args:
        assignment: an assignment recorded in the course's gradebook (``bash scripts/release.sh`` records them).
        submissions: the folder of submissions (see the module's docstring); default the course's ``submitted/``.
        course: the course's root, holding ``nbgrader_config.py`` and ``gradebook.db``.
        workers: submissions graded at once, each by its own nbgrader process.
        time_limit: seconds of wall clock per submission, kernel start and nbgrader included.
        memory_limit: MiB of address space for each submission's nbgrader and kernel. Address space, not
            resident memory: a kernel that has imported torch maps about 3.5 GB, so 8192 leaves a FAST
            notebook room while a runaway allocation still fails.
        cell_time_limit: seconds per cell (default: ``LimitedExecute.timeout`` of ``nbgrader_config.py``).
        notebook_time_limit: seconds for the notebook's cells (default 80 % of ``time_limit``, so that a slow
            notebook keeps the points of the cells that ran before the submission is stopped).
        report: CSV file for the rows (default ``<course>/grade_class_<assignment>.csv``).

    Returns:
        One :class:`Result` per entry of the folder, in the folder's order.
    """
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if not isinstance(time_limit, (int, float)) or time_limit <= 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if not isinstance(memory_limit, int) or isinstance(memory_limit, bool) or memory_limit < 256:
        raise ValueError(f"memory_limit must be an integer number of MiB, at least 256, got {memory_limit!r}")
    if cell_time_limit is not None and (not isinstance(cell_time_limit, int) or cell_time_limit < 1):
        raise ValueError(f"cell_time_limit must be a positive integer number of seconds or None, got {cell_time_limit!r}")
    if notebook_time_limit is not None and (not isinstance(notebook_time_limit, int) or notebook_time_limit < 1):
        raise ValueError("notebook_time_limit must be a positive integer number of seconds or None, "
                         f"got {notebook_time_limit!r}")
    course = Path(course).resolve()
    coursedir = _course_directory(course)
    db_url = coursedir.db_url
    notebook_names, assignment_max = _notebook_names(db_url, assignment)
    folder = Path(submissions) if submissions is not None else Path(coursedir.format_path(
        coursedir.submitted_directory, ".", ".")).resolve()
    found = find_submissions(folder, assignment, notebook_names)
    report = Path(report) if report is not None else course / f"grade_class_{assignment}.csv"

    results: dict[int, Result] = {}
    autograded_root = Path(coursedir.format_path(coursedir.autograded_directory, ".", ".")).resolve()
    submitted_root = Path(coursedir.format_path(coursedir.submitted_directory, ".", ".")).resolve()

    def keep_copy(submission: Submission) -> None:
        """The course's submitted/ keeps what was graded (the formgrader and the feedback read it)."""
        target = submitted_root / submission.student / assignment
        if folder.resolve() == submitted_root or submission.status == "duplicate":
            return
        if target.exists():
            shutil.rmtree(target)
        if submission.folder is not None:   # nbgrader's layout: the assignment's folder, else all the student's
            shutil.copytree(submission.folder if submission.folder.is_dir() else submission.entry, target)
        else:
            target.mkdir(parents=True)
            shutil.copy(submission.entry, target / (f"{notebook_names[0]}.ipynb" if submission.notebooks
                                                    else submission.entry.name))

    def finish(index: int, submission: Submission, status: str, reason: str, seconds: float,
               worker_db: Path | None = None, autograded: Path | None = None) -> None:
        if status != "duplicate":
            keep_copy(submission)
            _record(db_url, assignment, submission.student, worker_db, reason)
            score, max_score = _score(db_url, assignment, submission.student)
            target = autograded_root / submission.student / assignment
            if target.exists():
                shutil.rmtree(target)
            if autograded is not None:
                shutil.copytree(autograded, target)
        else:
            score, max_score = 0.0, assignment_max
        results[index] = Result(submission.student, status, score, max_score, reason, round(seconds, 1),
                                str(submission.entry))

    work = Path(tempfile.mkdtemp(prefix=f"grade_class_{assignment}_"))
    running: dict[int, _Job] = {}
    try:
        template_db = work / "gradebook-template.db"
        shutil.copy(db_url.removeprefix("sqlite:///"), template_db)
        queue = []
        for index, submission in enumerate(found):
            if submission.problem is not None:
                finish(index, submission, submission.status, submission.problem, 0.0)
            else:
                queue.append((index, submission))
        with tqdm(total=len(found), desc=f"grading {assignment}", unit="submission", disable=not progress) as bar:
            bar.update(len(results))
            while queue or running:
                while queue and len(running) < workers:
                    index, submission = queue.pop(0)
                    running[index] = _start(submission, assignment, coursedir, template_db, work,
                                            time_limit=time_limit, memory_limit=memory_limit,
                                            cell_time_limit=cell_time_limit,
                                            notebook_time_limit=notebook_time_limit)
                time.sleep(0.2)
                for index, job in list(running.items()):
                    seconds = time.monotonic() - job.started
                    code = job.process.poll()
                    if code is None and seconds <= time_limit:
                        continue
                    # Whatever the submission started and left behind (a daemon, a kernel) goes too.
                    _kill_everything_of(job)
                    del running[index]
                    _conclude(index, job, code, seconds, assignment, time_limit, finish)
                    shutil.rmtree(job.scratch, ignore_errors=True)
                    bar.update(1)
    finally:
        for job in running.values():   # only when interrupted: kill what is still running
            _kill_everything_of(job)
        shutil.rmtree(work, ignore_errors=True)
    rows = [results[index] for index in range(len(found))]
    write_report(rows, report)
    return rows


def _conclude(index: int, job: _Job, code: int | None, seconds: float, assignment: str, time_limit: float,
              finish) -> None:
    """The row of one finished (or stopped) worker."""
    submission = job.submission
    autograded = job.scratch / "autograded" / submission.student / assignment
    if code is None:
        finish(index, submission, "time limit", f"stopped after the time limit of {time_limit:g} s per submission",
               seconds)
    elif code == 0 and autograded.is_dir():
        finish(index, submission, "graded", "; ".join(_noticed(autograded)), seconds, job.scratch / "gradebook.db",
               autograded)
    else:
        why = _failure(job.log)
        memory = "MemoryError" in why or "memory" in why.lower()
        died = f" (killed by signal {signal.Signals(-code).name})" if code < 0 else ""
        finish(index, submission, "memory limit" if memory else "failed", f"nbgrader failed{died}: {why}", seconds)


def write_report(rows: list[Result], path: str | os.PathLike) -> Path:
    """The rows as CSV, one per submission."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: getattr(row, name) for name in REPORT_FIELDS})
    return path


def print_report(rows: list[Result], file=None) -> None:
    """A table of the rows: student, status, score, seconds and the reason."""
    file = file or sys.stdout
    width = max([len(row.student) for row in rows] + [7])
    print(f"{'student':<{width}}  {'status':<15} {'score':>11} {'seconds':>8}  reason", file=file)
    for row in rows:
        print(f"{row.student:<{width}}  {row.status:<15} {row.score:>5g}/{row.max_score:<5g} {row.seconds:>8.1f}  "
              f"{row.reason}", file=file)
    graded = sum(row.status == "graded" for row in rows)
    print(f"{len(rows)} submissions: {graded} graded, {len(rows) - graded} not graded (zero points, flagged)", file=file)
