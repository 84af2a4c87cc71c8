// Q20.2: the zero-point entry of quantize. The conforming definition (Q2.3) rounds first and
// adds Z afterwards; oneDNN's reorder adds Z before rounding, R(x/S + Z), in binary32. Each
// member is defined exactly here so that identify can name a backend's choice.
#pragma once

#include <cstdint>
#include <string_view>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/quantize.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q20.2: quantize with the zero point entering at `entry`.
//   after_rounding : quantize(x, params) (Q2.3, the conforming default);
//   before_rounding: q = clamp(R(u)), u = t + Z computed in the arithmetic of the division:
//                    exactly for `exact`, as fl32(t + fl32(Z)) for the binary32 divisions
//                    (the pipeline holds t in a binary32 register). u = +-inf saturates.
// NaN and +-inf inputs and the 0 * inf quotient follow Q2.4 under both members. Validates
// params (Q2.2).
Integer quantize_with_zero_point_entry(float x, const QuantizeParams& params, ZeroPointEntry entry);

// Q20.2: PyTorch's quantize with float qparams (per_channel_affine_float_qparams, embedding
// quantization): inv = fl32(1/S) (S = 0 gives 1), u = fl32(fl32(x * inv) + Zf) with a binary32
// zero point Zf that need not be an integer, q = clamp(lrintf(u), qmin, qmax). lrintf of a NaN,
// infinite or out-of-long u gives LONG_MIN, which PyTorch stores in an int: 0 (x86-64, two's
// complement truncation), then the clamp. Errors: "scale" (NaN, infinite or negative), "zero_point"
// (not finite), "qmin" (qmin > qmax).
Integer quantize_pytorch_float_qparams(float x, float scale, float zero_point, std::int64_t qmin,
                                       std::int64_t qmax);

// Q11.9: TFLite's optimized AffineQuantize, vector body on 32-bit Arm NEON (no vcvtnq_s32_f32):
// r = fl32(fl64(1/S)) (`1.0f / scale` with a double scale, then vdupq_n_f32), t = fl32(x * r)
// (vmulq_f32), u = fl32(t + (t < 0 ? -0.5 : 0.5)) (vaddq_f32), v = trunc(u) (vcvtq_s32_f32),
// q = clamp(v + Z, qmin, qmax). Uses params.scale, zero_point, qmin, qmax (division and rounding
// are this member's own). NaN, +-inf, 1/S = inf and |u| >= 2^31 follow Q2.4 (SPEC CHOICE; see
// SPEC.md Q11.9 for what the Arm instructions do there). Validates params (Q2.2).
Integer quantize_tflite_armv7_neon(float x, const QuantizeParams& params);

// Fast paths of the two binary32 members above: the host's IEEE binary32 operations (each
// correctly rounded, Q2.7) in the order the definitions state, with their edge cases decided
// as there, and the same ParameterErrors. Held to the definitions by the properties
// `DeployedQuantizeFast.*EqualsDefinition` (tests/test_deployed_quantize_fast.cc). They need a
// binary32 `float` without FMA contraction of the steps (each step is stored to a volatile).
std::int64_t quantize_pytorch_float_qparams_fast(float x, float scale, float zero_point, std::int64_t qmin,
                                                 std::int64_t qmax);
std::int64_t quantize_tflite_armv7_neon_fast(float x, const QuantizeParams& params);

// Q11.12: quantize with the division x/S carried out in a format narrower than binary32, as
// ONNX QuantizeLinear (opset >= 21) specifies when the scale (or the `precision` attribute) is
// float16 or bfloat16:
//   binary16 (member f16_divide), bfloat16 (member bf16_divide):
//   u = fl_P(x), s = fl_P(S), t = fl_P(u / s), q = clamp(R(t) + Z, qmin, qmax)
// with R = params.rounding (ONNX: half_even; params.division is not used). x and S are given
// as binary32 (every binary16 and bfloat16 value is one; a binary32 x or S is rounded to P
// first, as the `precision` attribute's cast does). NaN x gives Z; x = +-inf, fl_P(x) = +-inf
// and t = +-inf give qmax / qmin (Q2.4, SPEC CHOICE). Validates params (Q2.2), and throws
// ParameterError naming "scale" when fl_P(S) is 0 or infinite.
enum class NarrowFormat { binary16, bfloat16 };
std::string_view name(NarrowFormat format);  // "f16_divide", "bf16_divide" (the member names)
NarrowFormat parse_narrow_format(std::string_view text, std::string_view parameter = "division");
Integer quantize_narrow_divide(float x, const QuantizeParams& params, NarrowFormat format);

// Q11.12: the fast path of quantize_narrow_divide: host binary32 division of the two narrow
// values, rounded to P by scaling (fl_P(fl32(u/s)) = fl_P(u/s): binary32 has 24 >= 2p + 2
// significand bits for p = 11 and 8, so the double rounding is innocuous). Does not validate:
// call params.validate() once. Throws the same "scale" error. Requires IEEE binary32 host
// arithmetic with round-to-nearest-even.
std::int64_t quantize_narrow_divide_fast(float x, const QuantizeParams& params, NarrowFormat format);

}  // namespace quantspec::ref
