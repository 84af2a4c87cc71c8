// Tests of SPEC.md Q6 (multiplier derivation).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/multiplier.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::ref {
namespace {

FixedPointMultiplier tflite(double m) { return derive_multiplier(exact(m), Derivation::tflite); }

std::string show(const FixedPointMultiplier& m) {
  return "(" + std::to_string(m.multiplier) + ", " + std::to_string(m.shift) + ")";
}

template <typename F>
void expect_parameter_error(F&& f, const std::string& parameter) {
  try {
    f();
    ADD_FAILURE() << "expected ParameterError naming " << parameter;
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), parameter) << e.what();
  }
}

// Published values: TensorFlow Lite, tensorflow/lite/kernels/internal/quantization_util_test.cc,
// tests QuantizeMultiplierSmallerThanOneExp, QuantizeMultiplierGreaterThanOne and
// QuantizeMultiplierUnderflow (all three call QuantizeMultiplier and return its pair).
TEST(MultiplierTflite, PublishedQuantizeMultiplierValues) {
  struct Case {
    double m;
    std::int32_t multiplier;
    int shift;
  };
  const Case cases[] = {
      {0.25, 1073741824, -1},
      {0.50 - 5e-9, 2147483627, -1},
      {0.50 - 1e-10, 1073741824, 0},
      {0.50, 1073741824, 0},
      {0.75, 1610612736, 0},
      {1 - 1e-9, 2147483646, 0},
      {1 - 1e-15, 1073741824, 1},  // mantissa rounds to 2^31: renormalised (Q6.2 step 3)
      {1 + 1e-11, 1073741824, 1},
      {1.25, 1342177280, 1},
      {1.50, 1610612736, 1},
      {1.75, 1879048192, 1},
      {2 - 1e-9, 2147483647, 1},
      {2 - 1e-11, 1073741824, 2},
      {2, 1073741824, 2},
      {std::ldexp(1.0f, -31), 1073741824, -30},
      {std::ldexp(1.0f, -32), 1073741824, -31},
      {std::ldexp(0.99f, -32), 0, 0},  // below 2^-32: flushed (Q6.2 step 4)
      {std::ldexp(1.0f, -33), 0, 0},
  };
  for (const Case& c : cases) {
    const FixedPointMultiplier got = tflite(c.m);
    EXPECT_EQ(got, (FixedPointMultiplier{c.multiplier, c.shift}))
        << "M = " << hex_float(c.m) << " got " << show(got);
  }
}

TEST(MultiplierTflite, ZeroIsZeroZero) {
  EXPECT_EQ(derive_multiplier(Rational(0), Derivation::tflite), (FixedPointMultiplier{0, 0}));
  EXPECT_EQ(derive_multiplier(Rational(0), Derivation::exact), (FixedPointMultiplier{0, 0}));
  EXPECT_EQ(derive_multiplier(Rational(0), Derivation::rndnu), (FixedPointMultiplier{0, 0}));
}

// Hand derivation: M = 1 - 2^-40 lies between (2^31-1)*2^-31 and 1; M*2^31 = 2^31 - 2^-9
// rounds to 2^31, which renormalises to (2^30, shift 1), i.e. exactly 1.
TEST(MultiplierExact, RenormalisesWhenTheMantissaRoundsTo2To31) {
  const Rational m = Rational(1) - pow2(-40);
  EXPECT_EQ(derive_multiplier(m, Derivation::exact), (FixedPointMultiplier{1 << 30, 1}));
}

// Hand derivation: 1/3 = 0.10101...b; *2^32 (frexp exponent -1) = 1431655765.33 -> 1431655765.
// In binary64, fl64(1/3) differs from 1/3 by < 2^-55, not enough to move that rounding.
TEST(MultiplierExact, OneThird) {
  const Rational third(1, 3);
  EXPECT_EQ(derive_multiplier(third, Derivation::exact), (FixedPointMultiplier{1431655765, -1}));
  EXPECT_EQ(derive_multiplier(third, Derivation::tflite), (FixedPointMultiplier{1431655765, -1}));
  // rndnu: fl32(1/3) = 0xAAAAAB * 2^-25, multiplier 0xAAAAAB << 7 = 0x55555580.
  EXPECT_EQ(derive_multiplier(third, Derivation::rndnu), (FixedPointMultiplier{0x55555580, -1}));
}

