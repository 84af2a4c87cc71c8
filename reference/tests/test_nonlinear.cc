// Tests of SPEC.md Q12 (dequantize -> f -> quantize; LUT construction variants).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>

#include "quantspec/reference/nonlinear.hpp"
#include "rejected_parameter.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;
using F = NonlinearFunction;

LutParams params(float si, std::int32_t zi, float so, std::int32_t zo, DType dtype = DType::int8) {
  LutParams p;
  p.input_scale = si;
  p.input_zero_point = zi;
  p.output_scale = so;
  p.output_zero_point = zo;
  p.dtype = dtype;
  return p;
}

// Example Q12.E1 (SPEC.md Q12.6). tanh, int8, Si = 2^-5, Zi = 0, So = 2^-7, Zo = 0.
// Published values: tanh(1) = 0.76159415595576488812, tanh(-4) = -0.99932929973906704380.
//   q = 32:   x = 1,  128 tanh(1) = 97.484...   -> 97
//   q = -128: x = -4, 128 tanh(-4) = -127.914... -> -128
//   q = 0:    tanh(0) = 0 exactly               -> 0
// logistic, So = 2^-8, Zo = -128: logistic(0) = 1/2 exactly, 256/2 = 128 -> 128 - 128 = 0.
// hardsigmoid with So = 1: f(0) = 1/2 exactly, an exact tie: half_away -> 1, half_even -> 0;
// the binary32 pipelines see p = fl32(0.5 * 1) = 0.5: TFLite (std::round) 1, XNNPACK (lrintf) 0.
TEST(NonlinearExample, Q12E1TanhLogisticAndATie) {
  const LutParams t = params(0x1p-5f, 0, 0x1p-7f, 0);
  EXPECT_EQ(nonlinear_exact(F::tanh, 32, t), Integer(97));
  EXPECT_EQ(nonlinear_exact(F::tanh, -128, t), Integer(-128));
  EXPECT_EQ(nonlinear_exact(F::tanh, 0, t), Integer(0));
  EXPECT_EQ(nonlinear_exact(F::logistic, 0, params(0x1p-5f, 0, 0x1p-8f, -128)), Integer(0));

  LutParams h = params(0.25f, 0, 1.0f, 0);
  EXPECT_EQ(nonlinear_exact(F::hardsigmoid, 0, h), Integer(1));
  h.rounding = Rounding::half_even;
  EXPECT_EQ(nonlinear_exact(F::hardsigmoid, 0, h), Integer(0));
  const auto tflite = build_lut(F::hardsigmoid, h, LutVariant::tflite);
  const auto xnnpack = build_lut(F::hardsigmoid, h, LutVariant::xnnpack);
  EXPECT_EQ(tflite[0], 1);
  EXPECT_EQ(xnnpack[0], 0);
  // The table is indexed by the input byte: q = -1 sits at index 255.
  // hardsigmoid(-0.25) = 2.75/6 = 0.4583.. -> 0 under every variant.
  EXPECT_EQ(tflite[255], 0);
}

// Q12.4: a tie created only by the binary32 x (Si found by a search near 65/254).
// Si = 0x1.060c18p-2 = 8586764 * 2^-25, q = 127: the exact
// x = 127 * 8586764 / 2^25 = 1090519028 / 2^25 = 32.5 - 12 * 2^-25, below the tie, so exact
// (half_away) gives 32; fl32 keeps 24 bits, 32.5 - 12 * 2^-25 rounds to 32.5 (ulp 2^-18 at 32),
// a tie: tflite 33, xnnpack 32. (leaky_relu is the identity for x >= 0; So = 1.)
TEST(NonlinearTable, Binary32InputCreatesATie) {
  const LutParams p = params(0x1.060c18p-2f, 0, 1.0f, 0);
  EXPECT_EQ(build_lut(F::leaky_relu, p, LutVariant::exact)[127], 32);
  EXPECT_EQ(build_lut(F::leaky_relu, p, LutVariant::tflite)[127], 33);
  EXPECT_EQ(build_lut(F::leaky_relu, p, LutVariant::xnnpack)[127], 32);
}

