"""Where the test suite's time goes, phase by phase, from the test command's JUnit XML reports.

    SUITE_REPORTS=build bash scripts/test.sh
    .venv/bin/python scripts/suite_phases.py build/phase1.xml build/phase2.xml

The first phase runs on two workers, so its seconds add up the time of both.

Each test case's time (set-up, call and tear-down, so a module fixture counts in the test that
first needs it) goes to one phase: nbval (solutions/), pipeline (release, leaks, autograding),
mutants and cheats, faulty submissions, or the unit tests. Prints a Markdown table.
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

PHASES = [
    ("nbval: strict execution of the solution notebooks (the one training run)", ("solutions.",)),
    ("pipeline: release, leaks, metadata, autograding (resumed)", ("tests.test_pipeline",)),
    ("mutants and cheats (one kernel per notebook)", ("tests.test_mutants",)),
    ("faulty submissions under the real autograder", ("tests.test_autograde_limits",)),
    ("the instructor's flow: release, exchange, collect, autograde, export, feedback", ("tests.test_instructor_flow",)),
]


def phase_of(classname: str) -> str:
    for name, prefixes in PHASES:
        if classname.startswith(prefixes):
            return name
    return "unit tests of course_lib"


def main(paths: list[str]) -> None:
    seconds, counts = defaultdict(float), defaultdict(int)
    cases = [case for path in paths for case in ET.parse(path).getroot().iter("testcase")]
    for case in cases:
        phase = phase_of(case.get("classname", ""))
        seconds[phase] += float(case.get("time", 0))
        counts[phase] += 1
    print("| phase | tests | seconds |\n|---|---|---|")
    for phase in ["unit tests of course_lib"] + [name for name, _ in PHASES]:
        if counts[phase]:
            print(f"| {phase} | {counts[phase]} | {seconds[phase]:.0f} |")
    print(f"| **all** | {sum(counts.values())} | {sum(seconds.values()):.0f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
