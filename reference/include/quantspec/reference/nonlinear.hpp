// Q12: a non-linear function f on the quantized grid, by dequantize -> f -> quantize, and the
// 256-entry tables built from it. `exact` is the ideal: x = (q - Zi)*Si exactly, f(x) evaluated
// beyond binary64 until the rounding decision is certain, q_out = clamp(R(f(x)/So) + Zo).
// `tflite` and `xnnpack` are the binary32 constructions of TFLite (LUTPopulate) and XNNPACK
// (create_lut_elementwise_nc), with the binary32 f modelled as the correctly rounded f(x).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q12.1: the functions. alpha is used by elu and leaky_relu only.
enum class NonlinearFunction {
  tanh, logistic, gelu, gelu_tanh, silu, hardswish, hardsigmoid, elu, leaky_relu, softplus, exp
};
std::string_view name(NonlinearFunction f);
NonlinearFunction parse_nonlinear_function(std::string_view text,
                                           std::string_view parameter = "function");
const std::vector<NonlinearFunction>& all_nonlinear_functions();
// Whether f reads LutParams::alpha (Q12.1): elu and leaky_relu.
inline bool uses_alpha(NonlinearFunction f) {
  return f == NonlinearFunction::elu || f == NonlinearFunction::leaky_relu;
}

// Q12.2: a user-supplied f. `approximate(x, bits)` returns f(x) with a relative error below
// 2^-(bits - 8) (the reference raises bits until the decision is certain); `exact_value(x)`
// may return the exact rational value where f(x) is rational (ties are decided only there).
struct UserFunction {
  std::function<Rational(const Rational& x, unsigned bits)> approximate;
  std::function<std::optional<Rational>(const Rational& x)> exact_value;
};

// Q12.3: the construction variants of a table.
enum class LutVariant { exact, tflite, xnnpack };
std::string_view name(LutVariant v);
LutVariant parse_lut_variant(std::string_view text, std::string_view parameter = "variant");

struct LutParams {
  float input_scale = 1.0f;
  std::int32_t input_zero_point = 0;
  float output_scale = 1.0f;
  std::int32_t output_zero_point = 0;
  DType dtype = DType::int8;  // int8 or uint8, for input and output
  float alpha = 1.0f;         // elu, leaky_relu
  Rounding rounding = Rounding::half_away;  // `exact` only (tflite: half_away, xnnpack: half_even)
};

// Q12.2: the real value f(x) at an exact rational x, as a rational within relative 2^-bits
// (exact where f(x) is rational: see `nonlinear_exact_value`).
Rational nonlinear_approximate(NonlinearFunction f, const Rational& x, float alpha, unsigned bits);
std::optional<Rational> nonlinear_exact_value(NonlinearFunction f, const Rational& x, float alpha);

// Q12.2: R(f(x)/divisor) for an exact rational x, decided as `exact` decides it (exact values,
// tails, precision ladder). Used by Q13 (TOSA table entries, PWL knots). Errors: divisor <= 0.
Integer nonlinear_round(NonlinearFunction f, const Rational& x, float alpha, const Rational& divisor,
                        Rounding rule);

// Q12.2: `exact` output for one input q. Errors: see Q12.5.
Integer nonlinear_exact(NonlinearFunction f, std::int32_t q, const LutParams& p);
Integer nonlinear_exact(const UserFunction& f, std::int32_t q, const LutParams& p);

// Q12.3: fl32(f(x)) for a binary32 x, correctly rounded (the model of a binary32 libm).
float nonlinear_binary32(NonlinearFunction f, float x, float alpha);

// Q12.4: the table, indexed by the input byte (uint8_t)q as the lut ABI slot reads it.
struct LutEntryTrace {
  std::int32_t q = 0;               // input value
  std::int32_t out = 0;             // table entry
  bool saturated_non_finite = false;  // binary32 variants: f or y*inv overflowed (Q12.4)
};
std::array<std::int32_t, 256> build_lut(NonlinearFunction f, const LutParams& p, LutVariant v,
                                        std::vector<LutEntryTrace>* trace = nullptr);
std::array<std::int32_t, 256> build_lut(const UserFunction& f, const LutParams& p);

}  // namespace quantspec::ref
