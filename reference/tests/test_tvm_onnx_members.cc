// SPEC.md Q11.11 (TVM qnn.requantize with compute_dtype float32 / float64) and Q11.12 (ONNX
// QuantizeLinear with the division in binary16 / bfloat16). Counterexamples derived by hand in
// the comments; the fast paths against the definitions.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>

#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/requantize.hpp"
#include "rejected_parameter.hpp"
#include "requantize_generators.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

std::int64_t tvm(std::int64_t acc, float sin, float sout, std::int32_t zy, TvmComputeDtype dtype,
                 TvmFloatRounding rounding, std::int32_t zin = 0, std::int32_t qmin = -128,
                 std::int32_t qmax = 127) {
  TvmFloatRequantParams p;
  p.input_scale = sin;
  p.output_scale = sout;
  p.input_zero_point = zin;
  p.output_zero_point = zy;
  p.qmin = qmin;
  p.qmax = qmax;
  p.dtype = dtype;
  p.rounding = rounding;
  return requantize_tvm_float(Integer(acc), p).convert_to<std::int64_t>();
}

constexpr auto f32 = TvmComputeDtype::float32;
constexpr auto f64 = TvmComputeDtype::float64;
constexpr auto upward = TvmFloatRounding::upward;
constexpr auto nearest = TvmFloatRounding::tonearest;
constexpr auto nosse = TvmFloatRounding::tonearest_no_sse41;

// Sin = fl32(5/6) = 0x1.aaaaaap-1 = 13981013/2^24, Sout = 1: M = Sin exactly in both formats.
// acc = 3: 3*Sin = 2.5 - 2^-24. float32: fl32 in [2, 4) has quantum 2^-22, so t = 2.5;
// UPWARD floor(fl32(2.5 + 0.5)) = 3, TONEAREST round(2.5) = 3. float64: t = 2.5 - 2^-24
// exactly, floor(3 - 2^-24) = 2 and round(...) = 2. The int64 path (single_round / rndna with
// TFLite's Q31 pair of M = Sin, exact) rounds 2.5 - 2^-24 once: 2. With Zy = 100, float32 adds
// Zy to t = 2.5: 103; float64 102.
TEST(TvmFloatRequantize, Float32RoundsTheProductOntoAHalfWhereFloat64AndTheIntegerPathDoNot) {
  const float sin = 0x1.aaaaaap-1f;
  for (const auto r : {upward, nearest, nosse}) {
    EXPECT_EQ(tvm(3, sin, 1.0f, 0, f32, r), 3);
    EXPECT_EQ(tvm(3, sin, 1.0f, 0, f64, r), 2);
  }
  EXPECT_EQ(tvm(3, sin, 1.0f, 100, f32, upward, 0, 0, 255), 103);
  EXPECT_EQ(tvm(3, sin, 1.0f, 100, f64, upward, 0, 0, 255), 102);
  RequantizeParams sr;
  sr.variant = RequantVariant::single_round;
  sr.multiplier = 0x6AAAAA80;  // Sin = 0xD55555 * 2^-24 = 0x6AAAAA80 * 2^(0 - 31)
  sr.shift = 0;
  sr.zero_point = 100;
  sr.qmin = 0;
  sr.qmax = 255;
  EXPECT_EQ(requantize(Integer(3), sr), 102);
}

// acc = -5, Sin = 0.5, Sout = 1, Zy = 10: t = -2.5, t' = 7.5 (Zy enters before rounding):
// TONEAREST round(7.5) = 8 in both formats; the int64 TONEAREST path (rndna, Q7.4) rounds
// -2.5 away to -3 and adds 10: 7. UPWARD: floor(8) = 8 = single_round's floor(-2) + 10 (an exact
// sum with an integer Zy never moves a half_up tie).
TEST(TvmFloatRequantize, ToNearestAddsTheZeroPointBeforeRoundingWhereTheIntegerPathAddsItAfter) {
  for (const auto d : {f32, f64}) {
    EXPECT_EQ(tvm(-5, 0.5f, 1.0f, 10, d, nearest), 8);
    EXPECT_EQ(tvm(-5, 0.5f, 1.0f, 10, d, nosse), 8);
    EXPECT_EQ(tvm(-5, 0.5f, 1.0f, 10, d, upward), 8);
  }
  RequantizeParams na;
  na.variant = RequantVariant::rndna;
  na.multiplier = 1 << 30;  // 0.5 = 2^30 * 2^(0 - 31)
  na.shift = 0;
  na.zero_point = 10;
  EXPECT_EQ(requantize(Integer(-5), na), 7);
}

