// Q8: fused activation clamps. A fused ReLU / ReLU6 / ReLU-N1-to-1 / [a, b] becomes a tighter
// output clamp [lo, hi] = [max(qmin, Zy + R(t(a))), min(qmax, Zy + R(t(b)))] applied after
// requantization, where t(v) is v/Sy (exactly, or rounded to binary32 as TFLite computes it)
// and R a rounding rule. The default (TFLite's CalculateActivationRangeQuantized) is
// t(v) = fl32(v / Sy) and R = half away from zero (TfLiteRound = std::round).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

enum class Activation { none, relu, relu6, relu_n1_to_1 };

// Q8.1: how a real bound v becomes a quantized bound.
struct ActivationRounding {
  Division division = Division::f32_divide;  // exact: v/Sy; f32_divide: fl32(v/Sy);
                                             // f32_reciprocal is rejected ("division")
  Rounding rounding = Rounding::half_away;
};

// Q8.1: the output grid the bounds refer to: r = (q - zero_point) * scale on [qmin, qmax].
struct OutputGrid {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
};

struct ActivationBounds {
  std::int32_t lo = 0;
  std::int32_t hi = 0;
  friend bool operator==(const ActivationBounds& a, const ActivationBounds& b) {
    return a.lo == b.lo && a.hi == b.hi;
  }
};

// Q8.1: the quantized value of a real bound v: Zy + R(t(v)), exact integer (may lie outside
// [qmin, qmax]; never wraps; an infinite fl32(v/Sy) counts as +-2^128). Validates the grid.
Integer quantized_bound(float v, const OutputGrid& grid, const ActivationRounding& how = {});

// Q8.2: the bounds of the named activations:
//   none         : [qmin, qmax]
//   relu         : [max(qmin, Zy), qmax]                 (R(t(0)) = 0 under every rule)
//   relu6        : [max(qmin, Zy), min(qmax, Zy + R(t(6)))]
//   relu_n1_to_1 : [max(qmin, Zy + R(t(-1))), min(qmax, Zy + R(t(1)))]
// These are never empty. Errors: the grid's ("scale", "zero_point", "qmin").
ActivationBounds activation_bounds(Activation activation, const OutputGrid& grid,
                                   const ActivationRounding& how = {});

// Q8.3: bounds of an arbitrary real interval [a, b] (a missing end is unbounded).
// Errors: a or b NaN or infinite ("activation_min" / "activation_max"); a > b
// ("activation_min"); an interval whose quantized bounds miss [qmin, qmax]: lo > qmax
// ("activation_min") or hi < qmin ("activation_max").
ActivationBounds activation_bounds_for_interval(std::optional<float> a, std::optional<float> b,
                                                const OutputGrid& grid,
                                                const ActivationRounding& how = {});

// Q8.4: the fused clamp, applied to a requantized q (itself already in [qmin, qmax]).
Integer apply_activation(const Integer& q, const ActivationBounds& bounds);

// Q0.2-style names ("none", "relu", "relu6", "relu_n1_to_1") and parser (ParameterError
// naming `parameter` for an unknown name).
std::string_view name(Activation activation);
Activation parse_activation(std::string_view text, std::string_view parameter = "activation");

}  // namespace quantspec::ref
