// Tests of SPEC.md Q13 (linear replacements: TFLite LeakyReLU and hardswish, TOSA TABLE int16,
// piecewise-linear Q_tanh / Q_sigmoid). Expected values are derived in the comments (the
// derivations were also re-run in an independent Python model of the same integer steps).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/piecewise_linear.hpp"
#include "quantspec/reference/tflite_activations.hpp"
#include "quantspec/reference/tosa_table.hpp"
#include "rejected_parameter.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;
using F = NonlinearFunction;

TfliteActivationParams act(float si, std::int32_t zi, float so, std::int32_t zo, float alpha = 0.0f,
                           DType dtype = DType::int8) {
  TfliteActivationParams p;
  p.input_scale = si;
  p.input_zero_point = zi;
  p.output_scale = so;
  p.output_zero_point = zo;
  p.alpha = alpha;
  p.dtype = dtype;
  return p;
}

LutParams lut(float si, std::int32_t zi, float so, std::int32_t zo, float alpha = 1.0f, DType dtype = DType::int8) {
  LutParams p;
  p.input_scale = si;
  p.input_zero_point = zi;
  p.output_scale = so;
  p.output_zero_point = zo;
  p.alpha = alpha;
  p.dtype = dtype;
  return p;
}

// ---- Q13.1 LeakyReLU ----------------------------------------------------------------------------

// Example Q13.E1. int8, Si = 0.5, Zi = 0, So = 0.25, Zo = 0, alpha = 0.1f = 13421773 * 2^-27.
// identity: fl32(0.5/0.25) = 2 = 0.5 * 2^2 -> (2^30, 2); MBQM(v) = SRDHM(4v, 2^30) = 2v.
// alpha: fl32(fl32(0.5 * 0.1f)/0.25) = 13421773 * 2^-26 = 0.8000000119 * 2^-2
//   -> (13421773 * 2^7 = 1717986944, -2).
// q = -7: SRDHM(-7, 1717986944) = floor(-5.60000008 + 1/2) = -6; RoundingDivideByPOT(-6, 2):
// -1.5, a tie, away from zero -> -2. The ideal (Q12 exact): 0.1f * (-3.5) / 0.25 = -1.40000002
// -> -1. Double rounding moved it. q = -13: -10.4 -> -10 -> -2.5 -> -3 (ideal -2.6 -> -3).
TEST(LinearReplacementExample, Q13E1LeakyReluDoubleRounding) {
  const TfliteActivationParams p = act(0.5f, 0, 0.25f, 0, 0.1f);
  const TfliteLeakyReluMultipliers m = prepare_tflite_leaky_relu(p);
  EXPECT_EQ(m.identity, (FixedPointMultiplier{1 << 30, 2}));
  EXPECT_EQ(m.alpha, (FixedPointMultiplier{1717986944, -2}));
  EXPECT_EQ(tflite_leaky_relu(10, p), 20);
  EXPECT_EQ(tflite_leaky_relu(100, p), 127);  // 200 clamps
  EXPECT_EQ(tflite_leaky_relu(-7, p), -2);
  EXPECT_EQ(tflite_leaky_relu(-13, p), -3);
  EXPECT_EQ(tflite_leaky_relu(-10, p), -2);
  LutParams l = lut(0.5f, 0, 0.25f, 0, 0.1f);
  EXPECT_EQ(nonlinear_exact(F::leaky_relu, -7, l), Integer(-1));
}

// alpha = 0: the multiplier is (0, 0) and every input below Zi maps to Zo.
TEST(LinearReplacement, LeakyReluAlphaZeroMapsNegativesToZo) {
  const TfliteActivationParams p = act(0.1f, 5, 0.05f, -20, 0.0f);
  EXPECT_EQ(prepare_tflite_leaky_relu(p).alpha, (FixedPointMultiplier{0, 0}));
  for (std::int32_t q = -128; q < 5; ++q) EXPECT_EQ(tflite_leaky_relu(q, p), -20) << q;
}

