#!/usr/bin/python3
"""SPEC.md Q14.3: which binary32 operation order does PyTorch 1.13 fusion use?

Runs torch.nn.utils.fusion.fuse_{conv,linear}_bn_weights on 2000 random 8-channel layers
and compares with numpy binary32 arithmetic in the order of Q14.3, once with eps rounded to
binary32 first and once with eps added in binary64. Prints the number of calls (of 2000
per layer kind) whose result differs in any bit: {linear: [eps_f32, eps_f64], conv: [...]}.
Run with /usr/bin/python3 (Debian python3-torch).
"""
import numpy as np, torch
from torch.nn.utils.fusion import fuse_conv_bn_weights, fuse_linear_bn_weights
rng = np.random.default_rng(1)
f32 = np.float32
def model(W, B, mu, var, eps, g, beta, linear, eps_f32=True):
    e = f32(eps) if eps_f32 else eps
    s = (var + e).astype(f32) if eps_f32 else (var.astype(np.float64) + eps).astype(f32)
    r = (f32(1) / np.sqrt(s)).astype(f32)
    if linear:
        sc = g * r
        return W * sc[:, None], (B - mu) * sc + beta
    return W * (g * r)[:, None, None, None], ((B - mu) * r) * g + beta
bad = {True: [0,0], False: [0,0]}
for trial in range(2000):
    C = 8
    var = (rng.random(C) * 10.0 ** rng.integers(-9, 3, C)).astype(f32)
    g = rng.normal(size=C).astype(f32); beta = rng.normal(size=C).astype(f32)
    mu = rng.normal(size=C).astype(f32); B = rng.normal(size=C).astype(f32)
    eps = float(10.0 ** rng.integers(-8, -2))
    for linear in (True, False):
        W = rng.normal(size=(C, 3) if linear else (C, 2, 3, 3)).astype(f32)
        tw = [torch.from_numpy(a) for a in (W, B, mu, var, g, beta)]
        if linear:
            fw, fb = fuse_linear_bn_weights(tw[0], tw[1], tw[2], tw[3], eps, tw[4], tw[5])
        else:
            fw, fb = fuse_conv_bn_weights(tw[0], tw[1], tw[2], tw[3], eps, tw[4], tw[5])
        fw = fw.detach().numpy(); fb = fb.detach().numpy()
        for k, ef in enumerate((True, False)):
            mw, mb = model(W, B, mu, var, eps, g, beta, linear, ef)
            if not (np.array_equal(mw.view(np.uint32), fw.view(np.uint32)) and np.array_equal(mb.view(np.uint32), fb.view(np.uint32))):
                bad[linear][k] += 1
print({"linear": bad[True], "conv2d": bad[False]})
