// Q7.2-Q7.6: the fixed-width integer primitives of the deployed requantization pipelines, on
// int32/int64 exactly as the deployed code computes them. Each carries a contract: what it
// computes as an exact formula, its domain, and what the original leaves undefined (and what
// this spec chooses there). They are the building blocks of the fast path
// (requantize_fast.cpp); the definition (requantize.cpp) restates the same formulas on
// unbounded integers, and a property test holds the two together.
//
// Arithmetic right shift of negative int64 values: C++17 makes it implementation-defined,
// GCC and Clang define it as arithmetic (floor division by 2^n); C++20 mandates it. This file
// relies on it (static_assert below).
#pragma once

#include <cstdint>
#include <limits>

namespace quantspec::ref::fixed_point {

static_assert((-5 >> 1) == -3, "arithmetic right shift of negative values required");

inline constexpr std::int32_t kInt32Min = std::numeric_limits<std::int32_t>::min();
inline constexpr std::int32_t kInt32Max = std::numeric_limits<std::int32_t>::max();

// Saturate an int64 to int32; *saturated is set when the value changed.
inline std::int32_t saturate_int32(std::int64_t value, bool* saturated = nullptr) {
  if (value > kInt32Max) {
    if (saturated) *saturated = true;
    return kInt32Max;
  }
  if (value < kInt32Min) {
    if (saturated) *saturated = true;
    return kInt32Min;
  }
  return static_cast<std::int32_t>(value);
}

// Q7.2 step 1: x * 2^left_shift saturated to int32, left_shift in [0, 30].
// TFLite computes `x * (1 << left_shift)` in int32, which is undefined behaviour on overflow;
// SPEC CHOICE: saturate (what ARM's SQSHL and gemmlowp's SaturatingRoundingMultiplyByPOT do).
inline std::int32_t saturating_left_shift(std::int32_t x, int left_shift,
                                          bool* saturated = nullptr) {
  return saturate_int32(static_cast<std::int64_t>(x) * (std::int64_t{1} << left_shift),
                        saturated);
}

// Q7.2 step 1, member `wrap`: x * 2^left_shift reduced modulo 2^32 to int32 (two's complement),
// what TFLite's `x * (1 << left_shift)` compiles to and what SSE pslld / NEON vshl compute.
// Computed in uint32 so that the wrap itself is defined behaviour here.
inline std::int32_t wrapping_left_shift(std::int32_t x, int left_shift, bool* overflowed = nullptr) {
  const std::int64_t wide = static_cast<std::int64_t>(x) * (std::int64_t{1} << left_shift);
  if (overflowed && (wide > kInt32Max || wide < kInt32Min)) *overflowed = true;
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(wide)));
}

// Q7.2 step 2: gemmlowp SaturatingRoundingDoublingHighMul (ARM NEON SQRDMULH).
// Exact formula: floor((a*b + 2^30) / 2^31), i.e. a*b/2^31 rounded to nearest with ties
// toward +infinity, except a == b == INT32_MIN, whose true value 2^31 does not fit and
// saturates to INT32_MAX (*saturated set). gemmlowp writes it as a truncating division of
// a*b + (a*b >= 0 ? 2^30 : 1 - 2^30); for negative a*b, trunc((p + 1 - 2^30)/2^31) =
// ceil((p + 1 - 2^30)/2^31) = floor((p + 2^30)/2^31), the same formula. Defined for all inputs.
inline std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b,
                                                          bool* saturated = nullptr) {
  if (a == kInt32Min && b == kInt32Min) {
    if (saturated) *saturated = true;
    return kInt32Max;
  }
  const std::int64_t product = static_cast<std::int64_t>(a) * b;
  const std::int64_t nudge = product >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  return static_cast<std::int32_t>((product + nudge) / (std::int64_t{1} << 31));
}

// Q7.2 step 3: gemmlowp RoundingDivideByPOT (ARM NEON SRSHL by a negative amount, corrected
// for ties). Exact formula: x / 2^exponent rounded to nearest, ties away from zero.
// Domain: exponent in [0, 31] (gemmlowp asserts this); defined for every int32 x.
inline std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// Q7.3: TFLite single rounding (TFLITE_SINGLE_ROUNDING MultiplyByQuantizedMultiplier) and
// XNNPACK rndnu: floor((x*m + 2^(total-1)) / 2^total), ties toward +infinity, with
// total_shift in [1, 62] and m in [0, 2^31): |x*m| < 2^62 and the rounding term <= 2^61, so the
// int64 sum cannot overflow. The result is returned as int64 (TFLite DCHECKs that it fits
// int32; the caller saturates).
inline std::int64_t rounding_shift_right_ties_up(std::int32_t x, std::int32_t m, int total_shift) {
  const std::int64_t product = static_cast<std::int64_t>(x) * m;
  return (product + (std::int64_t{1} << (total_shift - 1))) >> total_shift;
}

// Q7.4: XNNPACK rndna: x*m / 2^total rounded to nearest, ties away from zero, computed as
// XNNPACK's scalar_signed64 kernel does (subtract 1 from negative products, then round up).
// Same domain as above.
inline std::int64_t rounding_shift_right_ties_away(std::int32_t x, std::int32_t m,
                                                   int total_shift) {
  const std::int64_t product = static_cast<std::int64_t>(x) * m - (x < 0 ? 1 : 0);
  return (product + (std::int64_t{1} << (total_shift - 1))) >> total_shift;
}

// Q7.5: TOSA apply_scale_32 (TOSA spec, RESCALE with scale32). Domain (TOSA REQUIRE):
// multiplier >= 0, shift in [2, 62], value in [-2^(shift-1), 2^(shift-1)). The result is
// returned as int64; TOSA requires it to fit int32 (the caller checks and saturates).
// double_round adds +-2^30 when shift > 31, which makes the result equal to gemmlowp's
// SRDHM followed by RoundingDivideByPOT(shift - 31) (proved in SPEC.md Q7.5).
inline std::int64_t apply_scale_32(std::int32_t value, std::int32_t multiplier, int shift,
                                   bool double_round) {
  std::int64_t round = std::int64_t{1} << (shift - 1);
  if (double_round && shift > 31) round += value >= 0 ? (std::int64_t{1} << 30) : -(std::int64_t{1} << 30);
  return (static_cast<std::int64_t>(value) * multiplier + round) >> shift;
}

// Q7.6: TOSA apply_scale_16. Domain: value int48, multiplier in [0, 32767], shift in [2, 62]:
// |value*multiplier| < 2^62, so the int64 sum cannot overflow.
inline std::int64_t apply_scale_16(std::int64_t value, std::int16_t multiplier, int shift) {
  return (value * multiplier + (std::int64_t{1} << (shift - 1))) >> shift;
}

}  // namespace quantspec::ref::fixed_point