// A negative alpha flips the side: 1.0 * (-1) / 1 = -1 = -0.5 * 2^1 -> (-2^30, 1);
// q = -3 -> SRDHM(-6, -2^30) = 3.
TEST(LinearReplacement, LeakyReluNegativeAlpha) {
  const TfliteActivationParams p = act(1.0f, 0, 1.0f, 0, -1.0f);
  EXPECT_EQ(prepare_tflite_leaky_relu(p).alpha, (FixedPointMultiplier{-(1 << 30), 1}));
  EXPECT_EQ(tflite_leaky_relu(-3, p), 3);
  EXPECT_EQ(tflite_leaky_relu(-128, p), 127);
}

TEST(LinearReplacementErrors, EveryRejectedParameterIsNamed) {
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(0.0f, 0, 1.0f, 0)); }), "input_scale");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(1.0f, 0, NAN, 0)); }), "output_scale");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(1.0f, 128, 1.0f, 0)); }), "input_zero_point");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(1.0f, 0, 1.0f, -1, 0, DType::uint8)); }),
            "output_zero_point");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(1.0f, 0, 1.0f, 0, INFINITY)); }), "alpha");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(1.0f, 0, 1.0f, 0, 0x1p31f)); }), "alpha");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(0x1p20f, 0, 0x1p-20f, 0)); }), "output_scale");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(200, act(1.0f, 0, 1.0f, 0)); }), "q");
  EXPECT_EQ(rejected_parameter([] { tflite_leaky_relu(0, act(1.0f, 0, 1.0f, 0, 0, DType::int32)); }), "dtype");
  EXPECT_EQ(rejected_parameter([] { tflite_hardswish(0, act(1.0f, 0, 1.0f / 256, 0)); }), "output_scale");
  EXPECT_EQ(rejected_parameter([] { tflite_hardswish(0, act(1.0f, 0, 0x1p20f, 0)); }), "output_scale");
  EXPECT_EQ(rejected_parameter([] { tflite_hardswish(0, act(0x1p-30f, 0, 0x1p-30f, 0)); }), "input_scale");
  EXPECT_EQ(rejected_parameter([] { tflite_hardswish(-1, act(1.0f, 0, 1.0f, 0, 0, DType::uint8)); }), "q");
}

// For binary32 multipliers >= 0 QuantizeMultiplier equals the Q6.3 tflite derivation.
RC_GTEST_PROP(LinearReplacementProperties, SignedQuantizeMultiplierMatchesQ6Tflite, ()) {
  const float m = std::ldexp(static_cast<float>(*rc::gen::inRange(1 << 23, 1 << 24)),
                             *rc::gen::inRange(-60, 6) - 23);
  RC_ASSERT(tflite_quantize_multiplier_signed(m, "m") == derive_multiplier(exact(m), Derivation::tflite));
  const FixedPointMultiplier neg = tflite_quantize_multiplier_signed(-static_cast<double>(m), "m");
  const FixedPointMultiplier pos = tflite_quantize_multiplier_signed(m, "m");
  RC_ASSERT(neg.multiplier == -pos.multiplier);  // a binary32 mantissa never rounds to 2^31
  RC_ASSERT(neg.shift == pos.shift);
}

// Q13.1: the TFLite output is the ideal's or next to it for |M| <= 1 (two roundings, each at
// most 1/2 ulp, plus the binary32 multipliers' relative error 2^-23).
RC_GTEST_PROP(LinearReplacementProperties, LeakyReluWithinOneOfExact, ()) {
  const float si = std::ldexp(1.0f + *rc::gen::inRange(0, 1000) / 1000.0f, *rc::gen::inRange(-8, 0));
  const float so = si * (1.0f + *rc::gen::inRange(0, 1000) / 1000.0f);
  const float alpha = *rc::gen::inRange(-1000, 1001) / 1000.0f;
  const std::int32_t zi = *rc::gen::inRange(-128, 128), zo = *rc::gen::inRange(-128, 128);
  const std::int32_t q = *rc::gen::inRange(-128, 128);
  const std::int32_t t = tflite_leaky_relu(q, act(si, zi, so, zo, alpha));
  const std::int32_t e = nonlinear_exact(F::leaky_relu, q, lut(si, zi, so, zo, alpha)).convert_to<std::int32_t>();
  RC_ASSERT(std::abs(t - e) <= 1);
}

