// SPEC.md Q8: fused activation clamps.
#include "quantspec/reference/activation.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

void validate_grid(const OutputGrid& grid) {
  if (!std::isfinite(grid.scale) || !(grid.scale > 0)) {
    throw ParameterError("scale", "a finite binary32 > 0 (subnormal allowed)", hex_float(grid.scale));
  }
  if (grid.qmin > grid.qmax) {
    throw ParameterError("qmin", "<= qmax (" + std::to_string(grid.qmax) + ")",
                         std::to_string(grid.qmin));
  }
  if (grid.zero_point < grid.qmin || grid.zero_point > grid.qmax) {
    throw ParameterError("zero_point",
                         "in [qmin, qmax] = [" + std::to_string(grid.qmin) + ", " +
                             std::to_string(grid.qmax) + "]",
                         std::to_string(grid.zero_point));
  }
}

std::int32_t to_int32(const Integer& v) { return v.convert_to<std::int32_t>(); }

}  // namespace

// Q8.1
Integer quantized_bound(float v, const OutputGrid& grid, const ActivationRounding& how) {
  validate_grid(grid);
  const Rational quotient = exact(v, "activation bound") / exact(grid.scale);
  Rational t = quotient;
  if (how.division == Division::f32_divide) {
    const float f = round_to_binary32(quotient);
    // fl32(v/Sy) overflows to +-inf when Sy is tiny: it stands for +-2^128, beyond every
    // finite binary32 quotient and every int32 grid (the clamp that follows removes it).
    if (std::isinf(f)) t = f > 0 ? pow2(128) : Rational(-pow2(128));
    else t = exact(f);
  } else if (how.division != Division::exact) {
    throw ParameterError("division", "exact or f32_divide for activation bounds",
                         std::string(name(how.division)));
  }
  return Integer(grid.zero_point) + round_to_integer(t, how.rounding);
}

// Q8.2
ActivationBounds activation_bounds(Activation activation, const OutputGrid& grid,
                                   const ActivationRounding& how) {
  validate_grid(grid);
  switch (activation) {
    case Activation::none:
      return {grid.qmin, grid.qmax};
    case Activation::relu:
      return activation_bounds_for_interval(0.0f, std::nullopt, grid, how);
    case Activation::relu6:
      return activation_bounds_for_interval(0.0f, 6.0f, grid, how);
    case Activation::relu_n1_to_1:
      return activation_bounds_for_interval(-1.0f, 1.0f, grid, how);
  }
  throw ParameterError("activation", "none, relu, relu6 or relu_n1_to_1", "an invalid enum value");
}

// Q8.3
ActivationBounds activation_bounds_for_interval(std::optional<float> a, std::optional<float> b,
                                                const OutputGrid& grid,
                                                const ActivationRounding& how) {
  validate_grid(grid);
  if (a && !std::isfinite(*a)) {
    throw ParameterError("activation_min", "a finite number (omit it for no lower bound)",
                         hex_float(*a));
  }
  if (b && !std::isfinite(*b)) {
    throw ParameterError("activation_max", "a finite number (omit it for no upper bound)",
                         hex_float(*b));
  }
  if (a && b && *a > *b) {
    throw ParameterError("activation_min", "<= activation_max (" + hex_float(*b) + ")",
                         hex_float(*a));
  }
  const Integer qmin(grid.qmin);
  const Integer qmax(grid.qmax);
  const Integer lo = a ? std::max(qmin, quantized_bound(*a, grid, how)) : qmin;
  const Integer hi = b ? std::min(qmax, quantized_bound(*b, grid, how)) : qmax;
  if (lo > qmax) {
    throw ParameterError("activation_min",
                         "a bound whose quantized value Zy + R(a/Sy) is <= qmax (" +
                             std::to_string(grid.qmax) + "); the clamp interval would be empty",
                         hex_float(*a) + " -> " + lo.str());
  }
  if (hi < qmin) {
    throw ParameterError("activation_max",
                         "a bound whose quantized value Zy + R(b/Sy) is >= qmin (" +
                             std::to_string(grid.qmin) + "); the clamp interval would be empty",
                         hex_float(*b) + " -> " + hi.str());
  }
  return {to_int32(lo), to_int32(hi)};
}

// Q8.4
Integer apply_activation(const Integer& q, const ActivationBounds& bounds) {
  return clamp(q, Integer(bounds.lo), Integer(bounds.hi));
}

std::string_view name(Activation activation) {
  switch (activation) {
    case Activation::none: return "none";
    case Activation::relu: return "relu";
    case Activation::relu6: return "relu6";
    case Activation::relu_n1_to_1: return "relu_n1_to_1";
  }
  return "invalid";
}

Activation parse_activation(std::string_view text, std::string_view parameter) {
  for (Activation a : {Activation::none, Activation::relu, Activation::relu6,
                       Activation::relu_n1_to_1}) {
    if (text == name(a)) return a;
  }
  throw ParameterError(std::string(parameter), "one of none, relu, relu6, relu_n1_to_1",
                       "'" + std::string(text) + "'");
}

}  // namespace quantspec::ref
