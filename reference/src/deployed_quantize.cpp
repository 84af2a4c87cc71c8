// Q20.2: quantize with the zero point added before rounding (oneDNN reorder), next to the
// conforming "round first, then add Z" of Q2.3.
#include "quantspec/reference/deployed_quantize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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
  // S below 2^-128: fl32(1/S) overflows, x * inv is +-inf (NaN for x = 0), lrintf gives LONG_MIN.
  if (std::isinf(inv)) return std::clamp(Integer(0), lo, hi);
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

// Q11.12: ONNX QuantizeLinear with the division in binary16 / bfloat16
// (onnx/onnx onnx/defs/quantization/defs.cc QuantizeLinear 21, 23, 24, 25;
// onnx/reference/ops/op_quantize_linear.py _CommonQuantizeLinear._run).
std::string_view name(NarrowFormat format) {
  return format == NarrowFormat::binary16 ? "f16_divide" : "bf16_divide";
}

NarrowFormat parse_narrow_format(std::string_view text, std::string_view parameter) {
  for (NarrowFormat f : {NarrowFormat::binary16, NarrowFormat::bfloat16}) {
    if (name(f) == text) return f;
  }
  throw ParameterError(std::string(parameter), "f16_divide or bf16_divide", std::string(text));
}

namespace {

float round_to_narrow(const Rational& value, NarrowFormat format) {
  return format == NarrowFormat::binary16 ? round_to_binary16(value) : round_to_bfloat16(value);
}

// Q11.12: fl_P(S), which must be finite and > 0.
float narrow_scale(float scale, NarrowFormat format) {
  const float s = round_to_narrow(exact(scale, "scale"), format);
  if (std::isinf(s) || s == 0.0f) {
    throw ParameterError("scale", std::string("finite and > 0 after rounding to ") +
                                      (format == NarrowFormat::binary16 ? "binary16" : "bfloat16"),
                         hex_float(scale));
  }
  return s;
}

}  // namespace

Integer quantize_narrow_divide(float x, const QuantizeParams& params, NarrowFormat format) {
  params.validate();
  const float s = narrow_scale(params.scale, format);
  const Integer qmin(params.qmin), qmax(params.qmax), zero_point(params.zero_point);
  if (std::isnan(x)) return zero_point;          // Q2.4
  if (std::isinf(x)) return x > 0 ? qmax : qmin;  // Q2.4
  const float u = round_to_narrow(exact(x), format);  // the cast of x to P
  if (std::isinf(u)) return u > 0 ? qmax : qmin;      // SPEC CHOICE, as an infinite input
  const float t = round_to_narrow(exact(u) / exact(s), format);
  if (std::isinf(t)) return t > 0 ? qmax : qmin;  // SPEC CHOICE (Q2.4 for an infinite t)
  return clamp(round_to_integer(exact(t), params.rounding) + zero_point, qmin, qmax);
}

namespace {

// Host rounding of a finite binary32 to P by scaling to its quantum (exact in binary64) and
// nearbyint (ties to even in the default rounding mode).
float host_round_to_narrow(float value, NarrowFormat format) {
  const int precision = format == NarrowFormat::binary16 ? 11 : 8;
  const int min_exponent = format == NarrowFormat::binary16 ? -14 : -126;
  const int max_exponent = format == NarrowFormat::binary16 ? 15 : 127;
  if (value == 0.0f || !std::isfinite(value)) return value;
  int e = 0;
  std::frexp(value, &e);  // value = f * 2^e, f in [0.5, 1): binary exponent e - 1
  const int quantum = std::max(e - 1, min_exponent) - (precision - 1);
  const double rounded =
      std::ldexp(std::nearbyint(std::ldexp(static_cast<double>(value), -quantum)), quantum);
  if (std::fabs(rounded) >= std::ldexp(1.0, max_exponent + 1)) {
    return value > 0 ? std::numeric_limits<float>::infinity()
                     : -std::numeric_limits<float>::infinity();
  }
  return static_cast<float>(rounded);
}

}  // namespace

std::int64_t quantize_narrow_divide_fast(float x, const QuantizeParams& params, NarrowFormat format) {
  const float s = host_round_to_narrow(params.scale, format);
  if (std::isinf(s) || s == 0.0f) return quantize_narrow_divide(x, params, format).convert_to<std::int64_t>();
  if (std::isnan(x)) return params.zero_point;
  const float u = host_round_to_narrow(x, format);
  if (std::isinf(u)) return u > 0 ? params.qmax : params.qmin;
  volatile float quotient = u / s;
  const float t = host_round_to_narrow(quotient, format);
  if (std::isinf(t)) return t > 0 ? params.qmax : params.qmin;
  double r = 0;
  switch (params.rounding) {
    case Rounding::half_even: r = std::nearbyint(static_cast<double>(t)); break;
    case Rounding::half_away: r = std::round(static_cast<double>(t)); break;
    case Rounding::half_up: r = std::floor(static_cast<double>(t) + 0.5); break;
    case Rounding::toward_zero: r = std::trunc(static_cast<double>(t)); break;
    case Rounding::floor: r = std::floor(static_cast<double>(t)); break;
  }
  // |t| < 2^128: clamp in binary64 before converting (the bounds are int32-sized).
  const double v = r + static_cast<double>(params.zero_point);
  if (v <= static_cast<double>(params.qmin)) return params.qmin;
  if (v >= static_cast<double>(params.qmax)) return params.qmax;
  return static_cast<std::int64_t>(v);
}

}  // namespace quantspec::ref