// ---- Q13.2 hardswish ----------------------------------------------------------------------------

// Example Q13.E2. int8, Si = 0.05f, Zi = -10, So = 0.03f, Zo = -100.
// Prepare (binary32): hires = Si/128; output_multiplier = fl32(hires/So) = 0x1.aaaaacp-7
//   -> Q31 (1789569792, -6) -> int16 (1789569792 + 2^15) >> 16 = 27307;
// reluish_multiplier = fl32(hires/(3/32768)) = 0x1.111112p+2 -> (1145324672, 3) -> 17476.
// q = 8: v = 18, hires = 2304; SQRDMULH16(2304, 27307) = 1920 (2304*27307 = 62915328,
// +2^14, /2^15 = 1920.5 -> 1920); reluish: 2304 << 2 = 9216, SQRDMULH16(9216, 17476) = 4915,
// << 1 = 9830 (x/3 = 0.3 in 1/32768: 9830.4); (9830 + 32768) >> 1 = 21299;
// SQDMULH16(21299, 1920) = 40894080 / 32768 = 1247.98 -> 1247 (truncates);
// RoundingDivideByPOT(1247, 6) = 19.48 -> 19; + Zo = -81.
// The ideal: x = 0.9000000134, hardswish(x) = x * 3.9/6 -> / So = 19.5000008 -> 20 -> -80.
TEST(LinearReplacementExample, Q13E2HardSwishSteps) {
  const TfliteActivationParams p = act(0.05f, -10, 0.03f, -100);
  const TfliteHardSwishMultipliers m = prepare_tflite_hardswish(p);
  EXPECT_EQ(m.output_multiplier, 27307);
  EXPECT_EQ(m.output_exponent, -6);
  EXPECT_EQ(m.reluish_multiplier, 17476);
  EXPECT_EQ(m.reluish_exponent, 3);
  TfliteHardSwishTrace t;
  EXPECT_EQ(tflite_hardswish(8, p, &t), -81);
  EXPECT_EQ(t.input_value, 18);
  EXPECT_EQ(t.hires_input, 2304);
  EXPECT_EQ(t.preshift_output_scale, 1920);
  EXPECT_EQ(t.reluish_scaled, 9830);
  EXPECT_EQ(t.reluish, 21299);
  EXPECT_EQ(t.preshift_output, 1247);
  EXPECT_EQ(t.output_before_zero_point, 19);
  EXPECT_FALSE(t.int16_wrap);
  EXPECT_EQ(nonlinear_exact(F::hardswish, 8, lut(0.05f, -10, 0.03f, -100)), Integer(-80));
}

// Si = 1/16, So = 1/32, Zi = Zo = 0 (exact power-of-two multipliers): q = 16 (x = 1) -> 21
// (2/3 * 32 = 21.33); q = -24 (x = -1.5) -> -12 exactly; q = -48 (x = -3) -> 0; q = 127 -> 127.
// Over all 256 inputs the TFLite kernel and the ideal agree here (counted by the model).
TEST(LinearReplacement, HardSwishPowerOfTwoScalesAgreeWithExact) {
  const TfliteActivationParams p = act(1.0f / 16, 0, 1.0f / 32, 0);
  EXPECT_EQ(tflite_hardswish(16, p), 21);
  EXPECT_EQ(tflite_hardswish(-24, p), -12);
  EXPECT_EQ(tflite_hardswish(-48, p), 0);
  EXPECT_EQ(tflite_hardswish(127, p), 127);
  for (std::int32_t q = -128; q < 128; ++q) {
    EXPECT_EQ(Integer(tflite_hardswish(q, p)), nonlinear_exact(F::hardswish, q, lut(1.0f / 16, 0, 1.0f / 32, 0))) << q;
  }
}

