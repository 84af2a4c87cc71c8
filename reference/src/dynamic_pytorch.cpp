// PyTorch dynamic quantization (SPEC.md Q17.5, Q17.6), the definition: every binary64 or
// binary32 statement of the modelled source is one round_to_binary64 / round_to_binary32 of an
// exact rational; comparisons are exact and need no rounding.
#include "quantspec/reference/dynamic_pytorch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {
namespace {

// QuantUtils.h SMALL_SCALE_THRESHOLD (the binary32 nearest 6.1e-5).
constexpr float kSmallScaleThreshold = 6.1e-5f;

void check_finite_elements(const std::vector<float>& values, const char* name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw ParameterError(name, "finite elements",
                           std::string(name) + "[" + std::to_string(i) + "] = " + hex_float(values[i]));
    }
  }
}

Rational abs_rational(const Rational& v) { return v < 0 ? Rational(-v) : v; }

}  // namespace

// Q17.5 steps 1-7.
PytorchDynamicParams choose_pytorch_dynamic_params(float x_min, float x_max, bool reduce_range) {
  exact(x_min, "min");
  exact(x_max, "max");
  if (!(x_min <= x_max)) {
    throw ParameterError("min", "<= max (" + hex_float(x_max) + ")", hex_float(x_min));
  }
  PytorchDynamicParams p;
  p.x_min = x_min;
  p.x_max = x_max;
  p.qmin = 0;
  p.qmax = 255;
  if (reduce_range) {  // integer halving: [0, 127]
    p.qmin /= 2;
    p.qmax /= 2;
  }
  // Widen to contain 0 (comparisons only).
  float lo = std::min(x_min, 0.0f);
  float hi = std::max(x_max, 0.0f);
  const Integer steps = p.qmax - p.qmin;
  // scale = (double(max) - min) / (qmax - qmin): two binary64 roundings.
  const double range = round_to_binary64(exact(hi) - exact(lo));
  double scale = round_to_binary64(exact(range) / Rational(steps));
  p.scale_initial = scale;
  const float scale_as_f32 = round_to_binary32(exact(scale));
  const bool reciprocal_inf =
      scale_as_f32 != 0.0f && std::isinf(round_to_binary32(Rational(1) / exact(scale_as_f32)));
  if (scale_as_f32 == 0.0f || reciprocal_inf) {
    scale = 0.1;  // the binary64 nearest 0.1
    p.scale_defaulted = true;
  }
  if (exact(scale) < exact(kSmallScaleThreshold)) {
    p.small_scale_cut = true;
    const float original = round_to_binary32(exact(scale));  // float org_scale = scale
    scale = kSmallScaleThreshold;                           // exact in binary64
    const Rational threshold = exact(kSmallScaleThreshold);
    if (lo == 0.0f) {
      hi = round_to_binary32(threshold * Rational(steps));
    } else if (hi == 0.0f) {
      lo = round_to_binary32(-threshold * Rational(steps));
    } else {
      const float amplifier = round_to_binary32(threshold / exact(original));
      lo = round_to_binary32(exact(lo) * exact(amplifier));
      hi = round_to_binary32(exact(hi) * exact(amplifier));
    }
  }
  p.min_adjusted = lo;
  p.max_adjusted = hi;
  p.scale = scale;
  p.scale_f32 = round_to_binary32(exact(scale));
  // Zero point from (min, qmin) or (max, qmax), whichever adds the smaller terms.
  const Rational s = exact(scale);
  const double min_over_scale = round_to_binary64(exact(lo) / s);
  const double max_over_scale = round_to_binary64(exact(hi) / s);
  p.zero_point_from_min = round_to_binary64(Rational(p.qmin) - exact(min_over_scale));
  p.zero_point_from_max = round_to_binary64(Rational(p.qmax) - exact(max_over_scale));
  p.zero_point_from_min_error =
      round_to_binary64(Rational(p.qmin < 0 ? -p.qmin : p.qmin) - abs_rational(exact(min_over_scale)));
  p.zero_point_from_max_error =
      round_to_binary64(Rational(p.qmax < 0 ? -p.qmax : p.qmax) - abs_rational(exact(max_over_scale)));
  p.initial_zero_point = p.zero_point_from_min_error < p.zero_point_from_max_error
                             ? p.zero_point_from_min
                             : p.zero_point_from_max;
  const Rational initial = exact(p.initial_zero_point);
  if (initial < p.qmin) {
    p.zero_point = p.qmin;
  } else if (initial > p.qmax) {
    p.zero_point = p.qmax;
  } else {
    p.zero_point = static_cast<std::int64_t>(round_to_integer(initial, Rounding::half_even));
  }
  return p;
}