// Sin = 0x1.fffffep-2 = 0.5 - 2^-25, Sout = 1, acc = 1, Zy = 0: t' = 0.5 - 2^-25.
// float32: t' + 0.5 = 1 - 2^-25 is a binary32 tie between 1 - 2^-24 (odd significand) and 1:
// it rounds to 1, so UPWARD gives floor(1) = 1 and the no-SSE4.1 TONEAREST trunc(1) = 1, where
// round(t') = 0. acc = -1: no-SSE4.1 gives -trunc(1) = -1, UPWARD floor(fl32(2^-25)) = 0,
// round 0. float64: 1 - 2^-25 is exact, every member gives 0.
TEST(TvmFloatRequantize, Float32BiasedRoundingRoundsJustBelowAHalfUpToOne) {
  const float sin = 0x1.fffffep-2f;
  EXPECT_EQ(tvm(1, sin, 1.0f, 0, f32, upward), 1);
  EXPECT_EQ(tvm(1, sin, 1.0f, 0, f32, nosse), 1);
  EXPECT_EQ(tvm(1, sin, 1.0f, 0, f32, nearest), 0);
  EXPECT_EQ(tvm(-1, sin, 1.0f, 0, f32, nosse), -1);
  EXPECT_EQ(tvm(-1, sin, 1.0f, 0, f32, upward), 0);
  EXPECT_EQ(tvm(-1, sin, 1.0f, 0, f32, nearest), 0);
  for (const auto r : {upward, nearest, nosse}) {
    EXPECT_EQ(tvm(1, sin, 1.0f, 0, f64, r), 0);
    EXPECT_EQ(tvm(-1, sin, 1.0f, 0, f64, r), 0);
  }
}

// float32 converts acc and Zin: acc = 2^24 + 1 -> 2^24 (tie to even); acc = 2^24 + 2, Zin = 1:
// fl32(2^24 + 2) - 1 = 2^24 + 1 -> 2^24. Sin = Sout = 1, int32 output. float64 is exact.
TEST(TvmFloatRequantize, Float32ConvertsTheAccumulatorAndInputZeroPointToBinary32) {
  const std::int32_t lo = std::numeric_limits<std::int32_t>::min();
  const std::int32_t hi = std::numeric_limits<std::int32_t>::max();
  const std::int64_t p24 = std::int64_t{1} << 24;
  EXPECT_EQ(tvm(p24 + 1, 1.0f, 1.0f, 0, f32, upward, 0, lo, hi), p24);
  EXPECT_EQ(tvm(p24 + 1, 1.0f, 1.0f, 0, f64, upward, 0, lo, hi), p24 + 1);
  EXPECT_EQ(tvm(p24 + 2, 1.0f, 1.0f, 0, f32, nearest, 1, lo, hi), p24);
  EXPECT_EQ(tvm(p24 + 2, 1.0f, 1.0f, 0, f64, nearest, 1, lo, hi), p24 + 1);
}