// Q13.2: the int16 sum with Zo wraps. uint8, Si = 1, So = 0x1.00001p-7: M_out = fl32(2^-7/So)
// = 1 - 2^-20 (to binary32) -> Q31 2^31 - 2048 -> int16 32767 (>= INT32_MAX - 2^15), exponent 0.
// q = 255: hires = 32640, p = SQRDMULH16(32640, 32767) = 32639, r saturates to 32767,
// o = SQDMULH16(32767, 32639) = 32638; 32638 + 255 = 32893 wraps to -32643 -> clamp 0.
// The ideal: hardswish(255) / So = 255 * 128 * (1 + 2^-20), far above qmax -> 255.
TEST(LinearReplacement, HardSwishInt16SumWraps) {
  const TfliteActivationParams p = act(1.0f, 0, 0x1.00001p-7f, 255, 0.0f, DType::uint8);
  const TfliteHardSwishMultipliers m = prepare_tflite_hardswish(p);
  EXPECT_EQ(m.output_multiplier, 32767);
  EXPECT_EQ(m.output_exponent, 0);
  TfliteHardSwishTrace t;
  EXPECT_EQ(tflite_hardswish(255, p, &t), 0);
  EXPECT_EQ(t.preshift_output, 32638);
  EXPECT_TRUE(t.int16_wrap);
  EXPECT_EQ(tflite_hardswish(254, p), 255);
  EXPECT_EQ(nonlinear_exact(F::hardswish, 255, lut(1.0f, 0, 0x1.00001p-7f, 255, 1.0f, DType::uint8)), Integer(255));
}

// gemmlowp/TFLite int16 primitives at their edges.
TEST(LinearReplacement, Int16Primitives) {
  namespace f16 = fixed_point16;
  EXPECT_EQ(f16::saturating_rounding_doubling_high_mul(-32768, -32768), 32767);
  EXPECT_EQ(f16::saturating_rounding_doubling_high_mul(-3072, 16384), -1536);  // -1536.5 toward zero after the nudge
  EXPECT_EQ(f16::saturating_doubling_high_mul(-32768, -32768), 32767);
  EXPECT_EQ(f16::saturating_doubling_high_mul(21845, 1024), 682);  // 682.66 truncated
  EXPECT_EQ(f16::saturating_doubling_high_mul(-3, 16384), -1);     // -1.5 toward zero
  EXPECT_EQ(f16::rounding_divide_by_pot(-6, 2), -2);               // -1.5 away
  EXPECT_EQ(f16::rounding_divide_by_pot(32767, 15), 1);
  EXPECT_EQ(f16::saturating_left_shift(16256, 2), 32767);
  EXPECT_EQ(f16::saturating_left_shift(-16384, 1), -32768);
}

// Q13.2: within 2 of the ideal for ordinary scales (the int16 steps lose up to ~1.5 ulp).
RC_GTEST_PROP(LinearReplacementProperties, HardSwishWithinTwoOfExact, ()) {
  const float si = std::ldexp(1.0f + *rc::gen::inRange(0, 1000) / 1000.0f, *rc::gen::inRange(-7, -3));
  const float so = si * (1.0f + *rc::gen::inRange(0, 1000) / 1000.0f);
  const std::int32_t zi = *rc::gen::inRange(-128, 128), zo = *rc::gen::inRange(-128, 128);
  const std::int32_t q = *rc::gen::inRange(-128, 128);
  const std::int32_t t = tflite_hardswish(q, act(si, zi, so, zo));
  const std::int32_t e = nonlinear_exact(F::hardswish, q, lut(si, zi, so, zo)).convert_to<std::int32_t>();
  RC_ASSERT(std::abs(t - e) <= 2);
}

