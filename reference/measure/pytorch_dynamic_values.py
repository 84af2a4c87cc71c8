#!/usr/bin/python3
"""Run PyTorch's dynamic quantization (Debian python3-torch 1.13) on the inputs that
reference/tests/test_dynamic.cc checks (SPEC.md Q17.5, Q17.6), and print the values the tests hard-code. Not part of the test run (torch is not a
build dependency); rerun with /usr/bin/python3 to re-check the cited values."""
import torch

def hexf(v):
    return float(v).hex()

def f32(v):
    return torch.tensor(v, dtype=torch.float32)

def dynamic(xs, reduce_range, engine):
    torch.backends.quantized.engine = engine
    q = torch.quantize_per_tensor_dynamic(f32(xs), torch.quint8, reduce_range)
    return q.q_scale(), q.q_zero_point(), q.int_repr().tolist()

print("engines", torch.backends.quantized.supported_engines, torch.__version__)
PARAM_CASES = {
    "mixed": [-1.0, 0.5, 2.0],
    "small_min0": [0.0, 1e-3],
    "small_max0": [-1e-3, 0.0],
    "small_both": [-1e-3, 2e-3],
    "all_zero": [0.0, 0.0, 0.0],
    "tie": [-2.5, 252.5, 0.5],
    "constant": [3.0, 3.0],
    "reduce_range_128": [-0.25, 0.75, 0.7490196228027344],
}
for name, xs in PARAM_CASES.items():
    for engine in ("onednn", "qnnpack"):
        for rr in (False, True):
            s, z, q = dynamic(xs, rr, engine)
            print(f"param {name} {engine} rr={int(rr)} scale={s!r} ({hexf(s)}) f32={hexf(torch.tensor(s, dtype=torch.float32).item())} Z={z} q={q}")

def structured_linear(m, k, n):
    # exact binary32 inputs and int8 weights from formulas the C++ test repeats
    x = [[((c * 37 + i * 11) % 255 - 100) / 8.0 for c in range(k)] for i in range(m)]
    w = [[((c * 13 + j * 7) % 255) - 127 for c in range(k)] for j in range(n)]
    return x, w

def linear(x, w, w_scales, bias, engine, reduce_range=None):
    torch.backends.quantized.engine = engine
    n, k = len(w), len(w[0])
    wi = torch.tensor(w, dtype=torch.int8)
    if len(w_scales) == 1:
        wq = torch._make_per_tensor_quantized_tensor(wi, w_scales[0], 0)
    else:
        wq = torch._make_per_channel_quantized_tensor(
            wi, torch.tensor(w_scales, dtype=torch.float64), torch.zeros(n, dtype=torch.long), 0)
    mod = torch.ao.nn.quantized.dynamic.Linear(k, n, dtype=torch.qint8)
    mod.set_weight_bias(wq, None if bias is None else f32(bias))
    xt = f32(x)
    if reduce_range is None:
        return mod(xt)
    return torch.ops.quantized.linear_dynamic(xt, mod._packed_params._packed_params, reduce_range)

small_x = [[-1.0, 0.5, 2.0, 0.25, -0.75], [1.5, -2.0, 0.0, 0.125, 1.0], [0.3, -0.1, 0.7, -1.3, 0.9]]
small_w = [[1, -2, 3, -4, 5], [127, -128, 0, 64, -64], [-7, 7, -7, 7, -7], [10, 20, 30, 40, 50]]
for label, scales in (("per_tensor", [0.015625]), ("per_channel", [0.015625, 0.0078125, 0.1, 0.003])):
    ws = [float(torch.tensor(s, dtype=torch.float32).item()) for s in scales]
    out = linear(small_x, small_w, ws, [0.5, -0.25, 0.1, 0.0], "qnnpack")
    print("linear small", label, [[hexf(v) for v in row] for row in out.tolist()])
out = linear(small_x, small_w, [0.015625], None, "qnnpack")
print("linear small no_bias", [[hexf(v) for v in row] for row in out.tolist()])
out = linear(small_x, small_w, [0.015625], [0.5, -0.25, 0.1, 0.0], "qnnpack", reduce_range=True)
print("linear small per_tensor qnnpack reduce_range=True", [[hexf(v) for v in row] for row in out.tolist()])

x, w = structured_linear(2, 4096, 3)
out = linear(x, w, [0.00390625, 0.0123, 0.5], [1.0, -2.0, 0.1], "qnnpack")
print("linear structured 2x4096x3", [[hexf(v) for v in row] for row in out.tolist()])
s, z, _ = dynamic(sum(x, []), False, "qnnpack")
print("structured x params", repr(s), z)
