// SPEC.md Q11.10: FBGEMM's requantization with a float bias (ReQuantizeOutput<..., float>):
// the bias enters in accumulator units, beta = fl32(b / Sxw) or fl32(b * fl32(1/Sxw)) depending
// on the path, is added to fl32(acc) in binary32, multiplied by C in binary32, rounded with
// lrintf (ties to even) and offset by Zy. A counterexample between the two orders (derived in
// the comment) and the definition against host transcriptions of both FBGEMM paths.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "rejected_parameter.hpp"
#include "requantize_generators.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

std::int64_t fbgemm(std::int64_t acc, float b, float sxw, float c, std::int32_t zy, bool relu,
                    FbgemmBiasOrder order) {
  return requantize_fbgemm_float_bias(Integer(acc), b, sxw, c, zy, relu, order)
      .convert_to<std::int64_t>();
}

// b = 1.55f = 0x1.8cccccp+0, Sxw = 0.1f = 0x1.99999ap-4 (Q2.5's pair), C = 1, acc = 0, Zy = 0:
// divide: fl32(b/Sxw) = 16252927/2^20 = 15.4999990..., lrintf 15;
// reciprocal: fl32(fl64(1/Sxw)) = 10 (1/Sxw = 9.99999985...), fl32(b*10) = 15.5 (b*10 =
// 15.49999952...), lrintf ties to even: 16.
TEST(FbgemmFloatBias, PerTensorReciprocalDiffersFromPerChannelDivision) {
  const float b = 0x1.8cccccp+0f, sxw = 0x1.99999ap-4f;
  EXPECT_EQ(fbgemm_bias_in_accumulator_units(b, sxw, FbgemmBiasOrder::divide), 0x1.effffep+3f);
  EXPECT_EQ(fbgemm_bias_in_accumulator_units(b, sxw, FbgemmBiasOrder::reciprocal), 15.5f);
  EXPECT_EQ(fbgemm(0, b, sxw, 1.0f, 0, false, FbgemmBiasOrder::divide), 15);
  EXPECT_EQ(fbgemm(0, b, sxw, 1.0f, 0, false, FbgemmBiasOrder::reciprocal), 16);
  // With Zy = 100: 115 and 116 (Zy enters after rounding).
  EXPECT_EQ(fbgemm(0, b, sxw, 1.0f, 100, false, FbgemmBiasOrder::divide), 115);
  EXPECT_EQ(fbgemm(0, b, sxw, 1.0f, 100, false, FbgemmBiasOrder::reciprocal), 116);
}

// acc = 2^24 + 1, b = 0.5, Sxw = 1, C = 1: fl32(acc) = 2^24 (tie to even), fl32(2^24 + 0.5) =
// 2^24, so y = 2^24 and the uint8 output clamps; with C = 2^-24: fl32(2^24 * 2^-24) = 1, q = 1.
// The exact acc + b = 2^24 + 1.5 times 2^-24 is 1.00000009 -> 1 as well; with C = 2^-23 the
// exact 2.0000002 and the binary32 2 agree. The conversion shows at acc = 2^24 + 3, b = 0.5,
// C = 0.5: fl32(acc) = 2^24 + 4, + 0.5 -> 2^24 + 4, * 0.5 = 2^23 + 2 (exact: 2^23 + 1.75 -> 2).
TEST(FbgemmFloatBias, TheAccumulatorIsRoundedToBinary32BeforeTheBiasIsAdded) {
  const std::int64_t acc = (std::int64_t{1} << 24) + 1;
  EXPECT_EQ(fbgemm(acc, 0.5f, 1.0f, 0x1p-24f, 0, false, FbgemmBiasOrder::divide), 1);
  const Integer big = (Integer(1) << 24) + 3;
  EXPECT_EQ(requantize_binary32_float_bias(big, 0.5f, 0.5f, 0, -(1 << 30), 1 << 30,
                                           Rounding::half_even, ZeroPointEntry::after_rounding),
            (1 << 23) + 2);
}