// Where exact and tflite differ: M within half a binary64 ulp below a Q31 tie. Hand derivation:
// M = (2^30 + 1/2 - 2^-60) * 2^-31 = 1/2 + 2^-32 - 2^-91 (frexp exponent 0). Exact:
// M*2^31 = 2^30 + 1/2 - 2^-60 rounds down to 2^30. fl64(M) = 1/2 + 2^-32 (the 2^-91 term is
// below half an ulp, 2^-54), which is the tie 2^30 + 1/2 after scaling; std::round takes it
// away from zero: 2^30 + 1.
TEST(MultiplierTflite, DiffersFromExactOnlyThroughTheBinary64Rounding) {
  const Rational below_tie = (Rational((Integer(1) << 30)) + Rational(1, 2) - pow2(-60)) * pow2(-31);
  EXPECT_EQ(derive_multiplier(below_tie, Derivation::exact), (FixedPointMultiplier{1 << 30, 0}));
  EXPECT_EQ(derive_multiplier(below_tie, Derivation::tflite),
            (FixedPointMultiplier{(1 << 30) + 1, 0}));
}

RC_GTEST_PROP(MultiplierProperty, ExactEqualsTfliteOnBinary64Values, ()) {
  // Any positive binary64 in the derivable range: TFLite's arithmetic on it is exact except
  // the one rounding Q6.2 also does, so the two derivations agree.
  const int e = *rc::gen::inRange(-40, 31);
  const auto mantissa = *rc::gen::inRange<std::int64_t>(1, std::int64_t{1} << 53);
  const double m = std::ldexp(static_cast<double>(mantissa), e - 53);
  RC_ASSERT(derive_multiplier(exact(m), Derivation::exact) ==
            derive_multiplier(exact(m), Derivation::tflite));
}

RC_GTEST_PROP(MultiplierProperty, ExactIsWithinHalfAUnitOfTheLastPlace, ()) {
  // Q6.2 bound: |m*2^(shift-31) - M| <= 2^(shift-32) (half a unit of the Q31 mantissa), and
  // the multiplier lies in [2^30, 2^31).
  const auto numerator = *rc::gen::inRange<std::int64_t>(1, std::int64_t{1} << 62);
  const auto denominator = *rc::gen::inRange<std::int64_t>(1, std::int64_t{1} << 62);
  const int e = *rc::gen::inRange(-30, 28);
  // n/d scaled so that M lies within a factor 2 of 2^e: inside the derivable range.
  const int magnitude = static_cast<int>(boost::multiprecision::msb(Integer(numerator))) -
                        static_cast<int>(boost::multiprecision::msb(Integer(denominator)));
  const Rational m = Rational(Integer(numerator), Integer(denominator)) * pow2(e - magnitude);
  const FixedPointMultiplier f = derive_multiplier(m, Derivation::exact);
  RC_ASSERT(f.multiplier >= (1 << 30));
  const Rational error = real_value(f) - m;
  RC_ASSERT((error < 0 ? Rational(-error) : error) <= pow2(f.shift - 32));
}

RC_GTEST_PROP(MultiplierProperty, RndnuRepresentsTheBinary32ScaleExactly, ()) {
  // Q6.4: the pair represents fl32(M) exactly; the low 7 bits of the multiplier are zero.
  const auto bits = *rc::gen::inRange<std::uint32_t>(0x2F800000u, 0x4E800000u);  // [2^-32, 2^30)
  float s;
  static_assert(sizeof(s) == sizeof(bits));
  std::memcpy(&s, &bits, sizeof(s));
  const FixedPointMultiplier f = derive_multiplier(exact(s), Derivation::rndnu);
  RC_ASSERT(real_value(f) == exact(s));
  RC_ASSERT((f.multiplier & 0x7F) == 0);
  RC_ASSERT(f.multiplier >= (1 << 30));
}

