// SPEC Q20: the deployed members of the variant dimensions that Q2, Q5 and Q7 did not define:
// quantize with the zero point before rounding (Q20.2), binary32 requantization scale orders
// and the binary32 pipeline with any rounding (Q20.3), saturate32 and int16_pairs
// accumulation (Q20.4). Expected values are derived in each test (or measured on oneDNN, cited).
#include <gtest/gtest.h>

#include <cfloat>
#include <cstdint>

#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/requantize.hpp"
#include "rejected_parameter.hpp"

#define EXPECT_REJECTS_PARAMETER(call, parameter) \
  EXPECT_EQ(::quantspec::ref::testing::rejected_parameter([&] { (void)(call); }), parameter)

namespace quantspec::ref {
namespace {

QuantizeParams uint8_params(float scale, std::int64_t zero_point, Division division) {
  return QuantizeParams::for_dtype(DType::uint8, scale, zero_point, false, Rounding::half_even,
                                   division);
}

// Q20.2: with S = 1 and Z = 1, x = 0.5 and 1.5 are ties of x/S. Round first: R(0.5) + 1 = 1,
// R(1.5) + 1 = 3. Add first: R(1.5) = 2, R(2.5) = 2. oneDNN 2.6.3's reorder f32 -> u8 with
// output scale 1 and dst zero point 1 gave 0.5 -> 2, 1.5 -> 2, 2.5 -> 4 (jit:uni, measured on
// this machine): the before_rounding member.
TEST(DeployedQuantize, ZeroPointBeforeRoundingMovesTiesLikeOneDnnReorder) {
  for (Division d : all_divisions()) {
    const QuantizeParams p = uint8_params(1.0f, 1, d);
    EXPECT_EQ(quantize_with_zero_point_entry(0.5f, p, ZeroPointEntry::after_rounding), 1);
    EXPECT_EQ(quantize_with_zero_point_entry(1.5f, p, ZeroPointEntry::after_rounding), 3);
    EXPECT_EQ(quantize_with_zero_point_entry(0.5f, p, ZeroPointEntry::before_rounding), 2);
    EXPECT_EQ(quantize_with_zero_point_entry(1.5f, p, ZeroPointEntry::before_rounding), 2);
    EXPECT_EQ(quantize_with_zero_point_entry(2.5f, p, ZeroPointEntry::before_rounding), 4);
  }
}

// Q20.2: the same reorder with output scale 10 = fl32(1/0.1f) and Z = 1 (measured, jit:uni):
// x = 0.5, 1.5, 2.5, -0.5, -1.5, 0.75, 1.55f, 0.35f -> 6, 16, 26, 0, 0, 8, 16, 4, which is
// before_rounding with f32_reciprocal at S = 0.1f (0.75*10 = 7.5 -> fl32(8.5) -> 8, where
// after_rounding gives R(7.5) + 1 = 9).
TEST(DeployedQuantize, OneDnnReorderWithOutputScaleTenIsReciprocalBeforeRounding) {
  const QuantizeParams p = uint8_params(0x1.99999ap-4f, 1, Division::f32_reciprocal);
  const float xs[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 0.75f, 0x1.8cccccp+0f, 0x1.666666p-2f};
  const int measured[] = {6, 16, 26, 0, 0, 8, 16, 4};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(quantize_with_zero_point_entry(xs[i], p, ZeroPointEntry::before_rounding), measured[i])
        << xs[i];
  }
  EXPECT_EQ(quantize_with_zero_point_entry(0.75f, p, ZeroPointEntry::after_rounding), 9);
}

// Q20.2: the binary32 pipeline rounds t + Z once more. x = 0.5 + 2^-24 (a binary32), S = 1,
// Z = 100: the exact sum 100.5 + 2^-24 rounds to 101; in binary32 the ulp at 100 is 2^-17, so
// fl32(100.5 + 2^-24) = 100.5, a tie, which half_even sends to 100.
TEST(DeployedQuantize, Binary32SumOfQuotientAndZeroPointIsRounded) {
  const float x = 0x1.000002p-1f;
  EXPECT_EQ(quantize_with_zero_point_entry(x, uint8_params(1.0f, 100, Division::exact),
                                           ZeroPointEntry::before_rounding),
            101);
  EXPECT_EQ(quantize_with_zero_point_entry(x, uint8_params(1.0f, 100, Division::f32_divide),
                                           ZeroPointEntry::before_rounding),
            100);
  // after_rounding: R(0.5 + 2^-24) = 1, + 100.
  EXPECT_EQ(quantize_with_zero_point_entry(x, uint8_params(1.0f, 100, Division::f32_divide),
                                           ZeroPointEntry::after_rounding),
            101);
}

// Q20.2 with Q2.5's counterexample: x = 1.55f, S = 0.1f, Z = 1. fl32(1/S) * x = 15.5 exactly
// (Q2.5), so f32_reciprocal before_rounding gives R(fl32(16.5)) = 16 and after_rounding
// R(15.5) + 1 = 17; the exact quotient 15.4999... gives 16 under both entries.
TEST(DeployedQuantize, Q25CounterexampleUnderBothEntries) {
  const float x = 0x1.8cccccp+0f, s = 0x1.99999ap-4f;
  EXPECT_EQ(quantize_with_zero_point_entry(x, uint8_params(s, 1, Division::f32_reciprocal),
                                           ZeroPointEntry::before_rounding),
            16);
  EXPECT_EQ(quantize_with_zero_point_entry(x, uint8_params(s, 1, Division::f32_reciprocal),
                                           ZeroPointEntry::after_rounding),
            17);
  for (ZeroPointEntry e : all_zero_point_entries()) {
    EXPECT_EQ(quantize_with_zero_point_entry(x, uint8_params(s, 1, Division::exact), e), 16);
  }
}

TEST(DeployedQuantize, SpecialInputsFollowQ24UnderBothEntries) {
  const QuantizeParams p = uint8_params(0.5f, 7, Division::f32_reciprocal);
  for (ZeroPointEntry e : all_zero_point_entries()) {
    EXPECT_EQ(quantize_with_zero_point_entry(NAN, p, e), 7);
    EXPECT_EQ(quantize_with_zero_point_entry(INFINITY, p, e), 255);
    EXPECT_EQ(quantize_with_zero_point_entry(-INFINITY, p, e), 0);
    EXPECT_EQ(quantize_with_zero_point_entry(FLT_MAX, p, e), 255);
  }
  EXPECT_REJECTS_PARAMETER(
      quantize_with_zero_point_entry(1.0f, uint8_params(0.0f, 0, Division::exact),
                                     ZeroPointEntry::before_rounding),
      "scale");
}

// Q20.3: Sx = 0.1f, Sw = 0.01f, Sy = 0.07f. The orders computed here with the host's IEEE
// binary32 operations (each one correctly rounded, Q2.7) and binary64 for tflite.
TEST(Binary32Requantize, ScaleOrdersMatchHostArithmeticAndDiffer) {
  const float sx = 0.1f, sw = 0.01f, sy = 0.07f;
  const volatile float product = sx * sw;
  const volatile float reciprocal = 1.0f / sy;
  const float divide = product / sy;
  const float times_reciprocal = product * reciprocal;
  EXPECT_EQ(divide, 0x1.d41d44p-7f);
  EXPECT_EQ(times_reciprocal, 0x1.d41d42p-7f);
  EXPECT_EQ(binary32_requantization_scale(sx, sw, sy, ScaleDerivation::f32_product_divide), divide);
  EXPECT_EQ(binary32_requantization_scale(sx, sw, sy, ScaleDerivation::f32_product_reciprocal),
            times_reciprocal);
  const double tflite = static_cast<double>(sx) * static_cast<double>(sw) / static_cast<double>(sy);
  EXPECT_EQ(derived_multiplier(sx, sw, sy, ScaleDerivation::tflite), exact(tflite));
  EXPECT_EQ(derived_multiplier(sx, sw, sy, ScaleDerivation::exact),
            exact(sx) * exact(sw) / exact(sy));
  EXPECT_REJECTS_PARAMETER(derived_multiplier(sx, sw, 0.0f, ScaleDerivation::exact), "sy");
  EXPECT_REJECTS_PARAMETER(
      derived_multiplier(0x1p-100f, 0x1p-100f, 1.0f, ScaleDerivation::f32_product_reciprocal), "sw");
}

// Q20.3: acc = 5, s = 0.5: t = 2.5 exactly. after_rounding with Zy = 1: half_even 2 + 1,
// half_away 3 + 1, half_up 3 + 1, toward_zero 2 + 1, floor 2 + 1; before_rounding: t + 1 =
// 3.5: half_even 4, half_away 4, half_up 4, toward_zero 3, floor 3. acc = -5: t = -2.5.
TEST(Binary32Requantize, EveryRoundingAndEntryOnATie) {
  const struct { Rounding r; int after_pos, before_pos, after_neg, before_neg; } rows[] = {
      {Rounding::half_even, 3, 4, -1, -2},  {Rounding::half_away, 4, 4, -2, -2},
      {Rounding::half_up, 4, 4, -1, -1},    {Rounding::toward_zero, 3, 3, -1, -1},
      {Rounding::floor, 3, 3, -2, -2}};
  for (const auto& row : rows) {
    EXPECT_EQ(requantize_binary32(5, 0.5f, 1, -128, 127, row.r, ZeroPointEntry::after_rounding),
              row.after_pos);
    EXPECT_EQ(requantize_binary32(5, 0.5f, 1, -128, 127, row.r, ZeroPointEntry::before_rounding),
              row.before_pos);
    EXPECT_EQ(requantize_binary32(-5, 0.5f, 1, -128, 127, row.r, ZeroPointEntry::after_rounding),
              row.after_neg);
    // -2.5 + 1 = -1.5: half_even -2, half_away -2, half_up -1, toward_zero -1, floor -2.
    EXPECT_EQ(requantize_binary32(-5, 0.5f, 1, -128, 127, row.r, ZeroPointEntry::before_rounding),
              row.before_neg);
  }
  EXPECT_REJECTS_PARAMETER(requantize_binary32(1, 0.0f, 0, -128, 127, Rounding::half_even,
                                               ZeroPointEntry::after_rounding),
                           "scale");
  EXPECT_REJECTS_PARAMETER(requantize_binary32(1, 1.0f, 200, -128, 127, Rounding::half_even,
                                               ZeroPointEntry::after_rounding),
                           "zero_point");
}

// Q20.3: with half_even the member is Q7.11's fp32 variant (both entries).
TEST(Binary32Requantize, HalfEvenIsTheFp32Variant) {
  const float scales[] = {0x1.d41d44p-7f, 0.1f, 1.0f / 255.0f, 3.0f};
  for (float s : scales) {
    for (std::int32_t acc : {-100000, -2047, -13, 0, 1, 99, 1234, 77777, INT32_MAX, INT32_MIN}) {
      for (ZeroPointEntry e : all_zero_point_entries()) {
        RequantizeParams p;
        p.variant = RequantVariant::fp32;
        p.scale = s;
        p.zero_point = 3;
        p.zero_point_entry = e;
        EXPECT_EQ(requantize_binary32(acc, s, 3, -128, 127, Rounding::half_even, e),
                  requantize(acc, p))
            << hex_float(s) << " acc " << acc;
      }
    }
  }
}

QuantizedOperand u8(std::vector<std::int64_t> v, std::int64_t z = 0) { return {DType::uint8, z, v}; }
QuantizedOperand s8(std::vector<std::int64_t> v, std::int64_t z = 0) { return {DType::int8, z, v}; }

// Q20.4: pairs (0,1), (2,3), ... of raw products saturate to int16: 255*127*2 = 64770 > 32767.
// Measured: oneDNN 2.6.3 matmul u8 x s8 -> s32 under DNNL_MAX_CPU_ISA=AVX2 (gemm:jit), x = 255
// (K = 8), gave 131068 = 4*32767 for w = 127 everywhere, 64770 for w = 127 at k = 1, 2 only
// (the two products sit in different pairs), 32767 for w = 127 at k = 0, 1 only; with VNNI
// (brg:avx512_core_vnni) the exact 259080, 64770, 64770.
TEST(DeployedAccumulate, Int16PairsSaturateLikeOneDnnWithoutVnni) {
  const QuantizedOperand x = u8(std::vector<std::int64_t>(8, 255));
  const auto at = [](std::initializer_list<int> ks) {
    std::vector<std::int64_t> w(8, 0);
    for (int k : ks) w[k] = 127;
    return s8(w);
  };
  const auto pairs = AccumulationMember::int16_pairs;
  EXPECT_EQ(accumulate_with_member(x, at({0, 1, 2, 3, 4, 5, 6, 7}), 0, pairs), 131068);
  EXPECT_EQ(accumulate_with_member(x, at({1, 2}), 0, pairs), 64770);
  EXPECT_EQ(accumulate_with_member(x, at({0, 1}), 0, pairs), 32767);
  EXPECT_EQ(accumulate_with_member(x, at({0, 1, 2, 3, 4, 5, 6, 7}), 0, AccumulationMember::wrap),
            259080);
  // An odd K pads the last pair with a zero product: 255*127 = 32385 fits.
  EXPECT_EQ(accumulate_with_member(u8({255, 255, 255}), s8({127, 127, 127}), 0, pairs),
            32767 + 32385);
}

// Q20.4: the zero-point terms are added exactly after the saturated raw pairs. x = [255, 255]
// with Zx = 128, w = [127, 127]: raw pair 64770 -> 32767, minus Zx*sum(w) = 128*254 = 32512
// gives 255, where the exact sum is 2*127*127 = 32258.
TEST(DeployedAccumulate, Int16PairsSaturateRawValuesBeforeTheZeroPointTerms) {
  EXPECT_EQ(accumulate_with_member(u8({255, 255}, 128), s8({127, 127}), 0,
                                   AccumulationMember::int16_pairs),
            255);
  EXPECT_EQ(accumulate_with_member(u8({255, 255}, 128), s8({127, 127}), 0, AccumulationMember::wrap),
            32258);
  // Bias and a weight zero point: 10 + sat16(3*4 + 5*6) - 2*(4+6) - 1*(3+5) + 2*2*1 = 28.
  EXPECT_EQ(accumulate_with_member(u8({3, 5}, 2), s8({4, 6}, 1), 10, AccumulationMember::int16_pairs),
            10 + 42 - 20 - 8 + 4);
  EXPECT_REJECTS_PARAMETER(accumulate_with_member(s8({1}), s8({1}), 0, AccumulationMember::int16_pairs),
                           "x");
  EXPECT_REJECTS_PARAMETER(accumulate_with_member(u8({1}), u8({1}), 0, AccumulationMember::int16_pairs),
                           "w");
}

// Q20.4: saturate32 clamps every partial sum (bias first): INT32_MAX - 10 + 10 + 10 stays at
// INT32_MAX where wrap gives INT32_MIN + 9; bias INT32_MAX with products +5, -5 gives
// INT32_MAX - 5 (order matters) where the exact (and wrapped) sum is INT32_MAX.
TEST(DeployedAccumulate, Saturate32ClampsEveryPartialSum) {
  const auto sat = AccumulationMember::saturate32;
  EXPECT_EQ(accumulate_with_member(s8({10, 10}), s8({1, 1}), INT32_MAX - 10, sat), INT32_MAX);
  EXPECT_EQ(accumulate_with_member(s8({10, 10}), s8({1, 1}), INT32_MAX - 10, AccumulationMember::wrap),
            INT32_MIN + 9);
  EXPECT_EQ(accumulate_with_member(s8({5, 5}), s8({1, -1}), INT32_MAX, sat), INT32_MAX - 5);
  EXPECT_EQ(accumulate_with_member(s8({5, 5}), s8({1, -1}), INT32_MAX, AccumulationMember::wrap),
            INT32_MAX);
  EXPECT_REJECTS_PARAMETER(accumulate_with_member(s8({1}), s8({1}), Integer(1) << 40, sat), "bias");
  EXPECT_EQ(parse_accumulation_member("int16_pairs"), AccumulationMember::int16_pairs);
  EXPECT_REJECTS_PARAMETER(parse_accumulation_member("pairs"), "accumulation");
}

}  // namespace
}  // namespace quantspec::ref
