// Q15 fake quantization (SPEC.md §Q15). The exact variant is rational arithmetic with one
// rounding of the result; the PyTorch and TensorFlow variants follow their kernels' binary32
// (and, where C++ promotes, binary64) operations one at a time, each rounding modelled by
// round_to_binary32 / round_to_binary64 of the exact value, with IEEE rules for NaN and inf.
#include "quantspec/reference/fake_quant.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/params.hpp"

namespace quantspec::ref {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// IEEE 754 binary32 operations, round to nearest even, modelled exactly (Q0.1).
float f32_add(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (std::isinf(a) || std::isinf(b)) {
    if (std::isinf(a) && std::isinf(b) && std::signbit(a) != std::signbit(b)) return kNaN;
    return std::isinf(a) ? a : b;
  }
  return round_to_binary32(exact(a) + exact(b));
}
float f32_sub(float a, float b) { return f32_add(a, -b); }
float f32_mul(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (std::isinf(a) || std::isinf(b)) {
    if (a == 0.0f || b == 0.0f) return kNaN;
    return std::signbit(a) != std::signbit(b) ? -kInf : kInf;
  }
  return round_to_binary32(exact(a) * exact(b));
}
float f32_div(float a, float b) {  // b is never 0 here (scales are validated)
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (std::isinf(a) && std::isinf(b)) return kNaN;
  if (std::isinf(a)) return std::signbit(a) != std::signbit(b) ? -kInf : kInf;
  if (std::isinf(b)) return 0.0f;
  return round_to_binary32(exact(a) / exact(b));
}
// nearbyint / floor of a binary32 (the result is a binary32 integer, or the input if not finite).
float f32_round(float a, Rounding rule) {
  if (!std::isfinite(a)) return a;
  return round_to_binary32(Rational(round_to_integer(exact(a), rule)));
}

void check_grid(std::int64_t qmin, std::int64_t qmax) {
  if (qmin < -2147483648LL) {
    throw ParameterError("qmin", ">= -2147483648", std::to_string(qmin));
  }
  if (qmax > 2147483647LL) throw ParameterError("qmax", "<= 2147483647", std::to_string(qmax));
  if (qmin >= qmax) {
    throw ParameterError("qmin", "qmin < qmax (qmax = " + std::to_string(qmax) + ")",
                         std::to_string(qmin));
  }
}

// Q15.2.
FakeQuantResult fake_quantize_exact(float x, const FakeQuantParams& p) {
  FakeQuantResult r;
  const Integer z = p.zero_point, lo = p.qmin, hi = p.qmax;
  if (std::isnan(x)) {  // SPEC CHOICE (Q15.2): NaN propagates, no gradient
    r.value = kNaN;
    r.q = z;
    r.special = true;
    return r;
  }
  Integer unclamped;
  if (std::isinf(x)) {
    r.special = true;
    unclamped = x > 0 ? Integer(hi + 1) : Integer(lo - 1);  // beyond the grid on its side
  } else {
    unclamped = round_to_integer(exact(x) / exact(p.scale), p.rounding) + z;
  }
  r.mask = lo <= unclamped && unclamped <= hi;
  r.q = clamp(unclamped, lo, hi);
  r.exact_value = Rational(r.q - z) * exact(p.scale);
  r.value = round_to_binary32(r.exact_value);
  return r;
}

// Q15.3: PyTorch 1.13 fake_quantize_tensor_cachemask_kernel (CPU, float input, x86-64).
FakeQuantResult fake_quantize_pytorch(float x, const FakeQuantParams& p) {
  FakeQuantResult r;
  const float inv_scale = f32_div(1.0f, p.scale);                    // 1.0f / sc
  const float product = f32_mul(x, inv_scale);                        // x * inv_scale
  const float nearest = f32_round(product, Rounding::half_even);      // std::nearbyint
  const float zero_point_f = round_to_binary32(Rational(p.zero_point));  // int64 -> float
  const float shifted = f32_add(zero_point_f, nearest);               // z_point + nearbyint
  // static_cast<int64_t>(float): undefined in C++ for NaN and |v| >= 2^63; x86-64
  // (cvttss2si) returns INT64_MIN, which is what PyTorch 1.13 shows (Q15.3).
  Integer qval;
  if (!std::isfinite(shifted) || std::fabs(shifted) >= 0x1p63f) {
    qval = Integer(std::numeric_limits<std::int64_t>::min());
    r.special = true;
  } else {
    qval = Integer(exact(shifted));  // an integer-valued binary32
  }
  const Integer lo = p.qmin, hi = p.qmax, z = p.zero_point;
  r.mask = lo <= qval && qval <= hi;
  r.q = clamp(qval, lo, hi);  // std::fmin/std::fmax in binary64 (exact for these integers)
  // (fmin(...) - z_point) * sc: binary64 difference (exact, |q - Z| < 2^33) times the scale
  // in binary64, then stored as float.
  const double product64 = round_to_binary64(Rational(r.q - z) * exact(p.scale));
  r.value = round_to_binary32(exact(product64));
  // An output beyond binary32 is +-inf (|q - Z| * S up to 2^32 * 2^128): keep the finite
  // binary64 product as the exact value then.
  r.exact_value = std::isfinite(r.value) ? exact(r.value) : exact(product64);
  return r;
}

}  // namespace

