#!/usr/bin/env python3
"""Worked example (vectors/README.md): results for distinguish.json from a backend that only
has "float in, int8 out". Standard library only; binary32 arithmetic is emulated with
struct (one rounding per operation, as IEEE 754 hardware does).

Python computes in binary64; rounding a binary64 sum, product or quotient of two binary32
values once more to binary32 gives the correctly rounded binary32 result (53 >= 2*24 + 2:
double rounding is innocuous, S. A. Figueroa, "When is double rounding innocuous?", 1995),
so qv.fl32(a * b) is the binary32 product.

The backend here is what PyTorch's quantize_per_tensor computes on x86 for ordinary inputs
(SPEC Q2.3 f32_reciprocal: t = fl32(x * fl32(1/S)), round half to even, then + Z) and, for
requantization through a float-scale API, XNNPACK's fp32 pipeline on the single binary32
scale requant_scale = fl32(fl32(sx*sw)/sy) (SPEC Q7.11). Its NaN policy is x86's
(clamp_then_convert: NaN -> qmin, SPEC Q10.2).

    python3 distinguish_example.py VECTORS_DIR RESULTS.json [--half-away]
    quantspec vectors identify --vectors VECTORS_DIR/distinguish.json --results RESULTS.json
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quantspec_vectors as qv  # noqa: E402


def round_rule(t, half_away):
    if half_away:
        return int(math.floor(abs(t) + 0.5)) * (1 if t >= 0 else -1)
    return round(t)  # Python rounds half to even


def quantize(x, scale, zero_point, qmin, qmax, half_away):
    """float in, int8 out."""
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError("scale must be finite and > 0")
    if math.isnan(x):
        return qmin  # x86: maxps returns its second operand for NaN, then cvtps2dq
    t = qv.fl32(x * qv.fl32(1.0 / scale))
    if math.isinf(t):
        return qmax if t > 0 else qmin
    return min(max(round_rule(t, half_away) + zero_point, qmin), qmax)


def linear_float_api(x_float, w_float, bias_float, sx, sw, sy, zero_point, qmin, qmax):
    """A float-scale API: it is given dequantized floats and the scales, quantizes x and w
    back itself (round to nearest recovers the integers exactly), quantizes the float bias
    with fl32(sx*sw), accumulates in integers and requantizes with one binary32 scale."""
    xq = [quantize(v, sx, 0, -2**31, 2**31 - 1, False) for v in x_float]
    wq = [quantize(v, sw, 0, -2**31, 2**31 - 1, False) for v in w_float]
    bias = round(bias_float / qv.fl32(sx * sw))
    acc = sum(a * b for a, b in zip(xq, wq)) + bias
    scale = qv.fl32(qv.fl32(sx * sw) / sy)
    t = qv.fl32(qv.fl32(float(acc)) * scale)
    return min(max(round(t) + zero_point, qmin), qmax)


def main(argv):
    vectors_dir, out_path = argv[1], argv[2]
    half_away = "--half-away" in argv
    doc = qv.load(os.path.join(vectors_dir, "distinguish.json"))
    results = {}
    for tc_id, ops in qv.distinguish_cases(doc, "quantize"):
        try:
            results[tc_id] = {"q": quantize(ops["x"], ops["scale"], ops["zero_point"], ops["qmin"],
                                            ops["qmax"], half_away)}
        except ValueError as e:
            results[tc_id] = {"error": str(e)}
    for tc_id, ops in qv.distinguish_cases(doc, "requantize"):
        if "x_float" not in ops:
            continue  # accumulator-only tests (int32 overflow): not reachable through floats
        if not all(math.isfinite(ops[s]) and ops[s] > 0 for s in ("sx", "sw", "sy")):
            results[tc_id] = {"error": "scales must be finite and > 0"}
            continue
        results[tc_id] = {"q": linear_float_api(ops["x_float"], ops["w_float"], ops["bias_float"],
                                                ops["sx"], ops["sw"], ops["sy"], ops["zero_point"],
                                                ops["qmin"], ops["qmax"])}
    qv.write_results(out_path, {"distinguish": results})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
