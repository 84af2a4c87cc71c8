// SPEC.md Q7.10: the fast path of requantize() for int32 accumulators. Same function as the
// definition (tests/test_requantize_fast.cc checks it property by property); integer
// arithmetic on int64/__int128 everywhere except fp32, see FastRequantizer::fp32.
#include <cfenv>
#include <cfloat>
#include <cmath>
#include <limits>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/fixed_point_primitives.hpp"
#include "quantspec/reference/requantize.hpp"

#if defined(__FAST_MATH__)
#error "requantize_fast.cpp relies on IEEE binary32 arithmetic; do not build it with -ffast-math"
#endif
// Every float expression is evaluated in binary32 (no x87 excess precision).
static_assert(FLT_EVAL_METHOD == 0, "binary32 arithmetic must be evaluated in binary32");
static_assert(std::numeric_limits<float>::is_iec559, "binary32 must be IEEE 754");

namespace quantspec::ref {
namespace {

using int128 = __int128;
namespace fp = fixed_point;

// Where x lies between floor(x) and floor(x) + 1.
enum class Fraction { zero, below_half, half, above_half };

// Q0.1's rounding rules on a value given as floor + fraction class.
int128 apply_rounding(int128 floor_value, Fraction fraction, Rounding rule) {
  if (fraction == Fraction::zero) return floor_value;
  switch (rule) {
    case Rounding::floor:
      return floor_value;
    case Rounding::toward_zero:
      return floor_value < 0 ? floor_value + 1 : floor_value;
    case Rounding::half_up:
      return fraction == Fraction::below_half ? floor_value : floor_value + 1;
    case Rounding::half_away:
      if (fraction == Fraction::half) return floor_value >= 0 ? floor_value + 1 : floor_value;
      return fraction == Fraction::below_half ? floor_value : floor_value + 1;
    case Rounding::half_even:
      if (fraction == Fraction::half) return (floor_value & 1) == 0 ? floor_value : floor_value + 1;
      return fraction == Fraction::below_half ? floor_value : floor_value + 1;
  }
  return floor_value;
}

int128 clamp128(int128 v, int128 lo, int128 hi) { return v < lo ? lo : (v > hi ? hi : v); }

// The host must run binary32 arithmetic round-to-nearest with subnormals (no FTZ/DAZ): checked
// once per FastRequantizer, which otherwise falls back to the definition.
bool host_binary32_is_ieee_default() {
  if (std::fegetround() != FE_TONEAREST) return false;
  volatile float tiny = 0x1p-140f;  // subnormal
  volatile float half = 0.5f;
  const float product = tiny * half;
  return product == 0x1p-141f;
}

// Round a double holding a binary32 value with |c| <= 2^34 to nearest, ties to even, in integer
// arithmetic (no dependence on the rounding mode).
std::int64_t round_half_even(double c) {
  const auto truncated = static_cast<std::int64_t>(c);  // exact: |c| < 2^63
  const double rest = c - static_cast<double>(truncated);  // exact: a fraction of c
  if (rest > 0.5) return truncated + 1;
  if (rest < -0.5) return truncated - 1;
  if (rest == 0.5) return truncated + (truncated & 1);
  if (rest == -0.5) return truncated - (truncated & 1);
  return truncated;
}

}  // namespace

FastRequantizer::FastRequantizer(const RequantizeParams& params) : params_(params) {
  params_.validate();
  if (params_.variant == RequantVariant::ideal) {
    using boost::multiprecision::denominator;
    using boost::multiprecision::lsb;
    using boost::multiprecision::msb;
    using boost::multiprecision::numerator;
    const Integer& n = numerator(params_.real_multiplier);
    const Integer& d = denominator(params_.real_multiplier);
    const int twos_n = static_cast<int>(lsb(n));
    const int twos_d = static_cast<int>(lsb(d));
    const Integer odd_n = n >> twos_n;
    const Integer odd_d = d >> twos_d;
    power_of_two_ = twos_n - twos_d;
    // |acc| <= 2^31 and odd parts < 2^63 keep acc*numerator < 2^94 and every remainder
    // comparison inside __int128; larger rationals (or 2^power beyond +32) use the definition.
    if (msb(odd_n) >= 63 || msb(odd_d) >= 63 || power_of_two_ > 32) {
      use_definition_ = true;
    } else {
      numerator_ = odd_n.convert_to<std::uint64_t>();
      denominator_ = odd_d.convert_to<std::uint64_t>();
    }
  }
  if (params_.variant == RequantVariant::fp32) {
    if (!host_binary32_is_ieee_default()) use_definition_ = true;
    // before_rounding adds Zy in binary32: exact conversion of Zy needs |Zy| <= 2^24.
    if (params_.zero_point_entry == ZeroPointEntry::before_rounding &&
        (params_.zero_point > (1 << 24) || params_.zero_point < -(1 << 24))) {
      use_definition_ = true;
    }
  }
}

// Q7.1 (ideal) on integers: acc*M = acc * n * 2^k / d with n, d odd.
std::int32_t FastRequantizer::ideal(std::int32_t acc) const {
  const int128 scaled_numerator =
      static_cast<int128>(acc) * static_cast<int128>(numerator_) *
      (power_of_two_ > 0 ? (static_cast<int128>(1) << power_of_two_) : 1);
  const int128 d = static_cast<int128>(denominator_);
  // floor division by the odd denominator: a + b/d, 0 <= b < d.
  int128 a = scaled_numerator / d;
  int128 b = scaled_numerator - a * d;
  if (b < 0) {
    a -= 1;
    b += d;
  }
  int128 floor_value;
  Fraction fraction;
  const int j = power_of_two_ < 0 ? -power_of_two_ : 0;  // remaining division by 2^j
  if (j == 0) {
    floor_value = a;
    fraction = b == 0 ? Fraction::zero
                      : (2 * b < d ? Fraction::below_half
                                   : (2 * b == d ? Fraction::half : Fraction::above_half));
  } else if (j > 100) {
    // |a| < 2^95, so |(a + b/d) / 2^j| < 2^-5: the floor is 0 or -1 and the fraction is
    // far from 1/2.
    if (a >= 0) {
      floor_value = 0;
      fraction = (a == 0 && b == 0) ? Fraction::zero : Fraction::below_half;
    } else {
      floor_value = -1;
      fraction = Fraction::above_half;
    }
  } else {
    // value = (a + b/d) / 2^j; floor = floor(a / 2^j); the fraction is (r + b/d) / 2^j with
    // r = a mod 2^j, compared with 1/2 = 2^(j-1) / 2^j.
    floor_value = a >> j;
    const int128 r = a - floor_value * (static_cast<int128>(1) << j);  // no << of a negative
    const int128 half = static_cast<int128>(1) << (j - 1);
    if (r == 0 && b == 0) {
      fraction = Fraction::zero;
    } else if (r < half) {
      fraction = Fraction::below_half;
    } else if (r > half || b != 0) {
      fraction = Fraction::above_half;
    } else {
      fraction = Fraction::half;
    }
  }
  const int128 zy = params_.zero_point;
  int128 w;
  if (params_.zero_point_entry == ZeroPointEntry::after_rounding) {
    w = apply_rounding(floor_value, fraction, params_.rounding) + zy;
  } else {
    w = apply_rounding(floor_value + zy, fraction, params_.rounding);
  }
  return static_cast<std::int32_t>(clamp128(w, params_.qmin, params_.qmax));
}

// Q7.11 (fp32). The host's binary32 arithmetic is used only where IEEE 754 guarantees the
// single correctly rounded result the definition specifies: (float)acc is the conversion
// int32 -> binary32 (rounded to nearest even), `a * scale` and `t + (float)Zy` are one
// binary32 multiplication / addition each (rounded once, gradual underflow, overflow to inf).
// FLT_EVAL_METHOD == 0 rules out excess precision; there is no a*b+c to contract into an FMA;
// the constructor checks the rounding mode and the absence of FTZ/DAZ. The final rounding to
// an integer and the clamp are done on doubles (exact for binary32 values) and int64.
std::int32_t FastRequantizer::fp32(std::int32_t acc) const {
  const float a = static_cast<float>(acc);
  float t = a * params_.scale;
  const double lo = static_cast<double>(params_.qmin);
  const double hi = static_cast<double>(params_.qmax);
  if (params_.zero_point_entry == ZeroPointEntry::before_rounding) {
    t = t + static_cast<float>(params_.zero_point);
    // Clamping to integer bounds commutes with rounding to an integer.
    const double c = std::fmin(std::fmax(static_cast<double>(t), lo), hi);
    return static_cast<std::int32_t>(round_half_even(c));
  }
  const double zy = static_cast<double>(params_.zero_point);
  const double c = std::fmin(std::fmax(static_cast<double>(t), lo - zy), hi - zy);
  return static_cast<std::int32_t>(round_half_even(c) + params_.zero_point);
}

std::int32_t FastRequantizer::operator()(std::int32_t acc) const {
  if (use_definition_) return requantize(Integer(acc), params_).convert_to<std::int32_t>();
  const auto& p = params_;
  std::int64_t y = 0;
  switch (p.variant) {
    case RequantVariant::ideal:
      return ideal(acc);
    case RequantVariant::fp32:
      return fp32(acc);
    case RequantVariant::double_round: {  // Q7.2
      const int left = p.shift > 0 ? p.shift : 0;
      const int right = p.shift > 0 ? 0 : -p.shift;
      const std::int32_t x = p.left_shift_overflow == LeftShiftOverflow::wrap
                                 ? fp::wrapping_left_shift(acc, left)
                                 : fp::saturating_left_shift(acc, left);
      y = fp::rounding_divide_by_pot(fp::saturating_rounding_doubling_high_mul(x, p.multiplier),
                                     right);
      break;
    }
    case RequantVariant::single_round:
    case RequantVariant::rndnu:  // Q7.3
      y = fp::saturate_int32(fp::rounding_shift_right_ties_up(acc, p.multiplier, 31 - p.shift));
      break;
    case RequantVariant::rndna:  // Q7.4
      y = fp::saturate_int32(fp::rounding_shift_right_ties_away(acc, p.multiplier, 31 - p.shift));
      break;
    case RequantVariant::tosa_single:
    case RequantVariant::tosa_double: {  // Q7.5
      const std::int64_t bound = std::int64_t{1} << (p.shift - 1);
      if (acc < -bound || acc >= bound) validate_accumulator(Integer(acc), p);  // throws
      y = fp::saturate_int32(fp::apply_scale_32(acc, p.multiplier, p.shift,
                                                p.variant == RequantVariant::tosa_double));
      break;
    }
    case RequantVariant::tosa_scale16:  // Q7.6
      y = fp::saturate_int32(
          fp::apply_scale_16(acc, static_cast<std::int16_t>(p.multiplier), p.shift));
      break;
  }
  const std::int64_t w = y + p.zero_point;
  return static_cast<std::int32_t>(w < p.qmin ? p.qmin : (w > p.qmax ? p.qmax : w));
}

std::int32_t requantize_fast(std::int32_t acc, const RequantizeParams& params) {
  return FastRequantizer(params)(acc);
}

}  // namespace quantspec::ref
