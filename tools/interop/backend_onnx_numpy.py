#!/usr/bin/python3
"""ONNX QuantizeLinear / DequantizeLinear written from the operator documentation in numpy
(Debian python3-numpy under /usr/bin/python3), as a backend for the golden vectors:

  backend_onnx_numpy.py VECTORS_DIR OUT.json

QuantizeLinear (onnx/onnx docs/Operators.md, opset 13): "y = saturate ((x / y_scale) +
y_zero_point) ... rounding to nearest ties to even", written as the operator's own test
generator onnx/backend/test/case/node/quantizelinear.py does: np.clip(np.rint(x / y_scale) +
y_zero_point, qmin, qmax).astype(dtype), every operation in numpy float32. The document says
nothing of NaN, infinity or of the scale's range; this backend does what numpy does then
(NaN through astype is whatever the C cast gives), it does not invent a policy.
DequantizeLinear: "y = (x - x_zero_point) * x_scale" in float32.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import quantspec_vectors as qv  # noqa: E402

DTYPES = {"int8": np.int8, "uint8": np.uint8}  # the opset-13 QuantizeLinear output types


def quantize_linear(x, y_scale, y_zero_point, dtype):
    info = np.iinfo(dtype)
    with np.errstate(all="ignore"):
        y = np.rint(np.float32(x) / np.float32(y_scale)) + np.float32(y_zero_point)
        return int(np.clip(y, info.min, info.max).astype(dtype))


def dequantize_linear(q, x_scale, x_zero_point):
    with np.errstate(all="ignore"):
        return np.float32(np.float32(np.int32(q) - np.int32(x_zero_point)) * np.float32(x_scale))


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    vectors_dir, out_path = argv[1], argv[2]
    quant, dequant = {}, {}
    for group, test, ops in qv.tests(qv.load(os.path.join(vectors_dir, "quantize.json"))):
        if group["type"] == "QuantizeTest" and ops["dtype"] in DTYPES and not ops["narrow_range"]:
            z = qv.i(ops["zero_point"])
            info = np.iinfo(DTYPES[ops["dtype"]])
            if not info.min <= z <= info.max:
                continue  # a zero point of another type cannot be given to the operator
            quant[test["tcId"]] = {"q": quantize_linear(qv.f(ops["x"]), qv.f(ops["scale"]), z, DTYPES[ops["dtype"]])}
    for group, test, ops in qv.tests(qv.load(os.path.join(vectors_dir, "dequantize.json"))):
        if ops["dtype"] in DTYPES:
            info = np.iinfo(DTYPES[ops["dtype"]])
            q, z = qv.i(ops["q"]), qv.i(ops["zero_point"])
            if info.min <= q <= info.max and info.min <= z <= info.max:
                dequant[test["tcId"]] = {"x": qv.hex_float(float(dequantize_linear(q, qv.f(ops["scale"]), z)))}
    dist = {}
    for tc, ops in qv.distinguish_cases(qv.load(os.path.join(vectors_dir, "distinguish.json")), "quantize"):
        dist[tc] = {"q": quantize_linear(ops["x"], ops["scale"], ops["zero_point"], DTYPES[ops["dtype"]])}
    cite = "onnx/onnx docs/Operators.md QuantizeLinear (opset 13) and onnx/backend/test/case/node/quantizelinear.py"
    ops = [
        {"operation": "QuantizeLinear (numpy, from the doc)", "family": "quantize", "api": "numpy float32",
         "claimed": {"division": "f32_divide", "rounding": "half_even"},
         "source": {"says": "saturate(round_half_even(x / y_scale) + y_zero_point), x / y_scale in float32", "cite": cite},
         "results": quant, "notes": "int8/uint8 groups"},
        {"operation": "DequantizeLinear (numpy, from the doc)", "family": "dequantize", "api": "numpy float32",
         "claimed": {}, "source": {"says": "(x - x_zero_point) * x_scale in float32",
                                   "cite": "onnx/onnx docs/Operators.md DequantizeLinear"},
         "results": dequant, "notes": "int8/uint8 groups"},
        {"operation": "QuantizeLinear (numpy, from the doc; distinguish)", "family": "distinguish",
         "api": "numpy float32", "claimed": {"division": "f32_divide", "rounding": "half_even",
                                             "zero_point_entry": "after_rounding"},
         "source": {"says": "saturate(round_half_even(x / y_scale) + y_zero_point), x / y_scale in float32",
                    "cite": cite},
         "results": dist, "notes": "quantize tests of distinguish.json (SPEC Q20)"},
    ]
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump({"backend": "ONNX doc (numpy)", "version": "numpy " + np.__version__, "operations": ops}, fh,
                  indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
