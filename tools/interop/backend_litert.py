"""TFLite's own kernels (PyPI ai-edge-litert) as a backend for the golden vectors, in the
virtual environment `make interop` makes under build/ (never the system Python):

  build/interop/venv/bin/python backend_litert.py VECTORS_DIR OUT.json

No TensorFlow converter is needed: the tiny int8 models (QUANTIZE, DEQUANTIZE,
FULLY_CONNECTED) are written here with the flatbuffers object API of the TFLite schema that
ai-edge-litert ships (ai_edge_litert/schema_py_generated.py). Each model runs under three op
resolvers: BUILTIN_REF (the reference kernels), BUILTIN_WITHOUT_DEFAULT_DELEGATES (the
optimized kernels) and BUILTIN (with the default XNNPACK delegate, which takes the ops it
supports). One model holds one operator per test of a vectors group (one interpreter per
group, in a forked child); when the model fails to prepare (a scale TFLite rejects) or the
child crashes, every test runs alone in its own child, and a crash is listed as such.

Every operator takes REPEAT copies of its test's input. The optimized QUANTIZE and DEQUANTIZE
run an 8-wide loop over the first VECTOR_LOOP elements and a scalar loop over the rest, with
different arithmetic (SPEC Q11.9, Q3.5), so their results are reported as two operations, one
per element position ("vector loop": element 0, "scalar tail": the last element), each with the
variant its part of the source computes.
"""
import json
import os
import sys

import flatbuffers
import numpy as np
from ai_edge_litert import interpreter as litert
from ai_edge_litert import schema_py_generated as schema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import quantspec_vectors as qv  # noqa: E402

REPEAT = 37
# optimized_ops.h AffineQuantize / Dequantize: `for (; i <= flat_size - 8; i += 8)`, then the scalar loop.
VECTOR_LOOP = REPEAT - REPEAT % 8
NP = {"int8": np.int8, "uint8": np.uint8}
TYPES = {"int8": schema.TensorType.INT8, "uint8": schema.TensorType.UINT8, "float32": schema.TensorType.FLOAT32,
         "int32": schema.TensorType.INT32}
RESOLVERS = [("reference kernels", litert.OpResolverType.BUILTIN_REF),
             ("optimized kernels", litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES),
             ("default XNNPACK delegate", litert.OpResolverType.BUILTIN)]
SRC = "tensorflow/tensorflow tensorflow/lite/kernels/"
# What the optimized int8 FULLY_CONNECTED runs on x86-64 (read for NOTES.md "Session 13: lite13";
# tools/interop/model_tflite_fc.py reproduces every distinguish test with it).
OPTIMIZED_FC_SOURCE = {
    "says": "ruy's AVX / AVX2 / AVX-512 kernel (int8 x int8 -> int8 always goes to ruy on x86): "
            "x = wrap32(acc << max(e, 0)), h = floor((x * m + 2^30) / 2^31), y = h rounded right by "
            "max(-e, 0) with ties toward +inf, + Zy, clamped: SPEC Q11.1 neon_double_round, not "
            "gemmlowp's double_round; (m, e) = QuantizeMultiplier of M = double(float(Sx * Sw)) / "
            "double(Sy) per tensor (the binary32 product), of double(Sx) * double(Sw[c]) / double(Sy) "
            "per channel: the Q20 members pipeline neon_double_round and scale_derivation "
            "f32_product_f64_divide (per tensor)",
    "cite": "google/ruy ruy/kernel_avx512.cc Kernel8bitAvx512 / Kernel8bitAvx512SingleCol, "
            "ruy/kernel_avx2_fma.cc (since ruy dd1102a); google-ai-edge/LiteRT "
            "tflite/kernels/cpu_backend_gemm_x86.h GemmImplX86, tflite/kernels/kernel_util.cc "
            "GetQuantizedConvolutionMultipler (four arguments), tflite/kernels/fully_connected.cc "
            "Prepare (v2.2.0)"}


