// SPEC.md Q7.12-Q7.13: each variant's bound against the ideal on its own multiplier, the
// equivalences where ranges meet (tosa_double = double_round, tosa_single = single_round), and
// disagreements only where the spec says.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>

#include "quantspec/reference/requantize.hpp"
#include "requantize_generators.hpp"

namespace quantspec::ref {
namespace {

Rational abs_value(const Rational& r) { return r < 0 ? Rational(-r) : r; }

// y (before the zero point) of a variant, observed through the trace with an unbounded clamp.
struct Observed {
  Integer y;
  Rational v;  // acc * M' exactly
  RequantizeTrace trace;
};
Observed observe(RequantizeParams p, std::int32_t acc) {
  p.zero_point = 0;
  p.qmin = testgen::kInt32Min;
  p.qmax = testgen::kInt32Max;
  Observed o;
  requantize(Integer(acc), p, &o.trace);
  o.y = o.trace.scaled;
  o.v = o.trace.exact_product;
  return o;
}

// Distance from v to the nearest half-integer k + 1/2.
Rational distance_to_tie(const Rational& v) {
  const Integer f = round_to_integer(v, Rounding::floor);
  return abs_value(v - (Rational(f) + Rational(1, 2)));
}

// Q7.12: single_round, rndnu, tosa_single, tosa_scale16 compute round_half_up(acc*M') exactly
// (unless the result saturates int32); rndna computes round_half_away(acc*M').
RC_GTEST_PROP(RequantizeBound, SingleRoundingVariantsAreExactRoundings, ()) {
  const auto variant = *rc::gen::element(RequantVariant::single_round, RequantVariant::rndnu,
                                         RequantVariant::rndna, RequantVariant::tosa_single,
                                         RequantVariant::tosa_scale16);
  const RequantizeParams p = testgen::params_for(variant);
  const std::int32_t acc = testgen::accumulator_for(p);
  const Observed o = observe(p, acc);
  RC_PRE(!o.trace.result_saturated);
  const Rounding rule = variant == RequantVariant::rndna ? Rounding::half_away : Rounding::half_up;
  RC_ASSERT(o.y == round_to_integer(o.v, rule));
}

// Q7.12: double_round (and tosa_double with shift > 31) round twice: with right = -shift
// (TOSA: shift - 31) >= 1, |y - v| <= 1/2 + 2^-(right+1), and y differs from
// round_half_away(v) only when 0 < |v - (k + 1/2)| <= 2^-(right+1); with right = 0 it is
// round_half_up(v). Requires no saturation of acc << left.
RC_GTEST_PROP(RequantizeBound, DoubleRoundingIsWithinItsBound, ()) {
  const auto variant = *rc::gen::element(RequantVariant::double_round, RequantVariant::tosa_double);
  const RequantizeParams p = testgen::params_for(variant);
  const std::int32_t acc = testgen::accumulator_for(p);
  const Observed o = observe(p, acc);
  RC_PRE(!o.trace.left_shift_saturated && !o.trace.result_saturated);
  const int right = variant == RequantVariant::double_round ? std::max(-p.shift, 0)
                                                            : std::max(p.shift - 31, 0);
  if (right == 0) {
    RC_ASSERT(o.y == round_to_integer(o.v, Rounding::half_up));
    return;
  }
  const Rational slack = pow2(-(right + 1));
  RC_ASSERT(abs_value(Rational(o.y) - o.v) <= Rational(1, 2) + slack);
  if (o.y != round_to_integer(o.v, Rounding::half_away)) {
    const Rational d = distance_to_tie(o.v);
    RC_ASSERT(d > 0);
    RC_ASSERT(d <= slack);
  }
}

// Q7.12: fp32 rounds twice in binary32 then to even: |y - v| <= 1/2 + |v|(2^-23 + 2^-48) +
// 2^-150 with v = acc * scale exactly; and when acc and v are both binary32 values the
// binary32 steps are exact, so y = round_half_even(v).
RC_GTEST_PROP(RequantizeBound, Fp32IsWithinItsBound, ()) {
  RequantizeParams p = testgen::params_for(RequantVariant::fp32);
  p.zero_point_entry = ZeroPointEntry::after_rounding;
  const std::int32_t acc = *testgen::accumulator();
  const Observed o = observe(p, acc);
  RC_PRE(!o.trace.result_saturated);
  const Rational bound = Rational(1, 2) + abs_value(o.v) * (pow2(-23) + pow2(-48)) + pow2(-150);
  RC_ASSERT(abs_value(Rational(o.y) - o.v) <= bound);
  const bool acc_exact = exact(round_to_binary32(Rational(acc))) == Rational(acc);
  const bool product_exact = exact(round_to_binary32(o.v)) == o.v;
  if (acc_exact && product_exact) RC_ASSERT(o.y == round_to_integer(o.v, Rounding::half_even));
}

// Q7.13: where TOSA's REQUIRE range and the Q31 range meet (Q31 shift s in [-31, 29], TOSA
// shift 31 - s, acc in [-2^(30-s), 2^(30-s))), tosa_double = double_round and
// tosa_single = single_round, output for output (zero point and clamp included).
RC_GTEST_PROP(RequantizeEquivalence, TosaEqualsTfliteWhereRangesMeet, ()) {
  const bool double_rounding = *rc::gen::arbitrary<bool>();
  RequantizeParams q31 = testgen::params_for(double_rounding ? RequantVariant::double_round
                                                             : RequantVariant::single_round);
  q31.shift = std::min(q31.shift, 29);
  RequantizeParams tosa = q31;
  tosa.variant = double_rounding ? RequantVariant::tosa_double : RequantVariant::tosa_single;
  const TosaMultiplier t = to_tosa32(FixedPointMultiplier{q31.multiplier, q31.shift});
  tosa.multiplier = t.multiplier;
  tosa.shift = t.shift;
  const std::int32_t acc = testgen::accumulator_for(tosa);
  RC_ASSERT(requantize(Integer(acc), q31) == requantize(Integer(acc), tosa));
}

// Q7.13: single_round and rndna (same parameters) disagree exactly on negative ties.
RC_GTEST_PROP(RequantizeDisagreement, SingleRoundAndRndnaDifferOnlyOnNegativeTies, ()) {
  const RequantizeParams p = testgen::params_for(RequantVariant::single_round);
  RequantizeParams a = p;
  a.variant = RequantVariant::rndna;
  const std::int32_t acc = *testgen::accumulator();
  const Observed up = observe(p, acc);
  const Observed away = observe(a, acc);
  const bool negative_tie = up.v < 0 && distance_to_tie(up.v) == 0;
  if (up.trace.result_saturated) return;
  RC_ASSERT((up.y != away.y) == negative_tie);
}

// Q7.13: fp32 and ideal half_even on M = the binary32 scale agree whenever the two binary32
// steps of fp32 are exact.
RC_GTEST_PROP(RequantizeDisagreement, Fp32EqualsIdealWhenBinary32StepsAreExact, ()) {
  RequantizeParams fp = testgen::params_for(RequantVariant::fp32);
  // A scale with at most 8 significant bits and |acc| < 2^15: the product has <= 24 bits.
  fp.scale = std::ldexp(static_cast<float>(*rc::gen::inRange(1, 256)), *rc::gen::inRange(-40, 0));
  RequantizeParams ideal = fp;
  ideal.variant = RequantVariant::ideal;
  ideal.rounding = Rounding::half_even;
  ideal.real_multiplier = exact(fp.scale);
  const std::int32_t acc = *rc::gen::inRange(-(1 << 15), (1 << 15) + 1);
  const Rational v = Rational(acc) * exact(fp.scale);
  RC_ASSERT(exact(round_to_binary32(v)) == v);
  if (fp.zero_point_entry == ZeroPointEntry::before_rounding) {
    RC_PRE(exact(round_to_binary32(v + Rational(fp.zero_point))) == v + Rational(fp.zero_point));
  }
  RC_ASSERT(requantize(Integer(acc), fp) == requantize(Integer(acc), ideal));
}

// Q7.13 (zero point entry): R(v + Zy) = R(v) + Zy for the translation-invariant rules floor
// and half_up. The others differ, for non-integer v, exactly when:
//   half_even   : v is a tie and Zy is odd;
//   half_away   : v is a tie and v, v + Zy have opposite signs;
//   toward_zero : v and v + Zy have opposite signs.
// (Counterexample found by this property: toward_zero, v = 2^-149, Zy = -1: after gives
// 0 - 1 = -1, before gives toward_zero(-1 + 2^-149) = 0.)
RC_GTEST_PROP(RequantizeDisagreement, ZeroPointEntryMattersOnlyWhereTheSpecSays, ()) {
  RequantizeParams after = testgen::params_for(RequantVariant::ideal);
  after.zero_point_entry = ZeroPointEntry::after_rounding;
  RequantizeParams before = after;
  before.zero_point_entry = ZeroPointEntry::before_rounding;
  const std::int32_t acc = *testgen::accumulator();
  const Rational v = Rational(acc) * after.real_multiplier;
  const Rational shifted = v + Rational(after.zero_point);
  const bool integer = round_to_integer(v, Rounding::floor) == v;
  const bool tie = distance_to_tie(v) == 0;
  const bool sign_change = (v > 0) != (shifted > 0);
  bool may_differ = false;
  switch (after.rounding) {
    case Rounding::half_even: may_differ = tie && after.zero_point % 2 != 0; break;
    case Rounding::half_away: may_differ = tie && sign_change; break;
    case Rounding::toward_zero: may_differ = !integer && sign_change; break;
    case Rounding::floor:
    case Rounding::half_up: may_differ = false; break;
  }
  RequantizeTrace ta, tb;
  const Integer qa = requantize(Integer(acc), after, &ta);
  const Integer qb = requantize(Integer(acc), before, &tb);
  RC_ASSERT((ta.with_zero_point != tb.with_zero_point) == may_differ);
  if (!may_differ) RC_ASSERT(qa == qb);
}

}  // namespace
}  // namespace quantspec::ref
