// Tests of SPEC.md Q7 (requantization, the definition): published values, the worked
// examples, the trace, and every rejected parameter.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::ref {
namespace {

constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

template <typename F>
void expect_parameter_error(F&& f, const std::string& parameter) {
  try {
    f();
    ADD_FAILURE() << "expected ParameterError naming " << parameter;
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), parameter) << e.what();
  }
}

RequantizeParams q31(RequantVariant v, FixedPointMultiplier m, std::int32_t zy = 0,
                     std::int32_t qmin = kMin, std::int32_t qmax = kMax) {
  RequantizeParams p;
  p.variant = v;
  p.multiplier = m.multiplier;
  p.shift = m.shift;
  p.zero_point = zy;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

std::int64_t run(std::int64_t acc, const RequantizeParams& p) {
  return requantize(Integer(acc), p).convert_to<std::int64_t>();
}

// Published values: TensorFlow Lite quantization_util_test.cc,
// TEST(QuantizationUtilTest, MultiplyByQuantizedMultiplierInt32): QuantizeMultiplier then
// MultiplyByQuantizedMultiplier. The test runs in both TFLite builds (double rounding by
// default, TFLITE_SINGLE_ROUNDING), so both variants must give these values.
TEST(RequantizePublished, TfliteMultiplyByQuantizedMultiplierInt32) {
  struct Case {
    std::int64_t x;
    double multiplier;
    std::int64_t expected;
  };
  const Case cases[] = {
      {0, 0.1, 0},          {1, 0, 0},
      {10000, 0.00097656, 10}, {-10000, 0.00097656, -10},
      {kMin, 0.00001, -21475}, {kMax, 0.00001, 21475},
  };
  for (auto variant : {RequantVariant::double_round, RequantVariant::single_round}) {
    for (const Case& c : cases) {
      const auto m = derive_multiplier(exact(c.multiplier), Derivation::tflite);
      EXPECT_EQ(run(c.x, q31(variant, m)), c.expected)
          << name(variant) << " x=" << c.x << " M=" << c.multiplier;
    }
    // Same test, "maximum possible x and quantized_multiplier", shift -3: expected
    // TfLiteRound(x*m / 2^34) with x = m = 2^31-1: (2^62 - 2^32 + 1)/2^34 = 2^28 - 1/4 + 2^-34,
    // which rounds to 2^28 = 268435456 (and -x to -268435456).
    const FixedPointMultiplier largest{kMax, -3};
    EXPECT_EQ(run(kMax, q31(variant, largest)), 268435456) << name(variant);
    EXPECT_EQ(run(-kMax, q31(variant, largest)), -268435456) << name(variant);
  }
}

// Published values: XNNPACK test/requantization-tester.h, TestSpecialCases, run by
// test/qs8-requantization.cc and qu8-requantization.cc for the gemmlowp (= double_round) and
// rndna kernels: INT32_MIN at scale 2^-32 gives max(qmin, Zy - 1) for every Zy (the exact
// product is the tie -1/2, which both round away from zero); INT32_MAX at scale 0x1.FFFFFEp-1
// with Zy = qmax gives qmax.
TEST(RequantizePublished, XnnpackSpecialCases) {
  const FixedPointMultiplier tiny = derive_multiplier(exact(0x1p-32f), Derivation::rndnu);
  const FixedPointMultiplier near_one = derive_multiplier(exact(0x1.FFFFFEp-1f), Derivation::rndnu);
  ASSERT_EQ(tiny, (FixedPointMultiplier{1 << 30, -31}));
  for (auto variant : {RequantVariant::double_round, RequantVariant::rndna}) {
    for (std::int32_t zy = -128; zy <= 127; ++zy) {
      EXPECT_EQ(run(kMin, q31(variant, tiny, zy, -128, 127)), std::max(-128, zy - 1))
          << name(variant) << " Zy=" << zy;
    }
    for (std::int32_t zy = 0; zy <= 255; ++zy) {
      EXPECT_EQ(run(kMin, q31(variant, tiny, zy, 0, 255)), std::max(0, zy - 1))
          << name(variant) << " Zy=" << zy;
    }
    EXPECT_EQ(run(kMax, q31(variant, near_one, 127, -128, 127)), 127) << name(variant);
    EXPECT_EQ(run(kMax, q31(variant, near_one, 255, 0, 255)), 255) << name(variant);
  }
  // The ties-up variants and fp32 (ties to even) round the same -1/2 to 0: Zy itself.
  // (XNNPACK runs no special-case test for rndnu or fp32; this is the spec's statement.)
  EXPECT_EQ(run(kMin, q31(RequantVariant::rndnu, tiny, 5, -128, 127)), 5);
  RequantizeParams fp;
  fp.variant = RequantVariant::fp32;
  fp.scale = 0x1p-32f;
  fp.zero_point = 5;
  EXPECT_EQ(run(kMin, fp), 5);
}

// Published behaviour: XNNPACK requantization-tester.h TestExactDivideByPO2 -- with scale 2^-s
// and no clamping, ((i - Zy) << s) requantizes to i exactly, for every variant.
TEST(RequantizePublished, XnnpackExactDivideByPowerOfTwo) {
  for (int s = 1; s < 32; ++s) {
    const float scale = std::ldexp(1.0f, -s);
    for (auto variant : all_requant_variants()) {
      if (variant == RequantVariant::tosa_single || variant == RequantVariant::tosa_double ||
          variant == RequantVariant::tosa_scale16) {
        continue;  // different multiplier convention, covered by the equivalence properties
      }
      const RequantizeParams p =
          requantize_params_from_scales(variant, scale, 1.0f, 1.0f, 7, -128, 127);
      for (std::int64_t i = -128; i <= 127; ++i) {
        const std::int64_t acc = (i - 7) * (std::int64_t{1} << s);
        if (acc < kMin || acc > kMax) continue;
        EXPECT_EQ(run(acc, p), i) << name(variant) << " s=" << s << " i=" << i;
      }
    }
  }
}

// Example Q7.E1 (SPEC.md Q7.12): Sx = 0.25, Sw = 0.125, Sy = 0.5, so M = 1/16 exactly;
// Zy = 3 (odd), int8 output. acc = +-1000 gives acc*M = +-62.5, an exact tie, where the
// variants part ways. Hand derivation of each entry is in the spec text.
TEST(RequantizeExample, Q7E1TiesAtPlusMinus62AndAHalf) {
  struct Row {
    RequantVariant variant;
    ZeroPointEntry entry;
    std::int64_t q_plus;   // acc = +1000
    std::int64_t q_minus;  // acc = -1000
  };
  const auto after = ZeroPointEntry::after_rounding;
  const auto before = ZeroPointEntry::before_rounding;
  const Row rows[] = {
      {RequantVariant::ideal, after, 65, -59},  // half_even: 62 + 3, -62 + 3
      {RequantVariant::ideal, before, 66, -60},  // half_even(65.5) = 66, half_even(-59.5) = -60
      {RequantVariant::double_round, after, 66, -60},  // RDBPOT ties away: 63, -63
      {RequantVariant::single_round, after, 66, -59},  // ties up: 63, -62
      {RequantVariant::rndnu, after, 66, -59},
      {RequantVariant::rndna, after, 66, -60},
      {RequantVariant::tosa_single, after, 66, -59},
      {RequantVariant::tosa_double, after, 66, -60},
      {RequantVariant::tosa_scale16, after, 66, -59},
      {RequantVariant::fp32, after, 65, -59},  // ties to even: 62, -62
      {RequantVariant::fp32, before, 66, -60},  // fl32(62.5 + 3) = 65.5 -> 66; -59.5 -> -60
  };
  for (const Row& row : rows) {
    const RequantizeParams p = requantize_params_from_scales(
        row.variant, 0.25f, 0.125f, 0.5f, 3, -128, 127, Derivation::exact, Rounding::half_even,
        row.entry);
    EXPECT_EQ(run(1000, p), row.q_plus) << name(row.variant) << " " << name(row.entry);
    EXPECT_EQ(run(-1000, p), row.q_minus) << name(row.variant) << " " << name(row.entry);
  }
  // The parameters the example lists.
  const auto dr = requantize_params_from_scales(RequantVariant::double_round, 0.25f, 0.125f, 0.5f,
                                                3, -128, 127);
  EXPECT_EQ(dr.multiplier, 1 << 30);
  EXPECT_EQ(dr.shift, -3);
  const auto td = requantize_params_from_scales(RequantVariant::tosa_double, 0.25f, 0.125f, 0.5f,
                                                3, -128, 127);
  EXPECT_EQ(td.multiplier, 1 << 30);
  EXPECT_EQ(td.shift, 34);
  const auto t16 = requantize_params_from_scales(RequantVariant::tosa_scale16, 0.25f, 0.125f,
                                                 0.5f, 3, -128, 127);
  EXPECT_EQ(t16.multiplier, 1 << 14);
  EXPECT_EQ(t16.shift, 18);
}

// Example Q7.E2: the trace of double_round for M > 1 where acc << left saturates.
// M = 4 (multiplier 2^30, shift 3): acc = 2^29 -> 2^29 * 8 = 2^32 > INT32_MAX, saturated to
// 2^31 - 1; SRDHM(2^31 - 1, 2^30) = round((2^31 - 1)/2) = 2^30 (ties up: 2^30 - 1/2 -> 2^30).
TEST(RequantizeExample, Q7E2LeftShiftSaturation) {
  RequantizeParams p = q31(RequantVariant::double_round, {1 << 30, 3});
  RequantizeTrace trace;
  const Integer q = requantize(Integer(1 << 29), p, &trace);
  EXPECT_TRUE(trace.left_shift_saturated);
  EXPECT_EQ(trace.left_shifted, Integer(kMax));
  EXPECT_EQ(trace.high_mul, Integer(1 << 30));
  EXPECT_EQ(q, Integer(1 << 30));
  EXPECT_FALSE(trace.srdhm_saturated);
  EXPECT_EQ(trace.exact_product, Rational(Integer(1) << 31));
}

// Q7.2 step 1, the two members on Example Q7.E2's input: acc = 2^29, (m, s) = (2^30, 3), so
// acc * 2^3 = 2^32. saturate: x = 2^31 - 1, SRDHM(x, 2^30) = floor(((2^31-1)*2^30 + 2^30)/2^31)
// = 2^30. wrap: x = 2^32 mod 2^32 = 0, SRDHM(0, 2^30) = 0, y = 0 (what TFLite's int32
// `x * (1 << left_shift)` gives on this machine's g++ -O2, and SSE pslld).
// A second input whose wrapped value is negative: acc = 2^28 + 1, s = 3: acc * 8 = 2^31 + 8
// wraps to -2^31 + 8; SRDHM(-2^31 + 8, 2^30) = floor((-2^61 + 2^33 + 2^30)/2^31) = -2^30 + 4.
TEST(RequantizeExample, Q7E3LeftShiftWrapDiffersFromSaturate) {
  RequantizeParams p = q31(RequantVariant::double_round, {1 << 30, 3});
  RequantizeTrace trace;
  EXPECT_EQ(requantize(Integer(1 << 29), p), Integer(1 << 30));
  p.left_shift_overflow = LeftShiftOverflow::wrap;
  EXPECT_EQ(requantize(Integer(1 << 29), p, &trace), Integer(0));
  EXPECT_TRUE(trace.left_shift_saturated);  // the event is flagged for both members
  EXPECT_EQ(trace.left_shifted, Integer(0));
  EXPECT_EQ(requantize(Integer((1 << 28) + 1), p), Integer(-(1 << 30) + 4));
  EXPECT_EQ(FastRequantizer(p)((1 << 28) + 1), -(1 << 30) + 4);
  // No overflow: the members agree.
  EXPECT_EQ(requantize(Integer(1000), p), Integer(4000));
}

// Q7.6 SPEC CHOICE: apply_scale_16 on an int48 accumulator can leave int32. TOSA REQUIREs an
// int32 result (the TOSA reference model's QuantUtil::apply_scale_16 throws "scaled result
// exceeds int32 numeric range"); the spec saturates and flags it. By hand: acc = 2^47 - 1,
// (m, sh) = (32767, 2): floor(((2^47-1)*32767 + 2)/4) ~ 2^59 > INT32_MAX -> INT32_MAX; the
// negative end acc = -2^47 gives -2^45*32767 < INT32_MIN -> INT32_MIN.
TEST(RequantizeTosaScale16, ResultBeyondInt32SaturatesAsASpecChoice) {
  RequantizeParams p = q31(RequantVariant::tosa_scale16, {32767, 2});
  p.qmin = kMin;
  p.qmax = kMax;
  RequantizeTrace trace;
  EXPECT_EQ(requantize((Integer(1) << 47) - 1, p, &trace), Integer(kMax));
  EXPECT_TRUE(trace.result_saturated);
  EXPECT_EQ(requantize(-(Integer(1) << 47), p, &trace), Integer(kMin));
  EXPECT_TRUE(trace.result_saturated);
  // Inside int32 nothing is flagged: acc = 4, 4*32767/4 = 32767.
  RequantizeTrace inside;
  EXPECT_EQ(requantize(Integer(4), p, &inside), Integer(32767));
  EXPECT_FALSE(inside.result_saturated);
}

TEST(RequantizeTrace, ResultSaturationAndZeroPointOverflowAreReported) {
  // single_round, M = (2^31-1)*2^-1: acc = INT32_MAX gives ~2^61, saturated to INT32_MAX.
  RequantizeTrace trace;
  const auto p = q31(RequantVariant::single_round, {kMax, 30});
  EXPECT_EQ(requantize(Integer(kMax), p, &trace), Integer(kMax));
  EXPECT_TRUE(trace.result_saturated);
  // ideal, M = 1, Zy = 1: y + Zy = 2^31 does not fit int32 (a kernel adding first would wrap).
  RequantizeParams ideal;
  ideal.real_multiplier = 1;
  ideal.zero_point = 1;
  ideal.qmin = kMin;
  ideal.qmax = kMax;
  EXPECT_EQ(requantize(Integer(kMax), ideal, &trace), Integer(kMax));
  EXPECT_TRUE(trace.zero_point_overflows_int32);
  EXPECT_TRUE(trace.clamped);
  // fp32 whose binary32 product overflows: +inf clamps to qmax.
  RequantizeParams fp;
  fp.variant = RequantVariant::fp32;
  fp.scale = 0x1p127f;
  EXPECT_EQ(requantize(Integer(1) << 10, fp, &trace), Integer(127));
  EXPECT_TRUE(trace.result_saturated);
  EXPECT_EQ(requantize(-(Integer(1) << 10), fp, &trace), Integer(-128));
}

TEST(RequantizeIdeal, EveryRoundingRuleOnTies) {
  // acc*M = 5/2 and -5/2 with M = 1/2.
  RequantizeParams p;
  p.real_multiplier = Rational(1, 2);
  const std::pair<Rounding, std::pair<int, int>> expected[] = {
      {Rounding::half_even, {2, -2}}, {Rounding::half_away, {3, -3}},
      {Rounding::half_up, {3, -2}},   {Rounding::toward_zero, {2, -2}},
      {Rounding::floor, {2, -3}},
  };
  for (const auto& [rule, values] : expected) {
    p.rounding = rule;
    EXPECT_EQ(run(5, p), values.first) << name(rule);
    EXPECT_EQ(run(-5, p), values.second) << name(rule);
  }
  // The ideal accepts accumulators beyond int32 (e.g. an int64 sum): 2^40 * 1/2.
  EXPECT_EQ(requantize(Integer(1) << 40, p), Integer(127));
}

TEST(RequantizePerChannel, UsesTheChannelsParameters) {
  std::vector<RequantizeParams> channels(2);
  channels[0].real_multiplier = Rational(1, 4);
  channels[1].real_multiplier = Rational(1, 2);
  EXPECT_EQ(requantize_per_channel(Integer(40), 0, channels), Integer(10));
  EXPECT_EQ(requantize_per_channel(Integer(40), 1, channels), Integer(20));
  expect_parameter_error([&] { requantize_per_channel(Integer(1), 2, channels); }, "channel");
  expect_parameter_error([&] { requantize_per_channel(Integer(1), 0, {}); }, "per_channel");
}

TEST(RequantizeErrors, EveryRejectedParameterIsNamed) {
  RequantizeParams ideal;
  ideal.real_multiplier = 0;
  expect_parameter_error([&] { ideal.validate(); }, "real_multiplier");
  ideal.real_multiplier = -1;
  expect_parameter_error([&] { requantize(Integer(1), ideal); }, "real_multiplier");

  RequantizeParams fp;
  fp.variant = RequantVariant::fp32;
  for (float bad : {0.0f, -1.0f, std::numeric_limits<float>::quiet_NaN(),
                    std::numeric_limits<float>::infinity()}) {
    fp.scale = bad;
    expect_parameter_error([&] { fp.validate(); }, "scale");
  }

  for (auto v : {RequantVariant::double_round, RequantVariant::single_round, RequantVariant::rndnu,
                 RequantVariant::rndna}) {
    expect_parameter_error([&] { q31(v, {-1, 0}).validate(); }, "multiplier");
    expect_parameter_error([&] { q31(v, {1 << 30, -32}).validate(); }, "shift");
    expect_parameter_error([&] { q31(v, {1 << 30, 31}).validate(); }, "shift");
    auto p = q31(v, {1 << 30, 0});
    p.zero_point_entry = ZeroPointEntry::before_rounding;
    expect_parameter_error([&] { p.validate(); }, "zero_point_entry");
    p.zero_point_entry = ZeroPointEntry::after_rounding;
    if (p.variant != RequantVariant::double_round) {
      p.left_shift_overflow = LeftShiftOverflow::wrap;
      expect_parameter_error([&] { p.validate(); }, "left_shift_overflow");
      p.left_shift_overflow = LeftShiftOverflow::saturate;
    }
    expect_parameter_error([&] { requantize(Integer(kMax) + 1, q31(v, {1 << 30, 0})); }, "acc");
  }
  for (auto v : {RequantVariant::tosa_single, RequantVariant::tosa_double,
                 RequantVariant::tosa_scale16}) {
    expect_parameter_error([&] { q31(v, {1 << 14, 1}).validate(); }, "shift");
    expect_parameter_error([&] { q31(v, {1 << 14, 63}).validate(); }, "shift");
    expect_parameter_error([&] { q31(v, {-1, 20}).validate(); }, "multiplier");
  }
  expect_parameter_error([&] { q31(RequantVariant::tosa_scale16, {32768, 20}).validate(); },
                         "multiplier");
  // TOSA apply_scale_32 REQUIRE: acc in [-2^(shift-1), 2^(shift-1)).
  const auto tosa = q31(RequantVariant::tosa_single, {1 << 30, 10});
  EXPECT_EQ(run(511, tosa), 511 << 20);  // M = 2^30 / 2^10 = 2^20, exact
  expect_parameter_error([&] { requantize(Integer(512), tosa); }, "acc");
  expect_parameter_error([&] { requantize(Integer(-513), tosa); }, "acc");
  EXPECT_NO_THROW(requantize(Integer(-512), tosa));
  // apply_scale_16 takes int48 accumulators.
  const auto t16 = q31(RequantVariant::tosa_scale16, {1, 62});
  EXPECT_NO_THROW(requantize((Integer(1) << 47) - 1, t16));
  expect_parameter_error([&] { requantize(Integer(1) << 47, t16); }, "acc");

  RequantizeParams clamp;
  clamp.real_multiplier = 1;
  clamp.qmin = 5;
  clamp.qmax = 4;
  clamp.zero_point = 4;
  expect_parameter_error([&] { clamp.validate(); }, "qmin");
  clamp.qmin = -128;
  clamp.qmax = 127;
  clamp.zero_point = 128;
  expect_parameter_error([&] { clamp.validate(); }, "zero_point");
  clamp.zero_point = -129;
  expect_parameter_error([&] { requantize(Integer(0), clamp); }, "zero_point");
}

}  // namespace
}  // namespace quantspec::ref
