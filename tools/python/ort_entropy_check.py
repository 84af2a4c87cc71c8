#!/usr/bin/python3
"""Compares `quantspec calibrate --observer entropy` (SPEC.md Q19.3-Q19.5) with ONNX Runtime's
own HistogramCollector on fixed-seed data, and prints how often the two ranges are identical.

ORT's calibrate.py imports onnx/onnxruntime model handling that the collector does not use,
and onnxruntime's compiled module may not import against the system numpy; so this script
loads calibrate.py from an unpacked onnxruntime wheel with stub modules for those imports,
and takes smooth_distribution out of quant_utils.py alone. No ORT code is copied here.

Usage (nothing is installed into the system Python):
  pip download --no-deps onnxruntime==1.32.0 -d /tmp/ort && cd /tmp/ort && unzip -q *.whl
  /usr/bin/python3 tools/python/ort_entropy_check.py \\
      /tmp/ort/onnxruntime/quantization build/bin/quantspec [count]
"""
import ast
import contextlib
import importlib.util
import io
import json
import subprocess
import sys
import tempfile
import types

import numpy as np


def load_ort_collector(quantization_dir):
    stub = types.ModuleType("onnxruntime")
    for name in ("GraphOptimizationLevel", "InferenceSession", "SessionOptions"):
        setattr(stub, name, object)
    sys.modules["onnxruntime"] = stub
    import onnx  # noqa: F401  (Debian's python3-onnx; calibrate.py imports it)

    package = types.ModuleType("ortq")
    package.__path__ = [quantization_dir]
    sys.modules["ortq"] = package
    source = open(quantization_dir + "/quant_utils.py").read()
    smooth = [n for n in ast.parse(source).body
              if isinstance(n, ast.FunctionDef) and n.name == "smooth_distribution"]
    utils = types.ModuleType("ortq.quant_utils")
    utils.numpy = np
    exec(compile(ast.Module(body=smooth, type_ignores=[]), "quant_utils.py", "exec"),
         utils.__dict__)
    utils.apply_plot = utils.load_model_with_shape_infer = None
    sys.modules["ortq.quant_utils"] = utils
    spec = importlib.util.spec_from_file_location("ortq.calibrate",
                                                  quantization_dir + "/calibrate.py")
    calibrate = importlib.util.module_from_spec(spec)
    sys.modules["ortq.calibrate"] = calibrate
    spec.loader.exec_module(calibrate)
    return calibrate


def ort_range(calibrate, batches, bins, levels):
    collector = calibrate.HistogramCollector(method="entropy", symmetric=False, num_bins=bins,
                                             num_quantized_bins=levels, percentile=99.99,
                                             scenario="same")
    with contextlib.redirect_stdout(io.StringIO()):
        for batch in batches:
            collector.collect({"t": [batch]})
        histogram = collector.histogram_dict["t"]
        lo, hi = collector.get_entropy_threshold(histogram, levels)
    return float(lo), float(hi)


def data_set(seed):
    """1-3 equal batches of t(3), normal (growing), ReLU-like (growing) or Laplace data."""
    rng = np.random.default_rng(seed)
    batches, n = 1 + seed % 3, int(rng.integers(200, 4000))
    rows = []
    for b in range(batches):
        kind = seed % 4
        if kind == 0:
            x = rng.standard_t(3, size=n)
        elif kind == 1:
            x = rng.standard_normal(n) * (1 + b)
        elif kind == 2:
            x = np.maximum(rng.standard_normal(n), 0) * 5 * (b + 1)
        else:
            x = rng.laplace(size=n) + 0.5
        rows.append(x)
    return np.array(rows, dtype="<f4")


def main():
    quantization_dir, quantspec = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    calibrate = load_ort_collector(quantization_dir)
    same, different = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(count):
            data = data_set(seed)
            path = f"{tmp}/data.npy"
            np.save(path, data)
            lo, hi = ort_range(calibrate, list(data), 2048, 128)
            out = subprocess.run([quantspec, "calibrate", "--data", path, "--observer", "entropy",
                                  "--json"], capture_output=True, text=True, check=True).stdout
            result = json.loads(out)
            ours = (float.fromhex(result["min"]), float.fromhex(result["max"]))
            if ours == (lo, hi):
                same += 1
            else:
                different.append((seed, ours, (lo, hi)))
    print(f"identical ranges: {same} of {count}")
    for seed, ours, theirs in different:
        print(f"seed {seed}: quantspec {ours[0].hex()} {ours[1].hex()}, "
              f"ORT {theirs[0].hex()} {theirs[1].hex()}")


if __name__ == "__main__":
    main()
