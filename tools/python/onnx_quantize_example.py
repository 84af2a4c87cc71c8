#!/usr/bin/python3
"""A small numpy implementation of ONNX QuantizeLinear / DequantizeLinear run against the golden
vectors; its outputs go to a results file for `quantspec vectors check` / `identify`.

ONNX QuantizeLinear (onnx/reference/ops/op_quantize_linear.py, Operators.md): y = saturate(
round(x / y_scale) + y_zero_point), round half to even, computed in float32 by numpy here
(x / scale is one binary32 division: the spec's `f32_divide`). DequantizeLinear: y = (x -
x_zero_point) * x_scale in float32.

Usage: onnx_quantize_example.py VECTORS_DIR RESULTS.json [--all-groups] [--variant NAME]
  default       only the groups of the variant this implementation claims
                (division=f32_divide, rounding=half_even) -> for `check`;
  --all-groups  run every quantize group with this implementation -> for `identify`;
  --variant wrong_half_away   a deliberately wrong implementation (np.round replaced by round
                half away from zero) so the tests can show check/identify catch it.
Needs numpy (Debian python3-numpy: run with /usr/bin/python3).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quantspec_vectors as qv  # noqa: E402

DTYPES = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16}


def quantize_linear(x, scale, zero_point, qmin, qmax, variant):
    with np.errstate(all="ignore"):
        t = np.float32(x) / np.float32(scale)  # binary32 division
        if np.isnan(t):
            return zero_point  # quantspec's spec choice for NaN (ONNX leaves it undefined)
        if np.isinf(t):
            return qmax if t > 0 else qmin
        if variant == "wrong_half_away":
            r = np.sign(t) * np.floor(np.abs(np.float64(t)) + 0.5)
        else:
            r = np.rint(np.float64(t))  # half to even, exact on the binary32 value
    return int(np.clip(r + zero_point, qmin, qmax))


def dequantize_linear(q, scale, zero_point):
    return np.float32(np.float32(q - zero_point) * np.float32(scale))


def valid_scale(scale):
    return np.isfinite(scale) and scale > 0


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    vectors_dir, results_path = argv[1], argv[2]
    all_groups = "--all-groups" in argv
    variant = argv[argv.index("--variant") + 1] if "--variant" in argv else "onnx"
    results = {"quantize": {}, "dequantize": {}}
    quantize = qv.load(os.path.join(vectors_dir, "quantize.json"))
    for group, test, ops in qv.tests(quantize):
        v = group["variant"]
        if group["type"] != "QuantizeTest" and not all_groups:
            continue  # e.g. TfliteQuantizeTest (SPEC Q11.9): its variant is a TFLite path
        if "zero_point" not in ops:
            continue  # PytorchFloatQparamsTest (SPEC Q20.2): a float zero point, no ONNX operand
        if not all_groups and (v["division"], v["rounding"]) != ("f32_divide", "half_even"):
            continue
        scale, z = qv.f(ops["scale"]), qv.i(ops["zero_point"])
        qmin, qmax = qv.i(ops["qmin"]), qv.i(ops["qmax"])
        if not valid_scale(scale):
            results["quantize"][test["tcId"]] = {"error": "scale"}
        elif not qmin <= z <= qmax:
            results["quantize"][test["tcId"]] = {"error": "zero_point"}
        else:
            q = quantize_linear(qv.f(ops["x"]), scale, z, qmin, qmax, variant)
            results["quantize"][test["tcId"]] = {"q": q}
    dequantize = qv.load(os.path.join(vectors_dir, "dequantize.json"))
    for group, test, ops in qv.tests(dequantize):
        if group.get("variant") and not all_groups:
            continue  # TfliteDequantizeTest's dequantize_member (SPEC Q3.5): TFLite's vector loop
        scale, z, q = qv.f(ops["scale"]), qv.i(ops["zero_point"]), qv.i(ops["q"])
        qmin, qmax = qv.i(ops["qmin"]), qv.i(ops["qmax"])
        if not valid_scale(scale):
            results["dequantize"][test["tcId"]] = {"error": "scale"}
        elif not (qmin <= z <= qmax and qmin <= q <= qmax):
            results["dequantize"][test["tcId"]] = {"error": "q or zero_point"}
        else:
            results["dequantize"][test["tcId"]] = {"x": qv.hex_float(float(dequantize_linear(q, scale, z)))}
    qv.write_results(results_path, results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
