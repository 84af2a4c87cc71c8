// Q2 quantize (SPEC.md §Q2): q = clamp(R(t) + Z, qmin, qmax), t = x / S under one of three
// division variants, R one of five rounding rules. quantize() is the definition (exact
// rationals, no host FPU); quantize_fast() is a fast path proven equal to it (Q2.7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/params.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q2.1: everything quantize needs. Defaults: int8 grid, half_even (ONNX, PyTorch), exact.
struct QuantizeParams {
  float scale = 1.0f;
  std::int64_t zero_point = 0;
  std::int64_t qmin = -128;
  std::int64_t qmax = 127;
  Rounding rounding = Rounding::half_even;
  Division division = Division::exact;

  // The grid of `type` (narrow range drops its lowest value, Q1.1). int32 is allowed here
  // (bias, Q4). Does not validate; call validate().
  static QuantizeParams for_dtype(DType type, float scale, std::int64_t zero_point,
                                  bool narrow_range = false,
                                  Rounding rounding = Rounding::half_even,
                                  Division division = Division::exact);
  static QuantizeParams from(const QuantizationParams& params,
                             Rounding rounding = Rounding::half_even,
                             Division division = Division::exact);

  // Q2.2: throws ParameterError naming "scale" (NaN, infinite, <= 0 or -0.0), "qmin"
  // (below -2^31, or qmin > qmax), "qmax" (above 2^31 - 1) or "zero_point" (outside
  // [qmin, qmax]). Subnormal scales are valid.
  void validate() const;
};

// Q2.4: how the input was classified (the special-input rules apply to nan and infinite).
enum class InputClass { nan, infinite, zero, subnormal, normal };
// Q2.3: what t turned out to be. Binary32 divisions can overflow to +-inf; 0 * inf (the
// reciprocal of a tiny subnormal scale overflows) gives nan.
enum class QuotientKind { finite, positive_infinity, negative_infinity, nan };

// Everything the CLI's `explain` prints for one quantize.
struct QuantizeTrace {
  InputClass input_class = InputClass::zero;
  bool input_negative = false;  // sign bit of x (shows -0.0)
  float reciprocal = 0.0f;      // fl32(1/S), f32_reciprocal only (may be +inf)
  QuotientKind quotient_kind = QuotientKind::finite;
  Rational quotient;            // t, when finite (exact, or the binary32 value as a rational)
  Integer rounded;              // R(t), when t is finite
  Integer unclamped;            // R(t) + Z, when t is finite
  bool clamped = false;         // the result is qmin or qmax because of the clamp
  bool special = false;         // the result comes from a Q2.4 rule (NaN input, 0 * inf)
  Integer q;                    // the result
};

// Q2.3 + Q2.4: the definition. Validates `params` (Q2.2) first.
Integer quantize(float x, const QuantizeParams& params);
QuantizeTrace quantize_traced(float x, const QuantizeParams& params);

// Q2.3: the quotient t of each division variant before rounding, for finite x; used by the
// counterexample search and the tests. Returns the kind and, when finite, the value.
QuotientKind quotient(float x, float scale, Division division, Rational* value);

// Q2.7: the fast path, equal to quantize() for every input (property-tested). Does not
// validate: call params.validate() once, then quantize_fast() per element. Requires the host
// to evaluate float arithmetic in binary32/binary64 with round-to-nearest-even (the default
// on every IEEE 754 host; FLT_EVAL_METHOD == 0, no -ffast-math).
std::int64_t quantize_fast(float x, const QuantizeParams& params);

// Q2.6: per-channel quantize of a row-major tensor: element i uses params[channel_of(i)]
// along `axis` (negative axis counts from the end). Throws ParameterError naming "shape" or
// "axis", "params" (params.size() != the size of the channel axis), or the parameter of the
// channel that is invalid.
std::vector<Integer> quantize_per_channel(const std::vector<float>& x,
                                          const std::vector<std::size_t>& shape,
                                          std::int64_t axis,
                                          const std::vector<QuantizeParams>& params);
// Q2.6 for the innermost (channel) axis of a [.., C] buffer: channel = i % C, C = params.size()
// (x.size() must be a multiple of C, else ParameterError naming "shape").
std::vector<Integer> quantize_per_channel(const std::vector<float>& x,
                                          const std::vector<QuantizeParams>& params);
std::vector<std::int64_t> quantize_per_channel_fast(const std::vector<float>& x,
                                                    const std::vector<QuantizeParams>& params);

std::string_view name(InputClass);
std::string_view name(QuotientKind);

}  // namespace quantspec::ref
