#!/usr/bin/python3
"""CTest interop.parse_quantspec_output: quantspec_runner.py reads what `quantspec vectors
check` / `identify` print now. If their output changes (the per-dimension identify), this test
fails and quantspec_runner.parse_* is the one place to adapt.

  test_quantspec_runner.py QUANTSPEC_BIN VECTORS_DIR WORK_DIR

The results are written here from the vectors themselves: the expected outputs of the
half_away groups of quantize.json (int8) with one value changed, so identify must name
half_away variants consistent and check must report exactly the changed tcId.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quantspec_runner as runner  # noqa: E402
import quantspec_vectors as qv  # noqa: E402  (path set by quantspec_runner)


def main(argv):
    quantspec, vectors_dir, work = argv[1], argv[2], argv[3]
    os.makedirs(work, exist_ok=True)
    path = os.path.join(vectors_dir, "quantize.json")
    doc = qv.load(path)
    results, changed = {}, None
    for group in doc["testGroups"]:
        v = group["variant"]
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
    identified, checked, _ = runner.check_and_identify(quantspec, path, "quantize", results,
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
    if problems:
        print("\n".join(problems))
        return 1
    print("quantspec_runner parses check and identify (changed tcId %d found)" % changed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
