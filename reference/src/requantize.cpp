// SPEC.md Q7: requantization, the definition. Every step is exact (cpp_int / cpp_rational);
// where a deployed pipeline is bounded (int32 intermediate, binary32 product) the bound is
// applied explicitly and reported in the trace, never met by accident.
#include "quantspec/reference/requantize.hpp"

#include "quantspec/reference/accumulate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

Integer pow2_integer(int exponent) { return Integer(1) << exponent; }

bool is_q31_variant(RequantVariant v) {
  return v == RequantVariant::double_round || v == RequantVariant::single_round ||
         v == RequantVariant::rndnu || v == RequantVariant::rndna;
}
std::string variant_label(RequantVariant v) { return " for variant " + std::string(name(v)); }

// sat32 (Q7.1): the int32 saturation of an intermediate, flagged.
Integer saturate_int32(const Integer& value, bool& flag) {
  if (value > int32_max()) {
    flag = true;
    return int32_max();
  }
  if (value < int32_min()) {
    flag = true;
    return int32_min();
  }
  return value;
}

// Q7.2 step 1, member wrap: the int32 residue of an intermediate (Q5.2's wrap_int32), flagged.
Integer wrap_int32(const Integer& value, bool& flag) {
  if (value > int32_max() || value < int32_min()) flag = true;
  return Integer(quantspec::ref::wrap_int32(value));
}

// Q7.2: gemmlowp SaturatingRoundingDoublingHighMul on exact integers.
Integer srdhm(const Integer& a, const Integer& b, bool& saturated) {
  if (a == int32_min() && b == int32_min()) {
    saturated = true;
    return int32_max();
  }
  const Integer ab = a * b;
  const Integer nudge = ab >= 0 ? pow2_integer(30) : Integer(1 - pow2_integer(30));
  return Integer(ab + nudge) / pow2_integer(31);  // cpp_int division truncates toward zero
}

// Q7.2: gemmlowp RoundingDivideByPOT = x / 2^e rounded half away from zero.
Integer rounding_divide_by_pot(const Integer& x, int exponent) {
  return round_to_integer(Rational(x, pow2_integer(exponent)), Rounding::half_away);
}

// Q7.3: floor((acc*m + 2^(total-1)) / 2^total): round half up of acc*m/2^total.
Integer shift_right_ties_up(const Integer& product, int total_shift) {
  return floor_div(product + pow2_integer(total_shift - 1), pow2_integer(total_shift));
}

// Q7.11: fp32 values as exact rationals, with +-infinity kept apart.
struct Binary32Value {
  float value;
  bool is_infinite() const { return std::isinf(value); }
};
Binary32Value fl32(const Rational& x) { return {round_to_binary32(x)}; }

}  // namespace

// Q7.1
void RequantizeParams::validate() const {
  const auto v = variant;
  switch (v) {
    case RequantVariant::ideal:
      if (!(real_multiplier > 0)) {
        throw ParameterError("real_multiplier", "> 0 (an exact rational)", to_string(real_multiplier));
      }
      break;
    case RequantVariant::fp32:
      if (!std::isfinite(scale) || !(scale > 0)) {
        throw ParameterError("scale", "a finite binary32 > 0 (subnormal allowed)", hex_float(scale));
      }
      break;
    case RequantVariant::double_round:
    case RequantVariant::single_round:
    case RequantVariant::rndnu:
    case RequantVariant::rndna:
      if (multiplier < 0) {
        throw ParameterError("multiplier", "in [0, 2147483647]" + variant_label(v),
                             std::to_string(multiplier));
      }
      if (shift < kMinQ31Shift || shift > kMaxQ31Shift) {
        throw ParameterError("shift", "in [-31, 30]" + variant_label(v), std::to_string(shift));
      }
      break;
    case RequantVariant::tosa_single:
    case RequantVariant::tosa_double:
    case RequantVariant::tosa_scale16: {
      const std::int32_t max_multiplier =
          v == RequantVariant::tosa_scale16 ? kMaxTosa16Multiplier : std::numeric_limits<std::int32_t>::max();
      if (multiplier < 0 || multiplier > max_multiplier) {
        throw ParameterError("multiplier", "in [0, " + std::to_string(max_multiplier) + "]" +
                                               variant_label(v),
                             std::to_string(multiplier));
      }
      if (shift < kMinTosaShift || shift > kMaxTosaShift) {
        throw ParameterError("shift", "in [2, 62]" + variant_label(v), std::to_string(shift));
      }
      break;
    }
    default:
      throw ParameterError("variant", "a known requantization variant", "an invalid enum value");
  }
  if (left_shift_overflow == LeftShiftOverflow::wrap && v != RequantVariant::double_round) {
    throw ParameterError("left_shift_overflow", "saturate" + variant_label(v) +
                                                    " (wrap exists only for double_round)",
                         std::string(name(left_shift_overflow)));
  }
  if (zero_point_entry == ZeroPointEntry::before_rounding && v != RequantVariant::ideal &&
      v != RequantVariant::fp32) {
    throw ParameterError("zero_point_entry", "after_rounding" + variant_label(v) +
                                                 " (before_rounding exists only for ideal and fp32)",
                         std::string(name(zero_point_entry)));
  }
  if (qmin > qmax) {
    throw ParameterError("qmin", "<= qmax (" + std::to_string(qmax) + ")", std::to_string(qmin));
  }
  if (zero_point < qmin || zero_point > qmax) {
    throw ParameterError("zero_point",
                         "in [qmin, qmax] = [" + std::to_string(qmin) + ", " + std::to_string(qmax) + "]",
                         std::to_string(zero_point));
  }
}

