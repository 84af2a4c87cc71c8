// Q20.3: binary32 requantization scale orders, the binary32 pipeline with any rounding, and the
// binary64 pipeline (`fp64`, LiteRT's reference FULLY_CONNECTED).
#include "quantspec/reference/binary32_requantize.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"

namespace quantspec::ref {
namespace {

float finite_nonzero(const Rational& value, const char* parameter, const char* what) {
  const float f = round_to_binary32(value);
  if (std::isinf(f) || f == 0.0f) {
    throw ParameterError(parameter, std::string(what) + " finite and > 0", hex_float(f));
  }
  return f;
}

}  // namespace

std::string_view name(ScaleDerivation d) {
  switch (d) {
    case ScaleDerivation::exact: return "exact";
    case ScaleDerivation::tflite: return "tflite";
    case ScaleDerivation::f32_product_divide: return "f32_product_divide";
    case ScaleDerivation::f32_product_reciprocal: return "f32_product_reciprocal";
    case ScaleDerivation::f32_reciprocal_quotient: return "f32_reciprocal_quotient";
    case ScaleDerivation::f32_product_f64_divide: return "f32_product_f64_divide";
  }
  return "?";
}

const std::vector<ScaleDerivation>& all_scale_derivations() {
  static const std::vector<ScaleDerivation> all = {
      ScaleDerivation::exact, ScaleDerivation::tflite, ScaleDerivation::f32_product_divide,
      ScaleDerivation::f32_product_reciprocal, ScaleDerivation::f32_reciprocal_quotient,
      ScaleDerivation::f32_product_f64_divide};
  return all;
}

ScaleDerivation parse_scale_derivation(std::string_view text, std::string_view parameter) {
  for (ScaleDerivation d : all_scale_derivations()) {
    if (name(d) == text) return d;
  }
  throw ParameterError(std::string(parameter),
                       "exact, tflite, f32_product_divide, f32_product_reciprocal, f32_reciprocal_quotient "
                       "or f32_product_f64_divide",
                       std::string(text));
}

Rational derived_multiplier(float sx, float sw, float sy, ScaleDerivation derivation) {
  const Rational m = multiplier_from_scales(sx, sw, sy);  // validates sx, sw, sy (Q6.7)
  switch (derivation) {
    case ScaleDerivation::exact:  // Q20.3 = Q6.8 exact
      return m;
    case ScaleDerivation::tflite: {  // Q20.3: TFLite's double input_scale*filter_scale/output_scale
      const double d = round_to_binary64(m);
      return exact(d);
    }
    case ScaleDerivation::f32_product_divide:  // Q6.5
      return exact(binary32_scale_from_scales(sx, sw, sy));
    case ScaleDerivation::f32_product_reciprocal: {  // Q20.3
      const float product = finite_nonzero(exact(sx) * exact(sw), "sw", "fl32(sx*sw)");
      const float reciprocal = finite_nonzero(Rational(1) / exact(sy), "sy", "fl32(1/sy)");
      return exact(finite_nonzero(exact(product) * exact(reciprocal), "sy",
                                  "fl32(fl32(sx*sw)*fl32(1/sy))"));
    }
    case ScaleDerivation::f32_reciprocal_quotient: {  // Q20.3: ideep's oneDNN output scale
      // ideep takes fl32(fl64(1/S)); that equals fl32(1/S) (SPEC Q20.3: 1/S is never within
      // 2^-53 relative of a binary32 midpoint without being one, so the binary64 rounding
      // cannot create a tie).
      const float rx = finite_nonzero(Rational(1) / exact(sx), "sx", "fl32(1/sx)");
      const float rw = finite_nonzero(Rational(1) / exact(sw), "sw", "fl32(1/sw)");
      const float ry = finite_nonzero(Rational(1) / exact(sy), "sy", "fl32(1/sy)");
      const float product = finite_nonzero(exact(rx) * exact(rw), "sw", "fl32(fl32(1/sx)*fl32(1/sw))");
      return exact(finite_nonzero(exact(ry) / exact(product), "sy",
                                  "fl32(fl32(1/sy)/fl32(fl32(1/sx)*fl32(1/sw)))"));
    }
    case ScaleDerivation::f32_product_f64_divide: {  // Q20.3: LiteRT's per-tensor conv/FC multiplier
      // kernel_util.cc GetQuantizedConvolutionMultipler: static_cast<double>(Sx * Sw) / Sy.
      // The quotient lies in [2^-277, 2^277] for finite scales > 0: never 0 or infinite.
      const float product = finite_nonzero(exact(sx) * exact(sw), "sw", "fl32(sx*sw)");
      return exact(round_to_binary64(exact(product) / exact(sy)));
    }
  }
  return m;
}

float binary32_requantization_scale(float sx, float sw, float sy, ScaleDerivation derivation) {
  return finite_nonzero(derived_multiplier(sx, sw, sy, derivation), "sy", "the binary32 scale");
}

namespace {

// Q20.3: the output interval and zero point of both floating-point pipelines.
void validate_output(std::int32_t zero_point, std::int32_t qmin, std::int32_t qmax) {
  if (qmin > qmax) {
    throw ParameterError("qmin", "<= qmax (" + std::to_string(qmax) + ")", std::to_string(qmin));
  }
  if (zero_point < qmin || zero_point > qmax) {
    throw ParameterError("zero_point",
                         "in [" + std::to_string(qmin) + ", " + std::to_string(qmax) + "]",
                         std::to_string(zero_point));
  }
}

// Q20.3: rounding to the format of a floating-point pipeline (binary32 or binary64).
float round_to(const Rational& value, float) { return round_to_binary32(value); }
double round_to(const Rational& value, double) { return round_to_binary64(value); }

// Q20.3: the fp32 / fp64 pipeline from the value a it multiplies (fl(acc), or fl32(acc) plus a
// binary32 bias), in the format F of a: t = fl(a * scale), then R and the zero-point entry
// (before_rounding adds Zy in F too); t or the biased sum infinite gives qmax / qmin.
template <typename F>
F scaled(F a, F scale) {
  return std::isinf(a) ? a : round_to(exact(a) * exact(scale), F{});
}

template <typename F>
Integer rounded_scaled(F t, std::int32_t zero_point, std::int32_t qmin, std::int32_t qmax,
                       Rounding rounding, ZeroPointEntry entry) {
  const Integer lo(qmin), hi(qmax), zy(zero_point);
  if (std::isinf(t)) return t > 0 ? hi : lo;
  if (entry == ZeroPointEntry::after_rounding) {
    return clamp(round_to_integer(exact(t), rounding) + zy, lo, hi);
  }
  const F biased = round_to(exact(t) + Rational(zy), F{});
  if (std::isinf(biased)) return biased > 0 ? hi : lo;
  return clamp(round_to_integer(exact(biased), rounding), lo, hi);
}

template <typename F>
Integer requantize_scaled(F a, F scale, std::int32_t zero_point, std::int32_t qmin,
                          std::int32_t qmax, Rounding rounding, ZeroPointEntry entry) {
  return rounded_scaled(scaled(a, scale), zero_point, qmin, qmax, rounding, entry);
}

void validate_scale(float scale) {
  if (!std::isfinite(scale) || !(scale > 0)) {
    throw ParameterError("scale", "a finite binary32 > 0 (subnormal allowed)", hex_float(scale));
  }
}

void validate_scale(double scale) {
  if (!std::isfinite(scale) || !(scale > 0)) {
    throw ParameterError("scale", "a finite binary64 > 0 (subnormal allowed)", hex_float(scale));
  }
}

}  // namespace

float binary32_scaled_accumulator(const Integer& acc, float scale) {
  validate_scale(scale);
  return scaled(round_to_binary32(Rational(acc)), scale);
}

Integer requantize_binary32_scaled(float t, std::int32_t zero_point, std::int32_t qmin,
                                   std::int32_t qmax, Rounding rounding, ZeroPointEntry entry) {
  validate_output(zero_point, qmin, qmax);
  return rounded_scaled(t, zero_point, qmin, qmax, rounding, entry);
}

double binary64_scaled_accumulator(const Integer& acc, double scale) {
  validate_scale(scale);
  return scaled(round_to_binary64(Rational(acc)), scale);
}

Integer requantize_binary64_scaled(double t, std::int32_t zero_point, std::int32_t qmin,
                                   std::int32_t qmax, Rounding rounding, ZeroPointEntry entry) {
  validate_output(zero_point, qmin, qmax);
  return rounded_scaled(t, zero_point, qmin, qmax, rounding, entry);
}

Integer requantize_binary32(const Integer& acc, float scale, std::int32_t zero_point,
                            std::int32_t qmin, std::int32_t qmax, Rounding rounding,
                            ZeroPointEntry entry) {
  validate_scale(scale);
  validate_output(zero_point, qmin, qmax);
  // Q20.3 (Q7.11 with rounding R): two binary32 roundings, fl32(acc) and the product.
  return requantize_binary32_scaled(binary32_scaled_accumulator(acc, scale), zero_point, qmin,
                                    qmax, rounding, entry);
}

Integer requantize_binary32_float_bias(const Integer& acc, float bias, float scale,
                                       std::int32_t zero_point, std::int32_t qmin,
                                       std::int32_t qmax, Rounding rounding, ZeroPointEntry entry) {
  if (!std::isfinite(bias)) throw ParameterError("bias", "a finite binary32", hex_float(bias));
  if (!std::isfinite(scale) || !(scale > 0)) {
    throw ParameterError("scale", "a finite binary32 > 0 (subnormal allowed)", hex_float(scale));
  }
  validate_output(zero_point, qmin, qmax);
  // Q20.3: fl32(acc), then the bias added in binary32 (an infinite fl32(acc) stays infinite).
  const float a = round_to_binary32(Rational(acc));
  const float biased = std::isinf(a) ? a : round_to_binary32(exact(a) + exact(bias));
  return requantize_scaled(biased, scale, zero_point, qmin, qmax, rounding, entry);
}

double binary64_requantization_scale(float sx, float sw, float sy, ScaleDerivation derivation) {
  // M' is in [2^-426, 2^405] for finite binary32 scales > 0: its binary64 rounding is normal.
  return round_to_binary64(derived_multiplier(sx, sw, sy, derivation));
}

Integer requantize_binary64(const Integer& acc, double scale, std::int32_t zero_point,
                            std::int32_t qmin, std::int32_t qmax, Rounding rounding,
                            ZeroPointEntry entry) {
  validate_scale(scale);
  validate_output(zero_point, qmin, qmax);
  // Q20.3 fp64: two binary64 roundings, fl64(acc) (exact for |acc| <= 2^53) and the product.
  return requantize_binary64_scaled(binary64_scaled_accumulator(acc, scale), zero_point, qmin,
                                    qmax, rounding, entry);
}

// Q11.10: pytorch/FBGEMM include/fbgemm/OutputProcessing-inl.h ReQuantizeOutput::f (generic
// path) and src/QuantUtilsAvx2.cc requantizeOutputProcessingAvx2.
float fbgemm_bias_in_accumulator_units(float bias, float act_times_w_scale, FbgemmBiasOrder order) {
  if (!std::isfinite(bias)) throw ParameterError("bias", "a finite binary32", hex_float(bias));
  if (!std::isfinite(act_times_w_scale) || !(act_times_w_scale > 0)) {
    throw ParameterError("act_times_w_scale", "a finite binary32 > 0", hex_float(act_times_w_scale));
  }
  float beta = 0;
  if (order == FbgemmBiasOrder::divide) {
    beta = round_to_binary32(exact(bias) / exact(act_times_w_scale));
  } else {
    // 1.0 / float is a binary64 division; _mm256_set1_ps takes it as a float.
    const double reciprocal64 = round_to_binary64(Rational(1) / exact(act_times_w_scale));
    const float reciprocal = round_to_binary32(exact(reciprocal64));
    if (std::isinf(reciprocal)) {
      throw ParameterError("act_times_w_scale", "with a finite binary32 reciprocal",
                           hex_float(act_times_w_scale));
    }
    beta = round_to_binary32(exact(bias) * exact(reciprocal));
  }
  if (std::isinf(beta)) throw ParameterError("bias", "bias/act_times_w_scale finite in binary32", hex_float(bias));
  return beta;
}

Integer requantize_fbgemm_float_bias(const Integer& acc, float bias, float act_times_w_scale,
                                     float c_multiplier, std::int32_t zero_point, bool fuse_relu,
                                     FbgemmBiasOrder order) {
  const float beta = fbgemm_bias_in_accumulator_units(bias, act_times_w_scale, order);
  return requantize_binary32_float_bias(acc, beta, c_multiplier, zero_point, fuse_relu ? zero_point : 0,
                                        255, Rounding::half_even, ZeroPointEntry::after_rounding);
}

// Q11.11: apache/tvm fb43fc8577 src/relay/qnn/op/requantize.cc RequantizeLowerFP, Upward,
// Tonearest; src/relay/transforms/pattern_utils.h Round; src/target/llvm/intrin_rule_llvm.cc
// tir.round -> llvm.round.
namespace {

const std::pair<TvmFloatRounding, const char*> kTvmFloatRoundingNames[] = {
    {TvmFloatRounding::upward, "tvm_fp_upward"},
    {TvmFloatRounding::tonearest, "tvm_fp_tonearest"},
    {TvmFloatRounding::tonearest_no_sse41, "tvm_fp_tonearest_nosse41"},
};

void validate_tvm(const TvmFloatRequantParams& p) {
  if (!std::isfinite(p.input_scale) || !(p.input_scale > 0)) {
    throw ParameterError("input_scale", "a finite binary32 > 0", hex_float(p.input_scale));
  }
  if (!std::isfinite(p.output_scale) || !(p.output_scale > 0)) {
    throw ParameterError("output_scale", "a finite binary32 > 0", hex_float(p.output_scale));
  }
  validate_output(p.output_zero_point, p.qmin, p.qmax);
}

// Q11.11 in the format F (float: compute_dtype float32, double: float64).
template <typename F>
Integer tvm_float(const Integer& acc, const TvmFloatRequantParams& p) {
  // M = fl64(Sin / Sout): `static_cast<double>(input_scale_float) / output_scale_float`.
  const double m64 = round_to_binary64(exact(p.input_scale) / exact(p.output_scale));
  const F m = round_to(exact(m64), F{});  // MakeConstantScalar(Float(Bits), double)
  if (std::isinf(m)) {
    throw ParameterError("input_scale", "input_scale/output_scale finite in the compute dtype",
                         hex_float(p.input_scale));
  }
  const F a0 = round_to(Rational(acc), F{});                          // Cast(input, Float(Bits))
  const F zin = round_to(Rational(Integer(p.input_zero_point)), F{});  // Cast(zero point)
  const F a = round_to(exact(a0) - exact(zin), F{});                  // Subtract
  const F t = round_to(exact(m) * exact(a), F{});                     // Multiply
  const F zy = round_to(Rational(Integer(p.output_zero_point)), F{});
  const F tz = round_to(exact(t) + exact(zy), F{});                   // Add (output zero point)
  const Rational half(1, 2);
  Integer r;
  switch (p.rounding) {
    case TvmFloatRounding::upward:  // Upward: Floor(Add(x, 0.5))
      r = round_to_integer(exact(round_to(exact(tz) + half, F{})), Rounding::floor);
      break;
    case TvmFloatRounding::tonearest:  // Round -> llvm.round: half away from zero
      r = round_to_integer(exact(tz), Rounding::half_away);
      break;
    case TvmFloatRounding::tonearest_no_sse41: {  // (x + 0.5*sign) * sign, cast, * sign
      const Rational magnitude = tz < 0 ? Rational(-exact(tz)) : exact(tz);
      r = round_to_integer(exact(round_to(magnitude + half, F{})), Rounding::toward_zero);
      if (tz < 0) r = -r;
      break;
    }
  }
  return clamp(r, Integer(p.qmin), Integer(p.qmax));
}

}  // namespace

std::string_view name(TvmComputeDtype dtype) {
  return dtype == TvmComputeDtype::float32 ? "float32" : "float64";
}

std::string_view name(TvmFloatRounding rounding) {
  for (const auto& [value, text] : kTvmFloatRoundingNames) {
    if (value == rounding) return text;
  }
  return "?";
}

TvmComputeDtype parse_tvm_compute_dtype(std::string_view text, std::string_view parameter) {
  if (text == "float32") return TvmComputeDtype::float32;
  if (text == "float64") return TvmComputeDtype::float64;
  throw ParameterError(std::string(parameter), "float32 or float64", std::string(text));
}

const std::vector<TvmFloatRounding>& all_tvm_float_roundings() {
  static const std::vector<TvmFloatRounding> all = {
      TvmFloatRounding::upward, TvmFloatRounding::tonearest, TvmFloatRounding::tonearest_no_sse41};
  return all;
}

TvmFloatRounding parse_tvm_float_rounding(std::string_view text, std::string_view parameter) {
  for (const auto& [value, member] : kTvmFloatRoundingNames) {
    if (member == text) return value;
  }
  throw ParameterError(std::string(parameter),
                       "tvm_fp_upward, tvm_fp_tonearest or tvm_fp_tonearest_nosse41",
                       std::string(text));
}

Integer requantize_tvm_float(const Integer& acc, const TvmFloatRequantParams& params) {
  if (!fits_int32(acc)) throw ParameterError("acc", "an int32", acc.str());
  validate_tvm(params);
  return params.dtype == TvmComputeDtype::float32 ? tvm_float<float>(acc, params)
                                                  : tvm_float<double>(acc, params);
}

namespace {

template <typename F>
std::int64_t tvm_float_fast(std::int32_t acc, const TvmFloatRequantParams& p) {
  const double m64 = static_cast<double>(p.input_scale) / static_cast<double>(p.output_scale);
  const F m = static_cast<F>(m64);
  if (std::isinf(m)) return requantize_tvm_float(Integer(acc), p).convert_to<std::int64_t>();
  volatile F a0 = static_cast<F>(acc);
  volatile F zin = static_cast<F>(p.input_zero_point);
  volatile F a = a0 - zin;
  volatile F t = m * a;
  volatile F zy = static_cast<F>(p.output_zero_point);
  volatile F tz = t + zy;
  const F half = static_cast<F>(0.5);
  F r = 0;
  switch (p.rounding) {
    case TvmFloatRounding::upward: {
      volatile F biased = tz + half;
      r = std::floor(biased);
      break;
    }
    case TvmFloatRounding::tonearest:
      r = std::round(tz);
      break;
    case TvmFloatRounding::tonearest_no_sse41: {
      const F sign = tz < 0 ? F(-1) : F(1);
      volatile F biased = tz + half * sign;
      r = std::trunc(biased * sign) * sign;
      break;
    }
  }
  // |r| <= 2^32 * 2^255 at most: clamp in F before converting.
  if (r <= static_cast<F>(p.qmin)) return p.qmin;
  if (r >= static_cast<F>(p.qmax)) return p.qmax;
  return static_cast<std::int64_t>(r);
}

}  // namespace

std::int64_t requantize_tvm_float_fast(std::int32_t acc, const TvmFloatRequantParams& params) {
  validate_tvm(params);
  return params.dtype == TvmComputeDtype::float32 ? tvm_float_fast<float>(acc, params)
                                                  : tvm_float_fast<double>(acc, params);
}

}  // namespace quantspec::ref
