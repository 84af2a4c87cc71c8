// Tests of SPEC.md §Q2 (quantize, the definition): published ONNX values, hand-derived
// rounding tables, the edge-case catalogue, counterexamples between division variants, every
// rejected parameter, and RapidCheck properties.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstring>
#include <tuple>
#include <limits>
#include <string>
#include <vector>

#include "rejected_parameter.hpp"
#include "quantspec/reference/dequantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {
namespace {

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

using testing::rejected_parameter;

QuantizeParams grid(DType type, float scale, std::int64_t z, Rounding rule = Rounding::half_even,
                    Division division = Division::exact) {
  return QuantizeParams::for_dtype(type, scale, z, false, rule, division);
}

// Runs the definition and the fast path; both must give `expected`.
void expect_quantize(float x, const QuantizeParams& p, std::int64_t expected) {
  EXPECT_EQ(quantize(x, p), expected)
      << "x=" << hex_float(x) << " S=" << hex_float(p.scale) << " Z=" << p.zero_point << " "
      << name(p.rounding) << " " << name(p.division);
  EXPECT_EQ(quantize_fast(x, p), expected)
      << "fast: x=" << hex_float(x) << " S=" << hex_float(p.scale) << " Z=" << p.zero_point << " "
      << name(p.rounding) << " " << name(p.division);
}

// --- Published values: ONNX QuantizeLinear ---------------------------------------------------
// ONNX 1.12 node test data (Debian libonnx-testdata, data/node/test_quantizelinear*), from
// onnx/backend/test/case/node/quantizelinear.py. ONNX rounds x / y_scale half to even. The
// scales are powers of two, so every division variant gives the same quotient.

TEST(Q2QuantizePublished, OnnxQuantizeLinearUint8) {
  const float x[] = {0.0f, 2.0f, 3.0f, 1000.0f, -254.0f, -1000.0f};
  const std::int64_t y[] = {128, 129, 130, 255, 1, 0};
  for (Division division : all_divisions()) {
    for (int i = 0; i < 6; ++i) {
      expect_quantize(x[i], grid(DType::uint8, 2.0f, 128, Rounding::half_even, division), y[i]);
    }
  }
}

// onnx quantizelinear.py export_int16 (opset 21 test data; not in the 1.12 Debian package,
// values from the generator source): 3/2 = 1.5 -> 2 (even), -66047/2 = -33023.5 -> -33024.
TEST(Q2QuantizePublished, OnnxQuantizeLinearInt16) {
  const float x[] = {0.0f,     -514.0f,   3.0f,     -3.0f,    2.9f,     -2.9f,
                     3.1f,     -3.1f,     65022.0f, -66046.0f, 65023.0f, -66047.0f,
                     65024.0f, -66048.0f, 70000.0f, -70000.0f};
  const std::int64_t y[] = {256,   -1,     258,   254,    257,   255,    258,   254,
                            32767, -32767, 32767, -32768, 32767, -32768, 32767, -32768};
  for (Division division : all_divisions()) {
    for (int i = 0; i < 16; ++i) {
      expect_quantize(x[i], grid(DType::int16, 2.0f, 256, Rounding::half_even, division), y[i]);
    }
  }
}

// onnx quantizelinear.py export_uint16 (values from the generator source).
TEST(Q2QuantizePublished, OnnxQuantizeLinearUint16) {
  const float x[] = {0.0f, -128.0f, 3.0f,     -3.0f,     2.9f,     -2.9f,
                     3.1f, -3.1f,   65536.0f, -65534.0f, 70000.0f, -70000.0f};
  const std::int64_t y[] = {32767, 32703, 32769, 32765, 32768, 32766,
                            32769, 32765, 65535, 0,     65535, 0};
  for (int i = 0; i < 12; ++i) expect_quantize(x[i], grid(DType::uint16, 2.0f, 32767), y[i]);
}

// test_quantizelinear_axis: x of shape [1, 3, 3, 2], per-channel along axis 1 with
// y_scale = [2, 4, 5], y_zero_point = [84, 24, 196] (uint8).
TEST(Q2QuantizePublished, OnnxQuantizeLinearAxis) {
  const std::vector<float> x = {-162, 10, -100, 232, -20, -50, -76, 0,    0,
                                252,  32, -44,  245, -485, -960, -270, -375, -470};
  const std::vector<std::int64_t> y = {3,  89, 34, 200, 74,  59,  5,   24,  24,
                                       87, 32, 13, 245, 99, 4, 142, 121, 102};
  const std::vector<QuantizeParams> channels = {grid(DType::uint8, 2.0f, 84),
                                                grid(DType::uint8, 4.0f, 24),
                                                grid(DType::uint8, 5.0f, 196)};
  const std::vector<Integer> q = quantize_per_channel(x, {1, 3, 3, 2}, 1, channels);
  ASSERT_EQ(q.size(), y.size());
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_EQ(q[i], y[i]) << "index " << i;
  EXPECT_EQ(quantize_per_channel(x, {1, 3, 3, 2}, -3, channels), q);
}

// --- Hand derivations -----------------------------------------------------------------------

// Example Q2.E1 (SPEC.md): S = 0.5, Z = 1 (int8). x = 1.25 -> t = 2.5 exactly:
//   half_even: R = 2 -> q = 3      half_away: 3 -> 4     half_up: 3 -> 4
//   toward_zero: 2 -> 3            floor: 2 -> 3
// x = -1.25 -> t = -2.5:
//   half_even: -2 -> -1   half_away: -3 -> -2   half_up: -2 -> -1
//   toward_zero: -2 -> -1 floor: -3 -> -2
// Round first, then add Z: with Z = 1, R(2.5) + 1 = 3 under half_even, whereas rounding
// 2.5 + 1 = 3.5 would give 4.
TEST(Q2QuantizeExamples, ExampleQ2E1RoundingTable) {
  const Rounding rules[] = {Rounding::half_even, Rounding::half_away, Rounding::half_up,
                            Rounding::toward_zero, Rounding::floor};
  const std::int64_t positive[] = {3, 4, 4, 3, 3};
  const std::int64_t negative[] = {-1, -2, -1, -1, -2};
  for (int r = 0; r < 5; ++r) {
    for (Division division : all_divisions()) {
      expect_quantize(1.25f, grid(DType::int8, 0.5f, 1, rules[r], division), positive[r]);
      expect_quantize(-1.25f, grid(DType::int8, 0.5f, 1, rules[r], division), negative[r]);
    }
  }
}

// Exact ties k + 1/2 for even and odd k, both signs, with S = 1, Z = 0 (t = x):
//   t      half_even half_away half_up toward_zero floor
//   0.5        0        1        1        0         0
//   1.5        2        2        2        1         1
//   2.5        2        3        3        2         2
//  -0.5        0       -1        0        0        -1
//  -1.5       -2       -2       -1       -1        -2
//  -2.5       -2       -3       -2       -2        -3
// and one ulp either side of each tie rounds to the nearer integer under the three nearest
// rules (e.g. nextbelow(2.5) -> 2, nextabove(2.5) -> 3), while toward_zero/floor are unchanged
// except at the sign.
TEST(Q2QuantizeExamples, TiesAndOneUlpEitherSide) {
  const float ties[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f};
  const std::int64_t table[6][5] = {{0, 1, 1, 0, 0},     {2, 2, 2, 1, 1},
                                    {2, 3, 3, 2, 2},     {0, -1, 0, 0, -1},
                                    {-2, -2, -1, -1, -2}, {-2, -3, -2, -2, -3}};
  const Rounding rules[] = {Rounding::half_even, Rounding::half_away, Rounding::half_up,
                            Rounding::toward_zero, Rounding::floor};
  for (int i = 0; i < 6; ++i) {
    const float tie = ties[i];
    const float below = std::nextafter(tie, -kInf);
    const float above = std::nextafter(tie, kInf);
    const std::int64_t lower = static_cast<std::int64_t>(std::floor(tie));
    for (int r = 0; r < 5; ++r) {
      for (Division division : all_divisions()) {
        const QuantizeParams p = grid(DType::int8, 1.0f, 0, rules[r], division);
        expect_quantize(tie, p, table[i][r]);
        const bool nearest = r < 3;
        // below the tie: nearest rules give floor; floor gives floor; toward_zero gives
        // floor for t > 0 and floor + 1 for t < 0.
        const std::int64_t below_expected =
            (rules[r] == Rounding::toward_zero && tie < 0) ? lower + 1 : lower;
        expect_quantize(below, p, below_expected);
        const std::int64_t above_expected =
            nearest ? lower + 1 : ((rules[r] == Rounding::toward_zero && tie < 0) ? lower + 1 : lower);
        expect_quantize(above, p, above_expected);
      }
    }
  }
}

// Q2.4 special inputs, for every division and rounding: NaN -> Z; +inf -> qmax; -inf -> qmin;
// -0.0 -> Z (like +0.0).
TEST(Q2QuantizeExamples, SpecialInputs) {
  for (Division division : all_divisions()) {
    for (Rounding rule : all_roundings()) {
      const QuantizeParams p = grid(DType::uint8, 0.1f, 7, rule, division);
      expect_quantize(kNan, p, 7);
      expect_quantize(-kNan, p, 7);
      expect_quantize(kInf, p, 255);
      expect_quantize(-kInf, p, 0);
      expect_quantize(-0.0f, p, 7);
      expect_quantize(0.0f, p, 7);
    }
  }
  const QuantizeTrace nan_trace = quantize_traced(kNan, grid(DType::int8, 1.0f, -3));
  EXPECT_EQ(nan_trace.input_class, InputClass::nan);
  EXPECT_TRUE(nan_trace.special);
  EXPECT_EQ(nan_trace.q, -3);
  const QuantizeTrace minus_zero = quantize_traced(-0.0f, grid(DType::int8, 1.0f, -3));
  EXPECT_EQ(minus_zero.input_class, InputClass::zero);
  EXPECT_TRUE(minus_zero.input_negative);
  EXPECT_EQ(minus_zero.q, -3);
}

// Subnormal inputs and scales (Q2.4):
// - x = 2^-149, S = 2^-149: t = 1 for every division (fl32(1/S) = 2^149 overflows, so
//   f32_reciprocal gives x * inf = +inf -> qmax).
// - S = 2^-130 (subnormal): fl32(1/S) = 2^130 > FLT_MAX -> +inf. x = 0 -> 0 * inf = NaN ->
//   Z (Q2.4); x = -2^-149 -> -inf -> qmin; x = 2^-149: exact t = 2^-19 -> R = 0 -> Z.
// - S = 2^-127 (subnormal, reciprocal 2^127 finite): x = 3 * 2^-128 -> t = 1.5.
TEST(Q2QuantizeExamples, SubnormalInputsAndScales) {
  const float tiny = 0x1p-149f;
  expect_quantize(tiny, grid(DType::int8, tiny, 0), 1);
  expect_quantize(tiny, grid(DType::int8, tiny, 0, Rounding::half_even, Division::f32_divide), 1);
  expect_quantize(tiny, grid(DType::int8, tiny, 0, Rounding::half_even, Division::f32_reciprocal),
                  127);
  const float s130 = 0x1p-130f;
  for (Rounding rule : all_roundings()) {
    const QuantizeParams reciprocal = grid(DType::int8, s130, 5, rule, Division::f32_reciprocal);
    expect_quantize(0.0f, reciprocal, 5);
    expect_quantize(-0.0f, reciprocal, 5);
    expect_quantize(-tiny, reciprocal, -128);
    expect_quantize(tiny, reciprocal, 127);
  }
  expect_quantize(tiny, grid(DType::int8, s130, 5), 5);
  expect_quantize(tiny, grid(DType::int8, s130, 5, Rounding::half_even, Division::f32_divide), 5);
  const QuantizeTrace zero_times_inf =
      quantize_traced(0.0f, grid(DType::int8, s130, 5, Rounding::half_even, Division::f32_reciprocal));
  EXPECT_EQ(zero_times_inf.reciprocal, kInf);
  EXPECT_EQ(zero_times_inf.quotient_kind, QuotientKind::nan);
  EXPECT_TRUE(zero_times_inf.special);
  for (Division division : all_divisions()) {
    expect_quantize(3 * 0x1p-128f, grid(DType::int8, 0x1p-127f, 0, Rounding::half_even, division), 2);
    expect_quantize(3 * 0x1p-128f, grid(DType::int8, 0x1p-127f, 0, Rounding::half_away, division), 2);
    expect_quantize(0x1p-128f, grid(DType::int8, 0x1p-127f, 0, Rounding::half_away, division), 1);
  }
}

// x / S beyond the int32 range saturates exactly (never INT_MIN from a float->int
// conversion): int32 grid, S = 1, x = +-3e9 -> qmax / qmin; x = 2^31 - 128 (the float just
// below 2^31) -> 2147483520; f32_divide overflow: x = 2^127, S = 2^-30 -> fl32 = +inf -> qmax.
TEST(Q2QuantizeExamples, QuotientBeyondInt32Saturates) {
  for (Division division : all_divisions()) {
    for (Rounding rule : all_roundings()) {
      const QuantizeParams p = grid(DType::int32, 1.0f, 0, rule, division);
      expect_quantize(3e9f, p, 2147483647);
      expect_quantize(-3e9f, p, -2147483648LL);
      expect_quantize(2147483520.0f, p, 2147483520);
      expect_quantize(-2147483648.0f, p, -2147483648LL);
      expect_quantize(0x1p127f, grid(DType::int8, 0x1p-30f, 0, rule, division), 127);
      expect_quantize(-0x1p127f, grid(DType::int8, 0x1p-30f, 0, rule, division), -128);
      // int32 grid with Z = qmin: R(t) + Z must not wrap.
      expect_quantize(3e9f, grid(DType::int32, 1.0f, -2147483648LL, rule, division), 852516352);
    }
  }
  const QuantizeTrace big = quantize_traced(1e30f, grid(DType::int8, 1.0f, 0));
  EXPECT_TRUE(big.clamped);
  EXPECT_EQ(big.rounded, Integer(exact(1e30f)));
  EXPECT_EQ(big.q, 127);
}

// Ties created only by binary32 intermediates (found by search, SPEC.md Q2.5):
// S = 0.1f = 0x1.99999ap-4 (slightly above 0.1).
// (a) x = 0.75: exact t = 100663296/13421773 = 7.49999994..; fl32(x/S) = 7.5 and
//     fl32(x * fl32(1/S)) = 7.5. half_even: exact 7, both binary32 variants 8.
// (b) x = 0x1.666666p-2 (0.35f): exact t = 3.4999999...; both binary32 variants give 3.5:
//     half_even exact 3 vs 4; half_away exact 3 vs 4.
// (c) x = 0x1.8cccccp+0 (1.55f): exact t = 15.49999...; fl32(x/S) = 16252927/2^20
//     = 15.4999990..; fl32(x*fl32(1/S)) = 15.5: only the reciprocal creates the tie:
//     half_even 15, 15, 16.
// (d) no tie, directed rounding: x = 0x1.de7874p+6, S = 0x1.0efdfep+0: exact t = 112.99999..,
//     fl32(x/S) = 113 exactly, reciprocal 112.99999..: floor gives 112, 113, 112.
TEST(Q2QuantizeExamples, TiesCreatedByBinary32Intermediates) {
  const float s = 0.1f;
  const auto q = [](float x, float scale, Rounding rule, Division division) {
    return quantize(x, grid(DType::int8, scale, 0, rule, division));
  };
  EXPECT_EQ(q(0.75f, s, Rounding::half_even, Division::exact), 7);
  EXPECT_EQ(q(0.75f, s, Rounding::half_even, Division::f32_divide), 8);
  EXPECT_EQ(q(0.75f, s, Rounding::half_even, Division::f32_reciprocal), 8);
  EXPECT_EQ(q(0x1.666666p-2f, s, Rounding::half_even, Division::exact), 3);
  EXPECT_EQ(q(0x1.666666p-2f, s, Rounding::half_even, Division::f32_divide), 4);
  EXPECT_EQ(q(0x1.666666p-2f, s, Rounding::half_away, Division::exact), 3);
  EXPECT_EQ(q(0x1.666666p-2f, s, Rounding::half_away, Division::f32_reciprocal), 4);
  EXPECT_EQ(q(0x1.8cccccp+0f, s, Rounding::half_even, Division::exact), 15);
  EXPECT_EQ(q(0x1.8cccccp+0f, s, Rounding::half_even, Division::f32_divide), 15);
  EXPECT_EQ(q(0x1.8cccccp+0f, s, Rounding::half_even, Division::f32_reciprocal), 16);
  const float x = 0x1.de7874p+6f;
  const float s2 = 0x1.0efdfep+0f;
  EXPECT_EQ(q(x, s2, Rounding::floor, Division::exact), 112);
  EXPECT_EQ(q(x, s2, Rounding::floor, Division::f32_divide), 113);
  EXPECT_EQ(q(x, s2, Rounding::floor, Division::f32_reciprocal), 112);
  // The quotients themselves, as the spec prints them.
  Rational t;
  ASSERT_EQ(quotient(0.75f, s, Division::exact, &t), QuotientKind::finite);
  EXPECT_EQ(t, Rational(100663296, 13421773));
  quotient(0.75f, s, Division::f32_divide, &t);
  EXPECT_EQ(t, Rational(15, 2));
  quotient(0x1.8cccccp+0f, s, Division::f32_divide, &t);
  EXPECT_EQ(t, Rational(16252927, 1048576));
  quotient(0x1.8cccccp+0f, s, Division::f32_reciprocal, &t);
  EXPECT_EQ(t, Rational(31, 2));
}

TEST(Q2QuantizeExamples, TraceOfAClampedValue) {
  // S = 0.5, Z = 100, int8: x = 20 -> t = 40 -> R = 40 -> 140 -> clamped to 127.
  const QuantizeTrace trace = quantize_traced(20.0f, grid(DType::int8, 0.5f, 100));
  EXPECT_EQ(trace.input_class, InputClass::normal);
  EXPECT_EQ(trace.quotient_kind, QuotientKind::finite);
  EXPECT_EQ(trace.quotient, 40);
  EXPECT_EQ(trace.rounded, 40);
  EXPECT_EQ(trace.unclamped, 140);
  EXPECT_TRUE(trace.clamped);
  EXPECT_FALSE(trace.special);
  EXPECT_EQ(trace.q, 127);
  EXPECT_EQ(name(trace.input_class), "normal");
  EXPECT_EQ(name(QuotientKind::positive_infinity), "+inf");
}

// qmin = qmax: every input maps to that one value.
TEST(Q2QuantizeExamples, SinglePointGrid) {
  const QuantizeParams p{0.25f, 3, 3, 3, Rounding::half_even, Division::exact};
  for (float x : {-1e30f, -1.0f, 0.0f, 0.125f, 1e30f, kNan, kInf}) expect_quantize(x, p, 3);
}

TEST(Q2QuantizeExamples, PerChannelInnermost) {
  // channels (S, Z) = (1, 0), (0.5, 10): element i uses channel i % 2.
  const std::vector<QuantizeParams> channels = {grid(DType::int8, 1.0f, 0),
                                                grid(DType::int8, 0.5f, 10)};
  const std::vector<float> x = {1.0f, 1.0f, -2.5f, -2.5f, 300.0f, 300.0f};
  const std::vector<Integer> q = quantize_per_channel(x, channels);
  const std::vector<Integer> expected = {1, 12, -2, 5, 127, 127};
  EXPECT_EQ(q, expected);
  const std::vector<std::int64_t> fast = quantize_per_channel_fast(x, channels);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(fast[i], expected[i]);
}

// --- Rejected parameters --------------------------------------------------------------------

TEST(Q2QuantizeErrors, EveryRejectedParameterIsNamed) {
  const auto with = [](float scale, std::int64_t z, std::int64_t qmin, std::int64_t qmax) {
    return QuantizeParams{scale, z, qmin, qmax, Rounding::half_even, Division::exact};
  };
  const auto rejected = [](const QuantizeParams& p) {
    return rejected_parameter([&] { quantize(1.0f, p); });
  };
  EXPECT_EQ(rejected(with(0.0f, 0, -128, 127)), "scale");
  EXPECT_EQ(rejected(with(-0.0f, 0, -128, 127)), "scale");
  EXPECT_EQ(rejected(with(-1.0f, 0, -128, 127)), "scale");
  EXPECT_EQ(rejected(with(kNan, 0, -128, 127)), "scale");
  EXPECT_EQ(rejected(with(kInf, 0, -128, 127)), "scale");
  EXPECT_EQ(rejected(with(1.0f, 0, 5, 4)), "qmin");
  EXPECT_EQ(rejected(with(1.0f, 0, -2147483649LL, 0)), "qmin");
  EXPECT_EQ(rejected(with(1.0f, 0, 0, 2147483648LL)), "qmax");
  EXPECT_EQ(rejected(with(1.0f, 128, -128, 127)), "zero_point");
  EXPECT_EQ(rejected(with(1.0f, -129, -128, 127)), "zero_point");
  EXPECT_EQ(rejected(with(0x1p-149f, 0, -128, 127)), "<not rejected>");
  EXPECT_EQ(rejected_parameter([&] { with(0.0f, 0, -128, 127).validate(); }), "scale");
  const std::vector<QuantizeParams> two = {grid(DType::int8, 1.0f, 0), grid(DType::int8, 1.0f, 0)};
  EXPECT_EQ(rejected_parameter([&] { quantize_per_channel({1, 2, 3}, two); }), "shape");
  EXPECT_EQ(rejected_parameter([&] { quantize_per_channel({1, 2}, {}); }), "shape");
  EXPECT_EQ(rejected_parameter([&] { quantize_per_channel_fast({1, 2, 3}, two); }), "shape");
  EXPECT_EQ(rejected_parameter([&] { quantize_per_channel({1, 2, 3, 4}, {2, 2}, 2, two); }), "axis");
  EXPECT_EQ(rejected_parameter([&] { quantize_per_channel({1, 2, 3, 4}, {4, 1}, 0, two); }), "params");
  EXPECT_EQ(rejected_parameter([&] {
              quantize_per_channel({1, 2}, {grid(DType::int8, 1.0f, 0), with(1.0f, 500, -128, 127)});
            }),
            "zero_point");
}

// --- Properties -----------------------------------------------------------------------------

// Any binary32 bit pattern (NaN, inf, subnormal, both zeros included).
rc::Gen<float> any_float() {
  return rc::gen::map(rc::gen::arbitrary<std::uint32_t>(), [](std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  });
}

// A float of moderate magnitude: m * 2^e, |m| < 2^24.
rc::Gen<float> moderate_float(int min_exponent, int max_exponent) {
  return rc::gen::map(
      rc::gen::pair(rc::gen::inRange(-(1 << 24) + 1, 1 << 24), rc::gen::inRange(min_exponent, max_exponent)),
      [](std::pair<int, int> m) { return std::ldexp(float(m.first), m.second); });
}

rc::Gen<float> positive_scale() {
  return rc::gen::map(rc::gen::pair(rc::gen::inRange(1, 1 << 24), rc::gen::inRange(-160, 110)),
                      [](std::pair<int, int> m) {
                        const float s = std::ldexp(float(m.first), m.second);
                        return s > 0.0f && std::isfinite(s) ? s : 1.0f;
                      });
}

const std::vector<DType> kGridTypes = {DType::int8, DType::uint8, DType::int16, DType::uint16,
                                      DType::int4, DType::uint4, DType::int32};

rc::Gen<QuantizeParams> any_params(rc::Gen<float> scales) {
  return rc::gen::mapcat(
      rc::gen::tuple(rc::gen::elementOf(kGridTypes), scales, rc::gen::arbitrary<bool>(),
                     rc::gen::elementOf(all_roundings()), rc::gen::elementOf(all_divisions())),
      [](const std::tuple<DType, float, bool, Rounding, Division>& t) {
        const IntRange r = dtype_range(std::get<0>(t), std::get<2>(t));
        return rc::gen::map(rc::gen::inRange<std::int64_t>(r.min, r.max + 1), [=](std::int64_t z) {
          return QuantizeParams{std::get<1>(t), z, r.min, r.max, std::get<3>(t), std::get<4>(t)};
        });
      });
}

// Monotone in x, for every rounding and division variant (NaN excluded: it maps to Z).
RC_GTEST_PROP(Q2QuantizeProperties, MonotoneInX, ()) {
  const QuantizeParams p = *any_params(positive_scale());
  float a = *rc::gen::oneOf(any_float(), moderate_float(-30, 10));
  float b = *rc::gen::oneOf(any_float(), moderate_float(-30, 10), rc::gen::just(std::nextafter(a, kInf)));
  RC_PRE(!std::isnan(a) && !std::isnan(b));
  if (a > b) std::swap(a, b);
  RC_ASSERT(quantize(a, p) <= quantize(b, p));
}

// Exact division, round to nearest: |x - dequantize_exact(quantize(x))| <= S/2 whenever x/S + Z
// lies inside [qmin, qmax]; floor / toward_zero: < S.
RC_GTEST_PROP(Q2QuantizeProperties, RoundTripErrorAtMostHalfAStepInsideTheRange, ()) {
  QuantizeParams p = *any_params(positive_scale());
  p.division = Division::exact;
  // x near a point of the grid: fl32((k + m/2^20) * S), k + Z on the grid.
  const std::int64_t k = *rc::gen::inRange<std::int64_t>(p.qmin - p.zero_point, p.qmax - p.zero_point + 1);
  const int m = *rc::gen::inRange(0, 1 << 20);
  const Rational s = exact(p.scale);
  const float x = round_to_binary32((Rational(k) + Rational(m, 1 << 20)) * s);
  RC_PRE(std::isfinite(x));
  const Rational real = exact(x);
  const Rational position = real / s + p.zero_point;
  RC_PRE(position >= p.qmin && position <= p.qmax);
  const Integer q = quantize(x, p);
  Rational error = real - dequantize_exact(q, p.scale, p.zero_point);
  if (error < 0) error = -error;
  const bool nearest = p.rounding == Rounding::half_even || p.rounding == Rounding::half_away ||
                       p.rounding == Rounding::half_up;
  if (nearest) {
    RC_ASSERT(error * 2 <= s);
  } else {
    RC_ASSERT(error < s);
  }
}

// quantize(dequantize(q)) == q on the grid (SPEC.md Q2.5) for the three round-to-nearest rules
// and every division, when |q - Z| <= 2^22 (every dtype but int32), dequantize(q) is finite, and,
// for f32_reciprocal, fl32(1/S) is finite (S >= 2^-128).
RC_GTEST_PROP(Q2QuantizeProperties, QuantizeOfDequantizeIsIdentityOnTheGrid, ()) {
  QuantizeParams p = *any_params(positive_scale());
  p.rounding = *rc::gen::element(Rounding::half_even, Rounding::half_away, Rounding::half_up);
  RC_PRE(p.qmax - p.qmin <= (1 << 16));
  const std::int64_t q = *rc::gen::inRange<std::int64_t>(p.qmin, p.qmax + 1);
  const float x = dequantize(Integer(q), p.scale, p.zero_point);
  RC_PRE(std::isfinite(x));
  if (p.division == Division::f32_reciprocal) RC_PRE(std::isfinite(1.0f / p.scale));
  RC_ASSERT(quantize(x, p) == q);
}

// For floor and toward_zero the identity fails: fl32((q - Z) * S) may round below the grid
// point. Counterexamples (S = 0.1f, Z = 0, int8), found by search:
//   floor, exact:       q = -126: x = -0x1.933334p+3 -> -127
//   floor, f32_divide:  q = -124: x = -0x1.8ccccep+3 -> -125 (also f32_reciprocal)
//   toward_zero, exact: q = -127: x = -0x1.966666p+3 -> -126
TEST(Q2QuantizeExamples, DirectedRoundingsAreNotTheIdentityOnTheGrid) {
  const auto round_trip = [](std::int64_t q, Rounding rule, Division division) {
    const QuantizeParams p = grid(DType::int8, 0.1f, 0, rule, division);
    return quantize(dequantize(Integer(q), p), p);
  };
  EXPECT_EQ(dequantize(Integer(-126), 0.1f, 0), -0x1.933334p+3f);
  EXPECT_EQ(round_trip(-126, Rounding::floor, Division::exact), -127);
  EXPECT_EQ(round_trip(-124, Rounding::floor, Division::f32_divide), -125);
  EXPECT_EQ(round_trip(-124, Rounding::floor, Division::f32_reciprocal), -125);
  EXPECT_EQ(round_trip(-127, Rounding::toward_zero, Division::exact), -126);
  // And for f32_reciprocal with S < 2^-128 even the nearest rules fail: fl32(1/S) = inf.
  EXPECT_EQ(round_trip(1, Rounding::half_even, Division::f32_reciprocal), 1);
  const QuantizeParams tiny = grid(DType::int8, 0x1p-140f, 0, Rounding::half_even, Division::f32_reciprocal);
  EXPECT_EQ(quantize(dequantize(Integer(1), tiny), tiny), 127);
}

}  // namespace
}  // namespace quantspec::ref