// Q7.1
void validate_accumulator(const Integer& acc, const RequantizeParams& params) {
  const auto v = params.variant;
  if (v == RequantVariant::ideal || v == RequantVariant::fp32) return;
  if (v == RequantVariant::tosa_scale16) {
    if (acc < -pow2_integer(47) || acc >= pow2_integer(47)) {
      throw ParameterError("acc", "an int48 in [-2^47, 2^47) for variant tosa_scale16",
                           acc.str());
    }
    return;
  }
  if (!fits_int32(acc)) {
    throw ParameterError("acc", "an int32" + variant_label(v), acc.str());
  }
  if (v == RequantVariant::tosa_single || v == RequantVariant::tosa_double) {
    const Integer bound = pow2_integer(params.shift - 1);
    if (acc < -bound || acc >= bound) {
      throw ParameterError("acc",
                           "in [-2^(shift-1), 2^(shift-1)) = [-" + bound.str() + ", " +
                               Integer(bound - 1).str() + "]" + variant_label(v) +
                               " (TOSA apply_scale_32 REQUIRE)",
                           acc.str());
    }
  }
}

// Q7.1
Rational effective_multiplier(const RequantizeParams& params) {
  params.validate();
  const auto v = params.variant;
  if (v == RequantVariant::ideal) return params.real_multiplier;
  if (v == RequantVariant::fp32) return exact(params.scale);
  if (is_q31_variant(v)) return real_value(FixedPointMultiplier{params.multiplier, params.shift});
  return real_value(TosaMultiplier{params.multiplier, params.shift});
}

// Q7: the definition.
Integer requantize(const Integer& acc, const RequantizeParams& params, RequantizeTrace* trace) {
  const Rational m = effective_multiplier(params);  // validates params
  validate_accumulator(acc, params);
  RequantizeTrace local;
  RequantizeTrace& t = trace ? *trace : local;
  t = RequantizeTrace{};
  t.exact_product = Rational(acc) * m;

  const Integer zy(params.zero_point);
  const Integer qmin(params.qmin);
  const Integer qmax(params.qmax);
  const Integer mult(params.multiplier);
  Integer y;             // the variant's rounding of acc*M (after_rounding)
  Integer w;             // y + Zy, before the clamp
  bool have_w = false;   // set when the zero point entered before rounding

  switch (params.variant) {
    case RequantVariant::ideal: {  // Q7.1: y = R(acc*M); before_rounding: R(acc*M + Zy)
      if (params.zero_point_entry == ZeroPointEntry::after_rounding) {
        y = round_to_integer(t.exact_product, params.rounding);
      } else {
        w = round_to_integer(t.exact_product + Rational(zy), params.rounding);
        y = w - zy;
        have_w = true;
      }
      break;
    }
    case RequantVariant::double_round: {  // Q7.2
      const int left = std::max(params.shift, 0);
      const int right = std::max(-params.shift, 0);
      // Step 1: saturate (SPEC CHOICE) or wrap modulo 2^32 (left_shift_overflow).
      t.left_shifted = params.left_shift_overflow == LeftShiftOverflow::wrap
                           ? wrap_int32(acc * pow2_integer(left), t.left_shift_saturated)
                           : saturate_int32(acc * pow2_integer(left), t.left_shift_saturated);
      t.high_mul = srdhm(t.left_shifted, mult, t.srdhm_saturated);
      y = rounding_divide_by_pot(t.high_mul, right);  // |y| <= |high_mul|: fits int32
      break;
    }
    case RequantVariant::single_round:  // Q7.3
    case RequantVariant::rndnu: {       // Q7.3: the same arithmetic (ties toward +inf)
      const int total = 31 - params.shift;
      y = saturate_int32(shift_right_ties_up(acc * mult, total), t.result_saturated);
      break;
    }
    case RequantVariant::rndna: {  // Q7.4: ties away from zero
      const int total = 31 - params.shift;
      y = saturate_int32(round_to_integer(Rational(acc * mult, pow2_integer(total)),
                                          Rounding::half_away),
                         t.result_saturated);
      break;
    }
    case RequantVariant::tosa_single:
    case RequantVariant::tosa_double: {  // Q7.5: apply_scale_32
      Integer round = pow2_integer(params.shift - 1);
      if (params.variant == RequantVariant::tosa_double && params.shift > 31) {
        round += acc >= 0 ? pow2_integer(30) : Integer(-pow2_integer(30));
      }
      y = saturate_int32(floor_div(acc * mult + round, pow2_integer(params.shift)),
                         t.result_saturated);
      break;
    }
    case RequantVariant::tosa_scale16: {  // Q7.6: apply_scale_16
      y = saturate_int32(shift_right_ties_up(acc * mult, params.shift), t.result_saturated);
      break;
    }
    case RequantVariant::fp32: {  // Q7.11
      const Binary32Value a = fl32(Rational(acc));
      Binary32Value product{a.is_infinite() ? a.value : round_to_binary32(exact(a.value) *
                                                                        exact(params.scale))};
      if (product.is_infinite()) {
        // +-inf clamps to qmax / qmin (XNNPACK clamps in float before converting).
        t.result_saturated = true;
        t.scaled = 0;
        t.with_zero_point = 0;
        t.clamped = true;
        t.output = product.value > 0 ? qmax : qmin;
        return t.output;
      }
      if (params.zero_point_entry == ZeroPointEntry::after_rounding) {
        y = round_to_integer(exact(product.value), Rounding::half_even);
      } else {
        const Binary32Value biased = fl32(exact(product.value) + Rational(zy));
        if (biased.is_infinite()) {
          t.result_saturated = true;
          t.clamped = true;
          t.output = biased.value > 0 ? qmax : qmin;
          return t.output;
        }
        w = round_to_integer(exact(biased.value), Rounding::half_even);
        y = w - zy;
        have_w = true;
      }
      break;
    }
  }
  if (!have_w) w = y + zy;
  t.scaled = y;
  t.with_zero_point = w;
  t.zero_point_overflows_int32 = !fits_int32(w);
  t.output = clamp(w, qmin, qmax);
  t.clamped = t.output != w;
  return t.output;
}

