"""Loader for the quantspec golden vectors (vectors/*.json). Standard library only.

Binary32/binary64 values are hex-float strings ("0x1.8p-3", "inf", "nan"): float.fromhex reads
them exactly. Integers are JSON numbers, or decimal strings beyond +-2^53. A test's operands are
its group's `params` merged with its own `inputs`.

    import quantspec_vectors as qv
    for group, test, operands in qv.tests(qv.load("vectors/quantize.json")):
        ...
    qv.write_results("results.json", {"quantize": {test["tcId"]: {"q": 5}}})
"""
import json
import math
import os


def load(path):
    """One vector file as a dict (schemaVersion 1)."""
    with open(path, "r", encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("schemaVersion") != 1:
        raise ValueError("%s: unsupported schemaVersion %r" % (path, doc.get("schemaVersion")))
    return doc


def load_dir(directory):
    """Every *.json vector file of a directory, keyed by algorithm."""
    files = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            doc = load(os.path.join(directory, name))
            files[doc["algorithm"]] = doc
    return files


def tests(doc):
    """Yields (group, test, operands) with operands = params merged with inputs."""
    for group in doc["testGroups"]:
        for test in group["tests"]:
            operands = dict(group.get("params", {}))
            operands.update(test.get("inputs", {}))
            yield group, test, operands


def f(value):
    """A hex-float string as a Python float (exact)."""
    return float.fromhex(value) if value not in ("inf", "-inf", "nan", "-nan") else float(value)


def i(value):
    """An integer field (JSON number or decimal string)."""
    return int(value)


def hex_float(value):
    """A float as the hex-float text the checker reads (float.hex; inf/nan spelled out)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(value).hex()


def write_results(path, results):
    """results: {algorithm: {tcId: output dict or {"error": text}}}."""
    out = {"results": {alg: {str(k): v for k, v in per.items()} for alg, per in results.items()}}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
