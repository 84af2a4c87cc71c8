"""Runs `quantspec vectors check` / `identify` on a backend's results and reads their output.

This is the one place that knows the text those two commands print (vectors/README.md,
vectors/src/check.cpp as on main in session 6): the text of the whole-variant families, and
`identify --json` for distinguish.json, identified per variant dimension (SPEC Q20,
vectors/README.md "identify --json").
Standard library only.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import quantspec_vectors as qv  # noqa: E402

# `check`, a failure line: "quantize tcId 17 [division=exact, rounding=half_even]: unexpected failure: q: expected 2, got 3"
_CHECK_FAILURE = re.compile(r"^(\S+) tcId (\d+) \[([^\]]*)\]: (unexpected failure|unexpected pass)(?:: (.*))?$")
_CHECK_SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")
# `identify`: "quantize: consistent with A (12 tests); B (3 tests)" | "quantize: consistent with no named variant"
_IDENTIFY_HEAD = re.compile(r"^(\S+): (consistent with (.*)|no results)$")
_CONSISTENT_ITEM = re.compile(r"^(.*) \((\d+) tests\)$")
# "  A differs only on policy tests: left_shift_overflow tcId 9, 10 (2); parameter_acceptance tcId 18 (1)"
_POLICY_ONLY = re.compile(r"^  (.*) differs only on policy tests: (.*)$")
_POLICY_KIND = re.compile(r"^(\S+) tcId [0-9, .]+ \((\d+)\)$")
# "  inconsistent with A on tcId 1, 2, ... (41 of 83 tests)"
_INCONSISTENT = re.compile(r"^  inconsistent with (.*) on tcId ([0-9, .]+) \((\d+) of (\d+) tests\)$")


def variant_label(variant):
    """The label `check`/`identify` print for a group's variant (reader.cpp variant_label)."""
    if not variant:
        return "(none)"
    return ", ".join("%s=%s" % (k, v if isinstance(v, str) else json.dumps(v)) for k, v in variant.items())


def parse_check(text):
    """{'passed': n, 'failed': n, 'failures': [{'tcId', 'variant', 'outcome', 'why'}]}."""
    failures, passed, failed = [], None, None
    for line in text.splitlines():
        m = _CHECK_FAILURE.match(line)
        if m:
            failures.append({"tcId": int(m.group(2)), "variant": m.group(3), "outcome": m.group(4),
                             "why": m.group(5) or ""})
            continue
        m = _CHECK_SUMMARY.match(line)
        if m:
            passed, failed = int(m.group(1)), int(m.group(2))
    if passed is None:
        raise ValueError("unrecognised `vectors check` output:\n" + text[-2000:])
    return {"passed": passed, "failed": failed, "failures": failures}


def parse_identify(text):
    """{'consistent': [{'variant', 'tests', 'policy'}], 'inconsistent': [{'variant', 'mismatches', 'run',
    'first_tcIds'}]} for the one algorithm of the vectors file identify was run on; 'policy' is
    {kind: count} of the policy tests a consistent variant differs on (empty when none)."""
    consistent, inconsistent, seen_head = [], [], False
    for line in text.splitlines():
        m = _IDENTIFY_HEAD.match(line)
        if m:
            seen_head = True
            if m.group(3) and m.group(3) != "no named variant":
                for item in m.group(3).split("; "):
                    c = _CONSISTENT_ITEM.match(item)
                    consistent.append({"variant": c.group(1), "tests": int(c.group(2)), "policy": {}})
            continue
        m = _POLICY_ONLY.match(line)
        if m:
            entry = next((c for c in consistent if c["variant"] == m.group(1)), None)
            if entry is None:
                raise ValueError("policy line for a variant not listed consistent: " + line)
            for part in m.group(2).split("; "):
                k = _POLICY_KIND.match(part)
                if not k:
                    raise ValueError("unrecognised policy part: " + part)
                entry["policy"][k.group(1)] = int(k.group(2))
            continue
        m = _INCONSISTENT.match(line)
        if m:
            ids = [int(t) for t in m.group(2).replace("...", "").split(",") if t.strip()]
            inconsistent.append({"variant": m.group(1), "mismatches": int(m.group(3)),
                                 "run": int(m.group(4)), "first_tcIds": ids})
    if not seen_head:
        raise ValueError("unrecognised `vectors identify` output:\n" + text[-2000:])
    inconsistent.sort(key=lambda v: (v["mismatches"], v["variant"]))
    return {"consistent": consistent, "inconsistent": inconsistent}


