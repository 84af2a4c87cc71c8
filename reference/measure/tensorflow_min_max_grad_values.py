#!/usr/bin/env python3
"""SPEC.md Q16.3: measures TensorFlow's FakeQuantWithMinMaxVarsGradient and
FakeQuantWithMinMaxVarsPerChannelGradient on the cases of reference/tests/test_fake_quant_tf_grad.cc
and prints them as hex floats (dx per element, then d_min / d_max per channel).

Run with a TensorFlow install (here: tensorflow-cpu 2.21.0 from PyPI in /work/venv-tf):
    /work/venv-tf/bin/python reference/measure/tensorflow_min_max_grad_values.py
The last block probes the summation order of d_min: TensorFlow's binary32 sum against a
left-to-right binary32 sum of the same terms.
"""
import numpy as np
import tensorflow as tf

INF, NAN = float("inf"), float("nan")


def hexes(values):
    return " ".join(float(v).hex() for v in np.asarray(values, dtype=np.float32).reshape(-1))


def per_tensor(name, x, dy, lo, hi, num_bits=8, narrow_range=False):
    r = tf.raw_ops.FakeQuantWithMinMaxVarsGradient(
        gradients=tf.constant(dy, tf.float32), inputs=tf.constant(x, tf.float32),
        min=tf.constant(lo, tf.float32), max=tf.constant(hi, tf.float32),
        num_bits=num_bits, narrow_range=narrow_range)
    print(f"{name}: dx {hexes(r[0])} | d_min {hexes(r[1])} | d_max {hexes(r[2])}")


def per_channel(name, x, dy, lo, hi, num_bits=8, narrow_range=False):
    r = tf.raw_ops.FakeQuantWithMinMaxVarsPerChannelGradient(
        gradients=tf.constant(dy, tf.float32), inputs=tf.constant(x, tf.float32),
        min=tf.constant(lo, tf.float32), max=tf.constant(hi, tf.float32),
        num_bits=num_bits, narrow_range=narrow_range)
    print(f"{name}: dx {hexes(r[0])} | d_min {hexes(r[1])} | d_max {hexes(r[2])}")


print("tensorflow", tf.__version__)
per_tensor("boundaries", [-20.0, 12.75, 0.3, NAN, INF, -INF, -12.8, 12.7],
           [1.0, -2.0, 3.0, 4.0, -0.5, 5.0, 0.25, -0.75], -12.8, 12.7)
per_tensor("min_above_zero", [-0.5, 0.0, 1.0, 10.0], [1.0, 2.0, 4.0, 8.0], 2.0, 10.0)
per_tensor("all_zero", [-1.0, 0.0, 3.0], [1.5, -2.0, 0.5], 0.0, 0.0)
per_tensor("narrow_4bit", [-1.2, -1.0, 0.99, 1.1], [1.0, 2.0, 4.0, 8.0], -1.0, 1.0,
           num_bits=4, narrow_range=True)
per_channel("per_channel", [[-2.0, 0.75], [0.5, 3.0], [-0.25, -1.0]],
            [[1.0, 2.0], [4.0, 8.0], [16.0, 32.0]], [-1.0, 0.5], [1.0, 2.0])

# The forward on the special inputs (SPEC Q15.4's NaN choice): FakeQuantWithMinMaxVars.
forward = tf.raw_ops.FakeQuantWithMinMaxVars(
    inputs=tf.constant([NAN, INF, -INF, 0.3], tf.float32), min=tf.constant(-12.8),
    max=tf.constant(12.7))
print(f"forward nan, inf, -inf, 0.3: {hexes(forward)}")

rng = np.random.default_rng(1)
for n in (8, 16, 1000):
    dy = (rng.standard_normal(n) * np.exp2(rng.integers(-12, 12, n))).astype(np.float32)
    r = tf.raw_ops.FakeQuantWithMinMaxVarsGradient(
        gradients=dy, inputs=np.full(n, -100.0, np.float32), min=tf.constant(-1.0),
        max=tf.constant(1.0))
    left_to_right = np.float32(0)
    for v in dy:
        left_to_right = np.float32(left_to_right + v)
    tf_sum = np.float32(r[1].numpy())
    print(f"sum order n={n}: tensorflow {float(tf_sum).hex()} left-to-right "
          f"{float(left_to_right).hex()} equal {bool(tf_sum == left_to_right)}")
