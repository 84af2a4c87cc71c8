// SPEC.md Q11.1-Q11.3: the deployed requantization members, their counterexamples against the
// nearest Q7 variants (values derived by hand in the comments), their errors, and the fast
// path held to the definition.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "quantspec/reference/deployed_requantize.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/requantize.hpp"
#include "rejected_parameter.hpp"
#include "requantize_generators.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

DeployedRequantParams deployed(DeployedRequant member, std::int32_t m, int shift,
                               std::int32_t zy = 0, std::int32_t qmin = -128,
                               std::int32_t qmax = 127) {
  DeployedRequantParams p;
  p.member = member;
  p.multiplier = m;
  p.shift = shift;
  p.zero_point = zy;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

RequantizeParams q7(RequantVariant variant, std::int32_t m, int shift, std::int32_t zy = 0,
                    std::int32_t qmin = -128, std::int32_t qmax = 127) {
  RequantizeParams p;
  p.variant = variant;
  p.multiplier = m;
  p.shift = shift;
  p.zero_point = zy;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

std::int64_t run(const DeployedRequantParams& p, std::int64_t acc) {
  return deployed_requantize(Integer(acc), p).convert_to<std::int64_t>();
}
std::int64_t run(const RequantizeParams& p, std::int64_t acc) {
  return requantize(Integer(acc), p).convert_to<std::int64_t>();
}

// Q11.1, M = 2^30 * 2^(-3-31) = 1/16, Zy = 3 (Example Q7.E1's parameters).
TEST(DeployedRequantize, NeonDoubleRoundTiesUpWhereGemmlowpRoundsAway) {
  // acc = -1000: SQRDMULH = floor((-1000*2^30 + 2^30)/2^31) = floor(-499.5) = -500; then
  // SRSHL by 3: floor((-500 + 4)/8) = -62 (the tie -62.5 goes up); q = -62 + 3 = -59.
  // Q7.2 double_round rounds -62.5 away from zero: -63 + 3 = -60; tosa_double also -60.
  const auto neon = deployed(DeployedRequant::neon_double_round, 1 << 30, -3, 3);
  EXPECT_EQ(run(neon, -1000), -59);
  EXPECT_EQ(run(q7(RequantVariant::double_round, 1 << 30, -3, 3), -1000), -60);
  // Positive ties agree (62.5 -> 63 in both).
  EXPECT_EQ(run(neon, 1000), 66);
  EXPECT_EQ(run(q7(RequantVariant::double_round, 1 << 30, -3, 3), 1000), 66);
}

TEST(DeployedRequantize, NeonDoubleRoundRoundsTwiceWhereSingleRoundRoundsOnce) {
  // acc = 7, M = 1/16: v = 0.4375. SQRDMULH = floor((7*2^30 + 2^30)/2^31) = 4 (3.5 ties up),
  // then floor((4 + 4)/8) = 1. single_round: floor((7*2^30 + 2^33)/2^34) = floor(0.9375) = 0.
  const auto neon = deployed(DeployedRequant::neon_double_round, 1 << 30, -3);
  EXPECT_EQ(run(neon, 7), 1);
  EXPECT_EQ(run(q7(RequantVariant::single_round, 1 << 30, -3), 7), 0);
}

TEST(DeployedRequantize, NeonLeftShiftWrapsWhereQ72Saturates) {
  // M = 2^30 * 2^(3-31) = 4, acc = 2^29: acc * 2^3 = 2^32 keeps 0 in a 32-bit lane (SSHL),
  // so y = SQRDMULH(0, 2^30) = 0; Q7.2 saturates to 2^31 - 1 and gives 2^30 (Example Q7.E2).
  const std::int32_t lo = std::numeric_limits<std::int32_t>::min();
  const std::int32_t hi = std::numeric_limits<std::int32_t>::max();
  DeployedRequantTrace trace;
  const auto neon = deployed(DeployedRequant::neon_double_round, 1 << 30, 3, 0, lo, hi);
  EXPECT_EQ(deployed_requantize(Integer(1) << 29, neon, &trace), 0);
  EXPECT_TRUE(trace.left_shift_wrapped);
  EXPECT_EQ(trace.left_shifted, 0);
  EXPECT_EQ(run(q7(RequantVariant::double_round, 1 << 30, 3, 0, lo, hi), 1 << 29), 1 << 30);
  // -2^28 * 8 = -2^31 fits: no wrap, y = -2^31 * 2^30 / 2^31 = -2^30.
  EXPECT_EQ(run(neon, -(1 << 28)), -(1 << 30));
}

// Q11.2: m = 2^30 + 32767 (M' = 0.25000381...), shift -1, int16 output.
TEST(DeployedRequantize, Int16x8DropsTheLow16MultiplierBitsWhereSingleRoundKeepsThem) {
  // m15 = (0x40007FFF + 2^15) >> 16 = 0x4000; y = floor((120000*16384 + 2^15)/2^16) =
  // floor(30000.5) = 30000. single_round: 120000*(2^30 + 32767)/2^32 = 30000 +
  // 3932040000/2^32 = 30000.9155..., rounds to 30001.
  const std::int32_t m = 0x40007FFF;
  DeployedRequantTrace trace;
  const auto p = deployed(DeployedRequant::int16x8_int64, m, -1, 0, -32768, 32767);
  EXPECT_EQ(deployed_requantize(Integer(120000), p, &trace), 30000);
  EXPECT_EQ(trace.reduced_multiplier, 0x4000);
  EXPECT_EQ(run(q7(RequantVariant::single_round, m, -1, 0, -32768, 32767), 120000), 30001);
}

TEST(DeployedRequantize, Int16x8MultiplierAtTheTopStaysAt0x7FFF) {
  // m = 2^31 - 1 would round to 0x8000 (= 2^15, not an int16); the member takes 0x7FFF:
  // acc = 2^20, shift 0: y = floor((2^20*32767 + 2^14)/2^15) = 32*32767 = 1048544
  // (with 0x8000 it would be 2^20 = 1048576). m = 0x7FFEFFFF is below the bound: rounds to
  // (0x7FFEFFFF + 2^15) >> 16 = 0x7FFF as well.
  const std::int32_t lo = std::numeric_limits<std::int32_t>::min();
  const std::int32_t hi = std::numeric_limits<std::int32_t>::max();
  DeployedRequantTrace trace;
  const auto top = deployed(DeployedRequant::int16x8_int64, 0x7FFFFFFF, 0, 0, lo, hi);
  EXPECT_EQ(deployed_requantize(Integer(1) << 20, top, &trace), 1048544);
  EXPECT_EQ(trace.reduced_multiplier, 0x7FFF);
  deployed_requantize(Integer(1), deployed(DeployedRequant::int16x8_int64, 0x7FFEFFFF, 0), &trace);
  EXPECT_EQ(trace.reduced_multiplier, 0x7FFF);
  deployed_requantize(Integer(1), deployed(DeployedRequant::int16x8_int64, 0x7FFE7FFF, 0), &trace);
  EXPECT_EQ(trace.reduced_multiplier, 0x7FFE);
}

TEST(DeployedRequantize, Int16x8TakesInt48AccumulatorsAndSaturatesAnInt32Overflow) {
  // acc = 2^47 - 1 is accepted; with m = 2^30 (m15 = 2^14) and shift 7, y = (2^47-1)*2^14/2^8
  // ~ 2^53 leaves int32: SPEC CHOICE saturate.
  const std::int32_t lo = std::numeric_limits<std::int32_t>::min();
  const std::int32_t hi = std::numeric_limits<std::int32_t>::max();
  DeployedRequantTrace trace;
  const auto p = deployed(DeployedRequant::int16x8_int64, 1 << 30, 7, 0, lo, hi);
  EXPECT_EQ(deployed_requantize((Integer(1) << 47) - 1, p, &trace), hi);
  EXPECT_TRUE(trace.result_saturated);
  EXPECT_EQ(rejected_parameter([&] { deployed_requantize(Integer(1) << 47, p); }), "acc");
  EXPECT_EQ(rejected_parameter([&] { deployed_requantize(-(Integer(1) << 47) - 1, p); }), "acc");
  EXPECT_EQ(deployed_requantize(-(Integer(1) << 47), p, &trace), lo);
}

TEST(DeployedRequantize, EveryRejectedParameterIsNamed) {
  using D = DeployedRequant;
  EXPECT_EQ(rejected_parameter([] { deployed(D::neon_double_round, -1, 0).validate(); }),
            "multiplier");
  EXPECT_EQ(rejected_parameter([] { deployed(D::neon_double_round, 1, 31).validate(); }), "shift");
  EXPECT_EQ(rejected_parameter([] { deployed(D::neon_double_round, 1, -32).validate(); }), "shift");
  EXPECT_EQ(rejected_parameter([] { deployed(D::int16x8_int64, 1, 8).validate(); }), "shift");
  EXPECT_EQ(rejected_parameter([] { deployed(D::int16x8_int64, 1, 7).validate(); }),
            "<not rejected>");
  EXPECT_EQ(rejected_parameter([] { deployed(D::int16x8_int64, 1, 0, 0, 5, 4).validate(); }),
            "qmin");
  EXPECT_EQ(rejected_parameter([] { deployed(D::int16x8_int64, 1, 0, 128).validate(); }),
            "zero_point");
  EXPECT_EQ(rejected_parameter([] {
              deployed_requantize(Integer(1) << 31, deployed(D::neon_double_round, 1, 0));
            }),
            "acc");
  EXPECT_EQ(rejected_parameter([] { parse_deployed_requant("neon", "--member"); }), "--member");
  for (const auto member : all_deployed_requants()) {
    EXPECT_EQ(parse_deployed_requant(name(member)), member);
  }
}

// Q11.4: QNNPACK q31 derives (m, s) from the binary32 scale. The scales of issue 9:
// Sx = 0x1.0ed2aep-5, Sw = 0x1.12f9ecp-7, Sy = 0x1.50da56p-2.
TEST(DeployedRequantize, DoubleRoundFromTheBinary32ScaleDiffersFromTheTfliteDerivation) {
  const float sx = 0x1.0ed2aep-5f, sw = 0x1.12f9ecp-7f, sy = 0x1.50da56p-2f;
  const RequantizeParams qnnpack = double_round_params_from_binary32_scale(sx, sw, sy, 0, -128, 127);
  // QNNPACK's own formulas on the bits of s = fl32(fl32(Sx*Sw)/Sy), written out here:
  // multiplier = (significand | 2^23) << 7, right shift = 127 + 31 - 32 - biased exponent.
  const float s = binary32_scale_from_scales(sx, sw, sy);
  std::uint32_t bits = 0;
  std::memcpy(&bits, &s, sizeof bits);
  EXPECT_EQ(bits, 0x3a5d134du);
  EXPECT_EQ(qnnpack.multiplier, static_cast<std::int32_t>(((bits & 0x007FFFFFu) | 0x00800000u) << 7));
  EXPECT_EQ(-qnnpack.shift, static_cast<int>(127 + 31 - 32 - (bits >> 23)));
  EXPECT_EQ(qnnpack.multiplier, 1854514816);
  EXPECT_EQ(qnnpack.shift, -10);
  // TFLite's derivation of the exact M (Q6.3) gives 1854514918 with the same shift.
  const RequantizeParams tflite = requantize_params_from_scales(
      RequantVariant::double_round, sx, sw, sy, 0, -128, 127, Derivation::tflite);
  EXPECT_EQ(tflite.multiplier, 1854514918);
  EXPECT_EQ(tflite.shift, -10);
  // acc = 48023: SRDHM = floor((48023*1854514816 + 2^30)/2^31) = floor(41471.49...) = 41471,
  // 41471/1024 = 40.499 -> 40; with 1854514918: 41472, 41472/1024 = 40.5 ties away -> 41.
  EXPECT_EQ(run(qnnpack, 48023), 40);
  EXPECT_EQ(run(tflite, 48023), 41);
  EXPECT_EQ(run(qnnpack, -48023), -40);
  EXPECT_EQ(run(tflite, -48023), -41);
  // QNNPACK asserts s < 1: Sx = Sw = 1, Sy = 0.5 gives s = 2.
  EXPECT_EQ(rejected_parameter([] { double_round_params_from_binary32_scale(1, 1, 0.5f, 0, -128, 127); }),
            "scale");
}

std::optional<std::int64_t> definition_or_error(std::int64_t acc, const DeployedRequantParams& p,
                                                std::string& error) {
  try {
    return deployed_requantize(Integer(acc), p).convert_to<std::int64_t>();
  } catch (const ParameterError& e) {
    error = e.parameter();
    return std::nullopt;
  }
}

// Q11.3: the fast path equals the definition (values and rejected parameters).
RC_GTEST_PROP(DeployedRequantizeFast, EqualsDefinition, ()) {
  const auto member = *rc::gen::element(DeployedRequant::neon_double_round,
                                        DeployedRequant::int16x8_int64);
  DeployedRequantParams p;
  p.member = member;
  p.multiplier = *rc::gen::weightedOneOf<std::int32_t>(
      {{4, testgen::q31_multiplier()},
       {2, rc::gen::just<std::int32_t>(1 << 30)},  // SQRDMULH exact on even x: ties reach step 3
       {1, rc::gen::element<std::int32_t>(0x7FFF0000, 0x7FFEFFFF, 0x7FFF7FFF, 0x7FFF8000)}});
  p.shift = member == DeployedRequant::neon_double_round ? *rc::gen::inRange(-31, 31)
                                                         : *rc::gen::inRange(-31, 8);
  const bool int32_output = *rc::gen::arbitrary<bool>();
  p.qmin = int32_output ? testgen::kInt32Min : -128;
  p.qmax = int32_output ? testgen::kInt32Max : 127;
  p.zero_point = *rc::gen::element<std::int32_t>(0, p.qmin, p.qmax, 3, -5);
  std::vector<std::int64_t> accs;
  for (int i = 0; i < 8; ++i) accs.push_back(*testgen::accumulator());
  const int right = p.shift < 0 ? -p.shift : 0;
  if (right >= 1 && right <= 24) {
    // +-(2k+1) * 2^right: with m = 2^30, h = acc/2 is a tie at the rounding shift (Q11.1).
    const std::int64_t odd = 2 * *rc::gen::inRange<std::int64_t>(0, 60) + 1;
    accs.push_back(-(odd << right));  // not -odd << right: a left shift of a negative value is UB in C++17
    accs.push_back(odd << right);
  }
  if (member == DeployedRequant::int16x8_int64) {
    const std::int64_t b = std::int64_t{1} << 47;
    accs.insert(accs.end(), {b - 1, -b, b, -b - 1,
                             *rc::gen::inRange<std::int64_t>(-b, b)});
  }
  const FastDeployedRequantizer fast(p);
  for (const std::int64_t acc : accs) {
    std::string error;
    const auto expected = definition_or_error(acc, p, error);
    if (expected) {
      RC_ASSERT(fast(acc) == *expected);
    } else {
      RC_ASSERT(rejected_parameter([&] { fast(acc); }) == error);
    }
  }
}

}  // namespace
}  // namespace quantspec::ref