// ---- Q13.3 TOSA TABLE int16 ---------------------------------------------------------------------

TosaTableInt16 identity_table() {
  TosaTableInt16 t{};
  for (std::size_t j = 0; j < t.size(); ++j) t[j] = static_cast<std::int16_t>(std::min<std::int64_t>(128 * static_cast<std::int64_t>(j) - 32768, 32767));
  return t;
}

// Example Q13.E3. The identity table (entry j = 128 j - 32768, entry 512 = 32768 clipped to
// 32767): v = 100: index (100 + 32768) >> 7 = 256, fraction 100, 0 * 128 + 128 * 100 = 12800;
// v = -1: index 255, fraction -1 & 0x7F = 127: -128 * 128 + 128 * 127 = -128;
// v = -32768: -32768 * 128 = -4194304; v = 32767: index 511, fraction 127, base 32640, next
// 32767 (saturated table end), 32640 * 128 + 127 * 127 = 4194049 (the ideal 128 * 32767 =
// 4194176).
TEST(LinearReplacementExample, Q13E3TosaTableInterpolation) {
  const TosaTableInt16 t = identity_table();
  EXPECT_EQ(tosa_table_int16(t, 100), 12800);
  EXPECT_EQ(tosa_table_int16(t, -1), -128);
  EXPECT_EQ(tosa_table_int16(t, -32768), -4194304);
  EXPECT_EQ(tosa_table_int16(t, 32767), 4194049);
  TosaTableParams p;  // f(x) = x via leaky_relu with alpha 1, Si = So = 1
  EXPECT_EQ(build_tosa_table_int16(F::leaky_relu, p), t);
  // tanh, Si = 2^-12, So = 2^-15: entry 288 is x = 1, R(32768 tanh 1) = R(24956.117) = 24956;
  // entry 289 is x = 1.03125, 25376. v = 4100: 24956 * 128 + 420 * 4 = 3196048; the ideal
  // R(2^22 tanh(4100/4096)) = 3196076.
  TosaTableParams tp;
  tp.input_scale = 0x1p-12f;
  tp.output_scale = 0x1p-15f;
  const TosaTableInt16 tanh_table = build_tosa_table_int16(F::tanh, tp);
  EXPECT_EQ(tanh_table[288], 24956);
  EXPECT_EQ(tanh_table[289], 25376);
  EXPECT_EQ(tosa_table_int16(tanh_table, 4100), 3196048);
  EXPECT_EQ(tosa_table_ideal(F::tanh, 4100, tp), Integer(3196076));
}

TEST(LinearReplacement, TosaTableSlopeOutsideInt16IsFlagged) {
  TosaTableInt16 t{};
  t[0] = -32768;
  t[1] = 32767;
  bool flagged = false;
  EXPECT_EQ(tosa_table_int16(t, -32767, &flagged), -32768 * 128 + 65535);
  EXPECT_TRUE(flagged);
  flagged = false;
  tosa_table_int16(t, 0, &flagged);  // index 256: slope 0
  EXPECT_FALSE(flagged);
}

TEST(LinearReplacementErrors, TosaTableConstruction) {
  TosaTableParams p;
  p.input_scale = 0.0f;
  EXPECT_EQ(rejected_parameter([&] { build_tosa_table_int16(F::tanh, p); }), "input_scale");
  p = TosaTableParams{};
  p.output_zero_point = 40000;
  EXPECT_EQ(rejected_parameter([&] { build_tosa_table_int16(F::tanh, p); }), "output_zero_point");
  p = TosaTableParams{};
  p.alpha = NAN;
  EXPECT_EQ(rejected_parameter([&] { build_tosa_table_int16(F::elu, p); }), "alpha");
}

