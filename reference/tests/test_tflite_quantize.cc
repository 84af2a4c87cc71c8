// SPEC.md Q11.9: TFLite's QUANTIZE (f32 -> int8/uint8/int16), reference and optimized
// AffineQuantize, mapped to quantize members; the one path that is not an existing member
// (the 32-bit Arm NEON body, quantize_tflite_armv7_neon) and the two facts the mapping rests
// on (the binary64 reciprocal rounded to binary32 is the binary32 reciprocal; the binary64
// quotient rounded half away is the exact quotient rounded half away below 2^28).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/quantize.hpp"
#include "requantize_generators.hpp"

namespace quantspec::ref {
namespace {

QuantizeParams params(float scale, std::int64_t zero_point, Division division, Rounding rounding,
                      std::int64_t qmin = -128, std::int64_t qmax = 127) {
  QuantizeParams p;
  p.scale = scale;
  p.zero_point = zero_point;
  p.qmin = qmin;
  p.qmax = qmax;
  p.division = division;
  p.rounding = rounding;
  return p;
}

std::int64_t q(float x, const QuantizeParams& p) { return quantize(x, p).convert_to<std::int64_t>(); }
std::int64_t armv7(float x, const QuantizeParams& p) {
  return quantize_tflite_armv7_neon(x, p).convert_to<std::int64_t>();
}

// S = 0.5, x = 1.25: t = 2.5 exactly in every arithmetic. The reference kernel (fl32(x/S),
// std::round) and the scalar loop of the optimized kernel (fl64(x/S), std::round) give 3; the
// aarch64 / x86-SSE4.1 vector body (fl32(x*fl32(1/S)), vcvtnq ties to even) gives 2; the
// 32-bit Arm body truncates fl32(2.5 + 0.5) = 3. So an int8 tensor of nine 1.25s quantizes
// to eight 2s and a 3 on aarch64 (the ninth element runs in the scalar loop).
TEST(TfliteAffineQuantize, PathsDisagreeOnAnExactTie) {
  EXPECT_EQ(q(1.25f, params(0.5f, 0, Division::f32_divide, Rounding::half_away)), 3);
  EXPECT_EQ(q(1.25f, params(0.5f, 0, Division::exact, Rounding::half_away)), 3);
  EXPECT_EQ(q(1.25f, params(0.5f, 0, Division::f32_reciprocal, Rounding::half_even)), 2);
  EXPECT_EQ(armv7(1.25f, params(0.5f, 0, Division::f32_reciprocal, Rounding::half_even)), 3);
}

// S = 0.1f = 0x1.99999ap-4, x = 1.55f = 0x1.8cccccp+0 (Q2.5's table): exact t = 15.4999999...,
// fl32(x/S) = 15.4999990..., fl32(x*fl32(1/S)) = 15.5. Reference kernel: half_away(15.4999990)
// = 15; vector body: half_even(15.5) = 16; scalar loop: exact 15.4999999 -> 15.
TEST(TfliteAffineQuantize, ReferenceKernelDividesWhereTheVectorBodyMultipliesByTheReciprocal) {
  const float x = 0x1.8cccccp+0f, s = 0x1.99999ap-4f;
  EXPECT_EQ(q(x, params(s, 0, Division::f32_divide, Rounding::half_away)), 15);
  EXPECT_EQ(q(x, params(s, 0, Division::f32_reciprocal, Rounding::half_even)), 16);
  EXPECT_EQ(q(x, params(s, 0, Division::exact, Rounding::half_away)), 15);
  // 32-bit Arm: t = 15.5, fl32(15.5 + 0.5) = 16, trunc 16.
  EXPECT_EQ(armv7(x, params(s, 0, Division::f32_reciprocal, Rounding::half_even)), 16);
}

// 32-bit Arm: t = 0.5 - 2^-25 = 0x1.fffffep-2 (the largest binary32 below 1/2). t + 0.5 =
// 1 - 2^-25 lies halfway between 1 - 2^-24 and 1: fl32 ties to even gives 1, trunc 1; every Q0
// rule to nearest gives 0. Negative: fl32(-t - 0.5) = -1, trunc -1. S = 1 (r = 1, t = x) and
// S = 0.5 (r = 2, t = fl32(2x) = 2x).
TEST(TfliteAffineQuantize, Armv7RoundsJustBelowAHalfUpToOne) {
  const auto p = params(1.0f, 0, Division::f32_reciprocal, Rounding::half_away);
  EXPECT_EQ(armv7(0x1.fffffep-2f, p), 1);
  EXPECT_EQ(q(0x1.fffffep-2f, p), 0);
  EXPECT_EQ(armv7(-0x1.fffffep-2f, p), -1);
  EXPECT_EQ(q(-0x1.fffffep-2f, p), 0);
  const auto u8 = params(0.5f, 128, Division::f32_reciprocal, Rounding::half_even, 0, 255);
  EXPECT_EQ(armv7(0x1.fffffep-3f, u8), 129);
  EXPECT_EQ(q(0x1.fffffep-3f, u8), 128);
  // One ulp lower (0.5 - 2^-24): t + 0.5 = 1 - 2^-24 is a binary32, trunc 0.
  EXPECT_EQ(armv7(0x1.fffffcp-2f, p), 0);
  // Q2.4 edges (SPEC CHOICE for this member).
  EXPECT_EQ(armv7(std::nanf(""), p), 0);
  EXPECT_EQ(armv7(INFINITY, p), 127);
}

// Q11.9: the 32-bit Arm body equals f32_reciprocal + half_away except at t = +-(0.5 - 2^-25)
// and where |t| >= 2^23 (where fl32(t + 0.5) rounds an odd integer's tie; every int8/uint8/
// int16 output clamps there).
RC_GTEST_PROP(TfliteAffineQuantize, Armv7IsHalfAwayExceptJustBelowOneHalf, ()) {
  const float s = *rc::gen::map(rc::gen::inRange(-30, 10), [](int e) { return std::ldexp(1.0f, e); });
  const float scale = *rc::gen::weightedOneOf<float>(
      {{1, rc::gen::just(s)}, {3, testgen::positive_binary32()}});
  const auto p = params(scale, 0, Division::f32_reciprocal, Rounding::half_away,
                        -(std::int64_t{1} << 31), (std::int64_t{1} << 31) - 1);
  // x near (k + 1/2) * S (k = 0 and -1 often: the excepted t), or an arbitrary binary32.
  const std::int64_t k = *rc::gen::weightedOneOf<std::int64_t>(
      {{1, rc::gen::just<std::int64_t>(0)}, {1, rc::gen::just<std::int64_t>(-1)},
       {3, rc::gen::inRange<std::int64_t>(-300, 300)}});
  const float near = static_cast<float>((static_cast<double>(k) + 0.5) * static_cast<double>(scale));
  std::uint32_t bits = 0;
  std::memcpy(&bits, &near, sizeof bits);
  bits += static_cast<std::uint32_t>(*rc::gen::inRange(-3, 4));
  float x = 0;
  std::memcpy(&x, &bits, sizeof x);
  if (*rc::gen::inRange(0, 4) == 0) x = *rc::gen::arbitrary<float>();
  RC_PRE(std::isfinite(x) && std::isfinite(near));
  const float r = round_to_binary32(Rational(1) / exact(scale));
  RC_PRE(std::isfinite(r));
  const float t = round_to_binary32(exact(x) * exact(r));
  RC_PRE(std::isfinite(t));
  const bool excepted = std::fabs(t) == 0x1.fffffep-2f || std::fabs(t) >= 0x1p23f;
  if (!excepted) RC_ASSERT(quantize_tflite_armv7_neon(x, p) == quantize(x, p));
}

// `1.0f / scale` with a double scale: fl64(1/S) then binary32. A binary32 midpoint has a 25-bit
// odd significand M; 1/S = 2^k/B (B the 24-bit significand of S) is never within 2^-49 of one
// (|2^k - M*B| >= 1), far beyond fl64's 2^-53, so the double rounding never differs.
RC_GTEST_PROP(TfliteAffineQuantize, Binary64ReciprocalRoundedToBinary32IsTheBinary32Reciprocal, ()) {
  const float scale = *testgen::positive_binary32();
  const Rational reciprocal = Rational(1) / exact(scale);
  RC_ASSERT(round_to_binary32(exact(round_to_binary64(reciprocal))) == round_to_binary32(reciprocal));
}

// The optimized scalar loop rounds fl64(x/S) half away (std::round of a double). Below 2^28 a
// non-tie quotient of two binary32 values is more than 2^-53 |t| from every half-integer
// (SPEC.md Q11.9), so this is the exact quotient rounded half away.
RC_GTEST_PROP(TfliteAffineQuantize, Binary64QuotientHalfAwayIsTheExactQuotientHalfAway, ()) {
  const float scale = *testgen::positive_binary32();
  const std::int64_t k = *rc::gen::inRange<std::int64_t>(-(1 << 27), 1 << 27);
  const float near = static_cast<float>((static_cast<double>(k) + 0.5) * static_cast<double>(scale));
  std::uint32_t bits = 0;
  std::memcpy(&bits, &near, sizeof bits);
  bits += static_cast<std::uint32_t>(*rc::gen::inRange(-2, 3));
  float x = 0;
  std::memcpy(&x, &bits, sizeof x);
  RC_PRE(std::isfinite(x) && x != 0.0f);
  const Rational t = exact(x) / exact(scale);
  RC_PRE(abs(t) < Rational(1 << 28));
  RC_ASSERT(round_to_integer(exact(round_to_binary64(t)), Rounding::half_away) ==
            round_to_integer(t, Rounding::half_away));
}

}  // namespace
}  // namespace quantspec::ref
