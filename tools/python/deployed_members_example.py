#!/usr/bin/env python3
"""TVM's float qnn.requantize (SPEC Q11.11) and ONNX QuantizeLinear's narrow division (Q11.12)
written with the Python standard library only, as a backend for the golden vectors:
the TvmFloatRequantizeTest groups of deployed_requantize.json and the NarrowDivideQuantizeTest
groups of quantize.json, read with quantspec_vectors.py, results written for
`quantspec vectors check` / `identify`.

    deployed_members_example.py VECTORS_DIR RESULTS.json [--tvm-as MEMBER/DTYPE] [--onnx-as DIVISION/ROUNDING]

By default every group is computed with its own variant (check then passes every test). With
--tvm-as (e.g. tvm_fp_upward/float32) or --onnx-as (e.g. f16_divide/half_even) one member runs
every group of its kind, as a real backend would, so that identify can name it.

Arithmetic: Python floats are binary64. A binary32 (or binary16 / bfloat16) operation is the
binary64 operation rounded to the narrow format: the binary64 result of +, -, *, / of two
binary32 values is rounded once more, and that double rounding gives the correctly rounded
result because 53 >= 2*24 + 2 (and >= 2*11 + 2, 2*8 + 2). Ties are decided with fractions.
Sources of the arithmetic: apache/tvm fb43fc8577 src/relay/qnn/op/requantize.cc
(RequantizeLowerFP, Upward, Tonearest); onnx/onnx f7546912 onnx/defs/quantization/defs.cc
(QuantizeLinear: "the type of y_scale determines the precision of the division").
"""
import math
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quantspec_vectors as qv  # noqa: E402

FORMATS = {  # significand bits, lowest normal exponent, largest finite value
    "binary32": (24, -126, float.fromhex("0x1.fffffep127")),
    "binary16": (11, -14, 65504.0),
    "bfloat16": (8, -126, float.fromhex("0x1.fep127")),
}


def round_to(fmt, v):
    """v (a binary64) rounded to nearest, ties to even, in the format; +-inf beyond it."""
    if v == 0 or math.isnan(v) or math.isinf(v):
        return v
    precision, emin, largest = FORMATS[fmt]
    _, e = math.frexp(v)  # |v| in [2^(e-1), 2^e)
    quantum = max(e - precision, emin - precision + 1)
    r = math.ldexp(round(math.ldexp(v, -quantum)), quantum)  # round(): ties to even, exact
    return math.copysign(math.inf, v) if abs(r) > largest else r


def half_away(v):
    f = Fraction(v)
    n = math.floor(abs(f) + Fraction(1, 2))
    return -n if f < 0 else n


class Rejected(Exception):
    pass


def tvm_float(ops, member, dtype):
    acc, zin, zy = ops["acc"], ops["input_zero_point"], ops["zero_point"]
    qmin, qmax = ops["qmin"], ops["qmax"]
    sin, sout = ops["input_scale"], ops["output_scale"]
    if not -2**31 <= acc < 2**31:
        raise Rejected("acc")
    for name, s in (("input_scale", sin), ("output_scale", sout)):
        if not (math.isfinite(s) and s > 0):
            raise Rejected(name)
    if not qmin <= zy <= qmax:
        raise Rejected("zero_point")
    fl = (lambda v: round_to("binary32", v)) if dtype == "float32" else (lambda v: v)
    m = fl(sin / sout)  # MakeConstantScalar(Float(Bits), double(Sin) / Sout)
    if math.isinf(m):
        raise Rejected("input_scale")
    a = fl(fl(float(acc)) - fl(float(zin)))  # Cast, Subtract
    t = fl(fl(m * a) + fl(float(zy)))  # Multiply, Add the output zero point
    if member == "tvm_fp_upward":  # Floor(Add(x, 0.5))
        r = math.floor(fl(t + 0.5))
    elif member == "tvm_fp_tonearest":  # Round -> llvm.round, half away from zero
        r = half_away(t)
    else:  # tvm_fp_tonearest_nosse41: (x + 0.5 * sign) * sign, cast, * sign
        r = int(fl(abs(t) + 0.5))
        r = -r if t < 0 else r
    return min(max(r, qmin), qmax)


def narrow_quantize(ops, division, rounding):
    x, scale, z = ops["x"], ops["scale"], ops["zero_point"]
    qmin, qmax = ops["qmin"], ops["qmax"]
    if not (math.isfinite(scale) and scale > 0):
        raise Rejected("scale")
    if not qmin <= z <= qmax:
        raise Rejected("zero_point")
    fmt = {"f16_divide": "binary16", "bf16_divide": "bfloat16", "f32_divide": "binary32"}[division]
    s = round_to(fmt, scale)
    if s == 0 or math.isinf(s):
        raise Rejected("scale")
    if math.isnan(x):
        return z  # SPEC CHOICE (Q2.4)
    t = round_to(fmt, round_to(fmt, x) / s)
    if math.isinf(t):
        return qmax if t > 0 else qmin
    r = round(t) if rounding == "half_even" else math.trunc(t)
    return min(max(r + z, qmin), qmax)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    vectors_dir, results_path = argv[1], argv[2]
    tvm_as = argv[argv.index("--tvm-as") + 1].split("/") if "--tvm-as" in argv else None
    onnx_as = argv[argv.index("--onnx-as") + 1].split("/") if "--onnx-as" in argv else None
    results = {"deployed_requantize": {}, "quantize": {}}
    jobs = (("deployed_requantize", "TvmFloatRequantizeTest",
             lambda v: tvm_as or (v["member"], v["compute_dtype"]), tvm_float),
            ("quantize", "NarrowDivideQuantizeTest",
             lambda v: onnx_as or (v["division"], v["rounding"]), narrow_quantize))
    for algorithm, group_type, variant_of, compute in jobs:
        doc = qv.load(os.path.join(vectors_dir, algorithm + ".json"))
        for group, test, ops in qv.tests(doc):
            if group["type"] != group_type:
                continue
            typed = {k: qv.typed(v) for k, v in ops.items()}
            try:
                out = {"q": compute(typed, *variant_of(group["variant"]))}
            except Rejected as e:
                out = {"error": str(e)}
            results[algorithm][test["tcId"]] = out
    qv.write_results(results_path, results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
