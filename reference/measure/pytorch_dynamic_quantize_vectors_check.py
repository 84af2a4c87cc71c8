#!/usr/bin/python3
"""SPEC.md Q17.5: run the DynamicQuantizePytorchTest vectors (vectors/dynamic_quantize.json)
through torch.quantize_per_tensor_dynamic(x, torch.quint8, reduce_range) and compare bit for
bit: q_scale() (binary64) with q_scale, fl32(q_scale()) with scale, q_zero_point() with
zero_point and int_repr() with q.

The onednn engine honours reduce_range and is the engine the vectors follow (both groups).
qnnpack forces reduce_range off (Q17.5): it is run on the reduce_range = false group as a
second check, and on the reduce_range = true group only to count how many tests that
difference changes (information, not a failure).
Invalid tests are run too and reported as rejected or accepted by torch (information only).

  /usr/bin/python3 reference/measure/pytorch_dynamic_quantize_vectors_check.py [--vectors FILE]
Exits 1 on any mismatch of a valid test on onednn, or of the reduce_range = false group on
qnnpack.
"""
import argparse
import json
import pathlib
import struct
import sys

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--vectors", default=str(pathlib.Path(__file__).resolve().parents[2] / "vectors" / "dynamic_quantize.json"))
args = parser.parse_args()
doc = json.loads(pathlib.Path(args.vectors).read_text())


def binary(text):
    return float(text) if text in ("inf", "-inf", "nan") else float.fromhex(text)


def fl32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def run(x, reduce_range, engine):
    torch.backends.quantized.engine = engine
    t = torch.tensor([binary(v) for v in x], dtype=torch.float32)
    q = torch.quantize_per_tensor_dynamic(t, torch.quint8, reduce_range)
    return q.q_scale(), q.q_zero_point(), q.int_repr().tolist()


def problems_of(test, scale, zero_point, q):
    exp = test["expected"]
    out = []
    if struct.pack("<d", scale) != struct.pack("<d", binary(exp["q_scale"])):
        out.append(f"q_scale torch {scale.hex()} vectors {exp['q_scale']}")
    if struct.pack("<f", fl32(scale)) != struct.pack("<f", binary(exp["scale"])):
        out.append(f"scale torch fl32 {fl32(scale).hex()} vectors {exp['scale']}")
    if zero_point != exp["zero_point"]:
        out.append(f"zero_point torch {zero_point} vectors {exp['zero_point']}")
    if q != [int(v) for v in exp["q"]]:
        out.append(f"q torch {q} vectors {exp['q']}")
    return out


failed = False
for engine in ("onednn", "qnnpack"):
    for group in doc["testGroups"]:
        if group["type"] != "DynamicQuantizePytorchTest":
            continue
        reduce_range = group["params"]["reduce_range"]
        counts_fail = engine == "onednn" or not reduce_range
        checked = mismatches = 0
        for test in group["tests"]:
            x = test["inputs"]["x"]
            if test["result"] != "valid":
                if engine == "onednn":
                    try:
                        s, z, _ = run(x, reduce_range, engine)
                        verdict = f"accepted by torch (q_scale {s}, Z {z})"
                    except Exception as e:  # torch's own checks
                        verdict = f"rejected by torch ({type(e).__name__})"
                    print(f"  tcId {test['tcId']} invalid ({test['expected']['error']}): {verdict}")
                continue
            checked += 1
            problems = problems_of(test, *run(x, reduce_range, engine))
            if problems:
                mismatches += 1
                if counts_fail:
                    print(f"  tcId {test['tcId']} ({test['comment']}): " + "; ".join(problems))
        note = "" if counts_fail else " (qnnpack ignores reduce_range: information only)"
        print(f"{engine} reduce_range={reduce_range}: {checked} valid tests, {mismatches} mismatches{note}")
        failed = failed or (counts_fail and mismatches > 0)
print(f"torch {torch.__version__}")
sys.exit(1 if failed else 0)
