"""A model, from the sources, of the requantization TFLite's optimized int8 FULLY_CONNECTED
runs on x86-64, checked against a results file of the distinguish family (standard library only).

    python3 model_tflite_fc.py VECTORS_DIR/distinguish.json RESULTS.json [--paths standard_cpp]
    python3 model_tflite_fc.py --golden VECTORS_DIR/deployed_requantize.json
    python3 model_tflite_fc.py --measured VECTORS_DIR/distinguish.json tflite_fc_measured.json

RESULTS.json is what backend_litert.py writes (the operation "FULLY_CONNECTED int8 (optimized
kernels, distinguish)") or a plain {"results": {"distinguish": {tcId: {"q": ...}}}} file.
Prints, per model, how many of the FULLY_CONNECTED tests it reproduces and which it does not;
exits 1 unless the model the sources give reproduces every test. --golden checks the kernel
model against the reference's SPEC Q11.1 neon_double_round golden vectors instead; --measured
checks both committed runs of tflite_fc_measured.json (make test runs these two, the
interop.tflite_fc_* tests).

What the sources say (SPEC Q20.3 / NOTES.md "Session 13: lite13" cite them):
1. Multiplier (google-ai-edge/LiteRT tflite/kernels/kernel_util.cc, the four-argument
   GetQuantizedConvolutionMultipler, called by the per-tensor branch of
   fully_connected.cc Prepare): M = double(float(Sx * Sw)) / double(Sy): the product of the
   two scales is rounded to binary32 first, then one binary64 division.
   QuantizeMultiplier (tflite/kernels/internal/quantization_util.cc): frexp, m = round half
   away(q * 2^31), m = 2^31 -> 2^30 and e + 1, e < -31 -> (0, 0).
2. Kernel: int8 x int8 -> int8 always goes to ruy on x86 (cpu_backend_gemm_x86.h
   GemmImplX86 specialisations; cpu_backend_gemm.h takes no custom GEMV there: it is NEON
   only). ruy's AVX-512 / AVX2 / AVX kernels (google/ruy ruy/kernel_avx512.cc
   Kernel8bitAvx512 and Kernel8bitAvx512SingleCol, kernel_avx2_fma.cc, since ruy dd1102a
   2020-10-19) apply the multiplier as
       x = wrap32(acc << max(e, 0))                      (_mm512_sllv_epi32)
       h = floor((x * m + 2^30) / 2^31)                  (64-bit product, + 2^30, arithmetic >> 31)
       y = floor((h + 2^(r-1)) / 2^r), r = max(-e, 0)   (rounding_right_shift: ties toward +inf)
       q = clamp(y + Zy, qmin, qmax)
   which is SPEC Q11.1 neon_double_round. ruy's standard C++ path (RUY_PATHS=1,
   ruy/apply_multiplier.cc since be760b6 2021-02-09) is single rounding instead.
"""
import json
import math
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import quantspec_vectors as qv  # noqa: E402

INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1


def wrap32(v):
    return (v + 2 ** 31) % 2 ** 32 - 2 ** 31


def sat32(v):
    return min(max(v, INT32_MIN), INT32_MAX)


def multiplier_f32_product(sx, sw, sy):
    """kernel_util.cc GetQuantizedConvolutionMultipler (four arguments): the binary32 product
    of the two scales, widened, divided in binary64."""
    return qv.fl32(sx * sw) / sy  # sx * sw is exact in binary64; fl32 rounds it once


def multiplier_f64_product(sx, sw, sy):
    """The per-channel branch of fully_connected.cc Prepare (and SPEC's `tflite`): the exact
    binary64 product, divided in binary64."""
    return (sx * sw) / sy


def quantize_multiplier(real):
    """quantization_util.cc QuantizeMultiplier (default build): (m, e) with real ~ m * 2^(e-31)."""
    if real == 0.0:
        return 0, 0
    q, e = math.frexp(real)
    m = math.floor(q * 2 ** 31 + 0.5)  # TfLiteRound: half away from zero (q > 0); exact here
    if m == 2 ** 31:
        m, e = m // 2, e + 1
    if e < -31:
        m, e = 0, 0
    return m, e


def ruy_x86(acc, m, e):
    """ruy kernel_avx512.cc / kernel_avx2_fma.cc: wrap32 left shift, rounding high multiply
    (ties up), rounding right shift (ties up, with the kernel's int32 overflow guard)."""
    left, right = max(e, 0), max(-e, 0)
    x = wrap32(acc << left)
    h = (x * m + 2 ** 30) >> 31
    if right > 0:
        nudge = 1 << (right - 1)
        h = (1 << (31 - right)) if h > INT32_MAX - nudge else (h + nudge) >> right
    return wrap32(h)


