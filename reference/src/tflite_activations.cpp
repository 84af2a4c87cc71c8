// SPEC Q13.1 (TFLite quantized LeakyReLU) and Q13.2 (TFLite int8/uint8 hardswish).
// Sources: tensorflow/lite/kernels/activations.cc (LeakyReluPrepare, HardSwishPrepare,
// DownScaleInt32ToInt16Multiplier), tensorflow/lite/kernels/internal/reference/leaky_relu.h
// (QuantizeLeakyRelu), .../reference/hard_swish.h (HardSwish, SaturatingLeftShift,
// SaturatingDoublingHighMul), gemmlowp fixedpoint.h (int16 SaturatingRoundingDoublingHighMul,
// RoundingDivideByPOT), quantization_util.cc (QuantizeMultiplier).
#include "quantspec/reference/tflite_activations.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/fixed_point_primitives.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {
namespace {

void validate(const TfliteActivationParams& p) {
  if (p.dtype != DType::int8 && p.dtype != DType::uint8) {
    throw ParameterError("dtype", "int8 or uint8", std::string(name(p.dtype)));
  }
  auto check_scale = [](float s, const char* parameter) {
    if (!(std::isfinite(s) && s > 0)) throw ParameterError(parameter, "a finite binary32 > 0", hex_float(s));
  };
  check_scale(p.input_scale, "input_scale");
  check_scale(p.output_scale, "output_scale");
  const IntRange r = dtype_range(p.dtype);
  auto check_zero_point = [&](std::int32_t z, const char* parameter) {
    if (z < r.min || z > r.max) {
      throw ParameterError(parameter, "in [" + std::to_string(r.min) + ", " + std::to_string(r.max) + "]",
                           std::to_string(z));
    }
  };
  check_zero_point(p.input_zero_point, "input_zero_point");
  check_zero_point(p.output_zero_point, "output_zero_point");
}

void validate_input(std::int32_t q, DType dtype) {
  const IntRange r = dtype_range(dtype);
  if (q < r.min || q > r.max) {
    throw ParameterError("q", "in [" + std::to_string(r.min) + ", " + std::to_string(r.max) + "]",
                         std::to_string(q));
  }
}

std::int32_t clamp_to(std::int32_t v, DType dtype) {
  const IntRange r = dtype_range(dtype);
  return v < r.min ? static_cast<std::int32_t>(r.min) : (v > r.max ? static_cast<std::int32_t>(r.max) : v);
}

// Q13.2: DownScaleInt32ToInt16Multiplier: (m + 2^15) >> 16, saturated to 32767 when
// m >= INT32_MAX - 2^15.
std::int16_t down_scale_to_int16(std::int32_t m) {
  constexpr std::int32_t kRoundingOffset = 1 << 15;
  if (m >= std::numeric_limits<std::int32_t>::max() - kRoundingOffset) return 32767;
  return static_cast<std::int16_t>((m + kRoundingOffset) >> 16);
}

}  // namespace

