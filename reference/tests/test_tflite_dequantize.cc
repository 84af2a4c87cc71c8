// SPEC.md Q3.5: TFLite's optimized Dequantize vector loop, fl32(fl32(q*S) + fl32(-Z*S)), against
// hand derivations (the example of Q3.5 and the uint8 case measured with ai-edge-litert), the
// cases where every step is exact (there it is Q3.2's one rounding), and the definition's edges.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "quantspec/reference/deployed_dequantize.hpp"
#include "quantspec/reference/dequantize.hpp"
#include "rejected_parameter.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

// Example Q3.E2: S = 0.1f = 13421773 * 2^-27, q = 3, Z = 1.
//   fl32(3 * S) = fl32(40265319 * 2^-27) = 10066330 * 2^-25 (Example Q3.E1)
//   fl32(-1 * S) = -13421773 * 2^-27
//   sum = (40265320 - 13421773) * 2^-27 = 26843547 * 2^-27: 25 significant bits, a tie between
//   13421773 * 2^-26 and 13421774 * 2^-26; ties to even -> 13421774 * 2^-26 = 0x1.99999cp-3.
// Q3.2: (3 - 1) * S = 26843546 * 2^-27 = 13421773 * 2^-26 = 0x1.99999ap-3 (exact, = 0.2f): one ulp below.
TEST(TfliteDequantize, ExampleQ3E2TwoRoundingsBeforeTheSubtraction) {
  EXPECT_EQ(dequantize_tflite_neon_mul_add(Integer(3), 0x1.99999ap-4f, 1), 0x1.99999cp-3f);
  EXPECT_EQ(dequantize(Integer(3), 0x1.99999ap-4f, 1), 0x1.99999ap-3f);
}

// uint8, q = 202, Z = 211, S = 0x1.d9fad4p-5 = 7765685 * 2^-27 (dequantize.json; measured with
// ai-edge-litert 2.3.0's optimized kernel, README "Real bugs found" 2):
//   q * S = 1568668370 * 2^-27 (31 bits) -> 12255222 * 2^-20 (1568668370 / 128 = 12255221.64)
//   Z * S = 1638559535 * 2^-27 (31 bits) -> 12801246 * 2^-20 (1638559535 / 128 = 12801246.37)
//   difference -546024 * 2^-20 = -8736384 * 2^-24, exact in binary32: -0x1.0a9d00p-1.
// Q3.2: -9 * S = -69891165 * 2^-27 -> -8736396 * 2^-24 (69891165 / 8 = 8736395.625): 12 ulps away.
TEST(TfliteDequantize, TwelveUlpsFromTheOneRoundingAtUint8) {
  const QuantizeParams p = QuantizeParams::for_dtype(DType::uint8, 0x1.d9fad4p-5f, 211);
  EXPECT_EQ(dequantize_tflite_neon_mul_add(Integer(202), p), -0x1.0a9d00p-1f);
  EXPECT_EQ(dequantize(Integer(202), p), -0x1.0a9d18p-1f);
}

// With Z = 0 the added term is +0, so the result is fl32(q * S), Q3.2's one rounding; with S a
// power of two (and no underflow) every product is exact and so is the binary32 difference of
// two multiples of S below 2^24 * S.
TEST(TfliteDequantize, EqualsTheOneRoundingWhereEveryStepIsExact) {
  for (std::int64_t q = -128; q <= 127; ++q) {
    EXPECT_EQ(dequantize_tflite_neon_mul_add(Integer(q), 0x1.99999ap-4f, 0), dequantize(Integer(q), 0x1.99999ap-4f, 0))
        << q;
    for (std::int64_t z : {-128, -3, 1, 127}) {
      EXPECT_EQ(dequantize_tflite_neon_mul_add(Integer(q), 0x1p-5f, z), dequantize(Integer(q), 0x1p-5f, z))
          << q << " " << z;
    }
  }
}

// Each step transcribed in host binary32/binary64 arithmetic as the kernel states it (steps
// stored to volatiles, so no FMA contraction): the definition gives the same bits on every
// uint8 q and Z for a set of scales (a check of the exact model against the C++ expression).
TEST(TfliteDequantize, DefinitionEqualsTheKernelsExpression) {
  for (float scale : {0x1.99999ap-4f, 0x1.d9fad4p-5f, 0x1.5p-9f, 0x1.fffffep-1f, 0x1.000002p+3f, 0x1.3p-20f}) {
    const double scale64 = scale;  // DequantizationParams::scale
    for (std::int32_t z = 0; z <= 255; z += 5) {
      volatile float zero_times_scale = static_cast<float>(-z * scale64);
      for (std::int32_t q = 0; q <= 255; ++q) {
        volatile float product = static_cast<float>(q) * static_cast<float>(scale64);
        volatile float sum = product + zero_times_scale;
        ASSERT_EQ(dequantize_tflite_neon_mul_add(Integer(q), scale, z), sum) << q << " " << z << " " << scale;
      }
    }
  }
}

// int16, S = 2^127: q * S and Z * S overflow binary32. q = Z = 32767 gives +inf + -inf = NaN where
// Q3.2 gives 0; q = 32767, Z = -32768 gives +inf + +inf = +inf.
TEST(TfliteDequantize, OppositeInfinitiesGiveNaN) {
  EXPECT_TRUE(std::isnan(dequantize_tflite_neon_mul_add(Integer(32767), 0x1p127f, 32767)));
  EXPECT_EQ(dequantize(Integer(32767), 0x1p127f, 32767), 0.0f);
  EXPECT_EQ(dequantize_tflite_neon_mul_add(Integer(32767), 0x1p127f, -32768), std::numeric_limits<float>::infinity());
  EXPECT_EQ(dequantize_tflite_neon_mul_add(Integer(-1), 0x1p127f, 32767), -std::numeric_limits<float>::infinity());
}

TEST(TfliteDequantize, RejectsWhatQ3Rejects) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (float bad : {0.0f, -0.0f, -1.0f, nan, inf}) {
    EXPECT_EQ(rejected_parameter([&] { dequantize_tflite_neon_mul_add(Integer(1), bad, 0); }), "scale") << bad;
  }
  EXPECT_EQ(rejected_parameter([&] { dequantize_tflite_neon_mul_add(Integer(1) << 31, 1.0f, 0); }), "q");
  EXPECT_EQ(rejected_parameter([&] { dequantize_tflite_neon_mul_add(Integer(1), 1.0f, -2147483649LL); }),
            "zero_point");
  const QuantizeParams p = QuantizeParams::for_dtype(DType::int8, 1.0f, 0);
  EXPECT_EQ(rejected_parameter([&] { dequantize_tflite_neon_mul_add(Integer(128), p); }), "q");
  EXPECT_EQ(rejected_parameter([&] {
              dequantize_tflite_neon_mul_add(Integer(0), QuantizeParams::for_dtype(DType::int8, 1.0f, 200));
            }),
            "zero_point");
}

}  // namespace
}  // namespace quantspec::ref