// Q12.2: ties are decided exactly where f(x) is rational. logistic(0)/So with So = 1 is 1/2.
TEST(NonlinearExact, ExactTiesFollowTheRoundingRule) {
  LutParams p = params(0.5f, 0, 1.0f, 0);
  p.rounding = Rounding::half_away;
  EXPECT_EQ(nonlinear_exact(F::logistic, 0, p), Integer(1));
  p.rounding = Rounding::half_even;
  EXPECT_EQ(nonlinear_exact(F::logistic, 0, p), Integer(0));
  // hardswish(3) = 3 * 6 / 6 = 3; So = 2: 3/2 = 1.5, a tie: half_even -> 2, toward_zero -> 1.
  p = params(1.0f, 0, 2.0f, 0);
  p.rounding = Rounding::half_even;
  EXPECT_EQ(nonlinear_exact(F::hardswish, 3, p), Integer(2));
  p.rounding = Rounding::toward_zero;
  EXPECT_EQ(nonlinear_exact(F::hardswish, 3, p), Integer(1));
  // leaky_relu(-3) with alpha = 0.5: -1.5, So = 1: half_away -> -2, half_up -> -1.
  p = params(1.0f, 0, 1.0f, 0);
  p.alpha = 0.5f;
  p.rounding = Rounding::half_away;
  EXPECT_EQ(nonlinear_exact(F::leaky_relu, -3, p), Integer(-2));
  p.rounding = Rounding::half_up;
  EXPECT_EQ(nonlinear_exact(F::leaky_relu, -3, p), Integer(-1));
}

// Q12.2 tails: beyond |x| >= 4096 the value is the limit plus an infinitesimal of known sign.
// tanh(x) < 1 for every x, so with So = 2^-7 and the floor rule 128 tanh(x) floors to 127,
// however large x is (x = 1024 uses the bound 1 - tanh x < 2 e^-2x, x = 102400 likewise).
TEST(NonlinearExact, TailsKeepTheSideOfTheLimit) {
  LutParams p = params(1024.0f, 0, 0x1p-7f, 0);
  p.rounding = Rounding::floor;
  EXPECT_EQ(nonlinear_exact(F::tanh, 100, p), Integer(127));  // x = 102400
  EXPECT_EQ(nonlinear_exact(F::tanh, 1, p), Integer(127));    // x = 1024, 128 tanh < 128
  EXPECT_EQ(nonlinear_exact(F::tanh, -100, p), Integer(-128));
  // exp(102400) is beyond every grid: qmax; exp(-102400) > 0 is tiny: 0 + Zo.
  EXPECT_EQ(nonlinear_exact(F::exp, 100, params(1024.0f, 0, 1.0f, 0)), Integer(127));
  EXPECT_EQ(nonlinear_exact(F::exp, -100, params(1024.0f, 0, 1.0f, 5)), Integer(5));
}

// Q12.3: the binary32 model of f is the correctly rounded value. Published: tanh(1) above;
// its nearest binary32 is 0x1.85efacp-1 (0.761594176...; the two neighbours are 6e-8 away).
TEST(NonlinearBinary32, CorrectlyRoundedModel) {
  EXPECT_EQ(nonlinear_binary32(F::tanh, 1.0f, 0), 0x1.85efacp-1f);
  EXPECT_EQ(nonlinear_binary32(F::exp, 0.0f, 0), 1.0f);
  EXPECT_EQ(nonlinear_binary32(F::exp, 100.0f, 0), std::numeric_limits<float>::infinity());
  EXPECT_EQ(nonlinear_binary32(F::logistic, 0.0f, 0), 0.5f);
}

