// Q3.5: TFLite's optimized Dequantize vector loop, fl32(fl32(fl32(q) * S) + fl32(fl64(-Z * S))),
// computed from exact rationals with each of the kernel's roundings made explicit.
#include "quantspec/reference/deployed_dequantize.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

void check_int32(const Integer& value, const char* parameter) {
  if (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max()) {
    throw ParameterError(parameter, "an int32 (the kernel's int32x4_t lanes)", value.str());
  }
}

// Binary32 addition of two binary32 values, at least one of them infinite (IEEE 754 6.1).
float add_with_infinity(float a, float b) {
  if (std::isinf(a) && std::isinf(b) && (a > 0) != (b > 0)) return std::numeric_limits<float>::quiet_NaN();
  return std::isinf(a) ? a : b;
}

}  // namespace

// Q3.5.
float dequantize_tflite_neon_mul_add(const Integer& q, float scale, std::int64_t zero_point) {
  const Rational s = dequantize_exact(Integer(1), scale, 0);  // validates the scale (Q3.1)
  check_int32(q, "q");
  check_int32(Integer(zero_point), "zero_point");
  const float q32 = round_to_binary32(Rational(q));                                       // vcvtq_f32_s32
  const float product = round_to_binary32(exact(q32) * s);                                // vmulq_f32
  const double zero_times_scale64 = round_to_binary64(Rational(-zero_point) * s);         // -zero_point * scale
  const float zero_times_scale = round_to_binary32(exact(zero_times_scale64));            // static_cast<float>
  if (std::isinf(product) || std::isinf(zero_times_scale)) return add_with_infinity(product, zero_times_scale);
  return round_to_binary32(exact(product) + exact(zero_times_scale));                    // vaddq_f32
}

// Q3.5 with Q3.3's parameter checks.
float dequantize_tflite_neon_mul_add(const Integer& q, const QuantizeParams& params) {
  dequantize_exact(q, params);  // validates params and q on the grid (Q3.3)
  return dequantize_tflite_neon_mul_add(q, params.scale, params.zero_point);
}

}  // namespace quantspec::ref
