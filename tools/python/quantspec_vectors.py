"""Loader for the quantspec golden vectors (vectors/*.json). Standard library only.

Binary32/binary64 values are hex-float strings ("0x1.8p-3", "inf", "nan"): float.fromhex reads
them exactly. Integers are JSON numbers, or decimal strings beyond +-2^53. A test's operands are
its group's `params` merged with its own `inputs`.

    import quantspec_vectors as qv
    for group, test, operands in qv.tests(qv.load("vectors/quantize.json")):
        ...
    qv.write_results("results.json", {"quantize": {test["tcId"]: {"q": 5}}})

Per family, a helper yields (tcId, operands) with Python values (floats for binary32 strings,
ints for integers, lists for arrays) and skips nothing: quantize_cases(doc), ...,
distinguish_cases(doc, "quantize" | "requantize" | "accumulate" | "linear"). For a
float-in API, distinguish_cases also gives x_float / w_float = fl32((q - Z) * S), which a
round-to-nearest quantizer maps back to the integers exactly (SPEC Q2.5).
"""
import json
import math
import os
import re
import struct


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


_HEX_FLOAT = re.compile(r"^-?(0x[0-9a-fA-F.]+p[-+]?[0-9]+|inf|nan)$")
_DECIMAL_INTEGER = re.compile(r"^-?[0-9]+$")


def typed(value):
    """An operand as a Python value: hex-float strings -> float, decimal strings -> int,
    arrays element by element; names stay strings."""
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, str):
        if _HEX_FLOAT.match(value):
            return f(value)
        if _DECIMAL_INTEGER.match(value):
            return int(value)
    return value


def fl32(value):
    """value rounded once to binary32 (round to nearest, ties to even), as a Python float;
    beyond the binary32 range, +-inf (struct refuses exactly the values that round to inf)."""
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def cases(doc, group_type=None):
    """Yields (tcId, operands) with typed operands; only groups of `group_type` if given.
    Invalid tests (result "invalid") are included: a backend should reject them."""
    for group, test, operands in tests(doc):
        if group_type is not None and group["type"] != group_type:
            continue
        yield test["tcId"], {k: typed(v) for k, v in operands.items()}


def _family(name):
    def helper(doc):
        if doc["algorithm"] != name:
            raise ValueError("expected the %s vectors, got %s" % (name, doc["algorithm"]))
        return cases(doc)
    helper.__name__ = name + "_cases"
    helper.__doc__ = "Yields (tcId, operands) of %s.json (fields: vectors/README.md)." % name
    return helper


quant_params_cases = _family("quant_params")
quantize_cases = _family("quantize")
dequantize_cases = _family("dequantize")
bias_cases = _family("bias")
accumulate_cases = _family("accumulate")
multiplier_cases = _family("multiplier")
requantize_cases = _family("requantize")
activation_cases = _family("activation")
linear_cases = _family("linear")
deployed_requantize_cases = _family("deployed_requantize")
calibration_cases = _family("calibration")
fake_quant_cases = _family("fake_quant")
dynamic_quantize_cases = _family("dynamic_quantize")
lut_cases = _family("lut")

_DISTINGUISH_TYPES = {
    "quantize": "DistinguishQuantizeTest",
    "requantize": "DistinguishRequantizeTest",
    "accumulate": "DistinguishAccumulateTest",
    "linear": "DistinguishLinearTest",
}


def distinguish_cases(doc, operation):
    """Yields (tcId, operands) of one operation of distinguish.json (SPEC Q20). Requantize and
    linear operands carry the accumulator form (acc; x_values, w_values, bias) and the float
    forms: sx, sw, sy, bias_float, bias_scale, requant_scale; added here: x_float and w_float,
    the dequantized inputs fl32((x - Zx) * Sx) and fl32((w - Zw) * Sw)."""
    if doc["algorithm"] != "distinguish":
        raise ValueError("expected the distinguish vectors, got %s" % doc["algorithm"])
    for tc_id, ops in cases(doc, _DISTINGUISH_TYPES[operation]):
        if "x_values" in ops and "sx" in ops:
            ops["x_float"] = [fl32((x - ops["x_zero_point"]) * ops["sx"]) for x in ops["x_values"]]
            ops["w_float"] = [fl32((w - ops["w_zero_point"]) * ops["sw"]) for w in ops["w_values"]]
        yield tc_id, ops