# What the optimized QUANTIZE and DEQUANTIZE compute at each element position on x86-64 (read in
# google-ai-edge/LiteRT f6745779; USE_NEON is defined on x86 with __SSE4_1__, neon_check.h, and the
# NEON intrinsics are NEON_2_SSE.h's SSE forms).
OPTIMIZED = "google-ai-edge/LiteRT f6745779 tflite/kernels/internal/optimized/optimized_ops.h "
N2S = "intel/ARM_NEON_2_x86_SSE 662a8591 NEON_2_SSE.h"
OPTIMIZED_QUANTIZE = {
    "vector loop": (
        {"division": "f32_reciprocal", "rounding": "half_even"},
        {"says": "the 8-wide loop (elements 0 to 8*floor(n/8) - 1): vdupq_n_f32(1.0f / scale) with a double "
                 "scale, fl32(fl64(1/S)) = fl32(1/S) (SPEC Q11.9); vmulq_f32: fl32(x * fl32(1/S)); "
                 "RoundToNearest = vcvtnq_s32_f32 (__SSSE3__), _mm_cvtps_epi32: ties to even; + Z, clamped "
                 "(SPEC Q11.9 tflite_path neon_vcvtn). Edges: _mm_cvtps_epi32 gives INT32_MIN for NaN, +-inf "
                 "and |t| >= 2^31, vaddq_s32 = _mm_add_epi32 wraps, vmaxq_s32 / vminq_s32 clamp (SPEC Q10.5 "
                 "convert32_then_clamp)",
         "cite": OPTIMIZED + "AffineQuantize<int8_t>, <uint8_t> (the USE_NEON loop), RoundToNearest; "
                 "tflite/kernels/internal/optimized/neon_check.h; tflite/kernels/quantize.cc AffineQuantize"
                 "<kGenericOptimized>; " + N2S + " vcvtnq_s32_f32, vmulq_f32, vaddq_s32, vmaxq_s32, vminq_s32"}),
    "scalar tail": (
        {"division": "exact", "rounding": "half_away"},
        {"says": "the scalar loop (the last n mod 8 elements): static_cast<int32_t>(TfLiteRound(val / scale)) + Z "
                 "with a float val and a double scale: the quotient is fl64(x/S) (binary64, not binary32), "
                 "std::round: half away from zero; for |x/S| < 2^28 that is the exact quotient rounded half "
                 "away (SPEC Q11.9 tflite_path scalar); clamped. Edges: static_cast<int32_t> of the double "
                 "(cvttsd2si) gives INT32_MIN for NaN, +-inf and beyond int32, + Z wraps in the compiled int32 "
                 "add, std::min / std::max clamp (SPEC Q10.5 convert32_then_clamp)",
         "cite": OPTIMIZED + "AffineQuantize<int8_t>, <uint8_t> (the scalar loop); tflite/kernels/internal/types.h "
                 "QuantizationParams (double scale); tflite/kernels/internal/cppmath.h TfLiteRound"}),
}
# Both loops' edge policy on x86-64 (the "Edges" above): the claim of their distinguish.json rows.
OPTIMIZED_QUANTIZE_EDGE_POLICY = "convert32_then_clamp"
OPTIMIZED_DEQUANTIZE = {
    "vector loop": (
        {"dequantize_member": "tflite_neon_mul_add"},
        {"says": "the 8-wide loop: vdupq_n_f32(static_cast<float>(scale)), vdupq_n_f32(static_cast<float>"
                 "(-zero_point * scale)) with a double scale (fl32(-Z*S)); ScaleWithNewZeroPoint without "
                 "__ARM_FEATURE_FMA: vaddq_f32(vmulq_f32(vcvtq_f32_s32(q), S), -Z*S) = fl32(fl32(q*S) - "
                 "fl32(Z*S)) (SPEC Q3.5; _mm_mul_ps, _mm_add_ps)",
         "cite": OPTIMIZED + "Dequantize (uint8_t, int8_t overloads: the USE_NEON loop), ScaleWithNewZeroPoint; "
                 "tflite/kernels/dequantize.h DequantizeImpl<kGenericOptimized>; " + N2S +
                 " vmulq_f32, vaddq_f32, vcvtq_f32_s32"}),
    "scalar tail": (
        {},
        {"says": "the scalar loop: static_cast<float>(scale * (val - zero_point)) with a double scale: the "
                 "exact product (q - Z) * S rounded once to binary32 (Q3.2)",
         "cite": OPTIMIZED + "Dequantize (uint8_t, int8_t overloads: the scalar loop); "
                 "tflite/kernels/internal/types.h DequantizationParams (double scale)"}),
}


