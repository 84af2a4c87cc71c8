#!/usr/bin/python3
"""Writes a small heavy-tailed calibration set: activations.npy, shape [16, 256], float32.

Fixed seed (numpy PCG64, seed 20261201): Student-t with 3 degrees of freedom, scaled by 0.5,
so most values are within +-2 and a few reach beyond +-10 -- where min/max and max-of-abs
spend most of the grid on outliers and percentile clips them (SPEC.md Q18).
Usage: /usr/bin/python3 make_calibration_example.py OUT.npy
"""
import sys

import numpy as np

rng = np.random.default_rng(20261201)
activations = (0.5 * rng.standard_t(3, size=(16, 256))).astype("<f4")
np.save(sys.argv[1] if len(sys.argv) > 1 else "activations.npy", activations)
