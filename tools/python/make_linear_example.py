#!/usr/bin/python3
"""Writes the small fully connected layer of `quantspec explain linear --calibrate` (README):
calibration.npy [256, 16] and evaluation.npy [256, 16] (inputs, heavy-tailed), weights.npy
[8, 16], bias.npy [8], all float32, into the directory given (default: the current one).

Fixed seed (numpy PCG64, seed 20261202). Inputs: Student-t with 3 degrees of freedom times 0.5
(as make_calibration_example.py): most values within +-2, a few beyond +-10, the case where
min/max spends the grid on outliers. Weights: normal with standard deviation 1/4 (1/sqrt(16)),
bias: normal times 0.1.
Usage: /usr/bin/python3 make_linear_example.py [DIR]
"""
import os
import sys

import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "."
rng = np.random.default_rng(20261202)
calibration = (0.5 * rng.standard_t(3, size=(256, 16))).astype("<f4")
evaluation = (0.5 * rng.standard_t(3, size=(256, 16))).astype("<f4")
weights = (0.25 * rng.standard_normal((8, 16))).astype("<f4")
bias = (0.1 * rng.standard_normal(8)).astype("<f4")
for name, array in [("calibration", calibration), ("evaluation", evaluation),
                    ("weights", weights), ("bias", bias)]:
    np.save(os.path.join(out, name + ".npy"), array)
