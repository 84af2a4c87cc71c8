// Q2.7 the fast path of quantize. It must equal the definition (quantize.cpp) for every
// input; tests/test_quantize_fast.cc checks that property on random and edge inputs.
//
// Why host arithmetic is exact here:
// - f32_divide / f32_reciprocal: IEEE 754 float division and multiplication are each ONE
//   rounding of the exact result to binary32 (round-to-nearest-even, gradual underflow,
//   overflow to inf), which is exactly fl32 of Q2.3. This needs FLT_EVAL_METHOD == 0 (no
//   x87 extended precision), the default rounding mode, and no flush-to-zero/denormals-are-
//   zero (no -ffast-math).
// - exact: x / S is never formed. The double quotient d = fl64(x/S) locates floor(t) to
//   within one; the decisions "t < n", "t == n" and "t vs n + 1/2" are then made exactly
//   from the sign of fma(c, S, -x) = fl64(c*S - x): one rounding of the exact value keeps
//   its sign, and c*S - x is a multiple of 2^-150 (at least 2^-150 when not zero), which
//   double represents, so it never underflows to 0.
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "quantspec/reference/quantize.hpp"

static_assert(FLT_EVAL_METHOD == 0, "Q2.7 needs float/double arithmetic without extended precision");

namespace quantspec::ref {
namespace {

// |t| >= 2^40 lies beyond every grid: |qmax - Z|, |qmin - Z| <= 2^32 (Q2.2).
constexpr double kSaturationMagnitude = 1099511627776.0;  // 2^40

// Where t lies relative to floor(t) + 1/2.
enum class HalfPosition { below, tie, above };

// Q0.1 rounding rules, given f = floor(t), whether t == f, and t against f + 1/2.
std::int64_t round_from_floor(std::int64_t f, bool is_integer, HalfPosition half,
                              Rounding rule) {
  if (is_integer) return f;
  switch (rule) {
    case Rounding::floor: return f;
    case Rounding::toward_zero: return f >= 0 ? f : f + 1;  // t < 0 exactly when f < 0
    case Rounding::half_up: return half == HalfPosition::below ? f : f + 1;
    case Rounding::half_away:
      if (half == HalfPosition::tie) return f >= 0 ? f + 1 : f;
      return half == HalfPosition::below ? f : f + 1;
    case Rounding::half_even:
      if (half == HalfPosition::tie) return (f % 2 == 0) ? f : f + 1;
      return half == HalfPosition::below ? f : f + 1;
  }
  return f;
}

std::int64_t clamp_to_grid(std::int64_t rounded, const QuantizeParams& p) {
  const std::int64_t q = rounded + p.zero_point;  // |rounded| <= 2^40 + 1: no overflow
  return q < p.qmin ? p.qmin : (q > p.qmax ? p.qmax : q);
}

std::int64_t saturate(bool negative, const QuantizeParams& p) {
  return negative ? p.qmin : p.qmax;
}

// R(t) + Z, clamped, for a binary32 quotient t (exact in double).
std::int64_t quantize_binary32_quotient(float quotient, const QuantizeParams& p) {
  if (std::isnan(quotient)) return p.zero_point;  // 0 * inf (Q2.4)
  const double t = quotient;
  if (!(std::fabs(t) < kSaturationMagnitude)) return saturate(t < 0.0, p);  // also +-inf
  const double f = std::floor(t);
  const double fraction = t - f;  // exact: t has at most 24 significant bits
  const HalfPosition half = fraction < 0.5   ? HalfPosition::below
                            : fraction > 0.5 ? HalfPosition::above
                                             : HalfPosition::tie;
  return clamp_to_grid(
      round_from_floor(static_cast<std::int64_t>(f), fraction == 0.0, half, p.rounding), p);
}

// R(x / S) + Z, clamped, with x / S the exact quotient.
std::int64_t quantize_exact_quotient(float x_binary32, const QuantizeParams& p) {
  const double x = x_binary32;
  const double s = p.scale;
  const double d = x / s;  // no overflow or underflow: |x/S| in [2^-277, 2^277]
  if (!(std::fabs(d) < kSaturationMagnitude)) return saturate(d < 0.0, p);
  double f = std::floor(d);
  // floor(t) is f, or f - 1 when d rounded up onto the integer f.
  const double below_floor = std::fma(f, s, -x);  // sign of f*S - x, exact
  bool is_integer = below_floor == 0.0;
  if (below_floor > 0.0) f -= 1.0;  // t < f: here t is in (f - 1, f), not an integer
  const double half_excess = std::fma(f + 0.5, s, -x);  // sign of (f + 1/2)*S - x
  const HalfPosition half = half_excess > 0.0   ? HalfPosition::below
                            : half_excess < 0.0 ? HalfPosition::above
                                                : HalfPosition::tie;
  return clamp_to_grid(round_from_floor(static_cast<std::int64_t>(f), is_integer, half, p.rounding),
                       p);
}

}  // namespace

// Q2.7.
std::int64_t quantize_fast(float x, const QuantizeParams& params) {
  if (std::isnan(x)) return params.zero_point;  // Q2.4
  if (std::isinf(x)) return saturate(x < 0.0f, params);
  switch (params.division) {
    case Division::exact:
      return quantize_exact_quotient(x, params);
    case Division::f32_divide:
      return quantize_binary32_quotient(x / params.scale, params);
    case Division::f32_reciprocal: {
      const float reciprocal = 1.0f / params.scale;  // +inf when S < 2^-128
      return quantize_binary32_quotient(x * reciprocal, params);
    }
  }
  return params.zero_point;
}

}  // namespace quantspec::ref
