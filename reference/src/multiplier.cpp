// SPEC.md Q6: multiplier derivation. Everything is exact rational arithmetic; the binary64 and
// binary32 roundings that TFLite and XNNPACK apply to M are modelled by round_to_binary64/32.
#include "quantspec/reference/multiplier.hpp"

#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

using boost::multiprecision::denominator;
using boost::multiprecision::msb;
using boost::multiprecision::numerator;

// M = fraction * 2^exponent with fraction in [1/2, 1) (the frexp convention), for M > 0, and
// the fraction rounded half away from zero to `bits` bits: significand in [2^(bits-1), 2^bits].
// When the significand rounds up to 2^bits it is renormalised to 2^(bits-1) with exponent + 1
// (Q6.2 step 3): the represented value is unchanged.
struct Normalised {
  Integer significand;
  int exponent;
};
Normalised normalise(const Rational& m, int bits) {
  int e = static_cast<int>(msb(numerator(m))) - static_cast<int>(msb(denominator(m))) + 1;
  // Now 2^(e-2) < m < 2^e; fix e so that 2^(e-1) <= m < 2^e.
  if (m < pow2(e - 1)) --e;
  Integer q = round_to_integer(m * pow2(bits - e), Rounding::half_away);
  if (q == (Integer(1) << bits)) {
    q >>= 1;
    ++e;
  }
  return {q, e};
}

void require_non_negative(const Rational& m) {
  if (m < 0) {
    throw ParameterError("real_multiplier", ">= 0", to_string(m));
  }
}

// The rounding of M that a derivation applies before normalising (Q6.3, Q6.4).
Rational rounded_for(const Rational& m, Derivation derivation) {
  switch (derivation) {
    case Derivation::exact:
      return m;
    case Derivation::tflite: {
      const double d = round_to_binary64(m);
      if (std::isinf(d)) {
        throw ParameterError("real_multiplier", "finite in binary64 (< 2^1024)", to_string(m));
      }
      return exact(d);
    }
    case Derivation::rndnu: {
      const float f = round_to_binary32(m);
      if (std::isinf(f)) {
        throw ParameterError("real_multiplier", "finite in binary32 (< 2^128)", to_string(m));
      }
      return exact(f);
    }
  }
  throw ParameterError("derivation", "exact, tflite or rndnu", "an invalid enum value");
}

void check_scale(float s, const char* name) {
  if (!std::isfinite(s) || !(s > 0)) {
    throw ParameterError(name, "a finite binary32 > 0 (subnormal allowed)", hex_float(s));
  }
}

TosaMultiplier derive_tosa(const Rational& real_multiplier, Derivation derivation, int bits) {
  require_non_negative(real_multiplier);
  const Rational m = rounded_for(real_multiplier, derivation);
  // MLIR: frexp(0) = (0, 0), so the pair is (0, bits).
  if (m == 0) return {0, bits};
  Normalised n = normalise(m, bits);
  int shift = bits - n.exponent;
  if (shift < kMinTosaShift) {
    throw ParameterError("real_multiplier",
                         "< 2^" + std::to_string(bits - kMinTosaShift) +
                             " after rounding (TOSA shift >= 2)",
                         to_string(real_multiplier));
  }
  Integer q = n.significand;
  if (shift > kMaxTosaShift) {
    // MLIR keeps shift <= 62 by shifting the multiplier right (truncating), at most 31 bits.
    q >>= std::min(31, shift - kMaxTosaShift);
    shift = kMaxTosaShift;
  }
  return {q.convert_to<std::int32_t>(), shift};
}

}  // namespace

// Q6.1
Rational multiplier_from_scales(float sx, float sw, float sy) {
  check_scale(sx, "sx");
  check_scale(sw, "sw");
  check_scale(sy, "sy");
  return exact(sx) * exact(sw) / exact(sy);
}

// Q6.5
float binary32_scale_from_scales(float sx, float sw, float sy) {
  check_scale(sx, "sx");
  check_scale(sw, "sw");
  check_scale(sy, "sy");
  const float product = round_to_binary32(exact(sx) * exact(sw));
  if (product == 0 || std::isinf(product)) {
    throw ParameterError("sw", "fl32(sx*sw) finite and > 0",
                         hex_float(sx) + " * " + hex_float(sw) + " = " + hex_float(product));
  }
  const float scale = round_to_binary32(exact(product) / exact(sy));
  if (scale == 0 || std::isinf(scale)) {
    throw ParameterError("sy", "fl32(fl32(sx*sw)/sy) finite and > 0",
                         hex_float(product) + " / " + hex_float(sy) + " = " + hex_float(scale));
  }
  return scale;
}

// Q6.8
Rational real_multiplier_from_scales(float sx, float sw, float sy, Derivation derivation) {
  if (derivation == Derivation::rndnu) return exact(binary32_scale_from_scales(sx, sw, sy));
  return multiplier_from_scales(sx, sw, sy);
}

// Q6.1
Rational real_value(const FixedPointMultiplier& m) {
  return Rational(Integer(m.multiplier)) * pow2(m.shift - 31);
}
Rational real_value(const TosaMultiplier& m) {
  return Rational(Integer(m.multiplier)) * pow2(-m.shift);
}

// Q6.2 (exact), Q6.3 (tflite), Q6.4 (rndnu).
FixedPointMultiplier derive_multiplier(const Rational& real_multiplier, Derivation derivation) {
  require_non_negative(real_multiplier);
  const Rational m = rounded_for(real_multiplier, derivation);
  if (m == 0) return {0, 0};
  // rndnu: the binary32 significand has at most 24 bits, so normalising to 24 bits is exact,
  // and the Q31 multiplier is that significand << 7 (XNNPACK's multiplier in
  // [0x40000000, 0x7FFFFF80]).
  const int bits = derivation == Derivation::rndnu ? 24 : 31;
  Normalised n = normalise(m, bits);
  Integer q = n.significand << (31 - bits);
  int shift = n.exponent;
  // Q6.2 step 4: below 2^-32 (after rounding) flush to (0, 0). For any int32 acc,
  // |acc * M| < 2^31 * 2^-32 = 1/2, so the ideal result under a round-to-nearest rule is
  // already 0: the flush loses nothing for int32 accumulators.
  if (shift < kMinQ31Shift) return {0, 0};
  if (shift > kMaxQ31Shift) {
    throw ParameterError("real_multiplier",
                         "< 2^30 after rounding to the Q31 format (shift <= 30) with derivation " +
                             std::string(name(derivation)),
                         to_string(real_multiplier));
  }
  return {q.convert_to<std::int32_t>(), shift};
}

// Q6.6
TosaMultiplier to_tosa32(const FixedPointMultiplier& m) {
  const int shift = 31 - m.shift;
  if (shift < kMinTosaShift || shift > kMaxTosaShift) {
    throw ParameterError("shift", "in [-31, 29] to convert to TOSA (TOSA shift 31-shift in [2, 62])",
                         std::to_string(m.shift));
  }
  return {m.multiplier, shift};
}

TosaMultiplier derive_tosa32(const Rational& real_multiplier, Derivation derivation) {
  return derive_tosa(real_multiplier, derivation, 31);
}

TosaMultiplier derive_tosa16(const Rational& real_multiplier, Derivation derivation) {
  return derive_tosa(real_multiplier, derivation, 15);
}

}  // namespace quantspec::ref
