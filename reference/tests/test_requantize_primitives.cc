// SPEC.md Q7.2-Q7.6: the fixed-width primitives, checked against their exact formulas and
// against the real gemmlowp header (libgemmlowp-dev's fixedpoint.h, an independent oracle:
// TFLite's double rounding calls exactly these two functions).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <gemmlowp/fixedpoint/fixedpoint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>
#include <vector>

#include "quantspec/reference/fixed_point_primitives.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {
namespace {

namespace fp = fixed_point;
constexpr std::int32_t kMin = fp::kInt32Min;
constexpr std::int32_t kMax = fp::kInt32Max;

std::vector<std::int32_t> boundary_values(int exponent) {
  std::vector<std::int32_t> v = {kMin, kMin + 1, kMin + 2, -2, -1, 0, 1, 2, kMax - 1, kMax};
  const std::int64_t p = std::int64_t{1} << exponent;
  for (std::int64_t k : {-3, -2, -1, 0, 1, 2, 3}) {
    for (std::int64_t offset : {-p / 2 - 1, -p / 2, -p / 2 + 1, std::int64_t{-1}, std::int64_t{0},
                                std::int64_t{1}, p / 2 - 1, p / 2, p / 2 + 1}) {
      const std::int64_t x = k * p + offset;
      if (x >= kMin && x <= kMax) v.push_back(static_cast<std::int32_t>(x));
    }
  }
  return v;
}

// Published: gemmlowp fixedpoint.h documents SaturatingRoundingDoublingHighMul(INT32_MIN,
// INT32_MIN) as the one overflow case, saturating to INT32_MAX.
TEST(FixedPointPrimitives, SrdhmOfIntMinSquaredSaturates) {
  bool saturated = false;
  EXPECT_EQ(fp::saturating_rounding_doubling_high_mul(kMin, kMin, &saturated), kMax);
  EXPECT_TRUE(saturated);
  EXPECT_EQ(gemmlowp::SaturatingRoundingDoublingHighMul(kMin, kMin), kMax);
}

// RoundingDivideByPOT equals round-half-away(x / 2^e) for every e in 0..31 on boundary values
// (the exact rule computed by numbers.cpp), and equals gemmlowp's.
TEST(FixedPointPrimitives, RoundingDivideByPotIsRoundHalfAway) {
  for (int e = 0; e <= 31; ++e) {
    for (std::int32_t x : boundary_values(e)) {
      const Integer expected =
          round_to_integer(Rational(Integer(x), Integer(1) << e), Rounding::half_away);
      ASSERT_EQ(Integer(fp::rounding_divide_by_pot(x, e)), expected) << "x=" << x << " e=" << e;
      ASSERT_EQ(fp::rounding_divide_by_pot(x, e), gemmlowp::RoundingDivideByPOT(x, e))
          << "x=" << x << " e=" << e;
    }
  }
}

RC_GTEST_PROP(FixedPointPrimitives, SrdhmEqualsGemmlowpAndItsExactFormula, ()) {
  const auto edge = rc::gen::element(kMin, kMin + 1, -1, 0, 1, kMax, 1 << 30, -(1 << 30));
  const auto a = *rc::gen::oneOf(edge, rc::gen::arbitrary<std::int32_t>());
  const auto b = *rc::gen::oneOf(edge, rc::gen::arbitrary<std::int32_t>());
  const std::int32_t ours = fp::saturating_rounding_doubling_high_mul(a, b);
  RC_ASSERT(ours == gemmlowp::SaturatingRoundingDoublingHighMul(a, b));
  if (!(a == kMin && b == kMin)) {
    // floor((a*b + 2^30) / 2^31): ties toward +infinity.
    RC_ASSERT(Integer(ours) == round_to_integer(Rational(Integer(a) * b, Integer(1) << 31),
                                                Rounding::half_up));
  }
}

RC_GTEST_PROP(FixedPointPrimitives, TfliteDoubleRoundingEqualsGemmlowpComposition, ()) {
  // TFLite's MultiplyByQuantizedMultiplier (default build) composes the two gemmlowp
  // functions; where x * 2^left does not overflow our saturating version is the same.
  const auto x = *rc::gen::arbitrary<std::int32_t>();
  const auto m = *rc::gen::inRange<std::int32_t>(0, kMax);
  const int shift = *rc::gen::inRange(-31, 31);
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  bool saturated = false;
  const std::int32_t shifted = fp::saturating_left_shift(x, left, &saturated);
  RC_PRE(!saturated);
  const std::int32_t ours =
      fp::rounding_divide_by_pot(fp::saturating_rounding_doubling_high_mul(shifted, m), right);
  const std::int32_t theirs = gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(static_cast<std::int32_t>(shifted), m), right);
  RC_ASSERT(ours == theirs);
}

