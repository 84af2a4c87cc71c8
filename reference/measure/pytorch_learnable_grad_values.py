#!/usr/bin/python3
"""SPEC.md Q16.2: PyTorch's learnable fake-quantization backward on single elements.

Run with Debian's interpreter (python3-torch 1.13):
  ATEN_CPU_CAPABILITY=default /usr/bin/python3 pytorch_learnable_grad_values.py
  /usr/bin/python3 pytorch_learnable_grad_values.py        # the CPU's best kernels (FMA)
Prints one C++ initializer per case for reference/tests/test_fake_quant_grad.cc:
  {x, dy, scale, zero_point, qmin, qmax, grad_factor, per_channel, dx, dscale, dzero_point}
as hex floats. One element per call, so dS and dZ are single terms (no summation order).
"""
import os
import struct

import torch

CASES = [
    # x, dy, S, Zf, qmin, qmax, grad_factor
    (0.3, 1.0, 0.1, 0.0, -128, 127, 1.0),
    (0.05, 1.0, 0.1, 2.5, -128, 127, 1.0),     # Zf = 2.5: backward Z = trunc(3.0) = 3, forward 2
    (0.05, 1.0, 0.1, -1.2, -128, 127, 1.0),    # backward trunc(-0.7) = 0, forward -1
    (12.75, 0.5, 0.1, 0.0, -128, 127, 1.0),    # above (127.5 -> 128)
    (-20.0, 2.0, 0.1, 3.0, -128, 127, 0.25),   # below
    (1.3125, -1.5, 0.125, 1.0, 0, 255, 1.0),   # dyadic: inside, exact everywhere
    (0.0625, 1.0, 0.125, 0.0, -128, 127, 1.0), # x/S = 0.5: tie, half even -> 0
    (float("inf"), 1.0, 0.1, 0.0, -128, 127, 1.0),
    (float("nan"), 1.0, 0.1, 0.0, -128, 127, 1.0),
    (1e30, 1.0, 0.1, 0.0, -128, 127, 1.0),
    (float.fromhex("0x1.cf20c8p+4"), 1.0, float.fromhex("0x1.064d78p-1"), -60.0, -128, 127, 1.0),
]


def hexf(v):
    v = struct.unpack("f", struct.pack("f", float(v)))[0]  # the binary32 value torch holds
    if v != v:
        return "NAN"
    if v in (float("inf"), float("-inf")):
        return ("-" if v < 0 else "") + "INFINITY"
    return float.hex(v) + "f"


def run(case, per_channel):
    x, dy, s, zf, qmin, qmax, gf = case
    xt = torch.tensor([x], dtype=torch.float32, requires_grad=True)
    st = torch.tensor([s], dtype=torch.float32, requires_grad=True)
    zt = torch.tensor([zf], dtype=torch.float32, requires_grad=True)
    if per_channel:
        x2 = xt.reshape(1, 1)  # 1-D per-channel input fails in backward (NOTES, session 7)
        y = torch._fake_quantize_learnable_per_channel_affine(x2, st, zt, 1, qmin, qmax, gf)
    else:
        y = torch._fake_quantize_learnable_per_tensor_affine(xt, st, zt, qmin, qmax, gf)
    y.backward(torch.tensor([dy], dtype=torch.float32).reshape(y.shape))
    return xt.grad.item(), st.grad.item(), zt.grad.item()


print("// torch", torch.__version__, "ATEN_CPU_CAPABILITY =", os.environ.get("ATEN_CPU_CAPABILITY", "(unset)"))
for per_channel in (False, True):
    for case in CASES:
        dx, ds, dz = run(case, per_channel)
        x, dy, s, zf, qmin, qmax, gf = case
        cells = [hexf(x), hexf(dy), hexf(s), hexf(zf), str(qmin), str(qmax), hexf(gf),
                 "true" if per_channel else "false", hexf(dx), hexf(ds), hexf(dz)]
        print("{" + ", ".join(cells) + "},")