// Q13.1
FixedPointMultiplier tflite_quantize_multiplier_signed(double m, const char* parameter) {
  if (!std::isfinite(m)) {
    throw ParameterError(parameter, "a finite multiplier (the binary32 product or quotient overflowed)",
                         hex_float(m));
  }
  if (m == 0.0) return {0, 0};
  int shift = 0;
  const double q = std::frexp(m, &shift);           // |q| in [1/2, 1), exact
  std::int64_t fixed = static_cast<std::int64_t>(std::round(q * 2147483648.0));  // exact product
  if (fixed == (std::int64_t{1} << 31)) {  // only a positive q can round up to 2^31
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {0, 0};
  if (shift > kMaxQ31Shift) {
    throw ParameterError(parameter, "a multiplier below 2^30 (TFLite shift <= 30)", hex_float(m));
  }
  return {static_cast<std::int32_t>(fixed), shift};
}

// Q13.1 (the Q7.2 double_round pipeline)
std::int32_t tflite_multiply_by_quantized_multiplier(std::int32_t x, const FixedPointMultiplier& m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  return fixed_point::rounding_divide_by_pot(
      fixed_point::saturating_rounding_doubling_high_mul(fixed_point::saturating_left_shift(x, left),
                                                         m.multiplier),
      right);
}

// Q13.1: the binary32 expressions of LeakyReluPrepare, evaluated in binary32 as C++ does
// (float * float / float, then widened to double for QuantizeMultiplier).
TfliteLeakyReluMultipliers prepare_tflite_leaky_relu(const TfliteActivationParams& p) {
  validate(p);
  if (!std::isfinite(p.alpha)) throw ParameterError("alpha", "a finite binary32", hex_float(p.alpha));
  const float alpha_product = p.input_scale * p.alpha;
  const float alpha_multiplier = alpha_product / p.output_scale;
  const float identity_multiplier = p.input_scale / p.output_scale;
  TfliteLeakyReluMultipliers m;
  m.alpha = tflite_quantize_multiplier_signed(static_cast<double>(alpha_multiplier), "alpha");
  m.identity = tflite_quantize_multiplier_signed(static_cast<double>(identity_multiplier), "output_scale");
  return m;
}

// Q13.1
std::int32_t tflite_leaky_relu(std::int32_t q, const TfliteActivationParams& p) {
  const TfliteLeakyReluMultipliers m = prepare_tflite_leaky_relu(p);
  validate_input(q, p.dtype);
  const std::int32_t input_value = q - p.input_zero_point;
  const FixedPointMultiplier& side = input_value >= 0 ? m.identity : m.alpha;
  const std::int64_t unclamped =
      std::int64_t{p.output_zero_point} + tflite_multiply_by_quantized_multiplier(input_value, side);
  // TFLite adds in int32; |MBQM| <= 2^31 - 1 and |Zo| <= 255 can leave int32 only when the
  // product saturated, and clamping the exact sum gives the same output as the saturated one.
  const std::int64_t lo = dtype_range(p.dtype).min, hi = dtype_range(p.dtype).max;
  return static_cast<std::int32_t>(unclamped < lo ? lo : (unclamped > hi ? hi : unclamped));
}

namespace fixed_point16 {

std::int16_t saturating_rounding_doubling_high_mul(std::int16_t a, std::int16_t b) {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  const std::int32_t ab = std::int32_t{a} * b;
  const std::int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<std::int16_t>((ab + nudge) / (1 << 15));  // C++ division truncates
}

std::int16_t saturating_doubling_high_mul(std::int16_t a, std::int16_t b) {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  return static_cast<std::int16_t>((std::int32_t{a} * b) / (1 << 15));  // truncates toward zero
}

std::int16_t rounding_divide_by_pot(std::int16_t x, int exponent) {
  const std::int32_t mask = (1 << exponent) - 1;
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<std::int16_t>((std::int32_t{x} >> exponent) + (remainder > threshold ? 1 : 0));
}

std::int16_t saturating_left_shift(std::int16_t x, int amount) {
  const std::int64_t v = std::int64_t{x} * (std::int64_t{1} << amount);
  return static_cast<std::int16_t>(v > 32767 ? 32767 : (v < -32768 ? -32768 : v));
}

}  // namespace fixed_point16

// Q13.2: HardSwishPrepare in binary32.
TfliteHardSwishMultipliers prepare_tflite_hardswish(const TfliteActivationParams& p) {
  validate(p);
  const float hires_input_scale = (1.0f / 128.0f) * p.input_scale;
  const float reluish_scale = 3.0f / 32768.0f;
  const float output_multiplier = hires_input_scale / p.output_scale;
  const float reluish_multiplier = hires_input_scale / reluish_scale;
  const FixedPointMultiplier out =
      tflite_quantize_multiplier_signed(static_cast<double>(output_multiplier), "output_scale");
  const FixedPointMultiplier rel =
      tflite_quantize_multiplier_signed(static_cast<double>(reluish_multiplier), "input_scale");
  if (out.shift > 0) {
    throw ParameterError("output_scale", "Si/(128*So) < 1/2 (TFLite: output_multiplier_exponent <= 0)",
                         hex_float(p.output_scale));
  }
  if (out.shift < -15) {
    throw ParameterError("output_scale",
                         "Si/(128*So) >= 2^-16 (the int16 RoundingDivideByPOT is exact to shift 15; "
                         "SPEC CHOICE Q13.2)",
                         hex_float(p.output_scale));
  }
  if (rel.shift < -15) {
    throw ParameterError("input_scale",
                         "Si*256/3 >= 2^-16 (the int16 RoundingDivideByPOT is exact to shift 15; "
                         "SPEC CHOICE Q13.2)",
                         hex_float(p.input_scale));
  }
  TfliteHardSwishMultipliers m;
  m.output_multiplier = down_scale_to_int16(out.multiplier);
  m.output_exponent = out.shift;
  m.reluish_multiplier = down_scale_to_int16(rel.multiplier);
  m.reluish_exponent = rel.shift;
  return m;
}

// Q13.2: reference_ops::HardSwish, step by step in int16.
std::int32_t tflite_hardswish(std::int32_t q, const TfliteActivationParams& p, TfliteHardSwishTrace* trace) {
  namespace f16 = fixed_point16;
  const TfliteHardSwishMultipliers m = prepare_tflite_hardswish(p);
  validate_input(q, p.dtype);
  TfliteHardSwishTrace t;
  const std::int16_t input_value = static_cast<std::int16_t>(q - p.input_zero_point);  // |.| <= 255
  const std::int16_t hires = static_cast<std::int16_t>(input_value * 128);             // |.| <= 32640
  const std::int16_t preshift_scale = f16::saturating_rounding_doubling_high_mul(hires, m.output_multiplier);
  std::int16_t reluish = hires;
  if (m.reluish_exponent > 0) reluish = f16::saturating_left_shift(reluish, m.reluish_exponent - 1);
  reluish = f16::saturating_rounding_doubling_high_mul(reluish, m.reluish_multiplier);
  if (m.reluish_exponent > 0) reluish = f16::saturating_left_shift(reluish, 1);
  if (m.reluish_exponent < 0) reluish = f16::rounding_divide_by_pot(reluish, -m.reluish_exponent);
  t.reluish_scaled = reluish;
  reluish = static_cast<std::int16_t>((std::int32_t{reluish} + (1 << 15)) >> 1);  // [0, 32767]
  const std::int16_t preshift_output = f16::saturating_doubling_high_mul(reluish, preshift_scale);
  const std::int16_t before_zero_point = f16::rounding_divide_by_pot(preshift_output, -m.output_exponent);
  // `output_value += output_zero_point` on int16_t: the int sum converted back to int16_t,
  // modulo 2^16 (C++20; GCC and Clang before it).
  const std::int32_t wide = std::int32_t{before_zero_point} + p.output_zero_point;
  const std::int16_t wrapped = static_cast<std::int16_t>(static_cast<std::uint16_t>(wide & 0xFFFF));
  t.int16_wrap = wide != wrapped;
  t.input_value = input_value;
  t.hires_input = hires;
  t.preshift_output_scale = preshift_scale;
  t.reluish = reluish;
  t.preshift_output = preshift_output;
  t.output_before_zero_point = before_zero_point;
  t.out = clamp_to(wrapped, p.dtype);
  if (trace) *trace = t;
  return t.out;
}

}  // namespace quantspec::ref
