// Tests of SPEC.md §Q3 (dequantize): published ONNX values, hand derivations of the one
// binary32 rounding, and every rejected parameter.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rejected_parameter.hpp"
#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

// ONNX 1.12 node test data (Debian libonnx-testdata, data/node/test_dequantizelinear and
// test_dequantizelinear_axis): y = (x - x_zero_point) * x_scale.
TEST(Q3DequantizePublished, OnnxDequantizeLinear) {
  const std::int64_t q[] = {0, 3, 128, 255};
  const float y[] = {-256.0f, -250.0f, 0.0f, 254.0f};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(dequantize(Integer(q[i]), 2.0f, 128), y[i]);
    EXPECT_EQ(dequantize_exact(Integer(q[i]), 2.0f, 128), exact(y[i]));
  }
}

TEST(Q3DequantizePublished, OnnxDequantizeLinearAxis) {
  // Shape [1, 3, 3, 2], axis 1: scales [2, 4, 5], zero points [84, 24, 196].
  const std::int64_t q[] = {3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99, 4, 142, 121, 102};
  const float y[] = {-162, 10, -100, 232, -20, -50, -76, 0,    0,
                     252,  32, -44,  245, -485, -960, -270, -375, -470};
  const float scales[] = {2.0f, 4.0f, 5.0f};
  const std::int64_t zero_points[] = {84, 24, 196};
  for (std::size_t i = 0; i < 18; ++i) {
    const std::size_t c = channel_of(i, {1, 3, 3, 2}, 1);
    EXPECT_EQ(dequantize(Integer(q[i]), scales[c], zero_points[c]), y[i]) << "index " << i;
  }
}

// Example Q3.E1 (SPEC.md): S = 0.1f = 13421773 * 2^-27, Z = 0, q = 3:
// exact value 40265319 * 2^-27 (26 significant bits); binary32 keeps 24: 40265319 / 4 =
// 10066329.75 -> 10066330, so fl32 = 10066330 * 2^-25 = 0x1.333334p-2 (above the exact value).
TEST(Q3DequantizeExamples, ExampleQ3E1OneRounding) {
  EXPECT_EQ(dequantize_exact(Integer(3), 0.1f, 0), Rational(40265319, 134217728));
  EXPECT_EQ(dequantize(Integer(3), 0.1f, 0), 0x1.333334p-2f);
  // q - Z may be negative and Z odd: (-128 - 1) * 0.5 = -64.5 exactly.
  EXPECT_EQ(dequantize(Integer(-128), 0.5f, 1), -64.5f);
  // Subnormal results are exact multiples of 2^-149: (5 - 2) * 2^-149.
  EXPECT_EQ(dequantize(Integer(5), 0x1p-149f, 2), 3 * 0x1p-149f);
  // Overflow to infinity only beyond FLT_MAX: (2^31 - 1 + 2^31) * FLT_MAX.
  EXPECT_EQ(dequantize(Integer(2147483647), std::numeric_limits<float>::max(), -2147483648LL),
            std::numeric_limits<float>::infinity());
  // The full-parameter overload checks q on the grid.
  const QuantizeParams p = QuantizeParams::for_dtype(DType::uint8, 0.25f, 128);
  EXPECT_EQ(dequantize(Integer(0), p), -32.0f);
  EXPECT_EQ(dequantize_exact(Integer(255), p), Rational(127, 4));
}

TEST(Q3DequantizeErrors, EveryRejectedParameterIsNamed) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (float bad : {0.0f, -0.0f, -1.0f, nan, inf, -inf}) {
    EXPECT_EQ(rejected_parameter([&] { dequantize(Integer(1), bad, 0); }), "scale") << bad;
    EXPECT_EQ(rejected_parameter([&] { dequantize_exact(Integer(1), bad, 0); }), "scale") << bad;
  }
  const QuantizeParams p = QuantizeParams::for_dtype(DType::int8, 1.0f, 0);
  EXPECT_EQ(rejected_parameter([&] { dequantize(Integer(128), p); }), "q");
  EXPECT_EQ(rejected_parameter([&] { dequantize_exact(Integer(-129), p); }), "q");
  EXPECT_EQ(rejected_parameter([&] { dequantize(Integer(0), QuantizeParams::for_dtype(DType::int8, 1.0f, 200)); }),
            "zero_point");
  EXPECT_EQ(rejected_parameter([&] { dequantize(Integer(0), QuantizeParams::for_dtype(DType::int8, -1.0f, 0)); }),
            "scale");
}

// fl32 of the exact value is the nearest binary32: no binary32 lies strictly between the
// exact value and the result's neighbours on the far side (checked exactly).
RC_GTEST_PROP(Q3DequantizeProperties, ResultIsTheNearestBinary32, ()) {
  const std::int64_t q = *rc::gen::inRange<std::int64_t>(-2147483648LL, 2147483648LL);
  const std::int64_t z = *rc::gen::inRange<std::int64_t>(-2147483648LL, 2147483648LL);
  const float s = std::ldexp(float(*rc::gen::inRange(1, 1 << 24)), *rc::gen::inRange(-173, 60));
  RC_PRE(s > 0.0f && std::isfinite(s));
  const Rational value = dequantize_exact(Integer(q), s, z);
  const float result = dequantize(Integer(q), s, z);
  RC_PRE(std::isfinite(result));
  const Rational error = abs(exact(result) - value);
  const float up = std::nextafter(result, std::numeric_limits<float>::infinity());
  const float down = std::nextafter(result, -std::numeric_limits<float>::infinity());
  if (std::isfinite(up)) RC_ASSERT(error <= abs(exact(up) - value));
  if (std::isfinite(down)) RC_ASSERT(error <= abs(exact(down) - value));
}

}  // namespace
}  // namespace quantspec::ref
