// One-element definitions of each kernel's arithmetic, written straight from the spec
// (SPEC.md Q2, Q3, Q7). They are the HWY_SCALAR target's kernels (Highway's scalar target lacks
// some ops GCC 12 would need) and the per-element fallback where a target lacks a primitive
// (exact division without a native FMA). The SIMD kernels are specialisations of these and are
// tested against them.
#pragma once

#include <cmath>
#include <cstdint>

#include "quantspec/kernel_abi.h"

namespace quantspec::optimized::scalar {

// Rounds an integral-or-not binary32 t with |t| < 2^23 (the caller has clamped it) to an
// integer by rule `rounding` (Q1.3). t - trunc(t) is exact for such t.
inline float RoundRule(float t, uint32_t rounding) {
  const float r = std::trunc(t);
  const float f = t - r;
  switch (rounding) {
    case QS_ROUND_HALF_EVEN:
      return std::nearbyint(t);  // default FP environment: ties to even
    case QS_ROUND_HALF_AWAY:
      return r + (f >= 0.5f ? 1.0f : 0.0f) - (f <= -0.5f ? 1.0f : 0.0f);
    case QS_ROUND_HALF_UP:
      return r + (f >= 0.5f ? 1.0f : 0.0f) - (f < -0.5f ? 1.0f : 0.0f);
    case QS_ROUND_TOWARD_ZERO:
      return r;
    default:  // QS_ROUND_FLOOR
      return std::floor(t);
  }
}

// Q2 with t = fl32(x / S) or fl32(x * fl32(1 / S)): clamp t to [qmin - Z, qmax - Z] in the real
// domain (R is monotone and fixes integers, so clamping first equals clamping R(t) + Z), NaN -> 0.
inline int32_t QuantizeRounded(float t, uint32_t rounding, int32_t z, int32_t qmin,
                               int32_t qmax) {
  if (std::isnan(t)) return z;
  const float lo = static_cast<float>(qmin - z);
  const float hi = static_cast<float>(qmax - z);
  t = t < lo ? lo : (t > hi ? hi : t);
  return static_cast<int32_t>(RoundRule(t, rounding)) + z;
}

// Q2, division = exact. t = fl32(x/S) is corrected where R is discontinuous: R(q) and R(t)
// can differ only when t is exactly an integer or a half-integer (fl32 is monotone and those
// points are binary32 values), and there the sign of the exact residual x - t*S, which an FMA
// gives without rounding error to zero (S is pre-scaled to >= 2^-100 so the residual is a
// multiple of 2^-149), says on which side of t the exact quotient lies.
inline int32_t QuantizeExact(float x, float s, uint32_t rounding, int32_t z, int32_t qmin,
                             int32_t qmax) {
  if (std::isnan(x)) return z;
  if (s < 0x1p-100f) {  // exact power-of-two rescaling; an overflow to inf saturates correctly
    x *= 0x1p100f;
    s *= 0x1p100f;
  }
  const float lo = static_cast<float>(qmin - z);
  const float hi = static_cast<float>(qmax - z);
  float t = x / s;
  t = t < lo ? lo : (t > hi ? hi : t);
  const float residual = std::fma(-t, s, x);  // sign(x/S - t)
  float n = RoundRule(t, rounding);
  const float fl = std::floor(t);
  const bool integral = (fl == t);
  const bool half = std::fabs(t - std::trunc(t)) == 0.5f;  // exact; t - fl is not on (-1, 0)
  switch (rounding) {
    case QS_ROUND_HALF_EVEN:
    case QS_ROUND_HALF_AWAY:
    case QS_ROUND_HALF_UP:
      if (half && residual > 0.0f) n = fl + 1.0f;
      if (half && residual < 0.0f) n = fl;
      break;
    case QS_ROUND_TOWARD_ZERO:
      if (integral && t > 0.0f && residual < 0.0f) n = t - 1.0f;
      if (integral && t < 0.0f && residual > 0.0f) n = t + 1.0f;
      break;
    default:  // floor
      if (integral && residual < 0.0f) n = t - 1.0f;
      break;
  }
  n = n < lo ? lo : (n > hi ? hi : n);
  return static_cast<int32_t>(n) + z;
}

inline int32_t Clamp(int64_t v, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

// gemmlowp SaturatingRoundingDoublingHighMul: round(a*b / 2^31) with ties toward +inf, and
// the one overflowing case INT32_MIN * INT32_MIN saturated to INT32_MAX.
inline int32_t Srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // C++ '/' truncates
}

// gemmlowp RoundingDivideByPOT: x / 2^e rounded, ties away from zero; e in [0, 31].
inline int32_t Rdbpot(int32_t x, int e) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << e) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

// Q7 double_round: y = RDBPOT(SRDHM(sat32(acc * 2^left), multiplier), right).
inline int64_t RequantizeDoubleRound(int32_t acc, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int64_t shifted = static_cast<int64_t>(acc) * (int64_t{1} << left);
  const int32_t x = static_cast<int32_t>(
      shifted > INT32_MAX ? INT32_MAX : (shifted < INT32_MIN ? INT32_MIN : shifted));
  return Rdbpot(Srdhm(x, multiplier), right);
}

// Q7.2 double_round with the `wrap` member of the left-shift overflow (kernel ABI selector
// 12): y = RDBPOT(SRDHM(wrap32(acc * 2^left), multiplier), right).
inline int64_t RequantizeDoubleRoundWrap(int32_t acc, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const auto x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left);
  return Rdbpot(Srdhm(x, multiplier), right);
}