TEST(MultiplierRanges, LargestAndSmallest) {
  // Largest: (2^31-1) * 2^(30-31) = 2^30 - 1/2 is representable; 2^30 is not.
  const Rational largest = Rational(Integer((std::int64_t{1} << 31) - 1)) * pow2(-1);
  EXPECT_EQ(derive_multiplier(largest, Derivation::exact),
            (FixedPointMultiplier{std::numeric_limits<std::int32_t>::max(), 30}));
  expect_parameter_error([] { derive_multiplier(pow2(30), Derivation::exact); }, "real_multiplier");
  expect_parameter_error([] { derive_multiplier(pow2(30), Derivation::tflite); }, "real_multiplier");
  expect_parameter_error([] { derive_multiplier(pow2(30), Derivation::rndnu); }, "real_multiplier");
  // Smallest non-zero: 2^-32 -> (2^30, -31); just below it flushes.
  EXPECT_EQ(derive_multiplier(pow2(-32), Derivation::exact), (FixedPointMultiplier{1 << 30, -31}));
  EXPECT_EQ(derive_multiplier(pow2(-32) - pow2(-80), Derivation::exact),
            (FixedPointMultiplier{1 << 30, -31}));  // rounds up to 2^-32 first
  EXPECT_EQ(derive_multiplier(pow2(-33), Derivation::exact), (FixedPointMultiplier{0, 0}));
}

TEST(MultiplierErrors, NamesTheParameter) {
  expect_parameter_error([] { derive_multiplier(Rational(-1, 2), Derivation::exact); },
                         "real_multiplier");
  expect_parameter_error([] { derive_multiplier(pow2(2000), Derivation::tflite); },
                         "real_multiplier");
  expect_parameter_error([] { multiplier_from_scales(0.0f, 1.0f, 1.0f); }, "sx");
  expect_parameter_error([] { multiplier_from_scales(-1.0f, 1.0f, 1.0f); }, "sx");
  expect_parameter_error(
      [] { multiplier_from_scales(1.0f, std::numeric_limits<float>::quiet_NaN(), 1.0f); }, "sw");
  expect_parameter_error(
      [] { multiplier_from_scales(1.0f, 1.0f, std::numeric_limits<float>::infinity()); }, "sy");
  expect_parameter_error([] { binary32_scale_from_scales(0x1p-100f, 0x1p-100f, 1.0f); }, "sw");
  expect_parameter_error([] { binary32_scale_from_scales(0x1p100f, 0x1p27f, 0x1p-10f); }, "sy");
  expect_parameter_error([] { to_tosa32(FixedPointMultiplier{1 << 30, 30}); }, "shift");
  expect_parameter_error([] { derive_tosa32(pow2(29), Derivation::exact); }, "real_multiplier");
  expect_parameter_error([] { derive_tosa16(pow2(13), Derivation::exact); }, "real_multiplier");
  expect_parameter_error([] { derive_tosa16(Rational(-1), Derivation::exact); }, "real_multiplier");
}

TEST(MultiplierScales, ExactProductAndXnnpackBinary32Scale) {
  // Subnormal scales are accepted; M is exact.
  EXPECT_EQ(multiplier_from_scales(0x1p-149f, 0x1p-149f, 0x1p127f), pow2(-425));
  // Hand derivation: fl32(0.1f * 0.2f) then / 0.3f, each rounded: compare with the host, whose
  // binary32 arithmetic is IEEE (one rounding per operation, FLT_EVAL_METHOD == 0 on x86-64).
  volatile float sx = 0.1f, sw = 0.2f, sy = 0.3f;
  const float host = (sx * sw) / sy;
  EXPECT_EQ(binary32_scale_from_scales(0.1f, 0.2f, 0.3f), host);
}