// Q7.8
RequantizeParams requantize_params_from_scales(RequantVariant variant, float sx, float sw,
                                               float sy, std::int32_t zero_point,
                                               std::int32_t qmin, std::int32_t qmax,
                                               Derivation derivation, Rounding rounding,
                                               ZeroPointEntry entry) {
  RequantizeParams p;
  p.variant = variant;
  p.rounding = rounding;
  p.zero_point_entry = entry;
  p.zero_point = zero_point;
  p.qmin = qmin;
  p.qmax = qmax;
  const Rational m = multiplier_from_scales(sx, sw, sy);
  switch (variant) {
    case RequantVariant::ideal:
      p.real_multiplier = m;
      break;
    case RequantVariant::fp32:
      p.scale = binary32_scale_from_scales(sx, sw, sy);
      break;
    case RequantVariant::double_round:
    case RequantVariant::single_round: {
      const FixedPointMultiplier f =
          derive_multiplier(real_multiplier_from_scales(sx, sw, sy, derivation), derivation);
      p.multiplier = f.multiplier;
      p.shift = f.shift;
      break;
    }
    case RequantVariant::rndnu:
    case RequantVariant::rndna: {
      const FixedPointMultiplier f =
          derive_multiplier(real_multiplier_from_scales(sx, sw, sy, Derivation::rndnu),
                            Derivation::rndnu);
      p.multiplier = f.multiplier;
      p.shift = f.shift;
      break;
    }
    case RequantVariant::tosa_single:
    case RequantVariant::tosa_double: {
      const TosaMultiplier f =
          derive_tosa32(real_multiplier_from_scales(sx, sw, sy, derivation), derivation);
      p.multiplier = f.multiplier;
      p.shift = f.shift;
      break;
    }
    case RequantVariant::tosa_scale16: {
      const TosaMultiplier f =
          derive_tosa16(real_multiplier_from_scales(sx, sw, sy, derivation), derivation);
      p.multiplier = f.multiplier;
      p.shift = f.shift;
      break;
    }
  }
  p.validate();
  return p;
}

// Q7.9
Integer requantize_per_channel(const Integer& acc, std::size_t channel,
                               const std::vector<RequantizeParams>& per_channel,
                               RequantizeTrace* trace) {
  if (per_channel.empty()) {
    throw ParameterError("per_channel", "at least one channel's parameters", "0 channels");
  }
  if (channel >= per_channel.size()) {
    throw ParameterError("channel", "in [0, " + std::to_string(per_channel.size() - 1) + "]",
                         std::to_string(channel));
  }
  return requantize(acc, per_channel[channel], trace);
}

}  // namespace quantspec::ref
