#!/usr/bin/python3
"""CTest interop.parse_quantspec_output: quantspec_runner.py reads what `quantspec vectors
check` / `identify` print now. If their output changes (the per-dimension identify), this test
fails and quantspec_runner.parse_* is the one place to adapt.

  test_quantspec_runner.py QUANTSPEC_BIN VECTORS_DIR WORK_DIR

The results are written here from the vectors themselves: the expected outputs of the
half_away groups of quantize.json (int8) with one value changed, so identify must name
half_away variants consistent and check must report exactly the changed tcId.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quantspec_runner as runner  # noqa: E402
import quantspec_vectors as qv  # noqa: E402  (path set by quantspec_runner)


def distinguish_problems(quantspec, vectors_dir, work):
    """identify --json on the worked example's results (tools/python/distinguish_example.py,
    whose arithmetic its docstring states: f32_reciprocal / half_even / Z after rounding,
    NaN -> qmin; XNNPACK's fp32 requantization on fl32(fl32(sx*sw)/sy)), then the same with
    one quantize result changed: the parser must see both."""
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "distinguish_example.py")
    out = os.path.join(work, "runner_test.example.json")
    subprocess.run([sys.executable, example, vectors_dir, out], check=True)
    with open(out, encoding="utf-8") as fh:
        results = json.load(fh)["results"]["distinguish"]
    path = os.path.join(vectors_dir, "distinguish.json")
    problems = []
    got = runner.identify_distinguish(quantspec, path, results, os.path.join(work, "runner_test"))
    q = got["operations"].get("quantize")
    want = "division f32_reciprocal, rounding half_even, zero_point_entry after_rounding; " \
           "policy: edge_policy clamp_then_convert"
    if got["exit_status"] != 0 or not q or runner.dimension_text(q) != want or q["best_mismatches"] != 0:
        problems.append("identify --json: expected quantize %r, parsed %r" % (want, q))
    r = got["operations"].get("requantize")
    # fl32(fl64(q)) = fl32(q) on these tests, so the binary64 quotient ties with the base.
    if not r or r["best"] != ["pipeline=fp32, rounding=half_even, zero_point_entry=after_rounding, "
                              "scale_derivation=f32_product_divide, accumulation=wrap",
                              "pipeline=fp32, rounding=half_even, zero_point_entry=after_rounding, "
                              "scale_derivation=f32_product_f64_divide, accumulation=wrap"]:
        problems.append("identify --json: expected requantize fp32/f32_product_divide, parsed %r" % r)
    results = dict(results)
    results["1"] = {"q": results["1"]["q"] + 1}  # SPEC Q2.5's counterexample, now wrong for every member
    got = runner.identify_distinguish(quantspec, path, results, os.path.join(work, "runner_test"))
    q = got["operations"]["quantize"]
    if got["exit_status"] != 1 or q["identified"] or q["best_mismatches"] != 1:
        problems.append("identify --json: one changed result must leave quantize unidentified, parsed %r" % q)
    return problems


def empty_claim_problems(vectors_dir):
    """A backend whose source claims no variant ("claimed": {}) is checked on the groups without
    one: dequantize.json's TfliteDequantizeTest member groups (SPEC Q3.5) are not its claim. In a
    file where every group names a variant (requantize.json, gemmlowp's primitives) it is every group."""
    problems = []
    path = os.path.join(vectors_dir, "dequantize.json")
    doc = qv.load(path)
    with_variant = {t["tcId"] for g in doc["testGroups"] if g.get("variant") for t in g["tests"]}
    without = {t["tcId"] for g in doc["testGroups"] if not g.get("variant") for t in g["tests"]}
    kept = runner.groups_of(path, {})
    if not with_variant or kept != without:
        problems.append("groups_of(dequantize.json, {}): expected the %d tests without a variant, got %d (%d of "
                        "them with a variant)" % (len(without), len(kept), len(kept & with_variant)))
    path = os.path.join(vectors_dir, "requantize.json")
    doc = qv.load(path)
    every = {t["tcId"] for g in doc["testGroups"] for t in g["tests"]}
    if any(not g.get("variant") for g in doc["testGroups"]) or runner.groups_of(path, {}) != every:
        problems.append("groups_of(requantize.json, {}): expected all %d tests (every group names a variant)"
                        % len(every))
    return problems


def main(argv):
    quantspec, vectors_dir, work = argv[1], argv[2], argv[3]
    os.makedirs(work, exist_ok=True)
    path = os.path.join(vectors_dir, "quantize.json")
    doc = qv.load(path)
    results, changed = {}, None
    for group in doc["testGroups"]:
        v = group["variant"]
        if group["type"] != "QuantizeTest":  # e.g. TfliteQuantizeTest (Q11.9): other params
            continue
        if group["params"]["dtype"] != "int8" or group["params"]["narrow_range"] or v["rounding"] != "half_away" \
                or v["division"] != "exact":
            continue
        for test in group["tests"]:
            if test["result"] != "valid":
                continue
            out = dict(test["expected"])
            if changed is None and "tie_even_positive" in test["flags"]:
                out["q"] = int(out["q"]) - 1  # the half_even answer on this tie: a wrong backend
                changed = test["tcId"]
            results[str(test["tcId"])] = out
    assert changed is not None, "no tie test in the exact/half_away int8 group"
    identified, checked = runner.check_and_identify(quantspec, path, "quantize", results,
                                                    {"division": "exact", "rounding": "half_away"},
                                                    os.path.join(work, "runner_test"))
    problems = []
    if checked["failed"] != 1 or [f["tcId"] for f in checked["failures"]] != [changed]:
        problems.append("check: expected exactly tcId %d to fail, parsed %r" % (changed, checked))
    if identified["consistent"]:
        problems.append("identify: nothing can be consistent (one changed value), parsed %r" % identified["consistent"])
    nearest = identified["inconsistent"][0] if identified["inconsistent"] else None
    if not nearest or nearest["variant"] != "division=exact, rounding=half_away" or nearest["mismatches"] != 1 \
            or nearest["first_tcIds"] != [changed]:
        problems.append("identify: the nearest variant should be exact/half_away with 1 mismatch (tcId %d), parsed %r"
                        % (changed, nearest))
    # The same results with one NaN test changed: the variant stays consistent on the
    # arithmetic, with that policy test listed apart.
    nan_test = next(t for g in doc["testGroups"] if g["type"] == "QuantizeTest"
                    and g["params"]["dtype"] == "int8" and not g["params"]["narrow_range"]
                    and g["variant"] == {"division": "exact", "rounding": "half_away"}
                    for t in g["tests"] if "nan_input" in t["flags"] and t["result"] == "valid")
    policy_results = dict(results)
    policy_results[str(changed)] = {"q": int(results[str(changed)]["q"]) + 1}  # back to the right answer
    policy_results[str(nan_test["tcId"])] = {"q": -128}  # NaN -> qmin, not Z
    identified, _ = runner.check_and_identify(quantspec, path, "quantize", policy_results, None,
                                              os.path.join(work, "runner_test_policy"))
    exact = [c for c in identified["consistent"] if c["variant"] == "division=exact, rounding=half_away"]
    if not exact or exact[0]["policy"] != {"edge_policy": 1}:
        problems.append("identify: exact/half_away should stay consistent apart from 1 edge_policy test, parsed %r"
                        % identified["consistent"])
    problems += distinguish_problems(quantspec, vectors_dir, work)
    problems += empty_claim_problems(vectors_dir)
    if problems:
        print("\n".join(problems))
        return 1
    print("quantspec_runner parses check and identify (changed tcId %d found)" % changed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
