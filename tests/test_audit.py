"""The instructor's audit lists suspicious answer code and nothing in an honest answer."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_lib.__main__ import main
from course_lib.audit import audit, audit_source
from notebook_tools import ALL_ASSIGNMENTS, solution_path


def _meta(grade_id, **kw):
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": False, "task": False}
    meta.update(kw)
    return {"nbgrader": meta}


@pytest.mark.parametrize("source, expected", [
    ("from course_lib.divergences import kl_discrete", "imports from course_lib.divergences"),
    ("def f():\n    import course_lib.losses.vae as v\n    return v", "imports course_lib.losses.vae"),
    ("assert_close = lambda *a, **k: None", "rebinds 'assert_close'"),
    ("import torch.testing\ntorch.testing.assert_close = print", "assigns the attribute"),
    ("setattr(torch, 'allclose', print)", "calls setattr()"),
    ("import builtins", "imports builtins"),
    ("import sys\nsys.modules['x'] = 1", "uses sys.modules"),
    ("import os\nos._exit(0)", "uses os._exit"),
    ("import subprocess", "imports subprocess"),
    ("open('answers.txt').read()", "calls open()"),
    ("exec('x = 1')", "calls exec()"),
    ("reference = None", "rebinds 'reference'"),
    ("def f(:", "does not parse"),
])
def test_each_suspicious_construct_is_named(source, expected):
    findings = audit_source(source, protected={"reference", "torch"})
    assert any(expected in what for _, what in findings), findings


def test_honest_answers_have_no_findings():
    honest = ("def kl(p, q):\n    terms = torch.xlogy(p, p) - torch.xlogy(p, q)\n    return terms.sum(-1)\n"
              "%time y = kl(p, p)\nclass Enc(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.net = nn.Linear(2, 2)")
    assert audit_source(honest, protected={"torch", "nn", "assert_close"}) == []
    for assignment in ALL_ASSIGNMENTS:  # the solutions themselves are honest
        findings = audit(solution_path(assignment))
        assert findings == [], [f.row() for f in findings]


def test_a_folder_of_submissions_is_reported_per_student_and_cell(tmp_path, capsys):
    nb = new_notebook()
    nb.cells = [new_code_cell("from course_lib.grading import assert_close", metadata=_meta("setup", locked=True)),
                new_code_cell("def f(x):\n    return x", metadata=_meta("honest", solution=True)),
                new_code_cell("assert_close = print", metadata=_meta("cheat", solution=True))]
    folder = tmp_path / "submitted" / "alice" / "03_jsd"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "03_jsd.ipynb")
    (tmp_path / "submitted" / "bob" / "03_jsd").mkdir(parents=True)
    (tmp_path / "submitted" / "bob" / "03_jsd" / "03_jsd.ipynb").write_text("not a notebook")
    findings = audit(tmp_path / "submitted")
    assert [(f.student, f.cell) for f in findings] == [("alice", "cheat"), ("bob", "-")]
    assert "unreadable notebook" in findings[1].what
    assert main(["audit", str(tmp_path / "submitted")]) == 0
    out = capsys.readouterr().out
    assert "alice\t03_jsd\tcheat\t1\trebinds 'assert_close'" in out and "2 findings in 2 answer cells" in out
    with pytest.raises(ValueError, match="root must be a folder"):
        audit(tmp_path / "missing")
