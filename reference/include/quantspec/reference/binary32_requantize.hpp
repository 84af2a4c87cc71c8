// Q20.3: the floating-point side of requantization that deployed float-scale APIs run: the
// orders in which they derive one binary32 requantization scale from (Sx, Sw, Sy), the binary32
// pipeline t = fl32(fl32(acc) * s) with any Q0 rounding and either zero-point entry (Q7.11's
// fp32 variant is the member half_even), and the binary64 pipeline t = fl64(fl64(acc) * E) of
// LiteRT's reference FULLY_CONNECTED (Q20.3 `fp64`; Q11.6).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q20.3: how the multiplier M' a pipeline uses is derived from binary32 scales.
enum class ScaleDerivation {
  exact,                   // M = Sx*Sw/Sy exactly (Q6.8 exact)
  tflite,                  // fl64(M): TFLite's double arithmetic (Q6.8 tflite)
  f32_product_divide,      // fl32(fl32(Sx*Sw)/Sy) (Q6.5; what the Q6.8 rndnu derivation starts from)
  f32_product_reciprocal,  // fl32(fl32(Sx*Sw)*fl32(1/Sy))
  f32_reciprocal_quotient, // fl32(fl32(1/Sy) / fl32(fl32(1/Sx)*fl32(1/Sw))): oneDNN's reciprocal
                           // scales as PyTorch's onednn engine passes them (ideep)
  f32_product_f64_divide,  // fl64(fl32(Sx*Sw)/Sy): LiteRT's per-tensor FULLY_CONNECTED / CONV
                           // multiplier (kernel_util.cc GetQuantizedConvolutionMultipler)
};

std::string_view name(ScaleDerivation);
ScaleDerivation parse_scale_derivation(std::string_view text,
                                       std::string_view parameter = "scale_derivation");
const std::vector<ScaleDerivation>& all_scale_derivations();

// Q20.3: the exact value of M' under `derivation` (exact M, fl64(M), or the binary32 scale).
// Each scale must be finite and > 0 ("sx", "sw", "sy"); a binary32 intermediate that is 0 or
// infinite is rejected naming "sw" (the product) or "sy" (reciprocal or quotient); for
// f32_reciprocal_quotient an infinite fl32(1/Sx) or fl32(1/Sw) names "sx" or "sw", an infinite
// product of the reciprocals "sw", a quotient of 0 or infinity "sy".
Rational derived_multiplier(float sx, float sw, float sy, ScaleDerivation derivation);

// Q20.3: the one binary32 scale a float-scale pipeline multiplies by: fl32 of
// derived_multiplier (for the two binary32 orders it is that value itself). Same errors; a
// result of 0 or infinity is rejected naming "sy".
float binary32_requantization_scale(float sx, float sw, float sy, ScaleDerivation derivation);

// Q20.3: t = fl32(fl32(acc) * scale); after_rounding q = clamp(R(t) + Zy), before_rounding
// q = clamp(R(fl32(t + Zy))); t (or the biased sum) = +-inf gives qmax / qmin. With
// half_even this is Q7.11's fp32 variant. Errors: "scale" (not finite > 0), "qmin"
// (qmin > qmax), "zero_point" (outside [qmin, qmax]).
Integer requantize_binary32(const Integer& acc, float scale, std::int32_t zero_point,
                            std::int32_t qmin, std::int32_t qmax, Rounding rounding,
                            ZeroPointEntry entry);

// Q20.3, the two steps of requantize_binary32 (which is the second applied to the first), apart
// so that a search over the rounding and zero-point-entry members forms t once per test:
// t = fl32(fl32(acc) * scale) (error "scale"), then q from t as above (errors "qmin",
// "zero_point"; t = +-inf gives qmax / qmin).
float binary32_scaled_accumulator(const Integer& acc, float scale);
Integer requantize_binary32_scaled(float t, std::int32_t zero_point, std::int32_t qmin,
                                   std::int32_t qmax, Rounding rounding, ZeroPointEntry entry);

// Q20.3 bias in binary32 (oneDNN 2.6 int8 matmul): the bias is not added to the integer
// accumulator but to its binary32 conversion, t0 = fl32(fl32(acc) + bias), and t0 goes through
// the fp32 pipeline: t = fl32(t0 * scale), then as requantize_binary32. An int32 bias is passed
// as fl32(bias) (oneDNN converts it). Errors as requantize_binary32, and "bias" (not finite).
Integer requantize_binary32_float_bias(const Integer& acc, float bias, float scale,
                                       std::int32_t zero_point, std::int32_t qmin,
                                       std::int32_t qmax, Rounding rounding, ZeroPointEntry entry);

// Q20.3 `fp64`: the one binary64 scale E a binary64 pipeline multiplies by, fl64(M') for the
// derivation's M' (for `tflite` M' is that binary64 value itself; LiteRT computes it as
// double(Sx) * double(Sw) / double(Sy), one rounding since the product of two binary32 values
// is exact in binary64). Never 0 or infinite for valid scales (M' in [2^-426, 2^405]); the
// scale errors are those of derived_multiplier.
double binary64_requantization_scale(float sx, float sw, float sy, ScaleDerivation derivation);

