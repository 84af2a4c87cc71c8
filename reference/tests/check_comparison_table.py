#!/usr/bin/env python3
"""SPEC.md Q13.5 holds the comparison table that build/bin/nonlinear_comparison prints: runs the
tool and requires the table between the markers in SPEC.md to be exactly its output."""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[2]
spec = (root / "reference" / "SPEC.md").read_text(encoding="utf-8")
begin, end = "<!-- nonlinear_comparison begin -->\n", "<!-- nonlinear_comparison end -->"
if begin not in spec or end not in spec:
    print("check_comparison_table: SPEC.md has no nonlinear_comparison markers")
    sys.exit(1)
in_spec = spec.split(begin, 1)[1].split(end, 1)[0]
run = subprocess.run([sys.argv[1]], capture_output=True, text=True, timeout=600)
if run.returncode != 0:
    print("check_comparison_table: the tool failed:", run.stderr)
    sys.exit(1)
if run.stdout != in_spec:
    print("check_comparison_table: SPEC.md Q13.5 differs from the tool's output; the tool prints:")
    print(run.stdout)
    sys.exit(1)
print("check_comparison_table: SPEC.md Q13.5 matches", run.stdout.count("\n") - 2, "rows")