// Q7 single_round / rndnu / tosa_single / tosa_double / tosa_scale16: one 64-bit product,
// one rounding add, one arithmetic shift. Returns the unsaturated y (the caller clamps).
inline int64_t RequantizeSingleShift(uint32_t variant, int32_t acc, int32_t multiplier,
                                     int32_t shift) {
  const bool tosa = variant == QS_REQUANT_TOSA_SINGLE || variant == QS_REQUANT_TOSA_DOUBLE ||
                    variant == QS_REQUANT_TOSA_SCALE16;
  const int total = tosa ? shift : 31 - shift;
  int64_t round = int64_t{1} << (total - 1);
  if (variant == QS_REQUANT_TOSA_DOUBLE && total > 31) {
    round += acc >= 0 ? (int64_t{1} << 30) : -(int64_t{1} << 30);
  }
  if (variant == QS_REQUANT_RNDNA) {  // ties away from zero: round the magnitude
    const uint64_t magnitude = acc < 0 ? uint64_t{0} - static_cast<uint64_t>(int64_t{acc})
                                       : static_cast<uint64_t>(acc);
    const int64_t y = static_cast<int64_t>((magnitude * static_cast<uint64_t>(multiplier) +
                                            static_cast<uint64_t>(round)) >> total);
    return acc < 0 ? -y : y;
  }
  return (static_cast<int64_t>(acc) * multiplier + round) >> total;
}

// TOSA apply_scale_32 REQUIRE: acc in [-2^(shift-1), 2^(shift-1)).
inline bool TosaInputOk(uint32_t variant, int32_t acc, int32_t shift) {
  if (variant != QS_REQUANT_TOSA_SINGLE && variant != QS_REQUANT_TOSA_DOUBLE) return true;
  if (shift > 32) return true;
  const int64_t bound = int64_t{1} << (shift - 1);
  return acc >= -bound && acc < bound;
}

// Q7 fp32: y = RNE(fl32(fl32(acc) * scale)) then clamp(y + Zy); before_rounding:
// clamp(RNE(fl32(fl32(fl32(acc) * scale) + Zy))).
inline int32_t RequantizeFp32(int32_t acc, float scale, bool before_rounding, int32_t zy,
                              int32_t qmin, int32_t qmax) {
  float v = static_cast<float>(acc) * scale;
  if (before_rounding) {
    v = v + static_cast<float>(zy);
    const float lo = static_cast<float>(qmin), hi = static_cast<float>(qmax);
    v = v < lo ? lo : (v > hi ? hi : v);
    return static_cast<int32_t>(std::nearbyint(v));
  }
  const float lo = static_cast<float>(qmin - zy), hi = static_cast<float>(qmax - zy);
  v = v < lo ? lo : (v > hi ? hi : v);
  return static_cast<int32_t>(std::nearbyint(v)) + zy;
}

// Q11.8 rndnu16 from its derived parameters (jobs.cc): the 15-bit multiplier m15 in
// [0, 2^15 - 1] and the pre-shift p in [-31, 9]. Rounding shift right (ties up) or shift left,
// saturated to int16, then the 16-bit rounding doubling high multiply. y before Zy.
inline int64_t RequantizeRndnu16Reduced(int32_t acc, int32_t m15, int p) {
  int64_t x = p >= 0 ? int64_t{acc} * (int64_t{1} << p)
                     : (int64_t{acc} + (int64_t{1} << (-p - 1))) >> -p;
  x = x < -32768 ? -32768 : x > 32767 ? 32767 : x;
  return (x * m15 + (int64_t{1} << 14)) >> 15;
}

// The requantization selectors appended in ABI version 1 (kernel_abi.h 9..12), from SPEC Q7.2
// and Q11.1 / Q11.2 / Q11.8. Each returns y before Zy and the clamp.
inline bool IsAppendedRequantVariant(uint32_t variant) {
  return variant == QS_REQUANT_NEON_DOUBLE_ROUND || variant == QS_REQUANT_INT16X8_INT64 ||
         variant == QS_REQUANT_RNDNU16 || variant == QS_REQUANT_DOUBLE_ROUND_WRAP;
}

inline int64_t RequantizeAppended(uint32_t variant, int32_t acc, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  switch (variant) {
    case QS_REQUANT_DOUBLE_ROUND_WRAP:  // Q7.2 with the left shift wrapping to int32
      return RequantizeDoubleRoundWrap(acc, multiplier, shift);
    case QS_REQUANT_NEON_DOUBLE_ROUND: {  // Q11.1: SSHL wraps, SQRDMULH, SRSHL ties up
      const auto x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left);
      const int64_t h = Srdhm(x, multiplier);
      return right == 0 ? h : (h + (int64_t{1} << (right - 1))) >> right;
    }
    case QS_REQUANT_INT16X8_INT64: {  // Q11.2: the 15-bit multiplier, one rounding, ties up
      const int64_t m15 = multiplier < 0x7FFF0000 ? (int64_t{multiplier} + 32768) >> 16 : 0x7FFF;
      const int total = 15 - shift;  // [8, 46]
      return (int64_t{acc} * m15 + (int64_t{1} << (total - 1))) >> total;
    }
    default: {  // QS_REQUANT_RNDNU16, Q11.8
      int32_t m15 = static_cast<int32_t>((int64_t{multiplier} + 32768) >> 16);
      int p = shift;
      if (m15 == 32768) {  // renormalised: 2^15 is not an int16
        m15 = 16384;
        p += 1;
      }
      return RequantizeRndnu16Reduced(acc, m15, p);
    }
  }
}

}  // namespace quantspec::optimized::scalar