// The apply function restated as an independent formula: entries on the knots are exact, and
// the output is the linear interpolation 128 * base + (next - base) * (v - knot).
RC_GTEST_PROP(LinearReplacementProperties, TosaTableIsTheInterpolation, ()) {
  TosaTableInt16 t{};
  for (auto& e : t) e = static_cast<std::int16_t>(*rc::gen::inRange(-16384, 16384));
  const std::int32_t v = *rc::gen::inRange(-32768, 32768);
  const std::int32_t knot = ((v + 32768) / 128) * 128 - 32768;  // v + 32768 >= 0: floor
  const std::size_t j = static_cast<std::size_t>((knot + 32768) / 128);
  RC_ASSERT(tosa_table_int16(t, static_cast<std::int16_t>(v)) == 128 * t[j] + (t[j + 1] - t[j]) * (v - knot));
}

// Q13.3: for tanh the table is within 64 + 128 * 128^2 * M2 Si^2 / (8 So) + 1 of the ideal
// (knot rounding 1/2 output code = 64 in 2^-7 units; chord error; final rounding).
RC_GTEST_PROP(LinearReplacementProperties, TosaTanhTableWithinChordBound, ()) {
  TosaTableParams p;
  p.input_scale = std::ldexp(1.0f, *rc::gen::inRange(-14, -10));
  p.output_scale = 0x1p-15f;
  const TosaTableInt16 t = build_tosa_table_int16(F::tanh, p);
  const std::int32_t v = *rc::gen::inRange(-32768, 32640);  // below the saturated end segment
  const double si = p.input_scale;
  const double bound = 64 + 128.0 * 128 * 128 * 0.7699 * si * si / (8 * p.output_scale) + 1;
  const Integer diff = tosa_table_ideal(F::tanh, static_cast<std::int16_t>(v), p) - tosa_table_int16(t, static_cast<std::int16_t>(v));
  RC_ASSERT(std::abs(diff.convert_to<double>()) <= bound);
}

// ---- Q13.4 piecewise linear ---------------------------------------------------------------------

// Example Q13.E4. tanh, int8, Si = 2^-5, Zi = 0, So = 2^-7, Zo = 0, N = 4, F = 16.
// Breakpoints -128, -64, 0, 64, 128; knots R(2^16 * 128 tanh(x)) at x = -4, -2, 0, 2, 4:
// -8382982, -8086849, 0, 8086849, 8382982; slopes R(diff / 64): 4627, 126357, 126357, 4627.
// q = 32 (x = 1): (0 + 126357 * 32) / 2^16 = 61.70 -> 62; exact 97 (Example Q12.E1): error 35.
// Largest error over the 256 inputs: 36 (q = -31 and 31); the Q13.4 bound:
// 64^2 * 0.7699 * 2^-10 / (8 * 2^-7) + 33/2^16 = 49.27.. -> 50.
TEST(LinearReplacementExample, Q13E4PiecewiseLinearTanh) {
  const LutParams p = lut(0x1p-5f, 0, 0x1p-7f, 0);
  const PwlTable t = fit_pwl(F::tanh, p, 4, 16);
  ASSERT_EQ(t.segments.size(), 4u);
  const std::int32_t starts[] = {-128, -64, 0, 64};
  const std::int32_t intercepts[] = {-8382982, -8086849, 0, 8086849};
  const std::int32_t slopes[] = {4627, 126357, 126357, 4627};
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(t.segments[k].start, starts[k]);
    EXPECT_EQ(t.segments[k].intercept, intercepts[k]);
    EXPECT_EQ(t.segments[k].slope, slopes[k]);
  }
  EXPECT_EQ(pwl_evaluate(t, 32), 62);
  std::int32_t worst = 0;
  for (std::int32_t q = -128; q < 128; ++q) {
    worst = std::max(worst, std::abs(pwl_evaluate(t, q) - nonlinear_exact(F::tanh, q, p).convert_to<std::int32_t>()));
  }
  EXPECT_EQ(worst, 36);
  EXPECT_EQ(pwl_error_bound(F::tanh, p, t), 50);
}