def gemmlowp_double_round(acc, m, e):
    """SPEC Q7.2 double_round (TFLite's MultiplyByQuantizedMultiplier, default build), with
    the int32 left shift wrapping as TFLite compiles it."""
    left, right = max(e, 0), max(-e, 0)
    x = wrap32(acc << left)
    p = x * m
    h = (p + (2 ** 30 if p >= 0 else 1 - 2 ** 30))
    h = -((-h) >> 31) if h < 0 else h >> 31  # truncating division by 2^31
    if right == 0:
        return h
    mask, threshold = (1 << right) - 1, ((1 << right) - 1) >> 1
    threshold += 1 if h < 0 else 0
    return (h >> right) + (1 if (h & mask) > threshold else 0)


def single_round(acc, m, e):
    """SPEC Q7.3 single_round (ruy/apply_multiplier.cc since 2021-02, TFLITE_SINGLE_ROUNDING)."""
    total = 31 - e
    return sat32((acc * m + (1 << (total - 1))) >> total)


MODELS = {
    "ruy_x86 (neon_double_round), M = f64(f32(Sx*Sw))/Sy": (ruy_x86, multiplier_f32_product),
    "ruy_x86 (neon_double_round), M = tflite f64(Sx*Sw/Sy)": (ruy_x86, multiplier_f64_product),
    "double_round (gemmlowp), M = f64(f32(Sx*Sw))/Sy": (gemmlowp_double_round, multiplier_f32_product),
    "double_round (gemmlowp), M = tflite f64(Sx*Sw/Sy)": (gemmlowp_double_round, multiplier_f64_product),
    "single_round, M = f64(f32(Sx*Sw))/Sy": (single_round, multiplier_f32_product),
    "single_round, M = tflite f64(Sx*Sw/Sy)": (single_round, multiplier_f64_product),
}
SOURCE_MODEL = {"ruy_x86": "ruy_x86 (neon_double_round), M = f64(f32(Sx*Sw))/Sy",
                "standard_cpp": "single_round, M = f64(f32(Sx*Sw))/Sy"}


def fully_connected_cases(doc):
    """The tests backend_litert.py runs on FULLY_CONNECTED: int8 -> int8 requantize tests with
    the linear form, and the linear tests with uint8 x and int8 y (the x - Zx are unchanged
    when backend_litert moves a uint8 x to int8)."""
    for operation in ("requantize", "linear"):
        for tc, ops in qv.distinguish_cases(doc, operation):
            if "x_values" not in ops or ops["y_dtype"] != "int8":
                continue
            if operation == "requantize" and ops["x_dtype"] != "int8":
                continue
            if operation == "linear" and ops["x_dtype"] != "uint8":
                continue
            yield tc, ops


def model_q(ops, apply, derive):
    acc = wrap32(ops["bias"] + sum((x - ops["x_zero_point"]) * (w - ops["w_zero_point"])
                                   for x, w in zip(ops["x_values"], ops["w_values"])))
    m, e = quantize_multiplier(derive(ops["sx"], ops["sw"], ops["sy"]))
    y = apply(acc, m, e)
    return min(max(wrap32(y + ops["zero_point"]), ops["qmin"]), ops["qmax"]), acc, m, e


def measured_results(path):
    doc = json.load(open(path, encoding="utf-8"))
    if "operations" in doc:  # backend_litert.py's output
        op = next(o for o in doc["operations"]
                  if o["operation"] == "FULLY_CONNECTED int8 (optimized kernels, distinguish)")
        return {int(k): v for k, v in op["results"].items()}
    return {int(k): v for k, v in doc["results"]["distinguish"].items()}


def golden_check(path):
    """ruy_x86 against the reference's own Q11.1 neon_double_round vectors
    (deployed_requantize.json): the claim "ruy's x86 kernels are neon_double_round" as a test.
    ruy adds Zy in wrapping int32; the spec adds it exactly, so a test whose y + Zy leaves int32
    is counted apart (it may differ)."""
    doc = qv.load(path)
    same = wrap_only = 0
    wrong = []
    for group, test, ops in qv.tests(doc):
        if group.get("variant", {}).get("member") != "neon_double_round" or test["result"] != "valid":
            continue
        acc, m, e, zy = (qv.i(ops[k]) for k in ("acc", "multiplier", "shift", "zero_point"))
        if not INT32_MIN <= acc <= INT32_MAX:
            continue
        y = ruy_x86(acc, m, e)
        lo, hi = qv.i(ops["qmin"]), qv.i(ops["qmax"])
        q = min(max(wrap32(y + zy), lo), hi)
        expected = qv.i(test["expected"]["q"])
        if q == expected:
            same += 1
        elif min(max(y + zy, lo), hi) == expected:
            wrap_only += 1
        else:
            wrong.append((test["tcId"], acc, m, e, zy, q, expected))
    print("ruy_x86 against the neon_double_round vectors of %s: %d agree, %d differ only by "
          "ruy's int32 wrap of y + Zy, %d differ" % (os.path.basename(path), same, wrap_only, len(wrong)))
    for tc, acc, m, e, zy, q, expected in wrong[:12]:
        print("    tcId %d: acc %d, (m, e) = (%d, %d), Zy %d: ruy_x86 %d, expected %d" % (tc, acc, m, e, zy, q, expected))
    return 0 if same and not wrong else 1


