// SPEC.md Q16.3: TensorFlow's min/max gradients of fake quantization
// (FakeQuantWithMinMaxVarsGradient and FakeQuantWithMinMaxVarsPerChannelGradient,
// tensorflow/core/kernels/fake_quant_ops_functor.h). Each element's terms are binary32 values
// the kernel computes exactly (dy * 1.0f or dy * 0.0f); the gradients of min and max are the
// exact sums of the terms (TensorFlow's binary32 summation order is not modelled).
#pragma once

#include <cstddef>
#include <vector>

#include "quantspec/reference/fake_quant.hpp"
#include "quantspec/reference/fake_quant_grad.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {

// Q16.3: one element. region is below (x < nudged_min), above (x > nudged_max) or inside
// (both ends inclusive; also a NaN x, for which every comparison is false: all three terms 0).
struct TfMinMaxGradTerms {
  GridRegion region = GridRegion::inside;
  bool unordered = false;  // x is NaN: no comparison holds
  float dx = 0.0f;         // dy * between: -0 when dy < 0 and x is outside
  float d_min = 0.0f;      // dy * below
  float d_max = 0.0f;      // dy * above
};

// Q16.3: `params` as the forward (Q15.4; the Args op has no min/max gradient and is rejected
// naming "op"); dy finite (ParameterError "dy"). min = max = 0: dx = dy, d_min = d_max = 0.
TfMinMaxGradTerms tensorflow_min_max_grad(float x, float dy, const TfFakeQuantParams& params);

// Q16.3: a tensor. params has one entry (per tensor, the Vars op) or C entries (per channel on
// the last dimension: channel = i mod C, the PerChannel op). d_min / d_max hold one exact sum
// per channel. ParameterError naming "dy" (not the size of x), "shape" (size not a multiple of
// C) or "params" (empty).
struct TfMinMaxGradient {
  std::vector<float> dx;
  std::vector<Rational> d_min, d_max;
};
TfMinMaxGradient tensorflow_min_max_gradient(const std::vector<float>& x,
                                             const std::vector<float>& dy,
                                             const std::vector<TfFakeQuantParams>& params);

// Q16.3 (Args op): FakeQuantWithMinMaxArgsGradient, dL/dx only: dy * 1.0f where
// nudged_min <= x <= nudged_max (both ends inclusive, on x), else dy * 0.0f, each an IEEE
// binary32 product (a finite dy outside gives a zero with dy's sign; an infinite or NaN dy
// outside gives NaN, inside dy itself). params.op must be with_min_max_args (ParameterError
// "op"), and the Args op requires min < max (Q15.5: "min"). ParameterError naming "dy" (not the
// size of x) or "shape" (x empty).
std::vector<float> tensorflow_args_gradient(const std::vector<float>& x, const std::vector<float>& dy,
                                            const TfFakeQuantParams& params);

}  // namespace quantspec::ref