TEST(LinearReplacementErrors, PiecewiseLinear) {
  const LutParams p = lut(0x1p-5f, 0, 0x1p-7f, 0);
  EXPECT_EQ(rejected_parameter([&] { fit_pwl(F::tanh, p, 0); }), "segments");
  EXPECT_EQ(rejected_parameter([&] { fit_pwl(F::tanh, p, 257); }), "segments");
  EXPECT_EQ(rejected_parameter([&] { fit_pwl(F::tanh, p, 4, 25); }), "fraction_bits");
  EXPECT_EQ(rejected_parameter([&] { fit_pwl(F::exp, lut(1.0f, 0, 0x1p-7f, 0), 4); }), "output_scale");
  EXPECT_EQ(rejected_parameter([&] { fit_pwl(F::tanh, lut(0.0f, 0, 1.0f, 0), 4); }), "input_scale");
  PwlTable t = fit_pwl(F::tanh, p, 4);
  t.segments[2].start = t.segments[1].start;
  EXPECT_EQ(rejected_parameter([&] { pwl_evaluate(t, 0); }), "segments");
  t = fit_pwl(F::tanh, p, 4);
  t.segments[0].start = -127;
  EXPECT_EQ(rejected_parameter([&] { pwl_evaluate(t, 0); }), "segments");
  EXPECT_EQ(rejected_parameter([&] { pwl_evaluate(fit_pwl(F::tanh, p, 4), 128); }), "q");
  EXPECT_EQ(rejected_parameter([&] { pwl_error_bound(F::gelu, p, fit_pwl(F::gelu, p, 4)); }), "function");
}

// Q13.4: the stated bound holds for tanh and logistic, int8 and uint8, N = 1..256.
RC_GTEST_PROP(LinearReplacementProperties, PiecewiseLinearWithinStatedBound, ()) {
  const bool is_tanh = *rc::gen::arbitrary<bool>();
  const F f = is_tanh ? F::tanh : F::logistic;
  const DType dtype = *rc::gen::arbitrary<bool>() ? DType::int8 : DType::uint8;
  const std::int32_t lo = dtype == DType::int8 ? -128 : 0;
  const float si = std::ldexp(1.0f + *rc::gen::inRange(0, 100) / 100.0f, *rc::gen::inRange(-8, -2));
  const float so = is_tanh ? 0x1p-7f : 0x1p-8f;
  const std::int32_t zo = is_tanh ? (dtype == DType::int8 ? 0 : 128) : lo;
  const std::int32_t zi = lo + *rc::gen::inRange(0, 256);
  const int n = *rc::gen::element(1, 2, 3, 4, 7, 8, 16, 32, 100, 256);
  const LutParams p = lut(si, zi, so, zo, 1.0f, dtype);
  const PwlTable t = fit_pwl(f, p, n, 16);
  const std::int64_t bound = pwl_error_bound(f, p, t);
  const std::int32_t q = lo + *rc::gen::inRange(0, 256);
  const std::int64_t err = std::abs(pwl_evaluate(t, q) - nonlinear_exact(f, q, p).convert_to<std::int32_t>());
  RC_ASSERT(err <= bound);
}

// With N = 256 every input is a knot: the PWL is the exact table (R(c/2^16) of a knot
// rounded to 2^-16 equals R of the value, except within 2^-17 of a tie; none here).
TEST(LinearReplacement, PiecewiseLinearWith256SegmentsIsTheExactTable) {
  const LutParams p = lut(0x1p-5f, 3, 0x1p-8f, -128);
  const PwlTable t = fit_pwl(F::logistic, p, 256);
  for (std::int32_t q = -128; q < 128; ++q) {
    EXPECT_EQ(Integer(pwl_evaluate(t, q)), nonlinear_exact(F::logistic, q, p)) << q;
  }
}

}  // namespace
}  // namespace quantspec::ref