// Q6.8, issue 9's scales. Derived by hand (and with numpy float32 arithmetic):
// fl32(Sx*Sw) = 0x1.22e5e2p-12, fl32(that / Sy) = 0x1.ba269ap-11, 24-bit significand 0xDD134D,
// so rndnu gives (0xDD134D << 7, -10) = (1854514816, -10); fl32 of the exact M is
// 0x1.ba269cp-11 (significand 0xDD134E) -> 1854514944, which an earlier requantize path used.
TEST(MultiplierFromScales, RndnuStartsFromTheBinary32Scale) {
  const float sx = 0x1.0ed2aep-5f, sw = 0x1.12f9ecp-7f, sy = 0x1.50da56p-2f;
  const Rational start = real_multiplier_from_scales(sx, sw, sy, Derivation::rndnu);
  EXPECT_EQ(start, exact(0x1.ba269ap-11f));
  EXPECT_EQ(derive_multiplier(start, Derivation::rndnu), (FixedPointMultiplier{1854514816, -10}));
  // The counterexample: fl32 of the exact M is one binary32 ulp higher.
  EXPECT_EQ(derive_multiplier(multiplier_from_scales(sx, sw, sy), Derivation::rndnu),
            (FixedPointMultiplier{1854514944, -10}));
  // exact and tflite start from the exact M.
  EXPECT_EQ(real_multiplier_from_scales(sx, sw, sy, Derivation::exact),
            multiplier_from_scales(sx, sw, sy));
  EXPECT_EQ(real_multiplier_from_scales(sx, sw, sy, Derivation::tflite),
            multiplier_from_scales(sx, sw, sy));
  // requantize_params_from_scales takes the same path for every Q31 and TOSA variant.
  for (RequantVariant v : {RequantVariant::double_round, RequantVariant::single_round}) {
    const RequantizeParams p = requantize_params_from_scales(v, sx, sw, sy, 0, -128, 127,
                                                             Derivation::rndnu);
    EXPECT_EQ(p.multiplier, 1854514816) << name(v);
    EXPECT_EQ(p.shift, -10) << name(v);
  }
}

TEST(MultiplierTosa, ConventionsAndMlirValues) {
  // ArmNN's test of ComputeMultiplierAndShiftTosaScale16 (a copy of MLIR's
  // computeMultiplierAndShiftTosaScale16): scale 0.5 -> (16384, 15).
  EXPECT_EQ(derive_tosa16(Rational(1, 2), Derivation::tflite), (TosaMultiplier{16384, 15}));
  EXPECT_EQ(derive_tosa32(Rational(1, 2), Derivation::tflite), (TosaMultiplier{1 << 30, 31}));
  EXPECT_EQ(derive_tosa16(Rational(0), Derivation::tflite), (TosaMultiplier{0, 15}));
  // Q31 -> TOSA keeps the rational: m*2^(s-31) = m/2^(31-s).
  const FixedPointMultiplier q31{1431655765, -1};
  EXPECT_EQ(to_tosa32(q31), (TosaMultiplier{1431655765, 32}));
  EXPECT_EQ(real_value(to_tosa32(q31)), real_value(q31));
  // Below 2^-32 the TOSA shift would exceed 62: MLIR shifts the multiplier right instead.
  // Hand derivation: M = 2^-40 = 0.5 * 2^-39 -> mantissa 2^30, TOSA shift 31 + 39 = 70 ->
  // (2^30 >> 8, 62) = (2^22, 62), still exactly 2^-40.
  EXPECT_EQ(derive_tosa32(pow2(-40), Derivation::exact), (TosaMultiplier{1 << 22, 62}));
  EXPECT_EQ(real_value(derive_tosa32(pow2(-40), Derivation::exact)), pow2(-40));
  // scale16 keeps 15 bits: 1/3 -> round(2^16/3 = 21845.33) = 21845 with shift 16.
  EXPECT_EQ(derive_tosa16(Rational(1, 3), Derivation::exact), (TosaMultiplier{21845, 16}));
}

}  // namespace
}  // namespace quantspec::ref
