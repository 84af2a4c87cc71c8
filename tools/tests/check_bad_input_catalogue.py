#!/usr/bin/env python3
"""Checks docs/bad-input.md against the CLI and the tests (CTest bad_input.catalogue).

For every row of the catalogue's tables (| class | command | exit | stderr holds | test |):
  - the test it names (Suite.Name) exists as TEST(Suite, Name) in tools/tests/*.cc;
  - the command, run by bash in a scratch directory that holds the inputs of the "Inputs"
    table (written by INPUTS below) with `quantspec` on PATH, exits with the row's code;
  - stderr holds the row's text, stdout is empty for exit 2, and stderr never says
    "internal error".
Every input the catalogue names must be defined here and described there, and the other way
round, so the catalogue cannot describe a file this script does not write.

Usage: check_bad_input_catalogue.py QUANTSPEC_BINARY CATALOGUE.md TESTS_DIR VECTORS_DIR
"""
import os
import re
import subprocess
import sys
import tempfile


def deep(depth):
    return "[" * depth + "]" * depth


def many_keys(count):
    members = ", ".join('"%d": {"q": 0}' % i for i in range(1, count + 1))
    return '{"results": {"quantize": {%s}}}' % members


INPUTS = {
    "deep.json": '{"x": %s, "w": "1"}' % deep(100000),
    "deep_results.json": '{"results": {"quantize": {"1": {"q": %s}}}}' % deep(100000),
    "many_keys.json": many_keys(100000),
    "dup.json": '{"results": {"quantize": {"1": {"q": 3}, "1": {"q": 2}}}}',
    "tc01.json": '{"results": {"quantize": {"1": {"q": 2}, "01": {"q": 3}}}}',
    "misspelt.json": '{"results": {"quantize": {"1": {"q": 2}}, "quantise": {"2": {"q": 0}}}}',
    "e400.json": '{"results": {"quantize": {"1": {"q": 1e400}}}}',
    "tiny.json": '{"x": [1e-400], "w": "1"}',
    "huge.json": '{"x": [1267650600228229401496703205376], "w": "1"}',
    "truncated.json": '{"results": ',
    "bn_gama.json": '{"layer": "linear", "weight": [1], "out_channels": 1, "mean": [0], "var": [1], "gama": [2]}',
    "row.json": '{"tool": "quantspec conform", "schemaVersion": 1, "shard": {"index": 0, "count": 1}, '
                '"build": "b", "seed": 1, "cases": 1, "targets": [], "results": [{"op": "quantize"}]}',
    "file.txt": "not a directory\n",
    "dir": None,  # a directory
}


def cells(line):
    parts = [p.strip() for p in line.strip().strip("|").split("|")]
    return [p[1:-1] if len(p) >= 2 and p[0] == "`" and p[-1] == "`" else p for p in parts]


def parse(catalogue):
    rows, inputs, section = [], [], None
    for number, line in enumerate(open(catalogue, encoding="utf-8"), 1):
        if line.startswith("#"):
            section = line.strip("# \n").lower()
            continue
        if not line.startswith("|") or re.match(r"^\|[\s:|-]+\|\s*$", line):
            continue
        c = cells(line)
        if section == "inputs":
            if c[0] != "input":
                inputs.append(c[0])
        elif len(c) == 5 and c[0] != "class":
            rows.append((number, c))
    return rows, inputs


def main():
    binary, catalogue, tests_dir, vectors_dir = (os.path.abspath(a) for a in sys.argv[1:5])
    rows, described = parse(catalogue)
    problems = []
    if sorted(described) != sorted(INPUTS):
        problems.append("inputs described %s but written %s" % (sorted(described), sorted(INPUTS)))
    tests = set()
    for name in os.listdir(tests_dir):
        if name.endswith(".cc"):
            text = open(os.path.join(tests_dir, name), encoding="utf-8").read()
            tests.update("%s.%s" % m for m in re.findall(r"^TEST\((\w+),\s*(\w+)\)", text, re.M))
    if not rows:
        problems.append("no catalogue rows found")
    with tempfile.TemporaryDirectory() as scratch:
        os.mkdir(os.path.join(scratch, "bin"))
        os.symlink(os.path.abspath(binary), os.path.join(scratch, "bin", "quantspec"))
        for name, text in INPUTS.items():
            path = os.path.join(scratch, name)
            if text is None:
                os.mkdir(path)
            else:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
        env = dict(os.environ, PATH=os.path.join(scratch, "bin") + os.pathsep + os.environ["PATH"],
                   VECTORS=vectors_dir, FIXTURES=os.path.join(tests_dir, "fixtures"))
        for number, (klass, command, code, message, test) in rows:
            where = "line %d (%s)" % (number, klass)
            if test not in tests:
                problems.append("%s: test %s not found in %s" % (where, test, tests_dir))
            try:
                run = subprocess.run(["bash", "-c", command], cwd=scratch, env=env, capture_output=True,
                                     text=True, timeout=120)
            except subprocess.TimeoutExpired:
                problems.append("%s: `%s` did not end within 120 s" % (where, command))
                continue
            if str(run.returncode) != code:
                problems.append("%s: `%s` exited %d, the catalogue says %s; stderr: %s"
                                % (where, command, run.returncode, code, run.stderr.strip()[:300]))
            if message not in run.stderr:
                problems.append("%s: stderr of `%s` does not hold \"%s\": %s"
                                % (where, command, message, run.stderr.strip()[:300]))
            if code == "2" and "> " not in command and ">/" not in command and ">&" not in command \
                    and run.stdout:
                problems.append("%s: exit 2 but stdout holds %r" % (where, run.stdout[:200]))
            if "internal error" in run.stderr:
                problems.append("%s: internal error: %s" % (where, run.stderr.strip()[:300]))
    for p in problems:
        print("bad-input catalogue: " + p)
    print("bad-input catalogue: %d rows, %d problems" % (len(rows), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
