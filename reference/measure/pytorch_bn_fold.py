#!/usr/bin/python3
"""SPEC.md Q14.3: run PyTorch's own fusion functions on one-channel layers and print the
results as C++ initializers for reference/tests/bn_fold_pytorch_published.inc.

Run with Debian's interpreter (it sees python3-torch): /usr/bin/python3 pytorch_bn_fold.py
Each line: {layer, w, b, mean, var, gamma, beta, torch_w, torch_b}, eps = 1e-5 (Python float).
"""
import random
import struct

import torch
from torch.nn.utils.fusion import fuse_conv_bn_weights, fuse_linear_bn_weights


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def hexf(x):
    return "-0x0p+0f" if x == 0 and str(x).startswith("-") else float.hex(x) + "f"


def fold(layer, w, b, mean, var, gamma, beta, eps=1e-5):
    t = lambda v: torch.tensor([v], dtype=torch.float32)
    if layer == "conv2d":
        fw, fb = fuse_conv_bn_weights(torch.tensor([[[[w]]]], dtype=torch.float32), t(b), t(mean),
                                      t(var), eps, t(gamma), t(beta))
    else:
        fw, fb = fuse_linear_bn_weights(torch.tensor([[w]], dtype=torch.float32), t(b), t(mean),
                                        t(var), eps, t(gamma), t(beta))
    return fw.detach().reshape(-1)[0].item(), fb.detach()[0].item()


def main():
    rng = random.Random(14)
    cases = []
    for layer in ("conv2d", "linear"):
        cases.append((layer, 0.5, 0.25, f32(0.1), 0.0, 1.0, 0.0))  # var = 0: only eps
        cases.append((layer, -1.5, 2.0, 1.0, 4.0, 0.0, 0.75))     # gamma = 0
        cases.append((layer, 3.0, 1.0, 0.5, 3.75, 1.5, 0.25))     # var + eps not exact
        for _ in range(9):
            cases.append((layer, f32(rng.gauss(0, 0.2)), f32(rng.gauss(0, 0.1)),
                          f32(rng.gauss(0, 0.5)), f32(rng.uniform(0, 3) ** 2),
                          f32(rng.gauss(1, 0.3)), f32(rng.gauss(0, 0.2))))
    for layer, *values in cases:
        tw, tb = fold(layer, *values)
        args = ", ".join(hexf(v) for v in values + [tw, tb])
        print(f"    {{BnFoldLayer::{layer}, {args}}},")


if __name__ == "__main__":
    main()
