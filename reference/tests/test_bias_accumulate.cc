// Tests of Q4 (bias) and Q5 (accumulation). Expected values are derived by hand in comments.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "rejected_parameter.hpp"
#include "quantspec/reference/accumulate.hpp"
#include "quantspec/reference/bias.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

// Example Q4.E1 (SPEC.md): Sx = 0.5, Sw = 0.25 -> Sb = 0.125; B = 1.3 (binary32
// 0x1.4cccccp+0 = 10905190 / 2^23) -> B / Sb = 10.3999996..., rounds to 10.
TEST(Bias, ExampleQ4E1) {
  QuantizedBias b = quantize_bias(1.3f, 0.5f, 0.25f);
  EXPECT_EQ(b.bias_scale, Rational(1, 8));
  EXPECT_EQ(b.exact, 10);
  EXPECT_EQ(b.stored, 10);
  EXPECT_FALSE(b.saturated);
}

// B / Sb = 2.5 exactly: half_away gives 3, half_even gives 2.
TEST(Bias, TieFollowsTheNamedRule) {
  EXPECT_EQ(quantize_bias(0.625f, 0.5f, 0.5f, Rounding::half_away).stored, 3);
  EXPECT_EQ(quantize_bias(0.625f, 0.5f, 0.5f, Rounding::half_even).stored, 2);
  EXPECT_EQ(quantize_bias(-0.625f, 0.5f, 0.5f, Rounding::half_away).stored, -3);
}

// B = 2^20 with Sb = 2^-12 gives 2^32: beyond int32, saturates to INT32_MAX and flags it.
TEST(Bias, BeyondInt32SaturatesAndFlags) {
  QuantizedBias b = quantize_bias(1048576.0f, 0x1p-6f, 0x1p-6f);
  EXPECT_EQ(b.exact, Integer(1) << 32);
  EXPECT_EQ(b.stored, std::numeric_limits<std::int32_t>::max());
  EXPECT_TRUE(b.saturated);
  QuantizedBias n = quantize_bias(-1048576.0f, 0x1p-6f, 0x1p-6f);
  EXPECT_EQ(n.stored, std::numeric_limits<std::int32_t>::min());
  EXPECT_TRUE(n.saturated);
}

TEST(Bias, RejectedParametersNameThemselves) {
  EXPECT_EQ(rejected_parameter([] { quantize_bias(1.0f, 0.0f, 1.0f); }), "input_scale");
  EXPECT_EQ(rejected_parameter([] { quantize_bias(1.0f, 1.0f, -1.0f); }), "weight_scale");
  EXPECT_EQ(rejected_parameter([] {
              quantize_bias(1.0f, 1.0f, std::numeric_limits<float>::quiet_NaN());
            }),
            "weight_scale");
  EXPECT_EQ(rejected_parameter([] {
              quantize_bias(std::numeric_limits<float>::infinity(), 1.0f, 1.0f);
            }),
            "bias");
  EXPECT_EQ(rejected_parameter([] { quantize_bias_per_channel({1.0f, 2.0f}, 1.0f, {1.0f}); }),
            "weight_scales");
}

TEST(Bias, PerChannelUsesEachChannelScale) {
  auto b = quantize_bias_per_channel({1.0f, 1.0f}, 0.5f, {0.5f, 0.125f});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].stored, 4);   // 1 / 0.25
  EXPECT_EQ(b[1].stored, 16);  // 1 / 0.0625
}

// Example Q4.E2 (SPEC.md, Q4.5): Sx = fl32(1/255) = 0x1.010102p-8, Sw = 0.007f = 0x1.cac084p-8,
// B = 0x1.12f0b4p+1. The exact quotient B/(Sx*Sw) rounds to 78247; the converter's binary32
// steps (fl32(Sx*Sw), its reciprocal, the product) give 78248. Both numbers were computed
// independently with Python fractions.Fraction and numpy.float32 (the steps of Q4.5).
TEST(Bias, ExampleQ4E2TfliteConverterDiffersFromExact) {
  const float sx = 0x1.010102p-8f, sw = 0x1.cac084p-8f, bias = 0x1.12f0b4p+1f;
  EXPECT_EQ(quantize_bias(bias, sx, sw).stored, 78247);
  EXPECT_EQ(quantize_bias_tflite_converter(bias, sx, sw).stored, 78248);
}

