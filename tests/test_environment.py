"""The pins of requirements.txt, environment.yml and pyproject.toml agree."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)$")


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = PIN.match(line)
        assert m, f"not an exact pin: {line!r}"
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_requirements_are_pinned_and_environment_agrees():
    runtime = _pins((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == runtime


def test_the_installed_packages_are_the_pinned_ones():
    from importlib.metadata import version

    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    pins.update(_pins((ROOT / "requirements-test.txt").read_text().splitlines()))
    wrong = {name: (pin, version(name)) for name, pin in pins.items() if version(name).split("+")[0] != pin}
    assert not wrong, f"installed versions differ from the pins (pin, installed): {wrong}; run scripts/setup.sh"


def test_test_only_dependencies_stay_out_of_runtime():
    runtime = _pins((ROOT / "requirements.txt").read_text().splitlines())
    test_only = _pins((ROOT / "requirements-test.txt").read_text().splitlines())
    assert not set(runtime) & set(test_only)
    assert {"pytest", "nbval"} <= set(test_only)


def test_pyproject_reads_the_same_requirements():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'dependencies = { file = ["requirements.txt"] }' in text


def test_installed_versions_match_pins():
    from importlib.metadata import version

    for name, pinned in _pins((ROOT / "requirements.txt").read_text().splitlines()).items():
        installed = version(name)
        assert installed.split("+")[0] == pinned, f"{name}: installed {installed}, pinned {pinned}"
