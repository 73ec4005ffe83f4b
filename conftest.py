"""Keeps what must share one process together when the suite runs on two (pytest-xdist, loadgroup).

nbval executes a notebook's cells one after another in one kernel, so all the items of one
notebook form a group; so do the tests of a module whose fixtures are expensive
(``XDIST_MODULE_GROUPS``). Other tests are spread freely over the workers.
"""
import pytest

XDIST_MODULE_GROUPS = ("test_pipeline.py", "test_autograde_limits.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.path
        if path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(f"nbval-{path.stem}"))
        elif path.name in XDIST_MODULE_GROUPS:
            item.add_marker(pytest.mark.xdist_group(path.stem))
