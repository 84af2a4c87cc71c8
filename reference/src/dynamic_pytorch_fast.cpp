// PyTorch dynamic quantization (SPEC.md Q17.5, Q17.6) in host arithmetic: each statement is
// one IEEE 754 binary64 or binary32 operation, which is one rounding of the exact result under
// FLT_EVAL_METHOD = 0, round-to-nearest-even and gradual underflow (the project builds with
// -ffp-contract=off, so no multiply-add is fused). The same order as dynamic_pytorch.cpp.
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "quantspec/reference/dynamic_pytorch.hpp"

static_assert(FLT_EVAL_METHOD == 0, "binary32/binary64 operations must round to their own type");

namespace quantspec::ref {

PytorchDynamicParamsFast choose_pytorch_dynamic_params_fast(float x_min, float x_max,
                                                            bool reduce_range) {
  const int qmin = 0;
  const int qmax = reduce_range ? 127 : 255;
  const int steps = qmax - qmin;
  float lo = x_min < 0.0f ? x_min : 0.0f;
  float hi = x_max > 0.0f ? x_max : 0.0f;
  double scale = (static_cast<double>(hi) - static_cast<double>(lo)) / steps;
  const float scale_f = static_cast<float>(scale);
  if (scale_f == 0.0f || std::isinf(1.0f / scale_f)) scale = 0.1;
  constexpr float kThreshold = 6.1e-5f;
  if (scale < static_cast<double>(kThreshold)) {
    const float original = static_cast<float>(scale);
    scale = kThreshold;
    if (lo == 0.0f) {
      hi = kThreshold * static_cast<float>(steps);
    } else if (hi == 0.0f) {
      lo = -kThreshold * static_cast<float>(steps);
    } else {
      const float amplifier = kThreshold / original;
      lo = lo * amplifier;
      hi = hi * amplifier;
    }
  }
  const double lo_scaled = static_cast<double>(lo) / scale;
  const double hi_scaled = static_cast<double>(hi) / scale;
  const double from_min = qmin - lo_scaled;
  const double from_max = qmax - hi_scaled;
  const double from_min_error = qmin - std::fabs(lo_scaled);  // |qmin| = qmin = 0
  const double from_max_error = qmax - std::fabs(hi_scaled);
  const double initial = from_min_error < from_max_error ? from_min : from_max;
  PytorchDynamicParamsFast p;
  p.scale = scale;
  if (initial < qmin) {
    p.zero_point = qmin;
  } else if (initial > qmax) {
    p.zero_point = qmax;
  } else {
    p.zero_point = static_cast<std::int32_t>(std::nearbyint(initial));
  }
  return p;
}

std::vector<float> dynamic_linear_pytorch_fast(const PytorchDynamicLinearInput& in) {
  float lo = in.x[0], hi = in.x[0];
  for (float v : in.x) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  const PytorchDynamicParamsFast p = choose_pytorch_dynamic_params_fast(lo, hi, in.reduce_range);
  const float sx = static_cast<float>(p.scale);
  const float inv = 1.0f / sx;
  std::vector<std::int32_t> qx(in.x.size());
  for (std::size_t i = 0; i < in.x.size(); ++i) {
    // |x * inv| stays within a few units of 255 (x lies in the range S was chosen from).
    const float t = in.x[i] * inv;
    const auto q = static_cast<std::int64_t>(std::nearbyint(t)) + p.zero_point;
    qx[i] = static_cast<std::int32_t>(q < 0 ? 0 : (q > 255 ? 255 : q)) - p.zero_point;
  }
  std::vector<float> out(in.m * in.n);
  for (std::size_t j = 0; j < in.n; ++j) {
    const float sw = in.weight_scales.size() == 1 ? in.weight_scales[0] : in.weight_scales[j];
    const float d = sx * sw;
    for (std::size_t i = 0; i < in.m; ++i) {
      std::uint32_t acc = 0;  // int32 with two's complement wrap
      for (std::size_t c = 0; c < in.k; ++c) {
        acc += static_cast<std::uint32_t>(qx[i * in.k + c] * in.w[j * in.k + c]);
      }
      const auto acc32 = static_cast<std::int32_t>(acc);
      const float product = static_cast<float>(acc32) * d;
      out[i * in.n + j] = in.bias.empty() ? product : product + in.bias[j];
    }
  }
  return out;
}

}  // namespace quantspec::ref