class ModelBuilder:
    def __init__(self):
        self.tensors, self.buffers, self.operators, self.codes = [], [schema.BufferT()], [], {}
        self.inputs, self.outputs = [], []

    def tensor(self, shape, dtype, scale=None, zero_point=None, data=None, axis=0):
        t = schema.TensorT()
        t.shape, t.type, t.name = list(shape), TYPES[dtype], ("t%d" % len(self.tensors)).encode()
        if scale is not None:
            q = schema.QuantizationParametersT()
            q.scale, q.zeroPoint, q.quantizedDimension = list(scale), list(zero_point), axis
            t.quantization = q
        t.buffer = 0
        if data is not None:
            b = schema.BufferT()
            b.data = np.asarray(data, dtype={"int8": np.int8, "int32": np.int32}[dtype]).tobytes()
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=0, options=None):
        if code not in self.codes:
            self.codes[code] = len(self.codes)
        o = schema.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.codes[code], list(inputs), list(outputs)
        if options is not None:
            o.builtinOptionsType, o.builtinOptions = options_type, options
        self.operators.append(o)

    def build(self):
        m = schema.ModelT()
        m.version = 3
        for code in sorted(self.codes, key=self.codes.get):
            c = schema.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), 1
            m.operatorCodes = (m.operatorCodes or []) + [c]
        sg = schema.SubGraphT()
        sg.tensors, sg.inputs, sg.outputs, sg.operators = self.tensors, self.inputs, self.outputs, self.operators
        m.subgraphs, m.buffers = [sg], self.buffers
        b = flatbuffers.Builder(4096)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def run_model(content, feeds, resolver):
    it = litert.Interpreter(model_content=content, experimental_op_resolver_type=resolver, num_threads=1)
    it.allocate_tensors()
    inputs = it.get_input_details()
    for detail, value in zip(inputs, feeds):
        it.set_tensor(detail["index"], value)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