def measured_check(distinguish_path, measured_path):
    """Both committed runs (tflite_fc_measured.json): the default x86 path against ruy_x86, the
    RUY_PATHS=1 run against single_round, each with the source's multiplier."""
    doc = qv.load(distinguish_path)
    runs = json.load(open(measured_path, encoding="utf-8"))["runs"]
    status = 0
    for run in ("ruy_x86", "standard_cpp"):
        measured = {int(k): v for k, v in runs[run]["results"].items()}
        apply, derive = MODELS[SOURCE_MODEL[run]]
        cases = [(tc, ops) for tc, ops in fully_connected_cases(doc) if tc in measured]
        wrong = [tc for tc, ops in cases if model_q(ops, apply, derive)[0] != measured[tc].get("q")]
        print("%s (RUY_PATHS %s): %s reproduces %d of %d%s" % (
            run, runs[run]["RUY_PATHS"], SOURCE_MODEL[run], len(cases) - len(wrong), len(cases),
            "" if not wrong else "; not tcId " + ", ".join(map(str, wrong[:12]))))
        if wrong or len(cases) != len(measured) or not cases:
            status = 1
    # The binary32 product is a claim only if the data rule out the exact one: under single
    # rounding (the standard C++ run) the `tflite` multiplier must fail somewhere.
    measured = {int(k): v for k, v in runs["standard_cpp"]["results"].items()}
    exact_product = [tc for tc, ops in fully_connected_cases(doc)
                     if tc in measured and model_q(ops, single_round, multiplier_f64_product)[0] != measured[tc].get("q")]
    print("standard_cpp with the exact product (SPEC tflite) instead: %d tests differ%s" % (
        len(exact_product), "" if not exact_product else " (tcId " + ", ".join(map(str, exact_product[:8])) + ", ...)"))
    if not exact_product:
        status = 1
    # Cases chosen so that the two multipliers give different q under ruy's x86 arithmetic,
    # measured on the default path: the binary32 product must reproduce all, the exact none.
    cases = json.load(open(measured_path, encoding="utf-8"))["derivation_cases"]["cases"]
    tally = {}
    for name, derive in (("fl64(fl32(Sx*Sw)/Sy)", multiplier_f32_product), ("exact product", multiplier_f64_product)):
        tally[name] = sum(1 for c in cases
                          if min(max(ruy_x86(c["acc"], *quantize_multiplier(derive(qv.f(c["sx"]), qv.f(c["sw"]), qv.f(c["sy"])))),
                                     -128), 127) == c["q"])
    print("derivation cases (ruy_x86, %d measured): M = fl64(fl32(Sx*Sw)/Sy) reproduces %d, the exact "
          "product %d" % (len(cases), tally["fl64(fl32(Sx*Sw)/Sy)"], tally["exact product"]))
    if not cases or tally["fl64(fl32(Sx*Sw)/Sy)"] != len(cases) or tally["exact product"] == len(cases):
        status = 1
    return status


def main(argv):
    if len(argv) == 3 and argv[1] == "--golden":
        return golden_check(argv[2])
    if len(argv) == 4 and argv[1] == "--measured":
        return measured_check(argv[2], argv[3])
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    doc = qv.load(argv[1])
    measured = measured_results(argv[2])
    source_model = SOURCE_MODEL[argv[4] if len(argv) > 4 and argv[3] == "--paths" else "ruy_x86"]
    cases = [(tc, ops) for tc, ops in fully_connected_cases(doc) if tc in measured]
    ok = True
    for name, (apply, derive) in MODELS.items():
        wrong = []
        for tc, ops in cases:
            q, acc, m, e = model_q(ops, apply, derive)
            got = measured[tc].get("q")
            if q != got:
                wrong.append((tc, acc, m, e, q, got))
        print("%-55s reproduces %d of %d" % (name, len(cases) - len(wrong), len(cases)))
        for tc, acc, m, e, q, got in wrong[:12]:
            print("    tcId %d: acc %d, (m, e) = (%d, %d): model %d, measured %s" % (tc, acc, m, e, q, got))
        if name == source_model and wrong:
            ok = False
    print("the sources' model (%s): %s" % (source_model, "reproduces every test" if ok else "does NOT reproduce"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