TEST(TvmFloatRequantize, EveryRejectedParameterIsNamed) {
  EXPECT_EQ(rejected_parameter([] { tvm(0, 0.0f, 1.0f, 0, f32, upward); }), "input_scale");
  EXPECT_EQ(rejected_parameter([] { tvm(0, 1.0f, NAN, 0, f32, upward); }), "output_scale");
  EXPECT_EQ(rejected_parameter([] { tvm(0, 1.0f, 1.0f, 200, f32, upward); }), "zero_point");
  EXPECT_EQ(rejected_parameter([] { tvm(std::int64_t{1} << 31, 1.0f, 1.0f, 0, f64, upward); }), "acc");
  // 3e38 / 1e-5 ~ 3e43 is finite in binary64 but not in binary32.
  EXPECT_EQ(rejected_parameter([] { tvm(1, 3e38f, 1e-5f, 0, f32, upward); }), "input_scale");
  EXPECT_EQ(tvm(1, 3e38f, 1e-5f, 0, f64, upward), 127);
}

rc::Gen<float> scale_gen(int lo_exp, int hi_exp) {
  return rc::gen::map(rc::gen::tuple(rc::gen::inRange(lo_exp, hi_exp), rc::gen::inRange(0, 1 << 23)),
                      [](const std::tuple<int, int>& t) {
                        return std::ldexp(1.0f + static_cast<float>(std::get<1>(t)) * 0x1p-23f,
                                          std::get<0>(t));
                      });
}

// Q11.11 fast path: host float / double steps equal the definition.
RC_GTEST_PROP(TvmFloatRequantize, FastPathEqualsDefinition, ()) {
  TvmFloatRequantParams p;
  p.input_scale = *scale_gen(-20, 2);
  p.output_scale = *scale_gen(-12, 2);
  p.input_zero_point = *rc::gen::inRange(-300, 300);
  const int bounds = *rc::gen::inRange(0, 3);
  p.qmin = bounds == 0 ? -128 : bounds == 1 ? 0 : std::numeric_limits<std::int32_t>::min();
  p.qmax = bounds == 0 ? 127 : bounds == 1 ? 255 : std::numeric_limits<std::int32_t>::max();
  p.output_zero_point = bounds == 2 ? *rc::gen::inRange(-1000, 1000)
                                    : *rc::gen::inRange(static_cast<int>(p.qmin), static_cast<int>(p.qmax) + 1);
  p.dtype = *rc::gen::element(f32, f64);
  p.rounding = *rc::gen::element(upward, nearest, nosse);
  const std::int32_t acc = *testgen::accumulator();
  RC_ASSERT(requantize_tvm_float_fast(acc, p) ==
            requantize_tvm_float(Integer(acc), p).convert_to<std::int64_t>());
}

// Q11.11: with Zin = 0, Zy != 0, |acc| <= 2^24 and an 8- or 16-bit output the TVM float members
// are the Q20.3 pipeline (fp32 / fp64, derivation tflite, before_rounding) with half_up (UPWARD)
// and half_away (both TONEAREST lowerings): the extra rounding of t' +- 0.5 can move the result
// only at |t'| = 0.5 - 2^-25 (float32; 2^-54 for float64), which needs Zy = 0, or at |t'| >= 2^23,
// which clamps.
RC_GTEST_PROP(TvmFloatRequantize, IsTheQ203PipelineWhenZyIsNotZero, ()) {
  const float sin = *scale_gen(-20, 0);
  const float sout = *scale_gen(-10, 0);
  const std::int32_t acc = *rc::gen::inRange(-(1 << 24), (1 << 24) + 1);
  const bool int8 = *rc::gen::arbitrary<bool>();
  const std::int32_t qmin = int8 ? -128 : -32768, qmax = int8 ? 127 : 32767;
  std::int32_t zy = *rc::gen::inRange(static_cast<int>(qmin), static_cast<int>(qmax) + 1);
  if (zy == 0) zy = 1;
  for (const auto d : {f32, f64}) {
    for (const auto r : {upward, nearest, nosse}) {
      const Rounding rule = r == upward ? Rounding::half_up : Rounding::half_away;
      const Integer expected =
          d == f32 ? requantize_binary32(Integer(acc),
                                         binary32_requantization_scale(sin, 1.0f, sout, ScaleDerivation::tflite),
                                         zy, qmin, qmax, rule, ZeroPointEntry::before_rounding)
                   : requantize_binary64(Integer(acc),
                                         binary64_requantization_scale(sin, 1.0f, sout, ScaleDerivation::tflite),
                                         zy, qmin, qmax, rule, ZeroPointEntry::before_rounding);
      RC_ASSERT(tvm(acc, sin, sout, zy, d, r, 0, qmin, qmax) == expected.convert_to<std::int64_t>());
    }
  }
}

