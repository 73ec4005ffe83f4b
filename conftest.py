"""Keeps what must share one process together when the suite runs on two (pytest-xdist).

nbval executes a notebook's cells one after another in one kernel, so all the items of one
notebook form one unit of work; so do the tests of a module whose fixtures are expensive
(``SHARED_MODULES``). Every other test is a unit of its own, spread freely over the workers.

The grouping is a scheduler (``--dist loadscope`` picks it, see ``scripts/test.sh``), not
``xdist_group`` marks: ``--dist loadgroup`` renames the items' node ids, which this pytest
no longer allows, and would silently scatter a notebook's cells over both workers.
"""
from xdist.scheduler import LoadScopeScheduling

SHARED_MODULES = ("test_pipeline.py", "test_autograde_limits.py")


class NotebookScheduling(LoadScopeScheduling):
    """Units of work: one notebook, one module of ``SHARED_MODULES``, or one test."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        if path.endswith(".ipynb") or path.rsplit("/", 1)[-1] in SHARED_MODULES:
            return path
        return nodeid


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadscope":
        return NotebookScheduling(config, log)
    return None
