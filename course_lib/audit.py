"""An instructor's audit of submitted answers: code worth a look before grades are released.

``python -m course_lib audit submitted/`` reads every notebook under the folder
(``submitted/<student>/<assignment>/<assignment>.ipynb``), parses each answer cell (the cells
nbgrader marks ``solution``) and lists, per student and cell, code that

* imports ``course_lib`` (the course's references are not to be used in answers);
* rebinds a name that the notebook's locked cells set up (``assert_close = ...``) or a test helper;
* assigns an attribute of a module or calls ``setattr``/``delattr`` (monkey-patching);
* touches ``builtins``, ``sys``, ``os``, ``subprocess``, ``importlib`` or the file system, or
  runs code from strings (``exec``, ``eval``, ``compile``, ``__import__``).

The hidden tests already fail delegation and tampering they can see; this list is for what a
determined student could hide from them. Nothing is executed: the audit only reads source.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

HELPERS = {"assert_close", "hidden_tests", "protect", "check_untampered", "no_delegation"}
RISKY_MODULES = {"builtins", "sys", "os", "subprocess", "shutil", "importlib", "pathlib", "ctypes", "signal",
                 "gc", "inspect", "types", "runpy", "socket", "multiprocessing", "threading", "io", "tempfile",
                 "nbformat", "nbgrader", "pytest"}
LIBRARIES = {"torch", "nn", "F", "np", "numpy", "scipy", "math", "course_lib", "reference", "grading"}
RISKY_CALLS = {"exec", "eval", "compile", "__import__", "open", "globals", "setattr", "delattr", "breakpoint",
               "exit", "quit"}


@dataclass(frozen=True)
class Finding:
    student: str
    assignment: str
    cell: str
    line: int
    what: str
    code: str

    def row(self) -> str:
        return f"{self.student}\t{self.assignment}\t{self.cell}\t{self.line}\t{self.what}\t{self.code}"


def _python(source: str) -> str:
    """The cell without IPython's magics and shell escapes (kept as blank lines, so line numbers hold)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _bound_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return names


def setup_names(nb) -> set[str]:
    """Names bound at the top level of the notebook's locked (non-answer) code cells."""
    names = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade"):
            try:
                tree = ast.parse(_python(cell.source))
            except SyntaxError:
                continue
            for node in tree.body:
                names |= _bound_names(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else {node.name}
    return names


def _root_name(node: ast.Attribute) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def audit_source(source: str, protected: set[str]) -> list[tuple[int, str]]:
    """(line, what) for every suspicious construct in one answer cell."""
    try:
        tree = ast.parse(_python(source))
    except SyntaxError as err:
        return [(err.lineno or 0, f"does not parse: {err.msg}")]
    found: list[tuple[int, str]] = []
    imported_modules = {alias.asname or alias.name.split(".")[0]
                        for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                        for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top == "course_lib":
                    found.append((node.lineno, f"imports {alias.name}"))
                elif top in RISKY_MODULES:
                    found.append((node.lineno, f"imports {alias.name}"))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            top = module.split(".")[0]
            if top == "course_lib" or top in RISKY_MODULES:
                found.append((node.lineno, f"imports from {module}: {', '.join(a.name for a in node.names)}"))
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in RISKY_MODULES | {"__builtins__"}:
                found.append((node.lineno, f"uses {node.value.id}.{node.attr}"))
            root = _root_name(node)
            if isinstance(node.ctx, (ast.Store, ast.Del)) and root is not None and root in (
                    protected | imported_modules | LIBRARIES):
                found.append((node.lineno, f"assigns the attribute {ast.unparse(node)} (monkey-patching?)"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RISKY_CALLS:
            found.append((node.lineno, f"calls {node.func.id}()"))
        elif isinstance(node, ast.Name) and node.id in {"__builtins__", "builtins"}:
            found.append((node.lineno, f"touches {node.id}"))
        elif isinstance(node, ast.Global):
            found.append((node.lineno, f"declares global {', '.join(node.names)}"))
    rebound = _bound_names(tree) & (protected | HELPERS)
    for name in sorted(rebound):
        line = next((n.lineno for n in ast.walk(tree) if getattr(n, "lineno", None)
                     and name in _bound_names(n)), 0)
        found.append((line, f"rebinds {name!r}, a name set up by the notebook or a test helper"))
    return sorted(set(found))


def _student_and_assignment(path: Path, root: Path) -> tuple[str, str]:
    parts = path.relative_to(root).parts
    if len(parts) >= 3:
        return parts[-3], parts[-2]
    return (parts[0] if len(parts) > 1 else "-"), path.stem


def audit(root: str | Path) -> list[Finding]:
    """Every finding in the notebooks under ``root`` (a folder) or in ``root`` (one notebook)."""
    root = Path(root)
    if not root.exists():
        raise ValueError(f"root must be a folder of submissions or a notebook, got {str(root)!r} (not found)")
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    base = root.parent if root.is_file() else root
    findings = []
    for path in paths:
        student, assignment = _student_and_assignment(path, base)
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as err:  # any unreadable file is reported as a finding, not skipped
            findings.append(Finding(student, assignment, "-", 0, f"unreadable notebook: {err}", ""))
            continue
        protected = setup_names(nb)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("solution"):
                continue
            lines = cell.source.splitlines()
            for line, what in audit_source(cell.source, protected):
                code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                findings.append(Finding(student, assignment, meta.get("grade_id", "?"), line, what, code))
    return findings


def print_report(findings: list[Finding], n_notebooks: int | None = None) -> None:
    if not findings:
        print("No answer cell imports course_lib, rebinds a helper, patches a module or touches the system.")
        return
    print("student\tassignment\tcell\tline\tfinding\tcode")
    for finding in findings:
        print(finding.row())
    cells = {(f.student, f.assignment, f.cell) for f in findings}
    print(f"\n{len(findings)} findings in {len(cells)} answer cells: read them before releasing grades.")