std::string_view name(FakeQuantVariant v) {
  switch (v) {
    case FakeQuantVariant::exact: return "exact";
    case FakeQuantVariant::pytorch: return "pytorch";
    case FakeQuantVariant::tensorflow: return "tensorflow";
  }
  return "?";
}

FakeQuantVariant parse_fake_quant_variant(std::string_view text, std::string_view parameter) {
  for (FakeQuantVariant v :
       {FakeQuantVariant::exact, FakeQuantVariant::pytorch, FakeQuantVariant::tensorflow}) {
    if (text == name(v)) return v;
  }
  throw ParameterError(std::string(parameter), "one of exact, pytorch, tensorflow",
                       std::string(text));
}

std::string_view name(TfFakeQuantOp op) {
  switch (op) {
    case TfFakeQuantOp::with_min_max_args: return "with_min_max_args";
    case TfFakeQuantOp::with_min_max_vars: return "with_min_max_vars";
    case TfFakeQuantOp::with_min_max_vars_per_channel: return "with_min_max_vars_per_channel";
  }
  return "?";
}

FakeQuantParams FakeQuantParams::for_dtype(DType type, float scale, std::int64_t zero_point,
                                           bool narrow_range) {
  const IntRange grid = dtype_range(type, narrow_range);
  return FakeQuantParams{scale, zero_point, grid.min, grid.max, Rounding::half_even};
}

// Q15.5.
void FakeQuantParams::validate() const {
  exact(scale, "scale");
  if (!(scale > 0.0f)) throw ParameterError("scale", "> 0 and finite", hex_float(scale));
  check_grid(qmin, qmax);
  if (zero_point < qmin || zero_point > qmax) {
    throw ParameterError("zero_point",
                         "in [qmin, qmax] = [" + std::to_string(qmin) + ", " +
                             std::to_string(qmax) + "]",
                         std::to_string(zero_point));
  }
}

// Q15.5.
void TfFakeQuantParams::validate() const {
  exact(min, "min");
  exact(max, "max");
  if (num_bits < 2 || num_bits > 16) {
    throw ParameterError("num_bits", "in [2, 16]", std::to_string(num_bits));
  }
  if (min > max) {
    throw ParameterError("min", "min <= max (max = " + hex_float(max) + ")", hex_float(min));
  }
  const bool all_zero = min == 0.0f && max == 0.0f;
  if (min == max && !(all_zero && op != TfFakeQuantOp::with_min_max_args)) {
    throw ParameterError("min",
                         "min < max (min = max = 0 only for the Vars and PerChannel ops)",
                         hex_float(min));
  }
  if (!all_zero && std::isinf(f32_sub(max, min))) {
    throw ParameterError("max", "fl32(max - min) finite", hex_float(max));
  }
}

// Q15.4: Nudge() of fake_quant_ops_functor.h, one binary32 operation at a time.
TfNudged tf_nudge(const TfFakeQuantParams& params) {
  params.validate();
  TfNudged n;
  n.quant_min = params.narrow_range ? 1 : 0;
  n.quant_max = (std::int64_t{1} << params.num_bits) - 1;
  if (params.min == 0.0f && params.max == 0.0f) {
    n.all_zero = true;
    return n;
  }
  const float qmin_f = static_cast<float>(n.quant_min);
  const float qmax_f = static_cast<float>(n.quant_max);
  const float steps = f32_sub(qmax_f, qmin_f);  // exact: < 2^16
  const float range = f32_sub(params.max, params.min);
  n.scale = f32_div(range, steps);
  if (!(n.scale > 0.0f)) {
    throw ParameterError("scale", "fl32((max - min) / (qmax - qmin)) > 0",
                         hex_float(n.scale) + " for max - min = " + hex_float(range));
  }
  n.inv_scale = f32_div(steps, range);
  if (std::isinf(n.inv_scale)) {  // Q15.5 SPEC CHOICE: a range below ~(qmax - qmin) * 2^-128
    throw ParameterError("scale", "fl32((qmax - qmin) / fl32(max - min)) finite (Q15.5)",
                         "inf for max - min = " + hex_float(range));
  }
  n.zero_point_from_min = f32_sub(qmin_f, f32_div(params.min, n.scale));
  if (n.zero_point_from_min < qmin_f) {
    n.nudged_zero_point = n.quant_min;
  } else if (n.zero_point_from_min > qmax_f) {
    n.nudged_zero_point = n.quant_max;
  } else {  // static_cast<uint16>(std::round(zero_point_from_min))
    n.nudged_zero_point = static_cast<std::int64_t>(
        round_to_integer(exact(n.zero_point_from_min), Rounding::half_away));
  }
  const float nz = static_cast<float>(n.nudged_zero_point);
  n.nudged_min = f32_mul(f32_sub(qmin_f, nz), n.scale);
  n.nudged_max = f32_mul(f32_sub(qmax_f, nz), n.scale);
  n.quant_zero = f32_round(f32_add(f32_mul(-n.nudged_min, n.inv_scale), 0.5f), Rounding::floor);
  return n;
}

