#!/usr/bin/env python3
"""SPEC.md Q16.3 (Args op): run the FakeQuantTfArgsGradTest vectors (vectors/fake_quant.json)
through TensorFlow's FakeQuantWithMinMaxArgsGradient (tf.raw_ops; min, max, num_bits and
narrow_range are attributes) and compare dL/dx bit for bit (signs of zeros included; every NaN
counts as the same value). Invalid tests are run too and reported as rejected or accepted by
TensorFlow (information only).

  /work/venv-tf/bin/python reference/measure/tensorflow_args_grad_vectors_check.py [--vectors FILE]
Exits 1 on any mismatch of a valid test.
"""
import argparse
import json
import math
import os
import pathlib
import struct
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--vectors", default=str(pathlib.Path(__file__).resolve().parents[2] / "vectors" / "fake_quant.json"))
args = parser.parse_args()
doc = json.loads(pathlib.Path(args.vectors).read_text())


def binary32(text):
    return float(text) if text in ("inf", "-inf", "nan") else float.fromhex(text)


def bits(value):
    return b"nan" if math.isnan(value) else struct.pack("<f", value)


def run(ins):
    r = tf.raw_ops.FakeQuantWithMinMaxArgsGradient(
        gradients=np.array([binary32(v) for v in ins["dys"]], np.float32),
        inputs=np.array([binary32(v) for v in ins["xs"]], np.float32),
        min=binary32(ins["min"]), max=binary32(ins["max"]),
        num_bits=ins["num_bits"], narrow_range=ins["narrow_range"])
    return [float(v) for v in r.numpy()]


checked = mismatches = 0
for group in doc["testGroups"]:
    if group["type"] != "FakeQuantTfArgsGradTest":
        continue
    for test in group["tests"]:
        ins = test["inputs"]
        if test["result"] != "valid":
            try:
                dx = run(ins)
                verdict = f"accepted by tensorflow (dx {[v.hex() for v in dx]})"
            except Exception as e:  # TensorFlow's own checks
                verdict = f"rejected by tensorflow ({type(e).__name__})"
            print(f"tcId {test['tcId']} invalid ({test['expected']['error']}): {verdict}")
            continue
        dx = run(ins)
        expected = [binary32(v) for v in test["expected"]["grad_xs"]]
        checked += 1
        if [bits(v) for v in dx] != [bits(v) for v in expected]:
            mismatches += 1
            print(f"tcId {test['tcId']} ({test['comment']}): tensorflow {[v.hex() for v in dx]}; "
                  f"vectors {test['expected']['grad_xs']}")
print(f"{checked} valid tests, {mismatches} mismatches (tensorflow {tf.__version__})")
sys.exit(1 if mismatches else 0)