def in_child(work):
    """Runs work() in a forked child; returns its JSON-able value, or None if the child died
    (a crash inside TFLite must not end the run: it is recorded as a crash)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)  # TFLite's INFO lines
            payload = json.dumps({"value": work()}).encode()
        except BaseException as e:  # noqa: BLE001
            payload = json.dumps({"exception": str(e)}).encode()
        with os.fdopen(write_end, "wb") as fh:
            fh.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not data:
        return None
    return json.loads(data)


def batched(cases, build_one, resolver):
    """cases: [(tcId, feed, params)]; build_one(builder, feed, params) adds one op. Returns
    {tcId: output list, or Exception (rejected), or None (TFLite crashed)}. One model for all
    cases; when it fails or crashes, every case runs alone (each in its own child)."""
    def model_of(subset):
        mb = ModelBuilder()
        for _, feed, params in subset:
            build_one(mb, feed, params)
        return mb.build()

    def work(subset):
        return lambda: [o.tolist() for o in run_model(model_of(subset), [feed for _, feed, _ in subset], resolver)]
    together = in_child(work(cases))
    if together is not None and "value" in together:
        return {tc: np.array(out) for (tc, _, _), out in zip(cases, together["value"])}
    results = {}
    for case in cases:
        alone = in_child(work([case]))
        if alone is None:
            results[case[0]] = None
        elif "exception" in alone:
            results[case[0]] = RuntimeError(alone["exception"])
        else:
            results[case[0]] = np.array(alone["value"][0])
    return results


def quantize_one(mb, feed, params):
    dtype, scale, z = params
    i = mb.tensor([REPEAT], "float32")
    o = mb.tensor([REPEAT], dtype, [scale], [z])
    mb.inputs.append(i)
    mb.outputs.append(o)
    mb.op(schema.BuiltinOperator.QUANTIZE, [i], [o])


def dequantize_one(mb, feed, params):
    dtype, scale, z = params
    i = mb.tensor([REPEAT], dtype, [scale], [z])
    o = mb.tensor([REPEAT], "float32")
    mb.inputs.append(i)
    mb.outputs.append(o)
    mb.op(schema.BuiltinOperator.DEQUANTIZE, [i], [o])


ACTIVATIONS = {"none": schema.ActivationFunctionType.NONE, "relu": schema.ActivationFunctionType.RELU,
               "relu6": schema.ActivationFunctionType.RELU6, "relu_n1_to_1": schema.ActivationFunctionType.RELU_N1_TO_1}


def fully_connected_one(mb, feed, ops):
    m, k, n = ops["m"], ops["k"], ops["n"]
    w_scales = [qv.f(s) for s in ops["w_scales"]]
    sx = qv.f(ops["x_scale"])
    x = mb.tensor([m, k], "int8", [sx], [qv.i(ops["x_zero_point"])])
    w = mb.tensor([n, k], "int8", w_scales, [qv.i(z) for z in ops["w_zero_points"]], data=ops["w"])
    bias_scales = [float(np.float32(sx) * np.float32(s)) for s in w_scales]
    b = mb.tensor([n], "int32", bias_scales, [0] * len(bias_scales), data=[qv.i(v) for v in ops["bias"]])
    y = mb.tensor([m, n], "int8", [qv.f(ops["y_scale"])], [qv.i(ops["y_zero_point"])])
    options = schema.FullyConnectedOptionsT()
    options.fusedActivationFunction = ACTIVATIONS[ops.get("activation", "none")]
    mb.inputs.append(x)
    mb.outputs.append(y)
    mb.op(schema.BuiltinOperator.FULLY_CONNECTED, [x, w, b], [y], schema.BuiltinOptions.FullyConnectedOptions,
          options)


def error_text(e):
    return {"error": (str(e).splitlines() or ["rejected"])[0][:120]}


def run_family(doc, resolver, select, build_one, to_result):
    out, disagreements, crashes = {}, [], []
    groups = {}
    for group, test, ops in qv.tests(doc):
        case = select(group, test, ops)
        if case is not None:
            groups.setdefault(id(group), []).append((test["tcId"],) + case)
    for cases in groups.values():
        for tc, value in batched(cases, build_one, resolver).items():
            if value is None:
                crashes.append(tc)
            elif isinstance(value, Exception):
                out[tc] = error_text(value)
            else:
                out[tc] = to_result(value, tc, disagreements)
    return out, disagreements, sorted(crashes)


def run_cases(cases, resolver, build_one, to_result):
    """cases: [(tcId, feed, params)] run as one batch; returns (results, disagreements, crashes)."""
    out, disagreements, crashes = {}, [], []
    for tc, value in batched(cases, build_one, resolver).items():
        if value is None:
            crashes.append(tc)
        elif isinstance(value, Exception):
            out[tc] = error_text(value)
        else:
            out[tc] = to_result(value, tc, disagreements)
    return out, disagreements, sorted(crashes)


def distinguish_quantize_cases(doc):
    return [(tc, np.full([REPEAT], ops["x"], dtype=np.float32), (ops["dtype"], ops["scale"], ops["zero_point"]))
            for tc, ops in qv.distinguish_cases(doc, "quantize")]


def distinguish_fully_connected_one(mb, feed, ops):
    """1 x K int8 x (Sx, Zx), 1 x K int8 w (Sw, Zw = 0), int32 bias with scale fl32(Sx * Sw), int8 y."""
    k = len(ops["x_values"])
    x = mb.tensor([1, k], "int8", [ops["sx"]], [ops["x_zero_point"]])
    w = mb.tensor([1, k], "int8", [ops["sw"]], [ops["w_zero_point"]], data=ops["w_values"])
    b = mb.tensor([1], "int32", [ops["bias_scale"]], [0], data=[ops["bias"]])
    y = mb.tensor([1, 1], "int8", [ops["sy"]], [ops["zero_point"]])
    options = schema.FullyConnectedOptionsT()
    options.fusedActivationFunction = schema.ActivationFunctionType.NONE
    mb.inputs.append(x)
    mb.outputs.append(y)
    mb.op(schema.BuiltinOperator.FULLY_CONNECTED, [x, w, b], [y], schema.BuiltinOptions.FullyConnectedOptions,
          options)


def distinguish_fully_connected_cases(doc):
    """The int8-in, int8-out requantize tests of distinguish.json with the integer operands, and
    the linear tests (uint8 x moved to int8); the uint8-output group is not run (TFLite's int8
    FULLY_CONNECTED has no uint8 output)."""
    cases = [(tc, np.array(ops["x_values"], dtype=np.int8).reshape(1, -1), ops)
             for tc, ops in qv.distinguish_cases(doc, "requantize")
             if "x_values" in ops and ops["x_dtype"] == "int8" and ops["y_dtype"] == "int8"]
    for tc, ops in qv.distinguish_cases(doc, "linear"):
        # a uint8 x is the int8 x - 128 with Zx - 128: the same x - Zx
        if ops["x_dtype"] == "uint8" and ops["y_dtype"] == "int8":
            ops = dict(ops, x_values=[v - 128 for v in ops["x_values"]], x_zero_point=ops["x_zero_point"] - 128)
            cases.append((tc, np.array(ops["x_values"], dtype=np.int8).reshape(1, -1), ops))
    return cases


def select_quantize(group, test, ops):
    d = ops["dtype"]
    if group["type"] not in ("QuantizeTest", "TfliteQuantizeTest") or d not in NP or ops.get("narrow_range"):
        return None
    z = qv.i(ops["zero_point"])
    if not np.iinfo(NP[d]).min <= z <= np.iinfo(NP[d]).max:
        return None
    return np.full([REPEAT], qv.f(ops["x"]), dtype=np.float32), (d, qv.f(ops["scale"]), z)


def select_dequantize(group, test, ops):
    d = ops["dtype"]
    if d not in NP:
        return None
    info = np.iinfo(NP[d])
    q, z = qv.i(ops["q"]), qv.i(ops["zero_point"])
    if not (info.min <= q <= info.max and info.min <= z <= info.max):
        return None
    return np.full([REPEAT], q, dtype=NP[d]), (d, qv.f(ops["scale"]), z)


def select_linear(group, test, ops):
    if group["type"] != "FullyConnectedTest":
        return None
    return np.array(ops["x"], dtype=np.int8).reshape(ops["m"], ops["k"]), ops


def every_position(values, tc, disagreements, key):
    """The whole output (for per_position); records tc when the vector loop and the tail differ."""
    flat = values.reshape(-1).tolist()
    if key == "x":
        flat = [qv.hex_float(float(v)) for v in flat]
    if flat[0] != flat[-1]:
        disagreements.append(tc)
    if len(set(flat[:VECTOR_LOOP])) != 1 or len(set(flat[VECTOR_LOOP:])) != 1:
        raise RuntimeError("tcId %d: elements of one loop differ: %s" % (tc, flat))
    return {key: flat}


def per_position(results, key):
    """{position: {tcId: result}} for "vector loop" (element 0) and "scalar tail" (the last element)."""
    split = {}
    for position, index in (("vector loop", 0), ("scalar tail", -1)):
        split[position] = {tc: ({key: r[key][index]} if key in r else r) for tc, r in results.items()}
    return split


def position_note(position):
    return "element %d of %d" % (0 if position == "vector loop" else REPEAT - 1, REPEAT)


def first(values, tc, disagreements, key):
    flat = values.reshape(-1).tolist()
    if key == "x":
        flat = [qv.hex_float(float(v)) for v in flat]
    if flat[0] != flat[-1]:
        disagreements.append(tc)
    return {key: flat[0] if key != "x" else flat[0]}


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    vectors_dir, out_path = argv[1], argv[2]
    load = lambda name: qv.load(os.path.join(vectors_dir, name + ".json"))  # noqa: E731
    quantize, dequant, linear = load("quantize"), load("dequantize"), load("linear")
    ops = []
    optimized = litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    for label, resolver in RESOLVERS:
        if resolver == optimized:  # two loops with their own arithmetic: one operation per element position
            r, d, c = run_family(quantize, resolver, select_quantize, quantize_one,
                                 lambda v, tc, dis: every_position(v, tc, dis, "q"))
            for position, results in per_position(r, "q").items():
                claimed, source = OPTIMIZED_QUANTIZE[position]
                ops.append({"operation": "QUANTIZE (%s, %s)" % (label, position), "family": "quantize",
                            "api": "TFLite QUANTIZE op", "claimed": claimed, "source": source, "results": results,
                            "vector_tail_disagreements": d, "crashes": c,
                            "notes": "int8/uint8 groups; " + position_note(position)})
            r, d, c = run_family(dequant, resolver, select_dequantize, dequantize_one,
                                 lambda v, tc, dis: every_position(v, tc, dis, "x"))
            for position, results in per_position(r, "x").items():
                claimed, source = OPTIMIZED_DEQUANTIZE[position]
                ops.append({"operation": "DEQUANTIZE (%s, %s)" % (label, position), "family": "dequantize",
                            "api": "TFLite DEQUANTIZE op", "claimed": claimed, "source": source,
                            "results": results, "vector_tail_disagreements": d, "crashes": c,
                            "notes": "int8/uint8 groups; " + position_note(position)})
        else:
            r, d, c = run_family(quantize, resolver, select_quantize, quantize_one,
                                 lambda v, tc, dis: first(v, tc, dis, "q"))
            if resolver == litert.OpResolverType.BUILTIN:
                claimed = {"division": "f32_reciprocal", "rounding": "half_even"}
                source = {"says": "the delegate runs XNNPACK's convert f32->qs8/qu8: fl32(x * fl32(1/S)), clamped in "
                                  "float, half even, + Z (see the XNNPACK rows)",
                          "cite": "google/XNNPACK src/subgraph/convert.c create_convert_operator + "
                                  "src/operators/unary-elementwise-nc.c xnn_create_convert_nc_f32_qs8"}
            else:
                claimed = {"division": "f32_divide", "rounding": "half_away"}
                source = {"says": "static_cast<int32_t>(TfLiteRound(x / fl32(S))) + Z (std::round: half away from "
                                  "zero; the int32 conversion of NaN/inf is undefined), clamped",
                          "cite": SRC + "internal/reference/quantize.h AffineQuantize (reference_ops)"}
            ops.append({"operation": "QUANTIZE (%s)" % label, "family": "quantize", "api": "TFLite QUANTIZE op",
                        "claimed": claimed, "source": source,
                        "results": r, "vector_tail_disagreements": d, "crashes": c, "notes": "int8/uint8 groups"})
            r, d, c = run_family(dequant, resolver, select_dequantize, dequantize_one,
                                 lambda v, tc, dis: first(v, tc, dis, "x"))
            ops.append({"operation": "DEQUANTIZE (%s)" % label, "family": "dequantize",
                        "api": "TFLite DEQUANTIZE op", "claimed": {},
                        "source": {"says": "static_cast<float>(double(S) * (q - Z)): one rounding of an exact product",
                                   "cite": SRC + "internal/reference/dequantize.h Dequantize"},
                        "results": r, "vector_tail_disagreements": d, "crashes": c, "notes": "int8/uint8 groups"})
        r, d, c = run_family(linear, resolver, select_linear, fully_connected_one,
                          lambda v, tc, dis: {"y": [int(t) for t in v.reshape(-1).tolist()]})
        source = {"says": "QuantizeMultiplier(double(Sx) * double(Sw) / double(Sy)) then "
                          "MultiplyByQuantizedMultiplier (double_round), Zy after; fused "
                          "activation bounds from CalculateActivationRangeQuantized",
                  "cite": SRC + "kernel_util.cc GetQuantizedConvolutionMultipler (per tensor: "
                                "double(Si) * double(Sf) / double(So); the per-channel path "
                                "PopulateConvolutionQuantizationParams not read) + "
                                "internal/reference/integer_ops/fully_connected.h"}
        if resolver == litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES:
            source = OPTIMIZED_FC_SOURCE
        ops.append({"operation": "FULLY_CONNECTED int8 (%s)" % label, "family": "linear",
                    "api": "TFLite FULLY_CONNECTED op (int8, per-channel weights)",
                    "claimed": {"variant": "double_round", "derivation": "tflite"},
                    "source": source,
                    "results": r, "vector_tail_disagreements": [], "crashes": c,
                    "notes": "FullyConnectedTest groups"})
    dist = load("distinguish")
    for label, resolver in RESOLVERS:
        if resolver == optimized:
            r, d, c = run_cases(distinguish_quantize_cases(dist), resolver, quantize_one,
                                lambda v, tc, dis: every_position(v, tc, dis, "q"))
            for position, results in per_position(r, "q").items():
                base = next(o for o in ops if o["operation"] == "QUANTIZE (%s, %s)" % (label, position))
                ops.append(dict(base, operation="QUANTIZE (%s, %s, distinguish)" % (label, position),
                                family="distinguish", results=results,
                                claimed=dict(base["claimed"], zero_point_entry="after_rounding",
                                             edge_policy=OPTIMIZED_QUANTIZE_EDGE_POLICY),
                                vector_tail_disagreements=d, crashes=c,
                                notes="quantize tests of distinguish.json; " + position_note(position)))
        else:
            r, d, c = run_cases(distinguish_quantize_cases(dist), resolver, quantize_one,
                                lambda v, tc, dis: first(v, tc, dis, "q"))
            base = next(o for o in ops if o["operation"] == "QUANTIZE (%s)" % label)
            ops.append(dict(base, operation="QUANTIZE (%s, distinguish)" % label, family="distinguish", results=r,
                            claimed=dict(base["claimed"], zero_point_entry="after_rounding"),
                            vector_tail_disagreements=d, crashes=c, notes="quantize tests of distinguish.json"))
        r, d, c = run_cases(distinguish_fully_connected_cases(dist), resolver, distinguish_fully_connected_one,
                            lambda v, tc, dis: {"q": int(v.reshape(-1)[0])})
        base = next(o for o in ops if o["operation"] == "FULLY_CONNECTED int8 (%s)" % label)
        claimed, source = {"pipeline": "double_round", "scale_derivation": "tflite"}, base["source"]
        if resolver == litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES:
            # SPEC Q20.3: ruy's x86 requantization and LiteRT's per-tensor multiplier
            claimed = {"pipeline": "neon_double_round", "scale_derivation": "f32_product_f64_divide"}
        if resolver == litert.OpResolverType.BUILTIN_REF:  # per-tensor int8: the float-scale reference
            claimed = {"pipeline": "fp64", "rounding": "half_away", "scale_derivation": "tflite",
                       "zero_point_entry": "after_rounding"}
            source = {"says": "FullyConnectedInt8<kReference> calls the float-scale reference: "
                              "round(double(acc) * (double(Sx) * double(Sw) / double(Sy))) + Zy, clamped "
                              "(SPEC Q20.3 fp64)",
                      "cite": "google-ai-edge/LiteRT tflite/kernels/fully_connected.cc FullyConnectedInt8 + "
                              "tflite/kernels/internal/reference/integer_ops/fully_connected.h FullyConnected"}
        if resolver == litert.OpResolverType.BUILTIN:  # the delegate replaces the kernel with XNNPACK's
            claimed = {"pipeline": "fp32", "scale_derivation": "f32_product_divide"}
            source = {"says": "the delegate runs XNNPACK's fully connected qs8: fp32 requantization on "
                              "fl32(fl32(Sx * Sw) / Sy), half even, Zy after (see the XNNPACK rows)",
                      "cite": "google/XNNPACK src/operators/fully-connected-nc.c create_fully_connected_nc"}
        ops.append(dict(base, operation="FULLY_CONNECTED int8 (%s, distinguish)" % label, family="distinguish",
                        results=r, claimed=claimed, source=source,
                        vector_tail_disagreements=[], crashes=c,
                        notes="int8 requantize and the linear tests of distinguish.json, integer operands, 1 x K by K x 1"))
    import ai_edge_litert
    version = getattr(ai_edge_litert, "__version__", "")
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump({"backend": "TFLite (ai-edge-litert)", "version": version, "operations": ops}, fh, indent=1,
                  sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
