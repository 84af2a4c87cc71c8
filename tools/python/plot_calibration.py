#!/usr/bin/python3
"""Draws what `quantspec explain linear --calibrate ... --json` measured (SPEC.md Q19.7), with
matplotlib: left, a 200-bin histogram of the calibration inputs (the --calibrate .npy) with
each observer's clipping range of x; right, each observer's mean and max absolute error of the
quantized layer against the exact float layer, and its SQNR.

Usage: /usr/bin/python3 plot_calibration.py CALIBRATION.npy EXPLAIN.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    data_path, explain_path, out = sys.argv[1:4]
    data = np.load(data_path).ravel()
    explained = json.load(open(explain_path))
    observers = explained["observers"]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    left.hist(data, bins=200, color="0.6", label="calibration x")
    left.set_yscale("log")
    for k, o in enumerate(observers):
        lo, hi = float.fromhex(o["x"]["min"]), float.fromhex(o["x"]["max"])
        colour = colours[k % len(colours)]
        left.axvline(lo, color=colour, linestyle="--", linewidth=1.2)
        left.axvline(hi, color=colour, linestyle="--", linewidth=1.2, label=o["observer"])
    left.set_xlabel("x")
    left.set_ylabel("count (log)")
    left.set_title("calibration inputs and each observer's clipping range of x")
    left.legend(fontsize=8, loc="upper right")

    names = [o["observer"] for o in observers]
    positions = range(len(names))
    mean = [o["mean_abs_error"] for o in observers]
    worst = [o["max_abs_error"] for o in observers]
    right.bar([p - 0.2 for p in positions], mean, width=0.4, label="mean |error|")
    right.bar([p + 0.2 for p in positions], worst, width=0.4, label="max |error|")
    right.set_yscale("log")
    right.set_xticks(list(positions))
    right.set_xticklabels(
        [f"{n}\nSQNR {o['sqnr_db']:.1f} dB" if not isinstance(o["sqnr_db"], str) else n
         for n, o in zip(names, observers)], fontsize=8)
    right.set_ylabel("absolute error of the int8 layer (log)")
    right.set_title(f"{explained['evaluation_rows']} evaluation rows, "
                    f"{explained['in_features']} -> {explained['out_features']}")
    right.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(out, dpi=90)


if __name__ == "__main__":
    main()
