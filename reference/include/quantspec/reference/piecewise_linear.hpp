// Q13.4: piecewise-linear replacements of f on the 8-bit grid (the study note's "分段线性
// Q_tanh"): breakpoints on the input grid, per-segment slope and intercept as fixed-point
// integers with F fractional bits, integer evaluation with a named rounding; a construction
// fitting N segments to f (chords through knots rounded to Q.F) and its error against Q12
// `exact`, with a proven bound for tanh and logistic.
#pragma once

#include <cstdint>
#include <vector>

#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q13.4: segment k covers the inputs start_k <= q < start_{k+1} (the last one up to qmax);
// there y = intercept + slope * (q - start), both in units of 2^-F output codes (Zo included).
struct PwlSegment {
  std::int32_t start = 0;
  std::int32_t intercept = 0;
  std::int32_t slope = 0;
};

struct PwlTable {
  DType dtype = DType::int8;  // input and output
  int fraction_bits = 16;     // F, in [0, 24]
  Rounding rounding = Rounding::half_away;
  std::vector<PwlSegment> segments;  // starts strictly increasing, the first = qmin
};

// Q13.4: out = clamp(R((intercept_k + slope_k * (q - start_k)) / 2^F), qmin, qmax), the sum in
// int64 (exact: |.| < 2^31 + 2^31 * 255). Errors (ParameterError): dtype, fraction_bits, segments
// (empty, first start not qmin, starts not increasing or off the grid), q (off the grid).
std::int32_t pwl_evaluate(const PwlTable& table, std::int32_t q);

// Q13.4: the uniform chord construction. Breakpoints b_k = qmin + floor(k * 256 / N),
// k = 0..N (b_N = qmax + 1, one knot past the grid); knot values
// c_k = R_half_away(2^F * (f((b_k - Zi) * Si)/So + Zo)) exactly (Q12.2's decision); segment k:
// start b_k, intercept c_k, slope = R_half_away((c_{k+1} - c_k) / (b_{k+1} - b_k)).
// Errors: those of Q12.5 for p, segments (N outside [1, 256]), fraction_bits (outside [0, 24]),
// and output_scale when a knot or slope does not fit int32.
PwlTable fit_pwl(NonlinearFunction f, const LutParams& p, int segments, int fraction_bits = 16,
                 Rounding evaluation_rounding = Rounding::half_away);

// Q13.4: the proven bound on |pwl(q) - exact(q)| in output codes for tanh and logistic:
// floor(E) + 1, E = L^2 M2 Si^2 / (8 So) + (L/2 + 1) / 2^F, L the longest segment, M2 the
// bound of |f''| (tanh 0.7699 >= 4/(3 sqrt 3), logistic 0.0963 >= 1/(6 sqrt 3)); needs the
// evaluation rounding half_away and the `exact` rounding half_away. Errors: other functions
// (ParameterError naming "function").
std::int64_t pwl_error_bound(NonlinearFunction f, const LutParams& p, const PwlTable& table);

}  // namespace quantspec::ref
