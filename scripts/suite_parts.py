"""Where the test suite's time goes, part by part, from the test command's JUnit XML report.

    SUITE_REPORTS=build bash scripts/test.sh
    .venv/bin/python scripts/suite_parts.py build/suite.xml

The suite runs on two workers, so the seconds add up the time of both.

Each test case's time (set-up, call and tear-down, so a module fixture counts in the test that
first needs it) goes to one part: nbval (solutions/), pipeline (release, leaks, autograding),
mutants and cheats, faulty submissions, the class, the instructor's flow, the browser, or the unit
tests. Prints a Markdown table.
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

PARTS = [
    ("nbval: strict execution of the solution notebooks (the one training run)", ("solutions.",)),
    ("pipeline: release, leaks, metadata, autograding (cut submissions)", ("tests.test_pipeline",)),
    ("mutants and cheats (one kernel per notebook)", ("tests.test_mutants",)),
    ("faulty submissions under the real autograder", ("tests.test_autograde_limits",)),
    ("the instructor's flow: release, exchange, collect, autograde, export, feedback", ("tests.test_instructor_flow",)),
    ("a class of 18 entries through grade-class", ("tests.test_grade_class",)),
    ("the student's and the instructor's flows in a browser", ("tests.test_browser",)),
]


def part_of(classname: str) -> str:
    for name, prefixes in PARTS:
        if classname.startswith(prefixes):
            return name
    return "unit tests of course_lib"


def main(paths: list[str]) -> None:
    seconds, counts = defaultdict(float), defaultdict(int)
    cases = [case for path in paths for case in ET.parse(path).getroot().iter("testcase")]
    for case in cases:
        part = part_of(case.get("classname", ""))
        seconds[part] += float(case.get("time", 0))
        counts[part] += 1
    print("| part | tests | seconds |\n|---|---|---|")
    for part in ["unit tests of course_lib"] + [name for name, _ in PARTS]:
        if counts[part]:
            print(f"| {part} | {counts[part]} | {seconds[part]:.0f} |")
    print(f"| **all** | {sum(counts.values())} | {sum(seconds.values()):.0f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