// Q4.5 step by step on the host: binary32 products on x86-64 are IEEE 754 (SSE), the binary64
// reciprocal then its conversion to float, std::round, the saturating cast and the clamp, as
// the converter's source reads. The reference models each rounding exactly; both must agree.
std::int32_t converter_on_host(float bias, float sx, float sw) {
  volatile float s = sx * sw;  // volatile: one rounding per statement, no contraction
  volatile float inv = s == 0 ? 0.0f : static_cast<float>(1.0 / static_cast<double>(s));
  volatile float p = bias * inv;
  const float r = std::round(p);
  constexpr std::int32_t limit = std::numeric_limits<std::int32_t>::max();
  if (std::isnan(r)) return 0;
  if (r >= 0x1p31f) return limit;
  if (r < -0x1p31f) return -limit;
  return std::max(static_cast<std::int32_t>(r), -limit);
}

RC_GTEST_PROP(Bias, TfliteConverterEqualsItsStepsOnTheHost, ()) {
  const int ex = *rc::gen::inRange(-30, 0);
  const int ew = *rc::gen::inRange(-30, 0);
  const float sx = std::ldexp(1.0f + *rc::gen::inRange(0, 1 << 23) * 0x1p-23f, ex);
  const float sw = std::ldexp(1.0f + *rc::gen::inRange(0, 1 << 23) * 0x1p-23f, ew);
  const float bias = std::ldexp(static_cast<float>(*rc::gen::inRange(-(1 << 24), 1 << 24)),
                                *rc::gen::inRange(-40, 10));
  RC_ASSERT(quantize_bias_tflite_converter(bias, sx, sw).stored == converter_on_host(bias, sx, sw));
}

// The edges of Q4.5, each derived from the source's steps in the comment.
TEST(Bias, TfliteConverterEdges) {
  constexpr std::int32_t limit = std::numeric_limits<std::int32_t>::max();
  const float inf = std::numeric_limits<float>::infinity();
  // NaN * inv = NaN; SafeCast(NaN) = 0.
  EXPECT_EQ(quantize_bias_tflite_converter(std::numeric_limits<float>::quiet_NaN(), 0.5f, 0.5f).stored, 0);
  // +-inf -> SafeCast gives INT32_MAX / INT32_MIN; the clamp makes the latter -(2^31 - 1).
  EXPECT_EQ(quantize_bias_tflite_converter(inf, 0.5f, 0.5f).stored, limit);
  EXPECT_EQ(quantize_bias_tflite_converter(-inf, 0.5f, 0.5f).stored, -limit);
  // B/Sb = -2^40: saturates to INT32_MIN, clamped to -(2^31 - 1) (Q4.3 would give INT32_MIN).
  EXPECT_EQ(quantize_bias_tflite_converter(-0x1p20f, 0x1p-10f, 0x1p-10f).stored, -limit);
  // 2^-80 * 2^-80 underflows to 0 in binary32: the guard sets inv = 0, so every bias gives 0.
  EXPECT_EQ(quantize_bias_tflite_converter(1.0f, 0x1p-80f, 0x1p-80f).stored, 0);
  // s = 2^-140 (subnormal, exact); 1/s = 2^140 > FLT_MAX -> inv = +inf; 0 * inf = NaN -> 0,
  // a positive bias -> +inf -> 2^31 - 1.
  EXPECT_EQ(quantize_bias_tflite_converter(0.0f, 0x1p-70f, 0x1p-70f).stored, 0);
  EXPECT_EQ(quantize_bias_tflite_converter(0x1p-100f, 0x1p-70f, 0x1p-70f).stored, limit);
  // A tie is rounded away from zero (std::round): B/Sb = 2.5 exactly in every step.
  EXPECT_EQ(quantize_bias_tflite_converter(0.625f, 0.5f, 0.5f).stored, 3);
  EXPECT_EQ(quantize_bias_tflite_converter(-0.625f, 0.5f, 0.5f).stored, -3);
  // The scales are validated as in Q4.1.
  EXPECT_EQ(rejected_parameter([] { quantize_bias_tflite_converter(1.0f, 0.0f, 1.0f); }), "input_scale");
  EXPECT_EQ(rejected_parameter([&] { quantize_bias_tflite_converter(1.0f, 1.0f, -inf); }), "weight_scale");
}

// Example Q5.E1 (SPEC.md): x = [1, 2, 3] (uint8, Zx = 1), w = [-1, 0, 5] (int8, Zw = 0),
// b = 10: (0)(-1) + (1)(0) + (2)(5) + 10 = 20.
TEST(Accumulate, ExampleQ5E1) {
  Accumulation a = accumulate({DType::uint8, 1, {1, 2, 3}}, {DType::int8, 0, {-1, 0, 5}}, 10);
  EXPECT_EQ(a.exact, 20);
  EXPECT_EQ(a.wrapped, 20);
  EXPECT_FALSE(a.final_overflow);
  EXPECT_FALSE(a.partial_overflow);
}