// Q20.3 `fp64`: t = fl64(fl64(acc) * scale); after_rounding q = clamp(R(t) + Zy),
// before_rounding q = clamp(R(fl64(t + Zy))); t = +-inf gives qmax / qmin. LiteRT's reference
// FULLY_CONNECTED is R = half_away (C round()), after_rounding. Errors: "scale" (not finite
// > 0), "qmin" (qmin > qmax), "zero_point" (outside [qmin, qmax]).
Integer requantize_binary64(const Integer& acc, double scale, std::int32_t zero_point,
                            std::int32_t qmin, std::int32_t qmax, Rounding rounding,
                            ZeroPointEntry entry);

// Q20.3 `fp64`, the two steps of requantize_binary64 apart (as for binary32 above).
double binary64_scaled_accumulator(const Integer& acc, double scale);
Integer requantize_binary64_scaled(double t, std::int32_t zero_point, std::int32_t qmin,
                                   std::int32_t qmax, Rounding rounding, ZeroPointEntry entry);

// Q11.10: FBGEMM's float bias in accumulator units, beta, from the float bias b and the
// caller's binary32 act_times_w_scale Sxw. `divide`: fl32(b / Sxw) (the generic path, and the
// AVX2/AVX-512 path per output channel); `reciprocal`: fl32(b * fl32(fl64(1/Sxw))) (AVX2/AVX-512
// per tensor and per group: `_mm256_set1_ps(1.0 / act_times_w_scale)`). Errors: "bias" (not
// finite), "act_times_w_scale" (not finite > 0), "bias" again if beta overflows to infinity.
enum class FbgemmBiasOrder { divide, reciprocal };
float fbgemm_bias_in_accumulator_units(float bias, float act_times_w_scale, FbgemmBiasOrder order);

// Q11.10: FBGEMM ReQuantizeOutput with a float bias (uint8 output): q = clamp(lrintf(fl32(
// fl32(fl32(acc) + beta) * C)) + Zy, fuse_relu ? Zy : 0, 255), i.e. requantize_binary32_float_bias
// with bias beta, scale C, half_even, after_rounding and that interval. Errors: as
// fbgemm_bias_in_accumulator_units and requantize_binary32_float_bias ("scale" for C,
// "zero_point" outside [0, 255]).
Integer requantize_fbgemm_float_bias(const Integer& acc, float bias, float act_times_w_scale,
                                     float c_multiplier, std::int32_t zero_point, bool fuse_relu,
                                     FbgemmBiasOrder order);

// Q11.11: TVM's qnn.requantize with compute_dtype float32 or float64 (RequantizeLowerFP<Bits>,
// apache/tvm fb43fc8577 src/relay/qnn/op/requantize.cc). With B the compute format:
//   a = fl_B(fl_B(acc) - fl_B(Zin)), m = fl_B(fl64(Sin / Sout)), t = fl_B(m * a),
//   t' = fl_B(t + fl_B(Zy)), then the rounding member:
//   tvm_fp_upward            r = floor(fl_B(t' + 0.5))          (UPWARD; both lowerings)
//   tvm_fp_tonearest         r = half_away(t')                  (TONEAREST, SSE4.1 targets:
//                                                                Relay round -> llvm.round)
//   tvm_fp_tonearest_nosse41 r = sign(t') * trunc(fl_B(|t'| + 0.5)) (TONEAREST, no SSE4.1)
//   q = clamp(r, qmin, qmax) (SPEC CHOICE: exact clamp; TVM's int32 cast of r is undefined
//   beyond int32 and an int32 output is not clipped).
// Errors: "acc" (outside int32), "input_scale" / "output_scale" (not finite > 0),
// "input_scale" when fl_B(fl64(Sin/Sout)) is infinite (float32 only), "qmin" (qmin > qmax),
// "zero_point" (Zy outside [qmin, qmax]).
enum class TvmComputeDtype { float32, float64 };
enum class TvmFloatRounding { upward, tonearest, tonearest_no_sse41 };
std::string_view name(TvmComputeDtype dtype);      // "float32", "float64"
std::string_view name(TvmFloatRounding rounding);  // the member names above
TvmComputeDtype parse_tvm_compute_dtype(std::string_view text,
                                        std::string_view parameter = "compute_dtype");
TvmFloatRounding parse_tvm_float_rounding(std::string_view text,
                                          std::string_view parameter = "member");
const std::vector<TvmFloatRounding>& all_tvm_float_roundings();

struct TvmFloatRequantParams {
  float input_scale = 1.0f;
  float output_scale = 1.0f;
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  TvmComputeDtype dtype = TvmComputeDtype::float32;
  TvmFloatRounding rounding = TvmFloatRounding::upward;
};

// The definition (exact rationals, every binary rounding done in software).
Integer requantize_tvm_float(const Integer& acc, const TvmFloatRequantParams& params);

// The fast path: the same steps in host float / double (volatile temporaries, no contraction),
// the same errors (validated per call). Requires IEEE binary32/binary64 host arithmetic with
// round-to-nearest-even. Property-tested against the definition.
std::int64_t requantize_tvm_float_fast(std::int32_t acc, const TvmFloatRequantParams& params);

}  // namespace quantspec::ref
