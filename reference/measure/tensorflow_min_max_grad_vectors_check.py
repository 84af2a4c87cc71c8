#!/usr/bin/env python3
"""SPEC.md Q16.3: run the FakeQuantTfGradTest and FakeQuantTfPerChannelGradTest vectors (vectors/fake_quant.json) through
TensorFlow's FakeQuantWithMinMaxVarsGradient and compare dL/dx bit for bit (signs of zeros
included) and the min/max gradients exactly. The vectors hold exact sums; a test flagged
inexact_binary32_sum is expected to differ (TensorFlow sums in binary32) and is reported apart.

  /work/venv-tf/bin/python reference/measure/tensorflow_min_max_grad_vectors_check.py
Exits 1 on any mismatch outside the inexact_binary32_sum tests.
"""
import json
import pathlib
import struct
import sys
from fractions import Fraction

import numpy as np
import tensorflow as tf

path = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "fake_quant.json"
doc = json.loads(path.read_text())


def binary32(text):
    return float(text) if text in ("inf", "-inf", "nan") else float.fromhex(text)


def bits(value):
    return struct.pack("<f", value)


checked = mismatches = inexact_differ = 0
for group in doc["testGroups"]:
    if group["type"] != "FakeQuantTfGradTest":
        continue
    for test in group["tests"]:
        if test["result"] != "valid":
            continue
        ins = test["inputs"]
        r = tf.raw_ops.FakeQuantWithMinMaxVarsGradient(
            gradients=np.array([binary32(v) for v in ins["dys"]], np.float32),
            inputs=np.array([binary32(v) for v in ins["xs"]], np.float32),
            min=tf.constant(binary32(ins["min"]), tf.float32),
            max=tf.constant(binary32(ins["max"]), tf.float32),
            num_bits=ins["num_bits"], narrow_range=ins["narrow_range"])
        dx = [float(v) for v in r[0].numpy()]
        expected_dx = [binary32(v) for v in test["expected"]["grad_xs"]]
        sums = [Fraction(float(r[1].numpy())), Fraction(float(r[2].numpy()))]
        expected_sums = [Fraction(test["expected"][k]) for k in ("grad_min", "grad_max")]
        checked += 1
        same_dx = [bits(a) for a in dx] == [bits(b) for b in expected_dx]
        if same_dx and sums == expected_sums:
            continue
        if same_dx and "inexact_binary32_sum" in test["flags"]:
            inexact_differ += 1
            print(f"tcId {test['tcId']} (inexact_binary32_sum, expected): tensorflow sums "
                  f"{[str(v) for v in sums]}, exact {[str(v) for v in expected_sums]}")
            continue
        mismatches += 1
        print(f"tcId {test['tcId']} ({test['comment']}): tensorflow dx {[v.hex() for v in dx]} "
              f"sums {[str(v) for v in sums]}; vectors {test['expected']}")
# Per channel: xs is [b, d] row-major, d = len(mins); every channel sum is a binary32.
for group in doc["testGroups"]:
    if group["type"] != "FakeQuantTfPerChannelGradTest":
        continue
    for test in group["tests"]:
        if test["result"] != "valid":
            continue
        ins = test["inputs"]
        depth = len(ins["mins"])
        as_matrix = lambda key: np.array([binary32(v) for v in ins[key]], np.float32).reshape(-1, depth)
        r = tf.raw_ops.FakeQuantWithMinMaxVarsPerChannelGradient(
            gradients=as_matrix("dys"), inputs=as_matrix("xs"),
            min=np.array([binary32(v) for v in ins["mins"]], np.float32),
            max=np.array([binary32(v) for v in ins["maxs"]], np.float32),
            num_bits=group["params"]["num_bits"], narrow_range=group["params"]["narrow_range"])
        got = [[float(v) for v in r[i].numpy().reshape(-1)] for i in range(3)]
        expected = [[binary32(v) for v in test["expected"][k]] for k in ("grad_xs", "grad_mins", "grad_maxs")]
        checked += 1
        if [[bits(v) for v in a] for a in got] != [[bits(v) for v in a] for a in expected]:
            mismatches += 1
            print(f"tcId {test['tcId']} ({test['comment']}): tensorflow {[[v.hex() for v in a] for a in got]}; "
                  f"vectors {test['expected']}")
print(f"{checked} tests, {mismatches} mismatches, {inexact_differ} inexact sums differ "
      f"(tensorflow {tf.__version__})")
sys.exit(1 if mismatches else 0)