// Q12.1 formulas against published values (binary64 values of the functions at 1, -1 and -3;
// their binary32 roundings are far from binary32 midpoints): GELU(1) = Phi(1) =
// 0.8413447460685429, GELU_tanh(1) = 0.8411919906082768, SiLU(1) = logistic(1) =
// 0.7310585786300049, softplus(1) = 1.3132616875182228, e = 2.718281828459045,
// ELU(-1) = e^-1 - 1 = -0.6321205588285577, GELU(-3) = -3 Phi(-3) = -0.004049694094890311.
TEST(NonlinearBinary32, FormulasMatchPublishedValues) {
  EXPECT_EQ(nonlinear_binary32(F::gelu, 1.0f, 0), static_cast<float>(0.8413447460685429));
  EXPECT_EQ(nonlinear_binary32(F::gelu_tanh, 1.0f, 0), static_cast<float>(0.8411919906082768));
  EXPECT_EQ(nonlinear_binary32(F::silu, 1.0f, 0), static_cast<float>(0.7310585786300049));
  EXPECT_EQ(nonlinear_binary32(F::logistic, 1.0f, 0), static_cast<float>(0.7310585786300049));
  EXPECT_EQ(nonlinear_binary32(F::softplus, 1.0f, 0), static_cast<float>(1.3132616875182228));
  EXPECT_EQ(nonlinear_binary32(F::exp, 1.0f, 0), static_cast<float>(2.718281828459045));
  EXPECT_EQ(nonlinear_binary32(F::elu, -1.0f, 1.0f), static_cast<float>(-0.6321205588285577));
  EXPECT_EQ(nonlinear_binary32(F::gelu, -3.0f, 0), static_cast<float>(-0.004049694094890311));
}

// Q12.4: an overflowing binary32 f (exp(127 * 1.0)) saturates the entry and is flagged.
TEST(NonlinearTable, OverflowSaturatesAndIsFlagged) {
  std::vector<LutEntryTrace> trace;
  const auto t = build_lut(F::exp, params(1.0f, 0, 1.0f, 0), LutVariant::xnnpack, &trace);
  EXPECT_EQ(t[127], 127);
  EXPECT_TRUE(trace.back().saturated_non_finite);
  EXPECT_FALSE(trace.front().saturated_non_finite);
  EXPECT_EQ(t[static_cast<std::uint8_t>(-128)], 0);
}

// Q12.2: a user-supplied C++ function. f(x) = x^2 given exactly: x = 1.5 (q = 3, Si = 0.5),
// f = 2.25 -> 2 with So = 1; q = 1: x = 0.5, f = 0.25 -> 0; So = 0.5, q = 1: 0.5, a tie -> 1.
TEST(NonlinearUser, ExactUserFunction) {
  UserFunction square;
  square.approximate = [](const Rational& x, unsigned) { return x * x; };
  square.exact_value = [](const Rational& x) -> std::optional<Rational> { return x * x; };
  EXPECT_EQ(nonlinear_exact(square, 3, params(0.5f, 0, 1.0f, 0)), Integer(2));
  EXPECT_EQ(nonlinear_exact(square, 1, params(0.5f, 0, 1.0f, 0)), Integer(0));
  EXPECT_EQ(nonlinear_exact(square, 1, params(1.0f, 0, 2.0f, 0)), Integer(1));
  // Without the exact hook, the same tie cannot be decided and is reported, never guessed.
  square.exact_value = nullptr;
  EXPECT_THROW(nonlinear_exact(square, 1, params(1.0f, 0, 2.0f, 0)), std::runtime_error);
  EXPECT_EQ(nonlinear_exact(square, 3, params(0.5f, 0, 1.0f, 0)), Integer(2));
}

