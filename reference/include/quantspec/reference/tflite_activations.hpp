// Q13.1-Q13.2: the integer-only activation kernels of TFLite that replace a non-linear f by
// fixed-point arithmetic on the quantized values (the study note's method 2):
//   LeakyReLU (reference_ops::QuantizeLeakyRelu, two Q31 multipliers, one per side of Zi) and
//   hardswish (reference_ops::HardSwish, int16 fixed point, SQRDMULH/SQDMULH steps).
// Both bit-exact, including the binary32 arithmetic of their Prepare functions.
#pragma once

#include <cstdint>

#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Parameters common to both kernels: input and output share the dtype (int8 or uint8).
struct TfliteActivationParams {
  float input_scale = 1.0f;
  std::int32_t input_zero_point = 0;
  float output_scale = 1.0f;
  std::int32_t output_zero_point = 0;
  DType dtype = DType::int8;
  float alpha = 0.0f;  // LeakyReLU only
};

// Q13.1: TFLite QuantizeMultiplier on a binary64 value of either sign (quantization_util.cc):
// frexp, std::round(q * 2^31), 2^31 renormalised to 2^30 with shift + 1 (for q > 0 only: a
// negative q rounding to -2^31 keeps it), shift < -31 flushed to (0, 0). Errors: m not finite
// or shift > 30 (MultiplyByQuantizedMultiplier's 1 << shift would overflow): ParameterError
// naming `parameter`.
FixedPointMultiplier tflite_quantize_multiplier_signed(double m, const char* parameter);

// Q13.1: TFLite MultiplyByQuantizedMultiplier (default build, Q7.2 double_round) on int32 x:
// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^max(shift, 0), multiplier),
// max(-shift, 0)); the left shift saturates (SPEC CHOICE of Q7.2).
std::int32_t tflite_multiply_by_quantized_multiplier(std::int32_t x, const FixedPointMultiplier& m);

// Q13.1: LeakyReluPrepare: identity = QuantizeMultiplier(fl32(Si/So)),
// alpha = QuantizeMultiplier(fl32(fl32(Si*alpha)/So)).
struct TfliteLeakyReluMultipliers {
  FixedPointMultiplier identity;
  FixedPointMultiplier alpha;
};
TfliteLeakyReluMultipliers prepare_tflite_leaky_relu(const TfliteActivationParams& p);

// Q13.1: the output for one input q. Errors (ParameterError): dtype, input_scale/output_scale
// (not finite > 0), zero points and q off the dtype's grid, alpha (not finite, or its
// multiplier out of range), output_scale (identity multiplier out of range).
std::int32_t tflite_leaky_relu(std::int32_t q, const TfliteActivationParams& p);

// Q13.2: HardSwishPrepare's int16 multipliers (DownScaleInt32ToInt16Multiplier of the Q31
// mantissa) and exponents.
struct TfliteHardSwishMultipliers {
  std::int16_t output_multiplier = 0;   // output_multiplier_fixedpoint_int16
  int output_exponent = 0;              // <= 0
  std::int16_t reluish_multiplier = 0;  // reluish_multiplier_fixedpoint_int16
  int reluish_exponent = 0;
};
TfliteHardSwishMultipliers prepare_tflite_hardswish(const TfliteActivationParams& p);

// Q13.2: every intermediate value of the kernel, in its order.
struct TfliteHardSwishTrace {
  std::int32_t input_value = 0;         // q - Zi
  std::int32_t hires_input = 0;         // input_value * 128
  std::int32_t preshift_output_scale = 0;  // SQRDMULH16(hires, output_multiplier)
  std::int32_t reluish_scaled = 0;      // hires rescaled to 3/32768 units, in [-32768, 32767]
  std::int32_t reluish = 0;             // (reluish_scaled + 32768) >> 1, in [0, 32767]
  std::int32_t preshift_output = 0;     // SQDMULH16(reluish, preshift_output_scale)
  std::int32_t output_before_zero_point = 0;  // RoundingDivideByPOT(.., -output_exponent)
  bool int16_wrap = false;              // output + Zo left int16 (wraps, see Q13.2)
  std::int32_t out = 0;
};

// Q13.2: the output for one input q. Errors as LeakyReLU (without alpha), plus output_scale
// when Si/(128 So) >= 1/2 (TFLite: output_multiplier_exponent <= 0) or its right shift
// exceeds 15, and input_scale when the reluish right shift exceeds 15 (SPEC CHOICE, Q13.2).
std::int32_t tflite_hardswish(std::int32_t q, const TfliteActivationParams& p,
                              TfliteHardSwishTrace* trace = nullptr);

// Q13.2: the int16 primitives as gemmlowp (fixedpoint.h) and TFLite (hard_swish.h) define them.
namespace fixed_point16 {
std::int16_t saturating_rounding_doubling_high_mul(std::int16_t a, std::int16_t b);  // SQRDMULH
std::int16_t saturating_doubling_high_mul(std::int16_t a, std::int16_t b);           // SQDMULH
std::int16_t rounding_divide_by_pot(std::int16_t x, int exponent);  // exponent in [0, 15]
std::int16_t saturating_left_shift(std::int16_t x, int amount);     // amount in [0, 30]
}  // namespace fixed_point16

}  // namespace quantspec::ref