// ---- Q11.12 ONNX QuantizeLinear, division in binary16 / bfloat16 ----

QuantizeParams uint8(float scale, std::int64_t z = 0) {
  QuantizeParams p;
  p.scale = scale;
  p.zero_point = z;
  p.qmin = 0;
  p.qmax = 255;
  return p;
}

std::int64_t narrow(float x, const QuantizeParams& p, NarrowFormat f) {
  return quantize_narrow_divide(x, p, f).convert_to<std::int64_t>();
}

TEST(OnnxQuantizeLinear, RoundingToTheNarrowFormatsIsExact) {
  EXPECT_EQ(round_to_binary16(Rational(1, 10)), 0x1.998p-4f);
  EXPECT_EQ(round_to_bfloat16(Rational(1, 10)), 0x1.9ap-4f);
  EXPECT_EQ(round_to_binary16(Rational(65504)), 65504.0f);
  EXPECT_EQ(round_to_binary16(Rational(65519)), 65504.0f);  // below the overflow threshold
  EXPECT_TRUE(std::isinf(round_to_binary16(Rational(65520))));
  EXPECT_EQ(round_to_binary16(pow2(-24)), 0x1p-24f);   // smallest subnormal
  EXPECT_EQ(round_to_binary16(pow2(-25)), 0.0f);       // tie with 0 -> even (0)
  EXPECT_EQ(round_to_binary16(pow2(-25) * Rational(3)), 0x1p-23f);
  EXPECT_EQ(round_to_bfloat16(Rational(257)), 256.0f);  // 257 = 256 + half a unit: even
  EXPECT_EQ(round_to_bfloat16(Rational(259)), 260.0f);
}

// x = 0.25, S = fl16(0.1) = 0x1.998p-4 = 0.0999755859375: x/S = 2.50061050..., binary16 in
// [2, 4) has quantum 2^-9 = 0.001953125, so t = 1280.31... quanta -> 2.5, rint -> 2; the
// binary32 quotient 2.5006105 -> 3 (ONNX Runtime's fp16 kernel divides in binary32; Q11.12).
// bfloat16: S = fl_bf16(0.1) = 0x1.9ap-4 = 205/2048, x = 0.75: x/S = 1536/205 = 7.4926829...,
// quantum 2^-5 in [4, 8): 239.77 quanta -> 7.5, rint (ties to even) -> 8; binary32: 7.
TEST(OnnxQuantizeLinear, TheNarrowQuotientRoundsOntoAHalfWhereBinary32DoesNot) {
  const float s16 = 0x1.998p-4f, sbf = 0x1.9ap-4f;
  EXPECT_EQ(narrow(0.25f, uint8(s16), NarrowFormat::binary16), 2);
  QuantizeParams f32p = uint8(s16);
  f32p.division = Division::f32_divide;
  EXPECT_EQ(quantize(0.25f, f32p), 3);
  EXPECT_EQ(narrow(0.75f, uint8(sbf), NarrowFormat::bfloat16), 8);
  QuantizeParams fbp = uint8(sbf);
  fbp.division = Division::f32_divide;
  EXPECT_EQ(quantize(0.75f, fbp), 7);
  // With Z = 100 (added after rounding): 102 / 103, 108 / 107.
  EXPECT_EQ(narrow(0.25f, uint8(s16, 100), NarrowFormat::binary16), 102);
  EXPECT_EQ(narrow(0.75f, uint8(sbf, 100), NarrowFormat::bfloat16), 108);
}