// Q12.5 errors.
TEST(NonlinearErrors, EveryRejectedParameterIsNamed) {
  EXPECT_EQ(rejected_parameter([] { nonlinear_exact(F::tanh, 0, params(0.0f, 0, 1.0f, 0)); }),
            "input_scale");
  EXPECT_EQ(rejected_parameter([] {
              nonlinear_exact(F::tanh, 0, params(1.0f, 0, std::numeric_limits<float>::infinity(), 0));
            }),
            "output_scale");
  EXPECT_EQ(rejected_parameter([] { nonlinear_exact(F::tanh, 0, params(1.0f, 200, 1.0f, 0)); }),
            "input_zero_point");
  EXPECT_EQ(rejected_parameter([] {
              nonlinear_exact(F::tanh, 0, params(1.0f, 0, 1.0f, -1, DType::uint8));
            }),
            "output_zero_point");
  EXPECT_EQ(rejected_parameter([] { nonlinear_exact(F::tanh, 0, params(1.0f, 0, 1.0f, 0, DType::int16)); }),
            "dtype");
  EXPECT_EQ(rejected_parameter([] { nonlinear_exact(F::tanh, 300, params(1.0f, 0, 1.0f, 0)); }), "q");
  EXPECT_EQ(rejected_parameter([] {
              LutParams p = params(1.0f, 0, 1.0f, 0);
              p.alpha = std::numeric_limits<float>::quiet_NaN();
              nonlinear_exact(F::elu, 0, p);
            }),
            "alpha");
  // Subnormal scales: valid for `exact`, rejected by the binary32 variants (XNNPACK's isnormal).
  EXPECT_EQ(rejected_parameter([] { build_lut(F::tanh, params(1.0f, 0, 0x1p-140f, 0), LutVariant::exact); }),
            "<not rejected>");
  EXPECT_EQ(rejected_parameter([] { build_lut(F::tanh, params(1.0f, 0, 0x1p-140f, 0), LutVariant::tflite); }),
            "output_scale");
  EXPECT_EQ(rejected_parameter([] { parse_lut_variant("gemmlowp"); }), "variant");
  EXPECT_EQ(rejected_parameter([] { parse_nonlinear_function("sin"); }), "function");
}

float scale_between(int lo_exp, int hi_exp) {
  const int e = *rc::gen::inRange(lo_exp, hi_exp);
  const int m = *rc::gen::inRange(0, 1 << 23);
  return std::ldexp(1.0f + static_cast<float>(m) * 0x1p-23f, e);
}

// Q12.4: TFLite and XNNPACK build the same binary32 product p and round it differently only
// at ties, so their entries differ by at most 1, and only where p is k + 1/2.
RC_GTEST_PROP(NonlinearTableProperties, TfliteAndXnnpackDifferOnlyByTies, ()) {
  const F f = *rc::gen::element(F::hardsigmoid, F::hardswish, F::tanh, F::leaky_relu);
  LutParams p = params(scale_between(-6, 0), *rc::gen::inRange(-128, 128), scale_between(-8, -2),
                       *rc::gen::inRange(-128, 128));
  p.alpha = 0.25f;
  const auto a = build_lut(f, p, LutVariant::tflite);
  const auto b = build_lut(f, p, LutVariant::xnnpack);
  for (int i = 0; i < 256; ++i) RC_ASSERT(std::abs(a[i] - b[i]) <= 1);
}

// Q12.6 bound: for tanh with Si in [2^-8, 2^-2) and So = 2^-7 the binary32 steps move
// 128 tanh(x) by less than 2^-11 (|x| <= 32: fl32(x) is off by <= 2^-19, tanh' <= 1, the
// two further roundings add <= 2^-17), so TFLite's entry is the exact one or next to it.
RC_GTEST_PROP(NonlinearTableProperties, TfliteTanhWithinOneOfExact, ()) {
  const LutParams p = params(scale_between(-8, -3), *rc::gen::inRange(-128, 128), 0x1p-7f, 0);
  const auto e = build_lut(F::tanh, p, LutVariant::exact);
  const auto t = build_lut(F::tanh, p, LutVariant::tflite);
  for (int i = 0; i < 256; ++i) RC_ASSERT(std::abs(e[i] - t[i]) <= 1);
}

// Q12.2: for an increasing f the exact table is non-decreasing in q.
RC_GTEST_PROP(NonlinearTableProperties, ExactTableOfIncreasingFunctionIsMonotone, ()) {
  const F f = *rc::gen::element(F::tanh, F::logistic, F::exp, F::softplus, F::hardsigmoid);
  const LutParams p = params(scale_between(-7, 1), *rc::gen::inRange(-128, 128),
                             scale_between(-9, 0), *rc::gen::inRange(-128, 128));
  const auto e = build_lut(f, p, LutVariant::exact);
  for (int q = -127; q <= 127; ++q) {
    RC_ASSERT(e[static_cast<std::uint8_t>(q - 1)] <= e[static_cast<std::uint8_t>(q)]);
  }
}

}  // namespace
}  // namespace quantspec::ref
