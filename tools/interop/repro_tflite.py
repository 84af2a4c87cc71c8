"""Minimal reproductions of what `make interop` found in TFLite (ai-edge-litert), one QUANTIZE
op float32 -> int8 built with the schema that ai-edge-litert ships (no TensorFlow needed).
Run in the interop virtual environment:

  build/interop/venv/bin/python tools/interop/repro_tflite.py

1. The optimized kernel's result depends on the element's position: x = 0.625, S = 0.25
   (x/S = 2.5) gives 2 in every full block of 8 and 3 in the remainder.
2. The reference kernel maps +inf to -128 (static_cast<int32_t> of an infinite TfLiteRound).
3. With the default XNNPACK delegate, a QUANTIZE whose scale is 0 kills the process (SIGSEGV);
   run in a child process here.
"""
import os
import sys

import numpy as np
from ai_edge_litert import interpreter as litert

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backend_litert as bl  # noqa: E402


def quantize(n, x, scale, resolver):
    mb = bl.ModelBuilder()
    bl.REPEAT = n
    bl.quantize_one(mb, None, ("int8", scale, 0))
    return bl.run_model(mb.build(), [np.full([n], x, dtype=np.float32)], resolver)[0].tolist()


def main():
    optimized = litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    reference = litert.OpResolverType.BUILTIN_REF
    out = quantize(10, 0.625, 0.25, optimized)
    print("1. optimized QUANTIZE of ten copies of 0.625 with S = 0.25:", out)
    print("   reference QUANTIZE of the same:                          ", quantize(10, 0.625, 0.25, reference))
    print("2. reference QUANTIZE of +inf with S = 0.5:", quantize(1, float("inf"), 0.5, reference),
          "(qmax is 127)")
    pid = os.fork()
    if pid == 0:
        quantize(1, 1.0, 0.0, litert.OpResolverType.BUILTIN)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("3. QUANTIZE with S = 0 under the default XNNPACK delegate:",
          "killed by signal %d" % os.WTERMSIG(status) if os.WIFSIGNALED(status) else "exit %d" % os.WEXITSTATUS(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