// 33026 products of (127 - (-128)) * (127 - (-128)) = 65025 sum to 2147515650 > INT32_MAX:
// wraps to 2147515650 - 2^32 = -2147451646.
TEST(Accumulate, WrapsModulo2To32AndReportsOverflow) {
  const std::size_t depth = 33026;
  QuantizedOperand x{DType::int8, -128, std::vector<std::int64_t>(depth, 127)};
  QuantizedOperand w{DType::int8, -128, std::vector<std::int64_t>(depth, 127)};
  Accumulation a = accumulate(x, w, 0);
  EXPECT_EQ(a.exact, Integer(2147515650LL));
  EXPECT_EQ(a.wrapped, -2147451646);
  EXPECT_TRUE(a.final_overflow);
  EXPECT_TRUE(a.partial_overflow);
}

// A partial sum may leave int32 and come back: the final value is then exact in int32 but
// the pipeline did overflow in between (still exact modulo 2^32).
TEST(Accumulate, PartialOverflowIsReportedEvenWhenTheSumComesBack) {
  QuantizedOperand x{DType::int8, 0, {127, -128}};
  QuantizedOperand w{DType::int8, 0, {127, 127}};
  Accumulation a = accumulate(x, w, Integer(2147483647LL) - 100);
  EXPECT_EQ(a.exact, Integer(2147483647LL) - 100 + 16129 - 16256);
  EXPECT_FALSE(a.final_overflow);
  EXPECT_TRUE(a.partial_overflow);
}

TEST(Accumulate, RejectedParametersNameThemselves) {
  EXPECT_EQ(rejected_parameter([] {
              accumulate({DType::int8, 0, {1}}, {DType::int8, 0, {1, 2}}, 0);
            }),
            "w");
  EXPECT_EQ(rejected_parameter([] {
              accumulate({DType::int8, 200, {1}}, {DType::int8, 0, {1}}, 0);
            }),
            "x_zero_point");
  EXPECT_EQ(rejected_parameter([] {
              accumulate({DType::uint8, 0, {1, 256}}, {DType::int8, 0, {1, 1}}, 0);
            }),
            "x[1]");
  EXPECT_EQ(rejected_parameter([] {
              accumulate({DType::int8, 0, {1}}, {DType::int4, 0, {8}}, 0);
            }),
            "w[0]");
}

// Q5.3 by hand: int8 x int8 with free zero points: P = 255 * 255 = 65025,
// floor((2^31 - 1) / 65025) = 33025. Symmetric int8 weights: P = 255 * 128 = 32640 ->
// 65793. uint8 x int8 both free: 255 * 255 again. int16 free: 65535^2 -> 0.
TEST(Accumulate, MaxSafeDepthByHand) {
  EXPECT_EQ(max_safe_depth(DType::int8, false, DType::int8, false), 33025);
  EXPECT_EQ(max_safe_depth(DType::uint8, false, DType::int8, true), 65793);
  EXPECT_EQ(max_safe_depth(DType::int8, true, DType::int8, true), 131071);
  EXPECT_EQ(max_safe_depth(DType::int16, false, DType::int16, false), 0);
  EXPECT_EQ(max_safe_depth(DType::int4, false, DType::int4, false), 9544371);
}

// The stated depth is tight: at K the worst case fits, at K + 1 it overflows.
TEST(Accumulate, MaxSafeDepthIsTight) {
  std::int64_t k = max_safe_depth(DType::int8, false, DType::int8, false);
  QuantizedOperand x{DType::int8, -128, std::vector<std::int64_t>(k, 127)};
  EXPECT_FALSE(accumulate(x, x, 0).final_overflow);
  x.values.push_back(127);
  EXPECT_TRUE(accumulate(x, x, 0).final_overflow);
}

// The wrapped value equals the exact value modulo 2^32, whatever the order of summation.
RC_GTEST_PROP(Accumulate, WrappedIsExactModulo2To32, (std::vector<std::int8_t> xs, std::int32_t bias)) {
  QuantizedOperand x{DType::int8, -128, {}};
  QuantizedOperand w{DType::int8, 127, {}};
  for (auto v : xs) {
    x.values.push_back(v);
    w.values.push_back(-v - 1 < -128 ? -128 : -v - 1);
  }
  Accumulation a = accumulate(x, w, bias);
  Integer difference = a.exact - a.wrapped;
  RC_ASSERT(difference % (Integer(1) << 32) == 0);
  RC_ASSERT(a.final_overflow == (a.exact != a.wrapped));
}

}  // namespace
}  // namespace quantspec::ref