// precision = float16 with binary32 x and S (Q2.5's pair): x = 1.55f -> fl16 = 0x1.8ccp+0 =
// 1.5498046875, S = 0.1f -> 0x1.998p-4; x/S = 15.50183..., quantum 2^-7 in [8, 16): 1984.23 ->
// 15.5 -> rint 16, where fl32(1.55f / 0.1f) = 15.4999990 gives 15.
TEST(OnnxQuantizeLinear, PrecisionFloat16CastsBinary32OperandsFirst) {
  EXPECT_EQ(narrow(0x1.8cccccp+0f, uint8(0x1.99999ap-4f), NarrowFormat::binary16), 16);
  QuantizeParams p = uint8(0x1.99999ap-4f);
  p.division = Division::f32_divide;
  EXPECT_EQ(quantize(0x1.8cccccp+0f, p), 15);
}

// x = 1000, S = fl16(0.001) = 0x1.068p-10: x/S = 999511.9... > 65504: t = +inf in binary16 ->
// qmax (SPEC CHOICE). fl16(x) overflows for x >= 65520: x = 70000 -> qmax, -70000 -> qmin. NaN
// -> Z. S = 1e-8 rounds to 0 in binary16 and S = 1e5 to +inf: rejected naming scale; bfloat16
// holds both.
TEST(OnnxQuantizeLinear, OverflowSaturatesAndAScaleThatVanishesIsRejected) {
  const QuantizeParams p = uint8(0x1.068p-10f, 10);
  EXPECT_EQ(narrow(1000.0f, p, NarrowFormat::binary16), 255);
  EXPECT_EQ(narrow(-1000.0f, p, NarrowFormat::binary16), 0);
  EXPECT_EQ(narrow(70000.0f, uint8(1.0f), NarrowFormat::binary16), 255);
  EXPECT_EQ(narrow(NAN, p, NarrowFormat::binary16), 10);
  EXPECT_EQ(rejected_parameter([] { narrow(1.0f, uint8(1e-8f), NarrowFormat::binary16); }), "scale");
  EXPECT_EQ(rejected_parameter([] { narrow(1.0f, uint8(1e5f), NarrowFormat::binary16); }), "scale");
  EXPECT_EQ(narrow(1.0f, uint8(1e5f), NarrowFormat::bfloat16), 0);
  EXPECT_EQ(rejected_parameter([] { narrow(1.0f, uint8(-1.0f), NarrowFormat::bfloat16); }), "scale");
}

rc::Gen<float> binary32_gen(int lo_exp, int hi_exp) {
  return rc::gen::map(rc::gen::tuple(scale_gen(lo_exp, hi_exp), rc::gen::arbitrary<bool>()),
                      [](const std::tuple<float, bool>& t) {
                        return std::get<1>(t) ? -std::get<0>(t) : std::get<0>(t);
                      });
}

// Q11.12 fast path (host binary32 division, then rounding to the narrow format) equals the
// definition, for both formats and every rounding rule.
RC_GTEST_PROP(OnnxQuantizeLinear, FastPathEqualsDefinition, ()) {
  const auto format = *rc::gen::element(NarrowFormat::binary16, NarrowFormat::bfloat16);
  QuantizeParams p;
  p.scale = *scale_gen(-14, 4);
  const bool u8 = *rc::gen::arbitrary<bool>();
  p.qmin = u8 ? 0 : -128;
  p.qmax = u8 ? 255 : 127;
  p.zero_point = *rc::gen::inRange(static_cast<int>(p.qmin), static_cast<int>(p.qmax) + 1);
  p.rounding = *rc::gen::element(Rounding::half_even, Rounding::half_away, Rounding::half_up,
                                 Rounding::toward_zero, Rounding::floor);
  const float x = *rc::gen::weightedOneOf<float>(
      {{4, binary32_gen(-16, 8)}, {1, binary32_gen(8, 17)},
       {1, rc::gen::map(rc::gen::inRange(-600, 600),
                        [&](int k) { return static_cast<float>(k) * 0.5f * p.scale; })}});
  RC_ASSERT(quantize_narrow_divide_fast(x, p, format) ==
            quantize_narrow_divide(x, p, format).convert_to<std::int64_t>());
}

}  // namespace
}  // namespace quantspec::ref