TEST(FbgemmFloatBias, FusedReluClampsAtTheZeroPoint) {
  // acc = -40, b = 0, C = 0.5: -20; Zy = 30: 10 without ReLU, 30 (= Zy) with it.
  EXPECT_EQ(fbgemm(-40, 0.0f, 1.0f, 0.5f, 30, false, FbgemmBiasOrder::divide), 10);
  EXPECT_EQ(fbgemm(-40, 0.0f, 1.0f, 0.5f, 30, true, FbgemmBiasOrder::divide), 30);
  EXPECT_EQ(fbgemm(1000, 0.0f, 1.0f, 0.5f, 30, false, FbgemmBiasOrder::divide), 255);
  EXPECT_EQ(rejected_parameter([] { fbgemm(0, 1.0f, 0.0f, 1.0f, 0, false, FbgemmBiasOrder::divide); }),
            "act_times_w_scale");
  EXPECT_EQ(rejected_parameter([] { fbgemm(0, NAN, 1.0f, 1.0f, 0, false, FbgemmBiasOrder::reciprocal); }),
            "bias");
  EXPECT_EQ(rejected_parameter([] { fbgemm(0, 1.0f, 1.0f, 1.0f, 256, false, FbgemmBiasOrder::divide); }),
            "zero_point");
}

// The definition against the two FBGEMM paths written out in host binary32 (x86-64 SSE
// arithmetic, no FMA contraction through the volatile temporaries): the generic loop of
// OutputProcessing-inl.h (raw_f = raw; raw_f += bias / act_times_w_scale; ab = raw_f * C;
// lrintf(ab) + Zy, clamp) and the AVX2 per-tensor body (bias * float(1.0 / act_times_w_scale),
// cvtepi32_ps, add, mul, cvtps2dq, saturating packs, clamp).
RC_GTEST_PROP(FbgemmFloatBias, DefinitionEqualsBothPathsInHostArithmetic, ()) {
  const std::int32_t acc = *testgen::accumulator();
  const float b = *rc::gen::map(rc::gen::inRange(-(1 << 20), 1 << 20),
                                [](int k) { return static_cast<float>(k) / 64.0f; });
  const float sxw = *rc::gen::map(rc::gen::inRange(-20, -4), [](int e) { return std::ldexp(1.0f, e); }) *
                    *rc::gen::map(rc::gen::inRange(0, 1 << 23),
                                  [](int m) { return 1.0f + static_cast<float>(m) * 0x1p-23f; });
  const float c = *rc::gen::map(rc::gen::inRange(-24, -2), [](int e) { return std::ldexp(1.0f, e); }) *
                  *rc::gen::map(rc::gen::inRange(0, 1 << 23),
                                [](int m) { return 1.0f + static_cast<float>(m) * 0x1p-23f; });
  const std::int32_t zy = *rc::gen::inRange(0, 256);
  const bool relu = *rc::gen::arbitrary<bool>();
  for (const bool per_tensor : {false, true}) {
    volatile float raw_f = static_cast<float>(acc);
    volatile float beta = 0;
    if (per_tensor) {
      volatile float rcp = static_cast<float>(1.0 / sxw);
      beta = b * rcp;
    } else {
      beta = b / sxw;
    }
    const auto order = per_tensor ? FbgemmBiasOrder::reciprocal : FbgemmBiasOrder::divide;
    RC_ASSERT(fbgemm_bias_in_accumulator_units(b, sxw, order) == beta);
    volatile float sum = raw_f + beta;
    volatile float ab = sum * c;
    const long rounded = std::lrintf(ab);
    const long expected = std::max<long>(relu ? zy : 0, std::min<long>(255, rounded + zy));
    RC_ASSERT(fbgemm(acc, b, sxw, c, zy, relu,
                     per_tensor ? FbgemmBiasOrder::reciprocal : FbgemmBiasOrder::divide) == expected);
  }
}

}  // namespace
}  // namespace quantspec::ref
