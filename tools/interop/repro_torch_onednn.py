#!/usr/bin/python3
"""Minimal reproduction of what `make interop` found in PyTorch 1.13 (Debian python3-torch,
run with /usr/bin/python3), quantized engine onednn:

  /usr/bin/python3 tools/interop/repro_torch_onednn.py

quantized.linear returns the output zero point of an *earlier* call. Two separately packed
1 x 1 linears with the same input scale and zero point and the same combined output scale
Sx*Sw/Sy, differing only in the output zero point Zy (10, then 20), both give 10: ideep's
primitive-descriptor cache key (intel/ideep include/ideep/attributes.hpp attr_t::to_bytes, tag
pytorch-rls-v2.6.0-2: "zero points ... are not encoded so far") leaves the zero points out, so
matmul_forward::do_prepare (include/ideep/operators/matmul.hpp fetch_or_create) reuses the first
call's oneDNN primitive descriptor, whose zero points are fixed at creation. A different row
count (another key) gives the right answer; DNNL_PRIMITIVE_CACHE_CAPACITY=0 does not help (it
is not oneDNN's cache); LRU_CACHE_CAPACITY=1 does not help (the key still matches).
Exit status 1 when the bug is present.
"""
import sys

import torch


def linear(zy, rows=1, sx=0.25, sw=0.125, sy=0.5):
    xq = torch._make_per_tensor_quantized_tensor(torch.full((rows, 1), 100, dtype=torch.uint8), sx, 131)
    wq = torch._make_per_tensor_quantized_tensor(torch.zeros((1, 1), dtype=torch.int8), sw, 0)
    packed = torch.ops.quantized.linear_prepack(wq, torch.zeros(1, dtype=torch.float32))
    return torch.ops.quantized.linear(xq, packed, sy, zy).int_repr()[0, 0].item()


def main():
    if "onednn" not in torch.backends.quantized.supported_engines:
        print("no onednn engine in this torch build")
        return 0
    torch.backends.quantized.engine = "onednn"
    # x - Zx = -31, w = 0, bias 0: y = Zy exactly.
    first = linear(10)
    second = linear(20)
    other_rows = linear(20, rows=2)
    same_scale = linear(30, sx=0.25, sw=0.015625, sy=0.0625)  # 0.25*0.015625/0.0625 = 0.25*0.125/0.5
    print("torch %s, engine onednn: Zy = 10 -> %d; then Zy = 20 -> %d (expected 20); "
          "Zy = 20 with 2 rows -> %d; Zy = 30 with other scales of the same product -> %d (expected 30)"
          % (torch.__version__, first, second, other_rows, same_scale))
    return 1 if (second != 20 or same_scale != 30) else 0


if __name__ == "__main__":
    sys.exit(main())
