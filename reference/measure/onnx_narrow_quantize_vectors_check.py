#!/usr/bin/env python3
"""SPEC.md Q11.12: run the NarrowDivideQuantizeTest vectors (vectors/quantize.json) through
ONNX QuantizeLinear in ONNX Runtime (CPU) and in the ONNX reference implementation
(onnx.reference.ReferenceEvaluator), and report, per configuration, which of the group's
members (f16_divide, bf16_divide with half_even; f32_divide with half_even, toward_zero) every
run test matches.

Configurations (valid tests only; a test whose x or scale the configuration cannot carry is
skipped):
  - opset 21, x and y_scale float16 (operand_format binary16 groups), per tensor;
  - the same with block_size (x of shape [1, 1], axis 1, block_size 1: ORT's blocked path);
  - opset 21, x and y_scale bfloat16 (operand_format bfloat16 groups);
  - opset 23, x and y_scale float32 with precision = FLOAT16 / BFLOAT16 (binary32 groups).
A configuration a runtime rejects is reported as such. Needs numpy, onnx, onnxruntime:
  python -m venv V && V/bin/pip install onnx onnxruntime numpy
  V/bin/python reference/measure/onnx_narrow_quantize_vectors_check.py [--vectors FILE]
--details lists each test a member differs on. Prints one line per configuration and runtime: tests run, members consistent with every one,
and the first mismatching tcIds of the others. Exit 0 (a measurement, not a check).
"""
import argparse
import collections
import json
import math
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

parser = argparse.ArgumentParser()
parser.add_argument("--vectors", default=str(pathlib.Path(__file__).resolve().parents[2] / "vectors" / "quantize.json"))
parser.add_argument("--details", action="store_true", help="print every test some member differs on")
args = parser.parse_args()
doc = json.loads(pathlib.Path(args.vectors).read_text())


def binary(text):
    return float(text) if text in ("inf", "-inf", "nan") else float.fromhex(text)


OUT_TYPES = {"int8": (TensorProto.INT8, np.int8), "uint8": (TensorProto.UINT8, np.uint8),
             "int16": (TensorProto.INT16, np.int16)}


def bf16_array(values):
    """float32 values that are bfloat16 values, as ONNX bfloat16 tensor data (uint16 bits)."""
    bits = np.array(values, dtype=np.float32).view(np.uint32) >> 16
    return bits.astype(np.uint16)


def model(in_type, dtype, scale, zero_point, opset, precision=None, block=False):
    out_type, out_np = OUT_TYPES[dtype]
    shape = [1, 1]
    attrs = {}
    if precision is not None:
        attrs["precision"] = precision
    if block:
        attrs.update(axis=1, block_size=1)
    scale_shape = [1, 1] if block else []
    if in_type == TensorProto.BFLOAT16:
        scale_init = helper.make_tensor("s", in_type, scale_shape, [scale])  # a bfloat16 value
    else:
        np_type = np.float16 if in_type == TensorProto.FLOAT16 else np.float32
        scale_init = onnx.numpy_helper.from_array(np.array(scale, dtype=np_type).reshape(scale_shape), "s")
    zp_init = onnx.numpy_helper.from_array(np.array(zero_point, dtype=out_np).reshape(scale_shape), "z")
    node = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], **attrs)
    graph = helper.make_graph([node], "q", [helper.make_tensor_value_info("x", in_type, shape)],
                              [helper.make_tensor_value_info("y", out_type, shape)], [scale_init, zp_init])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def x_feed(in_type, x):
    if in_type == TensorProto.FLOAT16:
        return np.array([[x]], dtype=np.float16)
    if in_type == TensorProto.FLOAT:
        return np.array([[x]], dtype=np.float32)
    return None  # bfloat16 input: fed by the runtime wrappers below


