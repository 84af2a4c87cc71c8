"""ONNX Runtime (PyPI onnxruntime, CPU execution provider) as a backend for the golden vectors.
Runs in the virtual environment `make interop` makes under build/ (never the system Python):

  build/interop/venv/bin/python backend_onnxruntime.py VECTORS_DIR OUT.json [ONNX_NODE_CASES.json]

One-node models (opset 13, built here with the onnx helper) with the scales and zero points as
graph inputs, one session per operator: QuantizeLinear, DequantizeLinear,
DynamicQuantizeLinear, MatMulInteger on the vectors; with ONNX_NODE_CASES (written by
onnx_node_cases.py from the ONNX backend node test data) also QLinearMatMul and the other node
tests, whose expected outputs ONNX publishes. Each quantize input is repeated REPEAT times so
MLAS's vector loop and its scalar tail both run; disagreements are listed.
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import quantspec_vectors as qv  # noqa: E402

REPEAT = 37
NP = {"int8": np.int8, "uint8": np.uint8}
TP = {"int8": TensorProto.INT8, "uint8": TensorProto.UINT8}
SRC = "microsoft/onnxruntime"


def session(op, inputs, outputs, **attrs):
    node = helper.make_node(op, [name for name, _, _ in inputs], [name for name, _, _ in outputs], **attrs)
    graph = helper.make_graph([node], op, [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                              [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def first_or_note(values, tc_id, disagreements):
    if values[0] != values[-1]:
        disagreements.append(tc_id)
    return values[0]


def err(e):
    return {"error": str(e).splitlines()[0][:120]}


def quantize(doc):
    sessions = {d: session("QuantizeLinear", [("x", TensorProto.FLOAT, [REPEAT]), ("s", TensorProto.FLOAT, []),
                                              ("z", TP[d], [])], [("y", TP[d], [REPEAT])]) for d in NP}
    out, dis = {}, []
    for group, test, ops in qv.tests(doc):
        d = ops["dtype"]
        if group["type"] != "QuantizeTest" or d not in NP or ops["narrow_range"]:
            continue
        z = qv.i(ops["zero_point"])
        if not np.iinfo(NP[d]).min <= z <= np.iinfo(NP[d]).max:
            continue  # not expressible: the zero point has the output's type
        x = np.full([REPEAT], qv.f(ops["x"]), dtype=np.float32)
        try:
            y = sessions[d].run(None, {"x": x, "s": np.array(qv.f(ops["scale"]), dtype=np.float32),
                                       "z": np.array(z, dtype=NP[d])})[0]
            out[test["tcId"]] = {"q": int(first_or_note(y.tolist(), test["tcId"], dis))}
        except Exception as e:  # noqa: BLE001  (ORT raises its own exception types)
            out[test["tcId"]] = err(e)
    return out, dis


def dequantize(doc):
    sessions = {d: session("DequantizeLinear", [("q", TP[d], [REPEAT]), ("s", TensorProto.FLOAT, []),
                                                ("z", TP[d], [])], [("x", TensorProto.FLOAT, [REPEAT])]) for d in NP}
    out, dis = {}, []
    for group, test, ops in qv.tests(doc):
        d = ops["dtype"]
        if d not in NP:
            continue
        info = np.iinfo(NP[d])
        q, z = qv.i(ops["q"]), qv.i(ops["zero_point"])
        if not (info.min <= q <= info.max and info.min <= z <= info.max):
            continue
        try:
            x = sessions[d].run(None, {"q": np.full([REPEAT], q, dtype=NP[d]),
                                       "s": np.array(qv.f(ops["scale"]), dtype=np.float32),
                                       "z": np.array(z, dtype=NP[d])})[0]
            values = [qv.hex_float(float(v)) for v in x.tolist()]
            out[test["tcId"]] = {"x": first_or_note(values, test["tcId"], dis)}
        except Exception as e:  # noqa: BLE001
            out[test["tcId"]] = err(e)
    return out, dis


def dynamic_quantize(doc):
    out = {}
    for group, test, ops in qv.tests(doc):
        if group["type"] != "DynamicQuantizeLinearTest":
            continue
        n = len(ops["x"])
        s = session("DynamicQuantizeLinear", [("x", TensorProto.FLOAT, [n])],
                    [("y", TensorProto.UINT8, [n]), ("s", TensorProto.FLOAT, []), ("z", TensorProto.UINT8, [])])
        try:
            y, scale, z = s.run(None, {"x": np.array([qv.f(v) for v in ops["x"]], dtype=np.float32)})
            out[test["tcId"]] = {"scale": qv.hex_float(float(scale)), "zero_point": int(z),
                                 "q": [int(v) for v in y.tolist()]}
        except Exception as e:  # noqa: BLE001
            out[test["tcId"]] = err(e)
    return out


def matmul_integer(doc):
    """acc = sum (x - Zx)(w - Zw) by MatMulInteger ([1, K] x [K, 1] -> int32); the test's bias is
    added here in int32 (wrapping), which MatMulInteger has no input for."""
    out, cache = {}, {}
    for group, test, ops in qv.tests(doc):
        xd, wd = ops["x_dtype"], ops["w_dtype"]
        if xd not in NP or wd not in NP:
            continue
        k = len(ops["x"])
        x_info, w_info = np.iinfo(NP[xd]), np.iinfo(NP[wd])
        if len(ops["w"]) != k or not all(x_info.min <= v <= x_info.max for v in ops["x"]) or \
                not all(w_info.min <= v <= w_info.max for v in ops["w"]) or \
                not x_info.min <= qv.i(ops["x_zero_point"]) <= x_info.max or \
                not w_info.min <= qv.i(ops["w_zero_point"]) <= w_info.max:
            continue  # not expressible as MatMulInteger inputs (not run)
        key = (xd, wd, k)
        if key not in cache:
            cache[key] = session("MatMulInteger", [("a", TP[xd], [1, k]), ("b", TP[wd], [k, 1]), ("za", TP[xd], []),
                                                   ("zb", TP[wd], [])], [("y", TensorProto.INT32, [1, 1])])
        try:
            y = cache[key].run(None, {"a": np.array(ops["x"], dtype=NP[xd]).reshape(1, k),
                                      "b": np.array(ops["w"], dtype=NP[wd]).reshape(k, 1),
                                      "za": np.array(qv.i(ops["x_zero_point"]), dtype=NP[xd]),
                                      "zb": np.array(qv.i(ops["w_zero_point"]), dtype=NP[wd])})[0]
            acc = (int(y[0, 0]) + qv.i(ops["bias"]) + 2**31) % 2**32 - 2**31
            out[test["tcId"]] = {"acc": acc}
        except Exception as e:  # noqa: BLE001
            out[test["tcId"]] = err(e)
    return out


def distinguish_quantize(doc):
    """distinguish.json quantize tests (SPEC Q20) through QuantizeLinear: x, scale, zero_point."""
    sessions = {d: session("QuantizeLinear", [("x", TensorProto.FLOAT, [REPEAT]), ("s", TensorProto.FLOAT, []),
                                              ("z", TP[d], [])], [("y", TP[d], [REPEAT])]) for d in NP}
    out, dis = {}, []
    for tc, ops in qv.distinguish_cases(doc, "quantize"):
        d = ops["dtype"]
        x = np.full([REPEAT], ops["x"], dtype=np.float32)
        try:
            y = sessions[d].run(None, {"x": x, "s": np.array(ops["scale"], dtype=np.float32),
                                       "z": np.array(ops["zero_point"], dtype=NP[d])})[0]
            out[tc] = {"q": int(first_or_note(y.tolist(), tc, dis))}
        except Exception as e:  # noqa: BLE001  (ORT raises its own exception types)
            out[tc] = err(e)
    return out, dis


def distinguish_accumulate(doc):
    """distinguish.json accumulate tests through MatMulInteger ([1, K] x [K, 1]); the bias is
    added here in int32 (wrapping), which MatMulInteger has no input for."""
    out = {}
    for tc, ops in qv.distinguish_cases(doc, "accumulate"):
        xd, wd, k = ops["x_dtype"], ops["w_dtype"], len(ops["x_values"])
        sess = session("MatMulInteger", [("a", TP[xd], [1, k]), ("b", TP[wd], [k, 1]), ("za", TP[xd], []),
                                         ("zb", TP[wd], [])], [("y", TensorProto.INT32, [1, 1])])
        try:
            y = sess.run(None, {"a": np.array(ops["x_values"], dtype=NP[xd]).reshape(1, k),
                                "b": np.array(ops["w_values"], dtype=NP[wd]).reshape(k, 1),
                                "za": np.array(ops["x_zero_point"], dtype=NP[xd]),
                                "zb": np.array(ops["w_zero_point"], dtype=NP[wd])})[0]
            out[tc] = {"acc": (int(y[0, 0]) + ops["bias"] + 2**31) % 2**32 - 2**31}
        except Exception as e:  # noqa: BLE001
            out[tc] = err(e)
    return out


NODE_TYPES = {"uint8": TensorProto.UINT8, "int8": TensorProto.INT8, "int32": TensorProto.INT32,
              "float32": TensorProto.FLOAT}


def array_of(meta):
    data = [float.fromhex(v) for v in meta["data"]] if meta["dtype"] == "float32" else meta["data"]
    return np.array(data, dtype=meta["dtype"]).reshape(meta["shape"])


def node_cases(path):
    """Runs the ONNX backend node test cases (their own model.onnx) and compares bit for bit."""
    with open(path, encoding="utf-8") as fh:
        cases = json.load(fh)["cases"]
    rows = []
    for case in cases:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        try:
            s = ort.InferenceSession(case["model_path"], options, providers=["CPUExecutionProvider"])
            feeds = {}
            for inp, meta in zip(s.get_inputs(), case["inputs"]):
                feeds[inp.name] = array_of(meta)
            got = s.run(None, feeds)
            bad = []
            for j, (g, e) in enumerate(zip(got, case["outputs"])):
                expected = array_of(e)
                if g.dtype != expected.dtype or g.shape != expected.shape or \
                        g.tobytes() != expected.tobytes():
                    bad.append("output %d: got %s, expected %s" % (j, g.reshape(-1).tolist()[:8],
                                                                     expected.reshape(-1).tolist()[:8]))
            rows.append({"case": case["name"], "ok": not bad, "why": "; ".join(bad)})
        except Exception as e:  # noqa: BLE001
            rows.append({"case": case["name"], "ok": False, "why": "error: " + str(e).splitlines()[0][:120]})
    return rows


def main(argv):
    if len(argv) not in (3, 4) or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    vectors_dir, out_path = argv[1], argv[2]
    load = lambda name: qv.load(os.path.join(vectors_dir, name + ".json"))  # noqa: E731
    ops = []
    q, qd = quantize(load("quantize"))
    ops.append({"operation": "QuantizeLinear", "family": "quantize", "api": "onnxruntime CPU, opset 13",
                "claimed": {"division": "f32_divide", "rounding": "half_even"},
                "source": {"says": "x / S in binary32 (divps), clamped to [qmin - Z, qmax - Z] in float (a NaN "
                                   "becomes the lower bound: MAXPS returns its second operand), cvtps (half even), + Z",
                           "cite": SRC + " onnxruntime/core/mlas/lib/quantize.cpp MlasQuantizeLinearVector"},
                "results": q, "vector_tail_disagreements": qd, "notes": "int8/uint8 groups"})
    d, dd = dequantize(load("dequantize"))
    ops.append({"operation": "DequantizeLinear", "family": "dequantize", "api": "onnxruntime CPU, opset 13",
                "claimed": {}, "source": {"says": "(q - Z) * S in binary32",
                                          "cite": SRC + " onnxruntime/core/providers/cpu/quantization/"
                                                        "quantize_linear.cc DequantizeLinear::Compute (its comment: "
                                                        "Y = (X - ZeroPoint) * Scale; read in an older revision)"},
                "results": d, "vector_tail_disagreements": dd, "notes": "int8/uint8 groups"})
    ops.append({"operation": "DynamicQuantizeLinear", "family": "dynamic_quantize", "api": "onnxruntime CPU, opset 13",
                "claimed": {"dynamic": "onnx"},
                "source": {"says": "min/max widened to 0, S = (max - min) / 255, Z = round(qmin - min / S) "
                                   "clamped, in binary32; then MlasQuantizeLinear",
                           "cite": SRC + " onnxruntime/core/util/qmath.h GetQuantizationParameter"},
                "results": dynamic_quantize(load("dynamic_quantize")), "vector_tail_disagreements": []})
    ops.append({"operation": "MatMulInteger", "family": "accumulate", "api": "onnxruntime CPU, opset 13",
                "claimed": {}, "source": {"says": "int32 sums of (a - Za)(b - Zb) (MLAS QGEMM, wrapping int32 adds)",
                                          "cite": SRC + " onnxruntime/core/providers/cpu/quantization/"
                                                        "matmul_integer.cc MatMulInteger::Compute"},
                "results": matmul_integer(load("accumulate")), "vector_tail_disagreements": [],
                "notes": "int8/uint8 x int8/uint8 groups; the test's bias added in int32 by the harness"})
    dist = load("distinguish")
    q, qd = distinguish_quantize(dist)
    ops.append(dict(ops[0], operation="QuantizeLinear (distinguish)", family="distinguish", results=q,
                    claimed={"division": "f32_divide", "rounding": "half_even", "zero_point_entry": "after_rounding"},
                    vector_tail_disagreements=qd, notes="quantize tests of distinguish.json (SPEC Q20)"))
    ops.append(dict(ops[3], operation="MatMulInteger (distinguish)", family="distinguish",
                    results=distinguish_accumulate(dist),
                    claimed={"accumulation": "wrap", "s32_destination": "int32"},
                    notes="accumulate tests of distinguish.json; the bias added in int32 by the harness "
                          "(MatMulInteger has none: its int32 output is MLAS's accumulator, s32_destination int32)"))
    doc = {"backend": "ONNX Runtime", "version": ort.__version__, "operations": ops}
    if len(argv) == 4:
        doc["node_cases"] = node_cases(argv[3])
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
