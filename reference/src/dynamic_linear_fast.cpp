// Q17.7 dynamic linear (SPEC.md §Q17.7) in host arithmetic: each statement is one IEEE 754
// binary32 or binary64 operation, which is one rounding of the exact result (with IEEE's sign
// of zero) under FLT_EVAL_METHOD = 0, round-to-nearest-even and gradual underflow (the project
// builds with -ffp-contract=off, so no multiply-add is fused). The quantize of x is Q2.7's
// quantize_fast. The same order as dynamic_linear.cpp.
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "quantspec/reference/dynamic_linear.hpp"
#include "quantspec/reference/dynamic_pytorch.hpp"
#include "quantspec/reference/quantize.hpp"

static_assert(FLT_EVAL_METHOD == 0, "binary32/binary64 operations must round to their own type");

namespace quantspec::ref {
namespace {

// Q17.1 steps 1-5 (every element zero: S = 1, Z = 0).
void onnx_params(const std::vector<float>& x, float* scale, std::int32_t* zero_point) {
  float lo = 0.0f, hi = 0.0f;
  for (float v : x) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  *scale = 1.0f;
  *zero_point = 0;
  if (lo == 0.0f && hi == 0.0f) return;
  const float range = hi - lo;
  *scale = range / 255.0f;
  const float zero_point_fp = 0.0f - lo / *scale;
  const float clipped = zero_point_fp < 0.0f ? 0.0f : (zero_point_fp > 255.0f ? 255.0f : zero_point_fp);
  *zero_point = static_cast<std::int32_t>(std::nearbyint(clipped));
}

}  // namespace

DynamicLinearFast dynamic_linear_fast(const DynamicLinearInput& in) {
  DynamicLinearFast r;
  r.qx.resize(in.x.size());
  const std::size_t rows_of_params = in.per_row ? in.m : 1;
  const std::size_t span = in.x.size() / rows_of_params;
  for (std::size_t s = 0; s < rows_of_params; ++s) {
    float scale = 1.0f;
    std::int32_t zero_point = 0;
    QuantizeParams q;
    q.rounding = Rounding::half_even;
    if (in.activation == DynamicActivation::onnx_u8) {
      onnx_params(in.x, &scale, &zero_point);
      q.qmin = 0, q.qmax = 255, q.division = Division::f32_divide;
    } else if (in.activation == DynamicActivation::symmetric_s8) {
      float amax = 0.0f;
      for (std::size_t c = 0; c < span; ++c) amax = std::fmax(amax, std::fabs(in.x[s * span + c]));
      const float s_amax = amax / 127.0f;
      scale = s_amax > in.scale_floor ? s_amax : in.scale_floor;
      q.qmin = -127, q.qmax = 127, q.division = Division::f32_divide;
    } else {
      float lo = in.x[0], hi = in.x[0];
      for (float v : in.x) {
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
      const PytorchDynamicParamsFast p = choose_pytorch_dynamic_params_fast(lo, hi, in.reduce_range);
      scale = static_cast<float>(p.scale);
      zero_point = p.zero_point;
      q.qmin = 0, q.qmax = 255, q.division = Division::f32_reciprocal;
    }
    q.scale = scale;
    q.zero_point = zero_point;
    for (std::size_t c = 0; c < span; ++c) {
      r.qx[s * span + c] = static_cast<std::int32_t>(quantize_fast(in.x[s * span + c], q));
    }
    r.x_scales.push_back(scale);
    r.x_zero_points.push_back(zero_point);
  }
  r.out.resize(in.m * in.n);
  for (std::size_t i = 0; i < in.m; ++i) {
    const std::size_t s = in.per_row ? i : 0;
    for (std::size_t j = 0; j < in.n; ++j) {
      std::uint32_t acc = 0;  // int32 with two's complement wrap
      for (std::size_t c = 0; c < in.k; ++c) {
        acc += static_cast<std::uint32_t>((r.qx[i * in.k + c] - r.x_zero_points[s]) * in.w[j * in.k + c]);
      }
      const float d = r.x_scales[s] * in.weight_scales[j];
      const float product = static_cast<float>(static_cast<std::int32_t>(acc)) * d;
      r.out[i * in.n + j] = in.bias.empty() ? product : product + in.bias[j];
    }
  }
  return r;
}

}  // namespace quantspec::ref