namespace {
FakeQuantResult tf_element(float x, const TfNudged& n, TfFakeQuantOp op) {
  FakeQuantResult r;
  if (n.all_zero) {  // outputs.constant(0.0f); the gradient passes everything (Q16.1)
    r.mask = true;
    return r;
  }
  if (std::isnan(x)) {  // SPEC CHOICE (Q15.4): NaN propagates; TF's behaviour not verified
    r.value = kNaN;
    r.special = true;
    r.q = Integer(exact(n.quant_zero));
    return r;
  }
  r.mask = n.nudged_min <= x && x <= n.nudged_max;
  r.special = std::isinf(x);
  const float clamped = x > n.nudged_max ? n.nudged_max : (x < n.nudged_min ? n.nudged_min : x);
  const float shifted = f32_sub(clamped, n.nudged_min);
  const float scaled = op == TfFakeQuantOp::with_min_max_vars ? f32_div(shifted, n.scale)
                                                              : f32_mul(shifted, n.inv_scale);
  const float level =
      f32_round(f32_add(f32_sub(scaled, n.quant_zero), 0.5f), Rounding::floor);
  r.value = f32_mul(level, n.scale);
  r.q = Integer(exact(level)) + Integer(exact(n.quant_zero));
  r.exact_value = exact(r.value);
  return r;
}
}  // namespace

FakeQuantResult fake_quantize_tensorflow(float x, const TfFakeQuantParams& params) {
  return tf_element(x, tf_nudge(params), params.op);
}

FakeQuantResult fake_quantize(float x, const FakeQuantParams& params, FakeQuantVariant variant) {
  params.validate();
  switch (variant) {
    case FakeQuantVariant::exact: return fake_quantize_exact(x, params);
    case FakeQuantVariant::pytorch: return fake_quantize_pytorch(x, params);
    case FakeQuantVariant::tensorflow: break;
  }
  throw ParameterError("variant", "exact or pytorch (tensorflow takes min/max: Q15.4)",
                       std::string(name(variant)));
}

// Q15.6.
std::vector<FakeQuantResult> fake_quantize_per_channel(const std::vector<float>& x,
                                                       const std::vector<std::size_t>& shape,
                                                       std::int64_t axis,
                                                       const std::vector<FakeQuantParams>& params,
                                                       FakeQuantVariant variant) {
  const std::size_t channel_axis = normalise_axis(x.size(), shape, axis);
  if (params.size() != shape[channel_axis]) {
    throw ParameterError("params",
                         "one parameter set per channel (" +
                             std::to_string(shape[channel_axis]) + ")",
                         std::to_string(params.size()));
  }
  for (const FakeQuantParams& p : params) p.validate();
  std::vector<FakeQuantResult> out;
  out.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    out.push_back(fake_quantize(x[i], params[channel_of(i, shape, channel_axis)], variant));
  }
  return out;
}

// Q15.6.
std::vector<FakeQuantResult> fake_quantize_tensorflow_per_channel(
    const std::vector<float>& x, const std::vector<TfFakeQuantParams>& params) {
  if (params.empty() || x.size() % params.size() != 0) {
    throw ParameterError("shape",
                         "the element count is a multiple of the channel count (" +
                             std::to_string(params.size()) + ")",
                         std::to_string(x.size()) + " elements");
  }
  std::vector<TfNudged> nudged;
  for (TfFakeQuantParams p : params) {
    p.op = TfFakeQuantOp::with_min_max_vars_per_channel;
    nudged.push_back(tf_nudge(p));
  }
  std::vector<FakeQuantResult> out;
  out.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    out.push_back(
        tf_element(x[i], nudged[i % params.size()], TfFakeQuantOp::with_min_max_vars_per_channel));
  }
  return out;
}

}  // namespace quantspec::ref