def run_ort(m, in_type, x):
    import onnxruntime as ort
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    if in_type == TensorProto.BFLOAT16:
        value = ort.OrtValue.ortvalue_from_numpy_with_onnx_type(bf16_array([x]).reshape(1, 1), TensorProto.BFLOAT16)
        return int(sess.run_with_ort_values(["y"], {"x": value})[0].numpy().reshape(-1)[0])
    return int(sess.run(None, {"x": x_feed(in_type, x)})[0].reshape(-1)[0])


def run_reference(m, in_type, x):
    from onnx.reference import ReferenceEvaluator
    ev = ReferenceEvaluator(m)
    if in_type == TensorProto.BFLOAT16:
        import ml_dtypes
        feed = np.array([[x]], dtype=np.float32).astype(ml_dtypes.bfloat16)
    else:
        feed = x_feed(in_type, x)
    return int(np.asarray(ev.run(None, {"x": feed})[0]).reshape(-1)[0])


# Tests of one (dtype, operand_format) share inputs across the member groups: index them.
per_key = collections.defaultdict(dict)  # (dtype, format) -> member label -> [tests]
for g in doc["testGroups"]:
    if g["type"] != "NarrowDivideQuantizeTest":
        continue
    p = g["params"]
    label = g["variant"]["division"] + "/" + g["variant"]["rounding"]
    per_key[(p["dtype"], p["operand_format"])][label] = g["tests"]

CONFIGS = [
    ("opset 21 float16 per tensor", "binary16", TensorProto.FLOAT16, 21, None, False),
    ("opset 21 float16 blocked", "binary16", TensorProto.FLOAT16, 21, None, True),
    ("opset 21 bfloat16 per tensor", "bfloat16", TensorProto.BFLOAT16, 21, None, False),
    ("opset 23 float32 precision=FLOAT16", "binary32", TensorProto.FLOAT, 23, TensorProto.FLOAT16, False),
    ("opset 23 float32 precision=BFLOAT16", "binary32", TensorProto.FLOAT, 23, TensorProto.BFLOAT16, False),
]

for name, fmt, in_type, opset, precision, block in CONFIGS:
    for runtime, run in (("onnxruntime", run_ort), ("onnx reference", run_reference)):
        run_count, mismatches, errors = 0, collections.defaultdict(list), collections.Counter()
        for dtype in OUT_TYPES:
            members = per_key.get((dtype, fmt))
            if not members:
                continue
            tests = next(iter(members.values()))
            for i, t in enumerate(tests):
                if any(members[m][i]["result"] != "valid" for m in members):
                    continue
                x = binary(t["inputs"]["x"])
                s = binary(t["inputs"]["scale"])
                z = int(t["inputs"]["zero_point"])
                try:
                    q = run(model(in_type, dtype, s, z, opset, precision, block), in_type, x)
                except Exception as e:  # a runtime that rejects the configuration
                    errors[type(e).__name__ + ": " + str(e).splitlines()[0][:120]] += 1
                    continue
                run_count += 1
                for m in members:
                    if members[m][i]["expected"]["q"] != q:
                        mismatches[m].append(t["tcId"])
                if args.details and any(members[m][i]["expected"]["q"] != q for m in members):
                    print("  %s %s tcId %d: x %s, S %s, Z %d: got %d; %s" % (
                        name, runtime, t["tcId"], t["inputs"]["x"], t["inputs"]["scale"], z, q,
                        ", ".join("%s %d" % (m, members[m][i]["expected"]["q"]) for m in sorted(members))))
        consistent = [m for m in sorted(next(iter(per_key.values()))) if run_count and not mismatches[m]]
        line = "%s, %s: %d tests run; consistent with %s" % (name, runtime, run_count, consistent or "none")
        for m in sorted(mismatches):
            line += "; %s differs on %d (tcId %s)" % (m, len(mismatches[m]), ", ".join(map(str, mismatches[m][:4])))
        for e, n in errors.items():
            line += "; %d not run: %s" % (n, e)
        print(line)
        sys.stdout.flush()