def _run(quantspec, args):
    proc = subprocess.run([quantspec, "vectors"] + args, capture_output=True, text=True)
    if proc.returncode == 2 or proc.returncode > 3:
        raise RuntimeError("quantspec vectors %s: exit %d\n%s%s" % (args[0], proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def groups_of(vectors_file, claimed):
    """tcIds of the groups whose variant includes every key/value of `claimed`. An empty claim
    ("no variants", the conforming definition) is the groups without a variant where the file
    has some (dequantize.json: not its TfliteDequantizeTest member groups, SPEC Q3.5), and every
    group where each names one (requantize.json's `primitive` groups, claimed as gemmlowp's)."""
    doc = qv.load(vectors_file)
    conforming_only = claimed == {} and any(not g.get("variant") for g in doc["testGroups"])
    ids = set()
    for group in doc["testGroups"]:
        variant = group.get("variant", {})
        if conforming_only and variant:
            continue
        if all(variant.get(k) == v for k, v in claimed.items()):
            ids.update(t["tcId"] for t in group["tests"])
    return ids


def check_and_identify(quantspec, vectors_file, family, results, claimed, work_prefix):
    """Writes the results (every group the backend ran) for identify, and the subset of the
    groups of the variant its source code claims for check; returns both parsed outputs. (Edge
    policies are named apart by the per-dimension identify of distinguish.json,
    identify_distinguish; the whole-variant families are identified as they are.)"""
    all_path = work_prefix + ".all.json"
    qv.write_results(all_path, {family: results})
    identified = parse_identify(_run(quantspec, ["identify", "--vectors", vectors_file, "--results", all_path]))
    checked = None
    if claimed is not None:
        keep = groups_of(vectors_file, claimed)
        subset = {k: v for k, v in results.items() if int(k) in keep}
        if subset:
            claimed_path = work_prefix + ".claimed.json"
            qv.write_results(claimed_path, {family: subset})
            checked = parse_check(_run(quantspec, ["check", "--vectors", vectors_file, "--results", claimed_path]))
    return identified, checked


def summarize_distinguish(doc):
    """The per-dimension result of `identify --json` on distinguish.json, per operation with
    results: {operation: {'identified', 'best', 'best_mismatches', 'run', 'arithmetic_run',
    'policy_run', 'dimensions': [{'name', 'policy', 'applies', 'consistent', 'distinguished',
    'nearest': [(member, mismatches)]}], 'rejected_valid', 'accepted_invalid'}} and the exit status."""
    if doc.get("schema") != "quantspec-identify" or doc.get("schemaVersion") != 1:
        raise ValueError("not a quantspec-identify v1 document")
    operations = {}
    for op in doc["operations"]:
        if not op.get("run"):
            continue
        dims = []
        for d in op["dimensions"]:
            dims.append({"name": d["name"], "policy": d["policy"], "applies": d["applies"], "tests": d["tests"],
                         "consistent": list(d["consistent"]), "distinguished": d["distinguished"],
                         "members": [[m["member"], m["mismatches"], m["tcIds"][:8]] for m in d["members"]]})
        acceptance = op.get("parameterAcceptance", {})
        operations[op["operation"]] = {
            "identified": op["identified"], "best": list(op["best"]), "best_mismatches": op["bestMismatches"],
            "run": op["run"], "tests": op["tests"], "arithmetic_run": op["arithmeticRun"],
            "policy_run": op["policyRun"], "dimensions": dims,
            "rejected_valid": list(acceptance.get("rejectedValid", [])),
            "accepted_invalid": list(acceptance.get("acceptedInvalid", []))}
    return {"exit_status": doc["exitStatus"], "operations": operations}


def identify_distinguish(quantspec, vectors_file, results, work_prefix):
    """`identify --json` on the backend's distinguish.json results; summarize_distinguish of it."""
    path = work_prefix + ".distinguish.json"
    qv.write_results(path, {"distinguish": results})
    text = _run(quantspec, ["identify", "--json", "--vectors", vectors_file, "--results", path])
    try:
        doc = json.loads(text)
    except ValueError:
        raise ValueError("unrecognised `vectors identify --json` output:\n" + text[-2000:])
    return summarize_distinguish(doc)


def dimension_text(summary):
    """One line per operation: "division f32_reciprocal, rounding half_even, zero_point_entry
    after_rounding; policy: edge_policy clamp_then_convert" (members consistent with the
    results; "a = b" when the tests run do not separate them; "none (nearest m: k)" otherwise)."""
    parts, policy = [], []
    for d in summary["dimensions"]:
        if not d["tests"]:
            text = "%s not run" % d["name"]
        elif not d["applies"]:
            text = "%s n/a" % d["name"]
        elif d["consistent"]:
            text = "%s %s" % (d["name"], " = ".join(d["consistent"]))
        elif d["members"]:
            m = d["members"][0]
            text = "%s none (nearest %s: %d mismatches)" % (d["name"], m[0], m[1])
        else:
            text = "%s: no member" % d["name"]
        (policy if d["policy"] else parts).append(text)
    line = ", ".join(parts)
    if policy:
        line += "; policy: " + ", ".join(policy)
    return line
