// SPEC Q13.4: piecewise-linear Q_tanh / Q_sigmoid (and any Q12 f) on the 8-bit grid.
#include "quantspec/reference/piecewise_linear.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {
namespace {

void validate_shape(const PwlTable& t) {
  if (t.dtype != DType::int8 && t.dtype != DType::uint8) {
    throw ParameterError("dtype", "int8 or uint8", std::string(name(t.dtype)));
  }
  if (t.fraction_bits < 0 || t.fraction_bits > 24) {
    throw ParameterError("fraction_bits", "in [0, 24]", std::to_string(t.fraction_bits));
  }
  const IntRange r = dtype_range(t.dtype);
  if (t.segments.empty()) throw ParameterError("segments", "at least one segment", "none");
  if (t.segments.front().start != r.min) {
    throw ParameterError("segments", "the first segment starting at qmin = " + std::to_string(r.min),
                         std::to_string(t.segments.front().start));
  }
  for (std::size_t k = 1; k < t.segments.size(); ++k) {
    const std::int32_t s = t.segments[k].start;
    if (s <= t.segments[k - 1].start || s > r.max) {
      throw ParameterError("segments", "starts strictly increasing within the grid",
                           "segment " + std::to_string(k) + " starts at " + std::to_string(s));
    }
  }
}

std::int32_t to_int32(const Integer& v, const char* what) {
  if (!fits_int32(v)) {
    throw ParameterError("output_scale", std::string("a ") + what + " that fits int32 (Q13.4)", to_string(Rational(v)));
  }
  return v.convert_to<std::int32_t>();
}

}  // namespace

// Q13.4
std::int32_t pwl_evaluate(const PwlTable& t, std::int32_t q) {
  validate_shape(t);
  const IntRange r = dtype_range(t.dtype);
  if (q < r.min || q > r.max) {
    throw ParameterError("q", "in [" + std::to_string(r.min) + ", " + std::to_string(r.max) + "]",
                         std::to_string(q));
  }
  std::size_t k = t.segments.size() - 1;
  while (t.segments[k].start > q) --k;
  const PwlSegment& s = t.segments[k];
  const std::int64_t y = std::int64_t{s.intercept} + std::int64_t{s.slope} * (q - s.start);
  const Integer out = round_to_integer(Rational(Integer(y), Integer(1) << t.fraction_bits), t.rounding);
  return clamp(out, Integer(r.min), Integer(r.max)).convert_to<std::int32_t>();
}

// Q13.4
PwlTable fit_pwl(NonlinearFunction f, const LutParams& p, int segments, int fraction_bits,
                 Rounding evaluation_rounding) {
  // Q12.5 errors for p, by its own validation (one exact evaluation).
  (void)nonlinear_exact(f, dtype_range(p.dtype).min, p);
  if (segments < 1 || segments > 256) throw ParameterError("segments", "in [1, 256]", std::to_string(segments));
  if (fraction_bits < 0 || fraction_bits > 24) {
    throw ParameterError("fraction_bits", "in [0, 24]", std::to_string(fraction_bits));
  }
  const IntRange r = dtype_range(p.dtype);
  const Rational si = exact(p.input_scale);
  const Rational knot_divisor = exact(p.output_scale) / (Integer(1) << fraction_bits);
  std::vector<std::int32_t> breakpoints;
  std::vector<Integer> knots;
  for (int k = 0; k <= segments; ++k) {
    const std::int32_t b = static_cast<std::int32_t>(r.min + (std::int64_t{k} * 256) / segments);
    breakpoints.push_back(b);
    const Rational x = Rational(b - p.input_zero_point) * si;
    knots.push_back(nonlinear_round(f, x, p.alpha, knot_divisor, Rounding::half_away) +
                    (Integer(p.output_zero_point) << fraction_bits));
  }
  PwlTable t;
  t.dtype = p.dtype;
  t.fraction_bits = fraction_bits;
  t.rounding = evaluation_rounding;
  for (int k = 0; k < segments; ++k) {
    PwlSegment s;
    s.start = breakpoints[k];
    s.intercept = to_int32(knots[k], "knot value");
    const Rational slope(knots[k + 1] - knots[k], Integer(breakpoints[k + 1] - breakpoints[k]));
    s.slope = to_int32(round_to_integer(slope, Rounding::half_away), "slope");
    t.segments.push_back(s);
  }
  return t;
}

// Q13.4
std::int64_t pwl_error_bound(NonlinearFunction f, const LutParams& p, const PwlTable& t) {
  validate_shape(t);
  Rational m2;
  if (f == NonlinearFunction::tanh) {
    m2 = Rational(7699, 10000);
  } else if (f == NonlinearFunction::logistic) {
    m2 = Rational(963, 10000);
  } else {
    throw ParameterError("function", "tanh or logistic (the functions with a stated bound)", std::string(name(f)));
  }
  const IntRange r = dtype_range(t.dtype);
  std::int64_t longest = 0;
  for (std::size_t k = 0; k < t.segments.size(); ++k) {
    const std::int64_t end = k + 1 < t.segments.size() ? t.segments[k + 1].start : r.max + 1;
    longest = std::max<std::int64_t>(longest, end - t.segments[k].start);
  }
  const Rational si = exact(p.input_scale);
  const Rational l(longest);
  const Rational e = l * l * m2 * si * si / (8 * exact(p.output_scale)) +
                     (l / 2 + 1) / Rational(Integer(1) << t.fraction_bits);
  const Integer whole = floor_div(boost::multiprecision::numerator(e), boost::multiprecision::denominator(e));
  return whole.convert_to<std::int64_t>() + 1;
}

}  // namespace quantspec::ref