// Q17.5: the parameters, then at::quantize_per_tensor.
PytorchDynamicQuantization dynamic_quantize_pytorch(const std::vector<float>& x,
                                                    bool reduce_range) {
  if (x.empty()) throw ParameterError("x", "at least one element", "an empty tensor");
  check_finite_elements(x, "x");
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  PytorchDynamicQuantization d;
  d.params = choose_pytorch_dynamic_params(*lo, *hi, reduce_range);
  // at::quantize_per_tensor to quint8: the dtype's [0, 255], whatever reduce_range did to Z.
  const QuantizeParams quantize_params{d.params.scale_f32, d.params.zero_point, 0, 255,
                                       Rounding::half_even, Division::f32_reciprocal};
  d.q.reserve(x.size());
  for (float v : x) d.q.push_back(quantize(v, quantize_params));
  return d;
}

// Q17.6 steps 1-4.
PytorchDynamicLinear dynamic_linear_pytorch(const PytorchDynamicLinearInput& in) {
  for (auto [name, value] : {std::pair<const char*, std::size_t>{"m", in.m}, {"k", in.k}, {"n", in.n}}) {
    if (value == 0) throw ParameterError(name, ">= 1", "0");
  }
  if (in.x.size() != in.m * in.k) {
    throw ParameterError("x", "m * k = " + std::to_string(in.m * in.k) + " elements",
                         std::to_string(in.x.size()));
  }
  if (in.w.size() != in.n * in.k) {
    throw ParameterError("w", "n * k = " + std::to_string(in.n * in.k) + " elements",
                         std::to_string(in.w.size()));
  }
  if (in.weight_scales.size() != 1 && in.weight_scales.size() != in.n) {
    throw ParameterError("weight_scales", "1 (per tensor) or n = " + std::to_string(in.n),
                         std::to_string(in.weight_scales.size()));
  }
  for (std::size_t i = 0; i < in.weight_scales.size(); ++i) {
    const float s = in.weight_scales[i];
    if (!std::isfinite(s) || !(s > 0.0f)) {
      throw ParameterError("weight_scales", "finite and > 0",
                           "weight_scales[" + std::to_string(i) + "] = " + hex_float(s));
    }
  }
  if (!in.bias.empty() && in.bias.size() != in.n) {
    throw ParameterError("bias", "none or n = " + std::to_string(in.n),
                         std::to_string(in.bias.size()));
  }
  check_finite_elements(in.bias, "bias");

  PytorchDynamicLinear r;
  r.x = dynamic_quantize_pytorch(in.x, in.reduce_range);
  const Rational input_scale = exact(r.x.params.scale_f32);  // generate_requantization_scales' float
  for (std::size_t j = 0; j < in.n; ++j) {
    const float sw = in.weight_scales.size() == 1 ? in.weight_scales[0] : in.weight_scales[j];
    const float d = round_to_binary32(exact(sw) * input_scale);
    if (!std::isnormal(d)) {  // PyTorch: "requantization scale must be finite and positive"
      throw ParameterError("weight_scales",
                           "fl32(fl32(Sx) * Sw[n]) a normal binary32 (Sx = " +
                               hex_float(r.x.params.scale_f32) + ")",
                           "n = " + std::to_string(j) + ": " + hex_float(d));
    }
    r.dequant_scales.push_back(d);
  }
  const std::int64_t zx = r.x.params.zero_point;
  const std::size_t outputs = in.m * in.n;
  r.acc.reserve(outputs);
  for (std::size_t i = 0; i < in.m; ++i) {
    for (std::size_t j = 0; j < in.n; ++j) {
      Integer acc = 0;
      for (std::size_t c = 0; c < in.k; ++c) {
        acc += (r.x.q[i * in.k + c] - zx) * Integer(in.w[j * in.k + c]);
      }
      const std::int32_t acc32 = wrap_int32(acc);
      const float acc_f32 = round_to_binary32(Rational(acc32));
      const float product = round_to_binary32(exact(acc_f32) * exact(r.dequant_scales[j]));
      float out = product;
      if (std::isfinite(product) && !in.bias.empty()) {
        out = round_to_binary32(exact(product) + exact(in.bias[j]));
      }  // an infinite product stays infinite after adding a finite bias
      r.acc.push_back(acc);
      r.acc_int32.push_back(acc32);
      r.acc_f32.push_back(acc_f32);
      r.product.push_back(product);
      r.out.push_back(out);
    }
  }
  return r;
}

}  // namespace quantspec::ref
