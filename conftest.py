"""Keeps what must share one process together when the suite runs on two (pytest-xdist).

nbval executes a notebook's cells one after another in one kernel, so all the items of one
notebook form one unit of work; so do the tests of a module whose fixtures are expensive
(``SHARED_MODULES``), and the tests of tests/test_pipeline.py that concern one assignment (it
releases and grades each assignment once per process). Every other test is a unit of its own,
spread freely over the workers.

The grouping is a scheduler (``--dist loadscope`` picks it, see ``scripts/test.sh``), not
``xdist_group`` marks: ``--dist loadgroup`` renames the items' node ids, which this pytest
no longer allows, and would silently scatter a notebook's cells over both workers.
"""
from xdist.scheduler import LoadScopeScheduling

SHARED_MODULES = ("test_autograde_limits.py",)
PER_ASSIGNMENT = "test_pipeline.py"
# A test that runs after a notebook's nbval items, in the same process, so that its kernels resume the
# checkpoints nbval's run just made (none of them is written by another test meanwhile).
AFTER_NOTEBOOK = {
    "tests/test_browser.py::test_student_runs_answers_tests_and_validates_notebook_01":
        "solutions/01_autoencoders_vae/01_autoencoders_vae.ipynb",
}


class NotebookScheduling(LoadScopeScheduling):
    """Units of work: one notebook (with the tests of ``AFTER_NOTEBOOK`` that follow it), one module of
    ``SHARED_MODULES``, one assignment of ``PER_ASSIGNMENT``, or one test."""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid in AFTER_NOTEBOOK:
            return AFTER_NOTEBOOK[nodeid]
        path = nodeid.split("::", 1)[0]
        name = path.rsplit("/", 1)[-1]
        if path.endswith(".ipynb") or name in SHARED_MODULES:
            return path
        if name == PER_ASSIGNMENT and "[" in nodeid:   # e.g. test_solution_scores_full_marks[04_dcgan]
            return f"{path}::{nodeid.rsplit('[', 1)[1].split('-')[0].rstrip(']')}"
        return nodeid


# The longest units of work first (seconds in docs/BENCHMARKS.md), so that none of them starts last
# and leaves the other worker idle at the end; the rest keep their order. Prefixes of node ids.
LONGEST_FIRST = (
    "tests/test_grade_class.py", "solutions/02_", "solutions/04_", "solutions/05_", "solutions/08_",
    "solutions/01_", "tests/test_browser.py", "solutions/06_", "tests/test_mutants.py", "solutions/07_",
    "tests/test_instructor_flow.py", "tests/test_distributed.py", "solutions/09_", "tests/test_autograde_limits.py",
)


def _rank(nodeid: str) -> int:
    nodeid = AFTER_NOTEBOOK.get(nodeid, nodeid)   # with its notebook, after the notebook's cells (a stable sort)
    return next((i for i, prefix in enumerate(LONGEST_FIRST) if nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: _rank(item.nodeid))   # stable: a file's items stay together, in order


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadscope":
        config.option.loadscopereorder = False   # the order above, not xdist's (units with the most tests first)
        return NotebookScheduling(config, log)
    return None
