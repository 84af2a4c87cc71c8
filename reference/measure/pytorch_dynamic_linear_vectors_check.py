#!/usr/bin/python3
"""SPEC.md Q17.6: run the DynamicLinearTest vectors (vectors/dynamic_linear.json) through
PyTorch's dynamic quantized Linear on the qnnpack engine and compare bit for bit: the output y
(torch.ao.nn.quantized.dynamic.Linear) and the activation's run-time scale and zero point
(torch.quantize_per_tensor_dynamic on the same engine). acc is not observable in torch.
Invalid tests are run too and reported as rejected or accepted by torch (information only:
the reference rejects some inputs torch only checks later or not at all).

  /usr/bin/python3 reference/measure/pytorch_dynamic_linear_vectors_check.py
Exits 1 on any mismatch of a valid test.
"""
import json
import pathlib
import struct
import sys

import torch

torch.backends.quantized.engine = "qnnpack"
path = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "dynamic_linear.json"
doc = json.loads(path.read_text())


def binary32(text):
    return float(text) if text in ("inf", "-inf", "nan") else float.fromhex(text)


def bits(value):
    return struct.pack("<f", value)


def run(ins):
    m, k, n = ins["m"], ins["k"], ins["n"]
    x = torch.tensor([binary32(v) for v in ins["x"]], dtype=torch.float32).reshape(m, k)
    w = torch.tensor(ins["w"], dtype=torch.int8).reshape(n, k)
    scales = [binary32(v) for v in ins["weight_scales"]]
    if len(scales) == 1:
        wq = torch._make_per_tensor_quantized_tensor(w, scales[0], 0)
    else:
        wq = torch._make_per_channel_quantized_tensor(
            w, torch.tensor(scales, dtype=torch.float64), torch.zeros(len(scales), dtype=torch.long), 0)
    bias = None
    if "bias" in ins:
        bias = torch.tensor([binary32(v) for v in ins["bias"]], dtype=torch.float32)
    layer = torch.ao.nn.quantized.dynamic.Linear(k, n, dtype=torch.qint8)
    layer.set_weight_bias(wq, bias)
    y = layer(x).reshape(-1).tolist()
    xq = torch.quantize_per_tensor_dynamic(x, torch.quint8, False)
    return y, xq.q_scale(), xq.q_zero_point()


checked = mismatches = 0
for group in doc["testGroups"]:
    for test in group["tests"]:
        ins = test["inputs"]
        if test["result"] != "valid":
            try:
                run(ins)
                verdict = "accepted by torch"
            except Exception as e:  # torch's own checks: RuntimeError, ValueError, ...
                verdict = f"rejected by torch ({type(e).__name__})"
            print(f"tcId {test['tcId']} invalid ({test['expected']['error']}): {verdict}")
            continue
        y, scale, zero_point = run(ins)
        expected_y = [binary32(v) for v in test["expected"]["y"]]
        expected_scale = binary32(test["expected"]["x_scale"])
        checked += 1
        problems = []
        if [bits(v) for v in y] != [bits(v) for v in expected_y]:
            problems.append(f"y torch {[v.hex() for v in y]} vectors {test['expected']['y']}")
        if bits(scale) != bits(expected_scale):
            problems.append(f"x_scale torch fl32 {float(torch.tensor(scale, dtype=torch.float32)).hex()}")
        if zero_point != test["expected"]["x_zero_point"]:
            problems.append(f"x_zero_point torch {zero_point}")
        if problems:
            mismatches += 1
            print(f"tcId {test['tcId']} ({test['comment']}): " + "; ".join(problems))
print(f"{checked} valid tests, {mismatches} mismatches (torch {torch.__version__}, qnnpack)")
sys.exit(1 if mismatches else 0)
