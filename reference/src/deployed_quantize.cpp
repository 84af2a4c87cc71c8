// Q20.2: quantize with the zero point added before rounding (oneDNN reorder), next to the
// conforming "round first, then add Z" of Q2.3.
#include "quantspec/reference/deployed_quantize.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {

Integer quantize_with_zero_point_entry(float x, const QuantizeParams& params, ZeroPointEntry entry) {
  if (entry == ZeroPointEntry::after_rounding) return quantize(x, params);  // Q2.3
  params.validate();
  const Integer qmin(params.qmin);
  const Integer qmax(params.qmax);
  const Integer zero_point(params.zero_point);
  // Q2.4 for both members: NaN -> Z, +-inf -> qmax/qmin.
  if (std::isnan(x)) return zero_point;
  if (std::isinf(x)) return x > 0 ? qmax : qmin;
  Rational t;
  switch (quotient(x, params.scale, params.division, &t)) {
    case QuotientKind::nan: return zero_point;  // 0 * fl32(1/S) = 0 * inf (Q2.4)
    case QuotientKind::positive_infinity: return qmax;
    case QuotientKind::negative_infinity: return qmin;
    case QuotientKind::finite: break;
  }
  Rational u;
  if (params.division == Division::exact) {
    u = t + Rational(zero_point);  // Q20.2: exact sum, one rounding R
  } else {
    // Q20.2: the binary32 pipeline adds fl32(Z) to its binary32 t, one more rounding.
    const float sum = round_to_binary32(t + exact(round_to_binary32(Rational(zero_point))));
    if (std::isinf(sum)) return sum > 0 ? qmax : qmin;
    u = exact(sum);
  }
  return clamp(round_to_integer(u, params.rounding), qmin, qmax);
}

// Q20.2: PyTorch's quantize_val_float_qparams (aten/src/ATen/native/quantized/AffineQuantizerBase.cpp).
Integer quantize_pytorch_float_qparams(float x, float scale, float zero_point, std::int64_t qmin,
                                       std::int64_t qmax) {
  if (std::isnan(scale) || std::isinf(scale) || scale < 0.0f) {
    throw ParameterError("scale", "finite and >= 0 (0 means inv_scale 1)", hex_float(scale));
  }
  exact(zero_point, "zero_point");
  if (qmin > qmax) {
    throw ParameterError("qmin", "<= qmax (" + std::to_string(qmax) + ")", std::to_string(qmin));
  }
  const Integer lo(qmin), hi(qmax);
  if (std::isnan(x) || std::isinf(x)) return std::clamp(Integer(0), lo, hi);
  const float inv = scale == 0.0f ? 1.0f : round_to_binary32(Rational(1) / exact(scale));
  const float product = round_to_binary32(exact(x) * exact(inv));
  if (std::isinf(product)) return std::clamp(Integer(0), lo, hi);
  const float u = round_to_binary32(exact(product) + exact(zero_point));
  if (std::isinf(u)) return std::clamp(Integer(0), lo, hi);
  const Integer rounded = round_to_integer(exact(u), Rounding::half_even);  // lrintf, default mode
  // long is 64 bits: beyond it lrintf gives LONG_MIN; the int that holds it keeps the low 32
  // bits, which are 0 for LONG_MIN and the value itself otherwise (wrapped to int32).
  const Integer long_limit = Integer(1) << 63;
  if (rounded >= long_limit || rounded < -long_limit) return std::clamp(Integer(0), lo, hi);
  Integer low32 = rounded % (Integer(1) << 32);
  if (low32 < 0) low32 += Integer(1) << 32;
  if (low32 >= (Integer(1) << 31)) low32 -= Integer(1) << 32;
  return std::clamp(low32, lo, hi);
}

// Q11.9: tflite/kernels/internal/optimized/optimized_ops.h AffineQuantize, USE_NEON body with
// the RoundToNearest of 32-bit Arm (the `#else` of `__aarch64__ || __SSSE3__`).
Integer quantize_tflite_armv7_neon(float x, const QuantizeParams& params) {
  params.validate();
  const Integer qmin(params.qmin);
  const Integer qmax(params.qmax);
  const Integer zero_point(params.zero_point);
  if (std::isnan(x)) return zero_point;  // Q2.4 (SPEC CHOICE)
  if (std::isinf(x)) return x > 0 ? qmax : qmin;
  // reverse_scale = 1.0f / scale with scale a double: the quotient in binary64, then binary32.
  const double reciprocal64 = round_to_binary64(Rational(1) / exact(params.scale));
  const float reciprocal = round_to_binary32(exact(reciprocal64));
  if (std::isinf(reciprocal)) {  // S < 2^-128: x * inf
    if (x == 0.0f) return zero_point;  // 0 * inf = NaN (Q2.4)
    return (x > 0) ? qmax : qmin;
  }
  const float t = round_to_binary32(exact(x) * exact(reciprocal));
  if (std::isinf(t)) return t > 0 ? qmax : qmin;
  const Rational half(1, 2);
  const float u = round_to_binary32(exact(t) + (t < 0.0f ? -half : half));
  if (std::isinf(u)) return u > 0 ? qmax : qmin;
  const Integer v = round_to_integer(exact(u), Rounding::toward_zero);
  return clamp(v + zero_point, qmin, qmax);
}

}  // namespace quantspec::ref
