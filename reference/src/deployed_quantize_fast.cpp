// Fast paths of Q20.2's PyTorch float-qparams quantize and Q11.9's 32-bit Arm TFLite quantize
// (see deployed_quantize.hpp): host binary32 steps, each rounded once.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {

std::int64_t quantize_pytorch_float_qparams_fast(float x, float scale, float zero_point, std::int64_t qmin,
                                                 std::int64_t qmax) {
  if (std::isnan(scale) || std::isinf(scale) || scale < 0.0f) {
    throw ParameterError("scale", "finite and >= 0 (0 means inv_scale 1)", hex_float(scale));
  }
  if (!std::isfinite(zero_point)) throw ParameterError("zero_point", "a finite binary32", hex_float(zero_point));
  if (qmin > qmax) throw ParameterError("qmin", "<= qmax (" + std::to_string(qmax) + ")", std::to_string(qmin));
  const std::int64_t at_zero = std::clamp<std::int64_t>(0, qmin, qmax);  // LONG_MIN truncated to an int
  if (!std::isfinite(x)) return at_zero;
  const volatile float inv = scale == 0.0f ? 1.0f : 1.0f / scale;
  const volatile float product = x * inv;
  const volatile float u = product + zero_point;
  if (!std::isfinite(u)) return at_zero;  // an infinite product gives an infinite u
  const float rounded = std::nearbyint(u);  // lrintf in the default mode: ties to even
  if (std::fabs(rounded) >= 0x1p63f) return at_zero;  // lrintf's LONG_MIN
  // The int that receives the long keeps its low 32 bits.
  const auto low32 = static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::int64_t>(rounded)));
  return std::clamp<std::int64_t>(low32, qmin, qmax);
}

std::int64_t quantize_tflite_armv7_neon_fast(float x, const QuantizeParams& params) {
  params.validate();
  if (std::isnan(x)) return params.zero_point;  // Q2.4 (SPEC CHOICE)
  if (std::isinf(x)) return x > 0 ? params.qmax : params.qmin;
  const volatile float reciprocal = static_cast<float>(1.0 / static_cast<double>(params.scale));
  if (std::isinf(reciprocal)) {
    if (x == 0.0f) return params.zero_point;
    return x > 0 ? params.qmax : params.qmin;
  }
  const volatile float t = x * reciprocal;
  if (std::isinf(t)) return t > 0 ? params.qmax : params.qmin;
  const volatile float u = t + (t < 0.0f ? -0.5f : 0.5f);
  if (std::isinf(u)) return u > 0 ? params.qmax : params.qmin;
  // trunc(u) is exact; beyond +-2^62 the clamp decides alone, whatever Z adds.
  const float v = std::trunc(u);
  if (v >= 0x1p62f) return params.qmax;
  if (v <= -0x1p62f) return params.qmin;
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(v) + params.zero_point, params.qmin, params.qmax);
}

}  // namespace quantspec::ref
