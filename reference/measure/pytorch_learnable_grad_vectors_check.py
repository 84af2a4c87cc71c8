#!/usr/bin/python3
"""SPEC.md Q16.2: run the FakeQuantLearnableGradTest vectors (vectors/fake_quant.json) through
PyTorch's own learnable fake quantization and compare every gradient exactly: per tensor
(_fake_quantize_learnable_per_tensor_affine) and, for the groups with params.per_channel, per
channel (_fake_quantize_learnable_per_channel_affine on a (1, 1) tensor, axis 1: a 1-D
per-channel input fails in PyTorch's backward).

  ATEN_CPU_CAPABILITY=default /usr/bin/python3 pytorch_learnable_grad_vectors_check.py  # cpu_build default
  /usr/bin/python3 pytorch_learnable_grad_vectors_check.py                              # cpu_build fma
Prints each mismatch and a summary; exits 1 on any mismatch.
"""
import json
import os
import pathlib
import sys
from fractions import Fraction

import torch

build = "default" if os.environ.get("ATEN_CPU_CAPABILITY") == "default" else "fma"
path = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "fake_quant.json"
doc = json.loads(path.read_text())


def binary32(text):
    return float(text) if text in ("inf", "-inf", "nan") else float.fromhex(text)


checked = {False: 0, True: 0}
mismatches = {False: 0, True: 0}
for group in doc["testGroups"]:
    if group["type"] != "FakeQuantLearnableGradTest" or group["variant"].get("cpu_build") != build:
        continue
    qmin, qmax = group["params"]["qmin"], group["params"]["qmax"]
    per_channel = group["params"].get("per_channel", False)
    for test in group["tests"]:
        if test["result"] != "valid":
            continue
        ins = test["inputs"]
        x, s, z = (torch.tensor([binary32(ins[k])], dtype=torch.float32, requires_grad=True)
                   for k in ("x", "scale", "zero_point_float"))
        grad_factor = binary32(ins["grad_factor"])
        if per_channel:
            y = torch._fake_quantize_learnable_per_channel_affine(x.reshape(1, 1), s, z, 1, qmin,
                                                                   qmax, grad_factor)
        else:
            y = torch._fake_quantize_learnable_per_tensor_affine(x, s, z, qmin, qmax, grad_factor)
        y.backward(torch.tensor([binary32(ins["dy"])], dtype=torch.float32).reshape(y.shape))
        got = [Fraction(v.grad.item()) for v in (x, s, z)]
        expected = [Fraction(test["expected"][k]) for k in ("grad_x", "grad_scale", "grad_zero_point")]
        checked[per_channel] += 1
        if got != expected:
            mismatches[per_channel] += 1
            print(f"tcId {test['tcId']} ({test['comment']}): torch {[str(v) for v in got]}, "
                  f"vectors {[str(v) for v in expected]}")
for per_channel, name in ((False, "per tensor"), (True, "per channel")):
    print(f"cpu_build {build}, {name}: {checked[per_channel]} tests, "
          f"{mismatches[per_channel]} mismatches (torch {torch.__version__})")
sys.exit(1 if any(mismatches.values()) else 0)
