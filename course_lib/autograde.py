"""Limits for autograding students' notebooks: a faulty submission loses points, never the grading.

nbgrader's ``Execute`` preprocessor stops a cell after ``timeout`` seconds, but a kernel that
dies (``os._exit``, ``exit()``, memory exhausted) aborts the whole submission with no grade
recorded, a notebook of many slow cells has no overall limit, and one ``print`` of megabytes
goes into the autograded notebook and the feedback. :class:`LimitedExecute` (configured in
``nbgrader_config.py``) adds:

* ``notebook_timeout``: seconds for the whole notebook; cells after it are not run and score zero;
* a dead kernel: the cell and every later cell get an error output and score zero, the cells
  before keep their grades, and nbgrader goes on to the next submission;
* a kernel that cannot be interrupted (a loop that catches ``KeyboardInterrupt``, e.g. with a bare
  ``except:``): past the cell's time limit it is treated like a dead kernel, instead of failing
  the whole submission with nbclient's "Timeout waiting for IOPub output";
* ``max_output_chars``: each cell's text outputs are cut to this many characters;
* ``kernel_env``: environment variables for the grading kernel (by default the FAST budget,
  so that a grader with a GPU grades what the students ran, in the same time).
"""
from __future__ import annotations

import os
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Dict, Integer


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class LimitedExecute(Execute):
    """nbgrader's Execute with a time limit per notebook, survival of a dead kernel and an output cap."""

    notebook_timeout = Integer(600, help="seconds for the whole notebook; later cells score zero").tag(config=True)
    max_output_chars = Integer(100_000, help="characters of text output kept per cell").tag(config=True)
    kernel_env = Dict({"COURSE_BUDGET": "fast"}, help="environment variables set in the grading kernel").tag(config=True)

    async def async_start_new_kernel(self, **kwargs):
        kwargs.setdefault("env", {**os.environ, **self.kernel_env})
        await super().async_start_new_kernel(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._cell_timeout = self.timeout
        self._stopped: str | None = None
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped is None and time.monotonic() >= self._deadline:
            self._stopped = f"the notebook's time limit ({self.notebook_timeout} s) was reached"
        if self._stopped is not None:
            cell.outputs = [_error("NotRun", f"not run: {self._stopped}")]
            return cell, resources
        remaining = max(1, int(self._deadline - time.monotonic()))
        self.timeout = remaining if self._cell_timeout is None else min(self._cell_timeout, remaining)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            # Recorded, not swallowed: this cell and every later one get an error output and score zero.
            self._stopped = f"the kernel died in cell {index} (os._exit, exit() or memory exhausted)"
            cell.outputs = list(cell.get("outputs", [])) + [_error("DeadKernelError", self._stopped)]
        except CellTimeoutError:
            # The interrupt sent at the cell's time limit was ignored: the kernel stays busy for good.
            self._stopped = f"the kernel ignored the interrupt at the time limit of cell {index}"
            cell.outputs = list(cell.get("outputs", [])) + [_error("CellTimeoutError", self._stopped)]
        self._cap_outputs(cell)
        return cell, resources

    def _cap_outputs(self, cell) -> None:
        budget = self.max_output_chars
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                text = output.text
                if len(text) > budget:
                    output.text = text[:budget] + f"\n... output cut at {self.max_output_chars} characters ...\n"
                budget = max(0, budget - len(text))
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                if len(data.get("text/plain", "")) > self.max_output_chars:
                    data["text/plain"] = data["text/plain"][: self.max_output_chars] + "\n... cut ..."