TEST(FixedPointPrimitives, RndnaIsXnnpackSigned64) {
  // Ties away: -3/2 -> -2, 3/2 -> 2, -1/2 -> -1 (x * m / 2^total with m = 1, total = 1).
  EXPECT_EQ(fp::rounding_shift_right_ties_away(-3, 1, 1), -2);
  EXPECT_EQ(fp::rounding_shift_right_ties_away(3, 1, 1), 2);
  EXPECT_EQ(fp::rounding_shift_right_ties_away(-1, 1, 1), -1);
  EXPECT_EQ(fp::rounding_shift_right_ties_up(-3, 1, 1), -1);
  EXPECT_EQ(fp::rounding_shift_right_ties_up(-1, 1, 1), 0);
}

TEST(FixedPointPrimitives, ApplyScale32DoubleRoundOnlyAbove31) {
  // shift 31: no extra term; shift 32: +-2^30 added (TOSA spec apply_scale_32).
  // value 1, multiplier 2^30, shift 31: (2^30 + 2^30) >> 31 = 1 (1/2 ties up).
  EXPECT_EQ(fp::apply_scale_32(1, 1 << 30, 31, true), 1);
  // value 1, multiplier 2^30, shift 32 (v = 1/4): single (2^30 + 2^31) >> 32 = 0;
  // double (2^30 + 2^31 + 2^30) >> 32 = 1: the pre-rounding at bit 31 turned 1/4 into 1/2
  // (SRDHM gives round(2^30/2^31) = 1, then RDBPOT(1, 1) = 1).
  EXPECT_EQ(fp::apply_scale_32(1, 1 << 30, 32, false), 0);
  EXPECT_EQ(fp::apply_scale_32(1, 1 << 30, 32, true), 1);
  EXPECT_EQ(fp::apply_scale_16((std::int64_t{1} << 47) - 1, 32767, 62), 1);
}

// Q7.2 step 1, both members against the real code: gemmlowp's scalar ShiftLeft (libgemmlowp-dev
// 0.0~git20211220, fixedpoint.h: widen to int64, multiply, clamp) saturates; its SSE
// specialisation is _mm_slli_epi32 (fixedpoint_sse.h ShiftLeft(__m128i, int)), which wraps, as
// NEON vshlq_s32 (fixedpoint_neon.h) does.
TEST(FixedPointPrimitives, LeftShiftMembersMatchGemmlowpScalarAndSse) {
  for (int left = 0; left <= 30; ++left) {
    for (std::int32_t x : boundary_values(left)) {
      EXPECT_EQ(fp::saturating_left_shift(x, left), gemmlowp::ShiftLeft<std::int32_t>(x, left))
          << x << " << " << left;
#if defined(__SSE2__)
      const __m128i shifted = _mm_slli_epi32(_mm_set1_epi32(x), left);
      EXPECT_EQ(fp::wrapping_left_shift(x, left), _mm_cvtsi128_si32(shifted)) << x << " << " << left;
#endif
    }
  }
}

}  // namespace
}  // namespace quantspec::ref
