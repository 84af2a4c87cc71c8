// SPEC Q20: the deployed members of the variant dimensions that Q2, Q5 and Q7 did not define:
// quantize with the zero point before rounding (Q20.2), binary32 requantization scale orders,
// the binary32 pipeline with any rounding and the binary64 pipeline `fp64` (Q20.3), saturate32
// and int16_pairs accumulation (Q20.4). Expected values are derived in each test (or measured on oneDNN, cited).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

#include "quantspec/reference/binary32_requantize.hpp"
#include "quantspec/reference/deployed_accumulate.hpp"
#include "quantspec/reference/deployed_quantize.hpp"
#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"
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

// Q20.2 PyTorch float qparams. Measured here: torch 1.13 (Debian python3-torch),
// torch.quantize_per_channel(x, scales=[0.1f], zero_points=[Zf] as float32, axis 0, quint8)
// (qscheme per_channel_affine_float_qparams), x = 0.75, 0.35, 1.55, -0.25, 0.05, 1e30, inf,
// -inf, nan, 12.75, -12.85, 0 (each rounded to binary32). fl32(1/0.1f) = 10: 0.75 -> 7.5 -> 8
// (half even); Zf = 2.5: 0 -> 2.5 -> 2; Zf = 100.3: 1e30 -> 0, not 255 (lrintf gives LONG_MIN,
// an int keeps its low 32 bits, 0).
TEST(DeployedQuantize, PytorchFloatQparamsMatchTorch) {
  const float xs[] = {0.75f, 0.35f, 1.55f, -0.25f, 0.05f, 1e30f, INFINITY, -INFINITY, NAN,
                      12.75f, -12.85f, 0.0f};
  const struct { float zf; int q[12]; } rows[] = {
      {0.0f, {8, 4, 16, 0, 0, 0, 0, 0, 0, 128, 0, 0}},
      {2.5f, {10, 6, 18, 0, 3, 0, 0, 0, 0, 130, 0, 2}},
      {-1.25f, {6, 2, 14, 0, 0, 0, 0, 0, 0, 126, 0, 0}},
      {100.3f, {108, 104, 116, 98, 101, 0, 0, 0, 0, 228, 0, 100}}};
  for (const auto& row : rows) {
    for (int i = 0; i < 12; ++i) {
      EXPECT_EQ(quantize_pytorch_float_qparams(xs[i], 0.1f, row.zf, 0, 255), row.q[i])
          << "Zf " << row.zf << " x " << hex_float(xs[i]);
    }
  }
  // S = 0 means inv_scale 1 (PyTorch's own guard).
  EXPECT_EQ(quantize_pytorch_float_qparams(3.4f, 0.0f, 0.5f, 0, 255), 4);
  EXPECT_REJECTS_PARAMETER(quantize_pytorch_float_qparams(1.0f, -0.1f, 0.0f, 0, 255), "scale");
  EXPECT_REJECTS_PARAMETER(quantize_pytorch_float_qparams(1.0f, 0.1f, NAN, 0, 255), "zero_point");
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

// Q20.3 f32_reciprocal_quotient: PyTorch's onednn engine passes oneDNN the reciprocal scales
// fl32(1/Sx), fl32(1/Sw), fl32(1/Sy) and ideep forms the output scale fl32(ry / fl32(rx * rw))
// and the bias in accumulator units fl32(b * fl32(rx * rw)). Host binary32 arithmetic here; the
// value 126 was measured with Debian python3-torch 1.13.1, engine onednn (quantized.linear,
// x = 251 with Zx = 131, w = 105, bias 0x1.99999ap-5f, Zy = 128 on quint8, minus 128;
// distinguish.json tcId 101), where the f32_product_divide scale gives 127.
TEST(Binary32Requantize, ReciprocalQuotientIsPytorchOnednnsScale) {
  const float sx = 0x1.99999ap-4f, sw = 0x1.47ae14p-7f, sy = 0x1.99999ap-4f;  // 0.1f, 0.01f, 0.1f
  const volatile float rx = 1.0f / sx, rw = 1.0f / sw, ry = 1.0f / sy;
  const volatile float product = rx * rw;
  const float quotient = ry / product;
  EXPECT_EQ(quotient, 0x1.47ae14p-7f);
  const float s = binary32_requantization_scale(sx, sw, sy, ScaleDerivation::f32_reciprocal_quotient);
  EXPECT_EQ(s, quotient);
  EXPECT_EQ(binary32_requantization_scale(sx, sw, sy, ScaleDerivation::f32_product_divide), 0x1.47ae16p-7f);
  const float bias = 0x1.99999ap-5f * product;  // fl32(b * fl32(rx * rw)) = 50
  EXPECT_EQ(bias, 50.0f);
  // acc = (123 - 3) * 105 = 12600: t = fl32(12650 * s) = 126.5 exactly, half even 126.
  EXPECT_EQ(requantize_binary32_float_bias(Integer(12600), bias, s, 0, -128, 127, Rounding::half_even,
                                           ZeroPointEntry::before_rounding),
            126);
  const float divide = binary32_requantization_scale(sx, sw, sy, ScaleDerivation::f32_product_divide);
  EXPECT_EQ(requantize_binary32_float_bias(Integer(12600), bias, divide, 0, -128, 127,
                                           Rounding::half_even, ZeroPointEntry::before_rounding),
            127);
  EXPECT_EQ(parse_scale_derivation("f32_reciprocal_quotient"), ScaleDerivation::f32_reciprocal_quotient);
  // fl32(1/Sx) beyond binary32 (a subnormal scale) names sx; a product of reciprocals that
  // overflows names sw.
  EXPECT_REJECTS_PARAMETER(
      derived_multiplier(0x1p-140f, 0.1f, 0.1f, ScaleDerivation::f32_reciprocal_quotient), "sx");
  EXPECT_REJECTS_PARAMETER(
      derived_multiplier(0x1p-70f, 0x1p-70f, 0.1f, ScaleDerivation::f32_reciprocal_quotient), "sw");
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

// Q20.3 bias in binary32. Measured on this machine (oneDNN 2.6.3, Debian libdnnl-dev; matmul
// u8 x s8 -> s8, 1 x K by K x 1, set_output_scales one value, src and dst zero points; the
// same results from brg:avx512_core_vnni and, under DNNL_MAX_CPU_ISA=AVX2, gemm:jit where no
// int16 pair saturates):
// - acc = 5, bias 0, scale 0.5, Zy = 1 gave 4 (Zy enters before the rounding: R(3.5) = 4, not
//   R(2.5) + 1 = 3); Zy = 0 gave 2 and acc = 7 gave 4 (ties to even);
// - acc = 2^24 + 3 (K = 533), bias -2^24, scale 1, Zy = 0 gave 4 with an f32 bias AND with an
//   s32 bias: fl32(acc) = 2^24 + 4, so the bias was added in binary32; the integer sum is 3.
// The other 4000 random cases of the probe (|bias| < 157, scales in [2^-8, 2^-5)) agreed with
// this order and disagreed with the bias added after the scale in 3910
// (reference/measure/onednn_bias_order.cc). gemm:jit on AVX2 gives -128 for the 2^24 + 3 case:
// its int16 pairs saturate (Q20.4).
TEST(Binary32Requantize, OneDnnAddsTheBiasToTheBinary32Accumulator) {
  const auto onednn = [](const Integer& acc, float bias, float scale, std::int32_t zy) {
    return requantize_binary32_float_bias(acc, bias, scale, zy, -128, 127, Rounding::half_even,
                                          ZeroPointEntry::before_rounding);
  };
  EXPECT_EQ(onednn(5, 0.0f, 0.5f, 1), 4);
  EXPECT_EQ(onednn(5, 0.0f, 0.5f, 0), 2);
  EXPECT_EQ(onednn(7, 0.0f, 0.5f, 0), 4);
  const Integer acc = (Integer(1) << 24) + 3;
  EXPECT_EQ(onednn(acc, -16777216.0f, 1.0f, 0), 4);
  // The fp32 pipeline of an integer accumulator that already holds the bias gives 3.
  EXPECT_EQ(requantize_binary32(acc - (Integer(1) << 24), 1.0f, 0, -128, 127, Rounding::half_even,
                                ZeroPointEntry::before_rounding),
            3);
  EXPECT_REJECTS_PARAMETER(onednn(1, std::numeric_limits<float>::infinity(), 1.0f, 0), "bias");
  EXPECT_REJECTS_PARAMETER(onednn(1, 0.0f, -1.0f, 0), "scale");
}

// Q20.3 fp64, LiteRT's reference FULLY_CONNECTED (google-ai-edge/LiteRT
// tflite/kernels/internal/reference/integer_ops/fully_connected.h, FullyConnected with float
// scales): effective_output_scale = double(Sx) * double(Sw) / double(Sy), then
// static_cast<int32_t>(round(double(acc) * effective_output_scale)) + output_offset, clamped.
// The expected values are that formula in the host's binary64 arithmetic, written out here.
std::int32_t litert_fully_connected_requantize(std::int32_t acc, float sx, float sw, float sy,
                                               std::int32_t zy, std::int32_t qmin,
                                               std::int32_t qmax) {
  const volatile double effective = static_cast<double>(sx) * static_cast<double>(sw) /
                                    static_cast<double>(sy);
  const volatile double product = static_cast<double>(acc) * effective;
  const auto y = static_cast<std::int64_t>(std::round(product));
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(y + zy, qmin, qmax));
}

TEST(Binary64Requantize, HalfAwayAfterRoundingIsLiteRtsFullyConnectedReference) {
  const float scales[][3] = {{0.1f, 0.02f, 0.5f}, {0.1f, 0.02f, 0.004f}, {0.05f, 0.01f, 0.07f},
                             {1.0f / 255, 0.0123f, 0.0625f}, {0x1.0ed2aep-5f, 0x1.12f9ecp-7f,
                                                              0x1.50da56p-2f}};
  for (const auto& s : scales) {
    const double e = binary64_requantization_scale(s[0], s[1], s[2], ScaleDerivation::tflite);
    EXPECT_EQ(e, static_cast<double>(s[0]) * static_cast<double>(s[1]) / static_cast<double>(s[2]));
    for (std::int32_t acc : {-29875, -1000000, -2047, -13, 0, 1, 99, 1234, 77777, 5000000,
                             INT32_MAX / 64, INT32_MIN / 64}) {
      for (const auto& [qmin, qmax, zy] : {std::array<std::int32_t, 3>{-128, 127, 3},
                                           std::array<std::int32_t, 3>{0, 255, 128}}) {
        EXPECT_EQ(requantize_binary64(acc, e, zy, qmin, qmax, Rounding::half_away,
                                      ZeroPointEntry::after_rounding),
                  litert_fully_connected_requantize(acc, s[0], s[1], s[2], zy, qmin, qmax))
            << hex_float(s[0]) << " " << hex_float(s[1]) << " " << hex_float(s[2]) << " acc "
            << acc;
      }
    }
  }
  EXPECT_REJECTS_PARAMETER(requantize_binary64(1, 0.0, 0, -128, 127, Rounding::half_away,
                                               ZeroPointEntry::after_rounding),
                           "scale");
  EXPECT_REJECTS_PARAMETER(requantize_binary64(1, 1.0, 0, 5, 4, Rounding::half_away,
                                               ZeroPointEntry::after_rounding),
                           "qmin");
}

// Q20.3: Sx = 0.1f, Sw = 0.02f, Sy = 0.5f, Zy = 3, acc = -29875: acc*M = -119.4999991...
// (derived with exact fractions), so the one binary64 rounding gives -119 + 3 = -116, while
// double_round with TFLite's (m, s) = (1099511620, -7) rounds twice: SRDHM lands on the tie
// -119.5 * 2^7 exactly and RoundingDivideByPOT takes it away to -120, -117.
TEST(Binary64Requantize, RoundsOnceWhereTfliteDoubleRoundRoundsTwice) {
  const float sx = 0.1f, sw = 0.02f, sy = 0.5f;
  const double e = binary64_requantization_scale(sx, sw, sy, ScaleDerivation::tflite);
  EXPECT_EQ(requantize_binary64(-29875, e, 3, -128, 127, Rounding::half_away,
                                ZeroPointEntry::after_rounding),
            -116);
  const RequantizeParams tflite = requantize_params_from_scales(
      RequantVariant::double_round, sx, sw, sy, 3, -128, 127, Derivation::tflite);
  EXPECT_EQ(tflite.multiplier, 1099511620);
  EXPECT_EQ(tflite.shift, -7);
  EXPECT_EQ(requantize(-29875, tflite), -117);
}

// Q20.3: where fp64 and the exact (ideal, half_away) pipeline part. Sx = 0.1f, Sw = 0.02f,
// Sy = 0.004f, acc = 2129284726, int32 output: acc*fl64(M) = 1064642304.49999995550...
// exactly (acc*M = 1064642304.49999989732...; both by exact fractions), so ideal half_away
// with either multiplier gives 1064642304; fl64(acc * fl64(M)) = 1064642304.5 (the binary64
// spacing there is 2^-23), and round() gives 1064642305.
TEST(Binary64Requantize, TheBinary64ProductCanRoundOntoATieTheExactValueMisses) {
  const float sx = 0.1f, sw = 0.02f, sy = 0.004f;
  const std::int32_t acc = 2129284726;
  const double e = binary64_requantization_scale(sx, sw, sy, ScaleDerivation::tflite);
  EXPECT_EQ(requantize_binary64(acc, e, 0, INT32_MIN, INT32_MAX, Rounding::half_away,
                                ZeroPointEntry::after_rounding),
            1064642305);
  EXPECT_EQ(litert_fully_connected_requantize(acc, sx, sw, sy, 0, INT32_MIN, INT32_MAX),
            1064642305);
  RequantizeParams ideal;
  ideal.variant = RequantVariant::ideal;
  ideal.real_multiplier = exact(e);
  ideal.rounding = Rounding::half_away;
  ideal.qmin = INT32_MIN;
  ideal.qmax = INT32_MAX;
  EXPECT_EQ(requantize(acc, ideal), 1064642304);
}

// A binary32 scale of the kind deployed models carry: a random significand at 2^-12 .. 2^-1.
float random_scale() {
  const auto significand = *rc::gen::inRange<std::uint32_t>(1u << 23, 1u << 24);
  return std::ldexp(static_cast<float>(significand), -23 - *rc::gen::inRange(1, 13));
}

// Q20.3 fp64: the exact definition equals LiteRT's formula run in the host's binary64
// arithmetic (IEEE 754 binary64 with round to nearest even, no contraction: -ffp-contract=off).
RC_GTEST_PROP(Binary64Requantize, DefinitionEqualsLiteRtsFormulaInHostArithmetic, ()) {
  const float sx = random_scale(), sw = random_scale(), sy = random_scale();
  const double e = binary64_requantization_scale(sx, sw, sy, ScaleDerivation::tflite);
  // Accumulators next to a tie k + 1/2 of an output inside the grid, where the roundings of
  // the pipeline decide (a random int32 would mostly clamp).
  const auto k = *rc::gen::inRange(-140, 140);
  const double target = (k + 0.5) / e + *rc::gen::inRange(-2, 3);
  RC_PRE(std::fabs(target) < 2.0e9);
  const auto acc = static_cast<std::int32_t>(std::llround(target));
  const auto zy = *rc::gen::inRange(-20, 21);
  RC_ASSERT(requantize_binary64(acc, e, zy, -128, 127, Rounding::half_away,
                                ZeroPointEntry::after_rounding) ==
            litert_fully_connected_requantize(acc, sx, sw, sy, zy, -128, 127));
}

// Q20.3 bias in binary32: the exact definition equals the binary32 operations in the host's
// arithmetic, in oneDNN's order (fl32(acc) + b, * s, + Zy, nearbyint, saturate).
RC_GTEST_PROP(Binary32Requantize, FloatBiasDefinitionEqualsHostArithmetic, ()) {
  // Half the cases at power-of-two scales with dyadic biases, where t = (acc + b)*s and t + Zy
  // are often exact ties (the rounding rule and the order of the additions decide); the other
  // half at random scales, with accumulators whose outputs lie inside the grid.
  const bool dyadic = *rc::gen::arbitrary<bool>();
  const int e = *rc::gen::inRange(1, 9);
  const float scale = dyadic ? std::ldexp(1.0f, -e) : random_scale();
  const auto bias = dyadic ? static_cast<float>(*rc::gen::inRange(-(1 << 20), 1 << 20))
                           : static_cast<float>(*rc::gen::inRange(-(1 << 20), 1 << 20)) /
                                 static_cast<float>(1 << *rc::gen::inRange(0, 12));
  const auto k = *rc::gen::inRange(-140, 140);
  // dyadic: (acc + bias) * 2^-e = k + 1/2 exactly (offset 0), or next to it.
  const double target = dyadic ? (2.0 * k + 1) * std::ldexp(1.0, e - 1) - bias
                               : k / static_cast<double>(scale) - bias;
  RC_PRE(std::fabs(target) < 2.0e9);
  const auto acc = static_cast<std::int32_t>(std::llround(target)) +
                   *rc::gen::element(0, 0, 0, -1, 1, -3, 3);
  const auto zy = *rc::gen::inRange(-128, 128);
  const volatile float a = static_cast<float>(acc);
  const volatile float biased = a + bias;
  const volatile float scaled = biased * scale;
  const volatile float with_zero_point = scaled + static_cast<float>(zy);
  const float clamped = std::fmin(127.0f, std::fmax(-128.0f, std::nearbyint(with_zero_point)));
  RC_ASSERT(requantize_binary32_float_bias(acc, bias, scale, zy, -128, 127, Rounding::half_even,
                                           ZeroPointEntry::before_rounding) ==
            static_cast<int>(clamped));
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


// Q20.3 f32_product_f64_divide: LiteRT's per-tensor FULLY_CONNECTED multiplier
// static_cast<double>(Sx * Sw) / Sy (kernel_util.cc GetQuantizedConvolutionMultipler), here in
// the host's binary32 product and binary64 division. Sx = Sy = 0.1f, Sw = 0.01f: the Q31 pairs
// of SPEC Q6.3, (1374389580, -6) against tflite's (1374389504, -6). Measured with ai-edge-litert
// 2.3.0 (TFLite's optimized int8 FULLY_CONNECTED, ruy's AVX-512 kernel, x = w = 0 so acc is the
// bias; tools/interop/tflite_fc_measured.json, first derivation case): Sx = 0.1f,
// Sw = 0x1.426fe8p-10f, Sy = 0x1.1eb852p-4f, acc = -69716, Zy = 0 gives -122; the pipeline
// neon_double_round (Q11.1) gives that with this derivation and -123 with tflite's.
TEST(DeployedDimensions, F32ProductF64DivideIsLiteRtsPerTensorMultiplier) {
  {
    const float sx = 0x1.99999ap-4f, sw = 0x1.47ae14p-7f, sy = 0x1.99999ap-4f;
    const volatile float product = sx * sw;
    const double host = static_cast<double>(product) / static_cast<double>(sy);
    const Rational m = derived_multiplier(sx, sw, sy, ScaleDerivation::f32_product_f64_divide);
    EXPECT_EQ(m, exact(host));
    EXPECT_NE(m, derived_multiplier(sx, sw, sy, ScaleDerivation::tflite));
    const FixedPointMultiplier q = derive_multiplier(m, Derivation::tflite);
    EXPECT_EQ(q.multiplier, 1374389580);
    EXPECT_EQ(q.shift, -6);
    EXPECT_EQ(derive_multiplier(multiplier_from_scales(sx, sw, sy), Derivation::tflite).multiplier, 1374389504);
  }
  const float sx = 0x1.99999ap-4f, sw = 0x1.426fe8p-10f, sy = 0x1.1eb852p-4f;
  auto neon = [&](ScaleDerivation d) {
    const Rational m = derived_multiplier(sx, sw, sy, d);
    const FixedPointMultiplier q =
        derive_multiplier(d == ScaleDerivation::tflite ? multiplier_from_scales(sx, sw, sy) : m, Derivation::tflite);
    DeployedRequantParams p;
    p.member = DeployedRequant::neon_double_round;
    p.multiplier = q.multiplier;
    p.shift = q.shift;
    return deployed_requantize(Integer(-69716), p);
  };
  EXPECT_EQ(neon(ScaleDerivation::f32_product_f64_divide), -122);
  EXPECT_EQ(neon(ScaleDerivation::tflite), -123);
  EXPECT_EQ(parse_scale_derivation("f32_product_f64_divide"), ScaleDerivation::f32_product_f64_divide);
  EXPECT_REJECTS_PARAMETER(
      derived_multiplier(0x1p-100f, 0x1p-100f, 1.0f, ScaleDerivation::f32_product_f64_divide), "sw");
}

}  // namespace
}  // namespace quantspec::ref
