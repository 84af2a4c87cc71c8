"""Minimal reproduction of what `make interop` found in the ONNX reference implementation
(PyPI onnx 1.23.2, onnx.reference.ReferenceEvaluator; run in the interop virtual environment):

  build/interop/venv/bin/python tools/interop/repro_onnx_reference_inf.py

QuantizeLinear (opset 13) of x = +inf with scale 1 and an int8 zero point 0 gives -128, and of
x = 3e9 gives -128, where the operator's documentation (onnx/onnx docs/Operators.md,
QuantizeLinear: "y = saturate((x / y_scale) + y_zero_point)", "int8: [-128, 127]") gives 127. The kernel
(onnx/reference/ops/op_quantize_linear.py _CommonQuantizeLinear._run) casts np.rint(x / y_scale)
to int32 before adding the zero point and clipping; on x86 that cast gives INT32_MIN for NaN,
infinities and values beyond int32 (SPEC.md Q10.5 `convert32_then_clamp`), and the clip keeps it
at the bottom of the range. NaN gives -128 too (the documentation says nothing of NaN).
Exit status 1 when the result differs from the documented saturation.
"""
import sys

import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator


def quantize_linear(x):
    node = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])
    graph = helper.make_graph([node], "q", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1]),
                                            helper.make_tensor_value_info("s", TensorProto.FLOAT, []),
                                            helper.make_tensor_value_info("z", TensorProto.INT8, [])],
                              [helper.make_tensor_value_info("y", TensorProto.INT8, [1])])
    evaluator = ReferenceEvaluator(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
    with np.errstate(all="ignore"):
        (y,) = evaluator.run(None, {"x": np.array([x], dtype=np.float32), "s": np.array(1.0, dtype=np.float32),
                                    "z": np.array(0, dtype=np.int8)})
    return int(y[0])


def main():
    wrong = 0
    for x, documented in ((float("inf"), 127), (3e9, 127), (-3e9, -128), (100.0, 100)):
        got = quantize_linear(x)
        print("QuantizeLinear(%g, scale 1, zero point 0) = %d (documented saturation: %d)" % (x, got, documented))
        wrong += got != documented
    print("NaN -> %d" % quantize_linear(float("nan")))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
