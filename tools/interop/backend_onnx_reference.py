"""The ONNX reference implementation (PyPI onnx, onnx.reference.ReferenceEvaluator) as a backend
for the golden vectors. Runs in the virtual environment `make interop` makes under build/:

  build/interop/venv/bin/python backend_onnx_reference.py VECTORS_DIR OUT.json

One-node QuantizeLinear models (opset 13) evaluated by ReferenceEvaluator, whose kernel is
onnx/onnx onnx/reference/ops/op_quantize_linear.py _CommonQuantizeLinear._run (read at commit
031c9977): x / y_scale in the input's type (float32), np.rint, .astype(np.int32), + zero point,
np.clip to the type's range, .astype(type). The int32 cast decides NaN, infinities and
quotients beyond int32 (whatever the platform's conversion gives: SPEC Q10.5 on x86), so this
backend is the ONNX project's own executable reading of the operator, next to the numpy
backend written from the operator document (backend_onnx_numpy.py).
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import quantspec_vectors as qv  # noqa: E402

NP = {"int8": np.int8, "uint8": np.uint8}
TP = {"int8": TensorProto.INT8, "uint8": TensorProto.UINT8}
CITE = ("onnx/onnx onnx/reference/ops/op_quantize_linear.py _CommonQuantizeLinear._run "
        "(ReferenceEvaluator, QuantizeLinear opset 13)")
SAYS = ("np.rint(fl32(x / y_scale)).astype(int32) + y_zero_point, np.clip to the type's range: "
        "f32_divide, half_even, Z after rounding; NaN, inf and |t| >= 2^31 through the int32 cast")


def evaluator(dtype):
    node = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])
    graph = helper.make_graph([node], "q", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1]),
                                            helper.make_tensor_value_info("s", TensorProto.FLOAT, []),
                                            helper.make_tensor_value_info("z", TP[dtype], [])],
                              [helper.make_tensor_value_info("y", TP[dtype], [1])])
    return ReferenceEvaluator(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    vectors_dir, out_path = argv[1], argv[2]
    evaluators = {d: evaluator(d) for d in NP}

    def quantize(x, scale, zero_point, dtype):
        info = np.iinfo(NP[dtype])
        if not info.min <= zero_point <= info.max:
            return None  # a zero point of another type cannot be given to the operator
        with np.errstate(all="ignore"):
            try:
                (y,) = evaluators[dtype].run(None, {"x": np.array([x], dtype=np.float32),
                                                    "s": np.array(scale, dtype=np.float32),
                                                    "z": np.array(zero_point, dtype=NP[dtype])})
            except Exception as e:  # the evaluator's own rejection, reported as the backend's error
                return {"error": str(e).splitlines()[0][:120]}
        return {"q": int(y[0])}

    quant, dist = {}, {}
    for group, test, ops in qv.tests(qv.load(os.path.join(vectors_dir, "quantize.json"))):
        if group["type"] == "QuantizeTest" and ops["dtype"] in NP and not ops["narrow_range"]:
            r = quantize(qv.f(ops["x"]), qv.f(ops["scale"]), qv.i(ops["zero_point"]), ops["dtype"])
            if r is not None:
                quant[test["tcId"]] = r
    for tc, ops in qv.distinguish_cases(qv.load(os.path.join(vectors_dir, "distinguish.json")), "quantize"):
        r = quantize(ops["x"], ops["scale"], ops["zero_point"], ops["dtype"])
        if r is not None:
            dist[tc] = r
    claimed = {"division": "f32_divide", "rounding": "half_even"}
    ops = [
        {"operation": "QuantizeLinear (ReferenceEvaluator)", "family": "quantize", "api": "onnx.reference",
         "claimed": claimed, "source": {"says": SAYS, "cite": CITE}, "results": quant, "notes": "int8/uint8 groups"},
        {"operation": "QuantizeLinear (ReferenceEvaluator; distinguish)", "family": "distinguish",
         "api": "onnx.reference", "claimed": dict(claimed, zero_point_entry="after_rounding"),
         "source": {"says": SAYS, "cite": CITE}, "results": dist,
         "notes": "quantize tests of distinguish.json (SPEC Q20)"},
    ]
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump({"backend": "ONNX reference (onnx.reference)", "version": "onnx " + onnx.__version__,
                   "operations": ops}, fh, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
