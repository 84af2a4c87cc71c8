"""Which code path TFLite's optimized int8 FULLY_CONNECTED takes on x86-64, told apart by its
rounding (NOTES.md "Session 13: lite13"). Run in the venv that has ai-edge-litert:

  VENV/bin/python probe_tflite_fc_paths.py             # ruy picks its best x86 path
  RUY_PATHS=1 VENV/bin/python probe_tflite_fc_paths.py # ruy restricted to its standard C++ path

Each shape is one FULLY_CONNECTED with x = w = 0, so acc = the int32 bias (-12650, -12550,
-12450, repeated), Sx = Sy = 0.1f, Sw = 0.01f, Zy = 0. With TFLite's multiplier (1374389580, -6),
acc = -12650 gives -126 under SPEC Q11.1 neon_double_round (the first rounding lands on the tie
-126.5, broken upward) and -127 under single_round. Under RUY_PATHS=1, ruy's standard C++ path single-rounds,
so a shape that still gives -126 did not go through ruy: cpu_backend_gemm.h tries
CustomGemv first for one column, and cpu_backend_gemm_custom_gemv.h's int8 kernel
(4 rows at a time, K >= 8; NEON intrinsics vshlq_s32 / vqrdmulhq_s32 / vrshlq_s32, on x86 through
NEON_2_SSE when the build has SSE4.1) is neon_double_round too.
"""
import os
import sys

import numpy as np
from ai_edge_litert import interpreter as litert
from ai_edge_litert import schema_py_generated as schema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backend_litert as bl  # noqa: E402
import quantspec_vectors as qv  # noqa: E402  (backend_litert put tools/python on the path)

ACCUMULATORS = [-12650, -12550, -12450]
NEON_DOUBLE_ROUND = {-12650: -126, -12550: -125, -12450: -124}
SINGLE_ROUND = {-12650: -127, -12550: -126, -12450: -125}
SHAPES = [(1, 8, 1), (4, 8, 1), (4, 16, 1), (8, 32, 1), (4, 4, 1), (4, 8, 2)]  # (rows, K, batch)


def model(rows, k, batch, biases):
    mb = bl.ModelBuilder()
    sx, sw, sy = qv.fl32(0.1), qv.fl32(0.01), qv.fl32(0.1)
    x = mb.tensor([batch, k], "int8", [sx], [0])
    w = mb.tensor([rows, k], "int8", [sw], [0], data=[0] * (rows * k))
    b = mb.tensor([rows], "int32", [qv.fl32(sx * sw)], [0], data=biases)
    y = mb.tensor([batch, rows], "int8", [sy], [0])
    options = schema.FullyConnectedOptionsT()
    options.fusedActivationFunction = schema.ActivationFunctionType.NONE
    mb.inputs.append(x)
    mb.outputs.append(y)
    mb.op(schema.BuiltinOperator.FULLY_CONNECTED, [x, w, b], [y], schema.BuiltinOptions.FullyConnectedOptions,
          options)
    return mb.build()


def main():
    print("RUY_PATHS=%s" % os.environ.get("RUY_PATHS", "(unset)"))
    for rows, k, batch in SHAPES:
        biases = (ACCUMULATORS * rows)[:rows]
        out = bl.run_model(model(rows, k, batch, biases), [np.zeros([batch, k], dtype=np.int8)],
                           litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)[0].reshape(-1).tolist()
        expected = [(biases * batch)[i] for i in range(rows * batch)]
        verdict = ("neon_double_round" if out == [NEON_DOUBLE_ROUND[a] for a in expected] else
                   "single_round" if out == [SINGLE_ROUND[a] for a in expected] else "neither")
        print("rows %d, K %2d, batch %d: %s -> %s" % (rows, k, batch, out[:4], verdict))
    return 0


if __name__ == "__main__":
    sys.exit(main())
