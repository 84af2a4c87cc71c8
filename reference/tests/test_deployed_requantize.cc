// SPEC.md Q11.1-Q11.3, Q11.8: the deployed requantization members, their counterexamples against the
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

// Q11.8 rndnu16 (XNNPACK qu8, Cortex-A53/A55 builds). Every expected value is derived in the
// comments; (m, s) come from the rndnu derivation of the binary32 scale (Q6.4).
TEST(DeployedRequantize, Rndnu16ParametersAreTheRndnuPairOfTheBinary32Scale) {
  // s = 2^-4: significand 2^23, E = -4 -> m = 2^23 * 2^7 = 2^30, shift = E + 1 = -3.
  const auto p = rndnu16_params_from_binary32_scale(0x1p-4f, 128, 0, 255);
  EXPECT_EQ(p.member, DeployedRequant::rndnu16);
  EXPECT_EQ(p.multiplier, 1 << 30);
  EXPECT_EQ(p.shift, -3);
  // XNNPACK asserts 2^-32 <= s < 256.
  EXPECT_EQ(rejected_parameter([] { rndnu16_params_from_binary32_scale(256.0f, 0, 0, 255); }),
            "scale");
  EXPECT_EQ(rejected_parameter([] { rndnu16_params_from_binary32_scale(0x1p-33f, 0, 0, 255); }),
            "scale");
  // The largest binary32 below 256: significand 2^24 - 1, E = 7 -> shift 8 (the member's top).
  const auto top = rndnu16_params_from_binary32_scale(0x1.fffffep7f, 0, 0, 255);
  EXPECT_EQ(top.shift, 8);
  EXPECT_EQ(top.multiplier, 0x7FFFFF80);
  EXPECT_EQ(rndnu16_params_from_binary32_scale(0x1p-32f, 0, 0, 255).shift, -31);
}

TEST(DeployedRequantize, Rndnu16RoundsThePreShiftWhereRndnuRoundsOnce) {
  // s = 2^-4 -> (2^30, -3); m15 = (2^30 + 2^15) >> 16 = 2^14, p = -3. Zy = 128, [0, 255].
  // acc = 4: x = floor((4 + 4)/8) = 1 (0.5 ties up); h = floor((1*2^14 + 2^14)/2^15) = 1
  // (0.5 ties up again); q = 129. Exact 4/16 = 0.25: rndnu = single_round gives
  // floor((4*2^30 + 2^33)/2^34) = floor(0.75) = 0 -> 128; double_round SRDHM(4, 2^30) = 2,
  // 2/8 = 0.25 -> 0 -> 128; neon_double_round floor((2 + 4)/8) = 0 -> 128; int16x8_int64
  // m15 = 2^14, floor((4*2^14 + 2^17)/2^18) = 0 -> 128.
  const auto p = rndnu16_params_from_binary32_scale(0x1p-4f, 128, 0, 255);
  DeployedRequantTrace trace;
  EXPECT_EQ(deployed_requantize(Integer(4), p, &trace), 129);
  EXPECT_EQ(trace.reduced_multiplier, 1 << 14);
  EXPECT_EQ(trace.pre_shift, -3);
  EXPECT_EQ(trace.left_shifted, 1);
  EXPECT_EQ(run(q7(RequantVariant::rndnu, 1 << 30, -3, 128, 0, 255), 4), 128);
  EXPECT_EQ(run(q7(RequantVariant::double_round, 1 << 30, -3, 128, 0, 255), 4), 128);
  EXPECT_EQ(run(deployed(DeployedRequant::neon_double_round, 1 << 30, -3, 128, 0, 255), 4), 128);
  EXPECT_EQ(run(deployed(DeployedRequant::int16x8_int64, 1 << 30, -3, 128, 0, 255), 4), 128);
  // acc = -12: x = floor((-12 + 4)/8) = -1; h = floor((-2^14 + 2^14)/2^15) = 0; q = 128.
  // Exact -0.75: rndnu floor(-0.75 + 0.5) = -1 -> 127; double_round SRDHM(-12, 2^30) =
  // floor(-5.5) = -6, -6/8 = -0.75 -> -1 -> 127.
  EXPECT_EQ(run(p, -12), 128);
  EXPECT_EQ(run(q7(RequantVariant::rndnu, 1 << 30, -3, 128, 0, 255), -12), 127);
  EXPECT_EQ(run(q7(RequantVariant::double_round, 1 << 30, -3, 128, 0, 255), -12), 127);
}

TEST(DeployedRequantize, Rndnu16RenormalisesAMultiplierThatRoundsTo2To15) {
  // s = 0x1.fffep-2 = 0.5 - 2^-17: significand 0xFFFF00, E = -2 -> (0x7FFF8000, -1).
  // (0x7FFF8000 + 2^15) >> 16 = 2^15 is not an int16: m15 = 2^14, p = -1 + 1 = 0 (XNNPACK's
  // exp++). acc = 1: x = 1, h = floor((2^14 + 2^14)/2^15) = 1, q = 1.
  // rndnu: 1*s = 0.5 - 2^-17 -> floor((0x7FFF8000 + 2^31)/2^32) = 0. int16x8_int64 keeps
  // m15 = 0x7FFF (m >= 0x7FFF0000) and p = shift: floor((32767 + 2^15)/2^16) = 0.
  const auto p = rndnu16_params_from_binary32_scale(0x1.fffep-2f, 0, 0, 255);
  ASSERT_EQ(p.multiplier, 0x7FFF8000);
  ASSERT_EQ(p.shift, -1);
  DeployedRequantTrace trace;
  EXPECT_EQ(deployed_requantize(Integer(1), p, &trace), 1);
  EXPECT_EQ(trace.reduced_multiplier, 1 << 14);
  EXPECT_EQ(trace.pre_shift, 0);
  EXPECT_EQ(run(q7(RequantVariant::rndnu, 0x7FFF8000, -1, 0, 0, 255), 1), 0);
  EXPECT_EQ(run(deployed(DeployedRequant::int16x8_int64, 0x7FFF8000, -1, 0, 0, 255), 1), 0);
  // One below the threshold: (0x7FFF7FFF + 2^15) >> 16 = 0x7FFF stays, p = shift.
  deployed_requantize(Integer(1), deployed(DeployedRequant::rndnu16, 0x7FFF7FFF, -1, 0, 0, 255),
                      &trace);
  EXPECT_EQ(trace.reduced_multiplier, 0x7FFF);
  EXPECT_EQ(trace.pre_shift, -1);
}

TEST(DeployedRequantize, Rndnu16Keeps15MultiplierBitsWhereRndnuKeeps24) {
  // s = 0x1.00fep+7 = 128.49609375: significand 0x807F00, E = 7 -> (0x403F8000, 8).
  // m15 = (0x403F8000 + 2^15) >> 16 = 0x4040 = 16448 (= 0x807F00/2^9 + 1/2, rounded up);
  // p = 8. acc = 1: x = 256, h = floor((256*16448 + 2^14)/2^15) = floor(129.0) = 129.
  // rndnu: 128.49609375 -> floor((0x403F8000 + 2^22)/2^23) = 128; double_round: SRDHM(256,
  // 0x403F8000) = floor(128.496... + 0.5) = 128; int16x8_int64 rejects shift 8.
  const auto p = rndnu16_params_from_binary32_scale(0x1.00fep+7f, 0, 0, 255);
  ASSERT_EQ(p.multiplier, 0x403F8000);
  ASSERT_EQ(p.shift, 8);
  EXPECT_EQ(run(p, 1), 129);
  EXPECT_EQ(run(q7(RequantVariant::rndnu, 0x403F8000, 8, 0, 0, 255), 1), 128);
  EXPECT_EQ(run(q7(RequantVariant::double_round, 0x403F8000, 8, 0, 0, 255), 1), 128);
  EXPECT_EQ(rejected_parameter([] { deployed(DeployedRequant::int16x8_int64, 0x403F8000, 8).validate(); }),
            "shift");
  // acc = 3, int16 bounds: x = 768, h = floor((768*16448 + 2^14)/2^15) = floor(385.5 + 0.5) =
  // 386; rndnu: 3*128.49609375 = 385.48828125 -> 385. (Negative accumulators: -128.5 ties up
  // to -128, where rndnu's -128.496 also gives -128.)
  const auto wide = rndnu16_params_from_binary32_scale(0x1.00fep+7f, 0, -32768, 32767);
  EXPECT_EQ(run(wide, 3), 386);
  EXPECT_EQ(run(q7(RequantVariant::rndnu, 0x403F8000, 8, 0, -32768, 32767), 3), 385);
  EXPECT_EQ(run(wide, -1), -128);
}

TEST(DeployedRequantize, Rndnu16SaturatesThePreShiftedValueToInt16) {
  // s = 2^-8 -> (2^30, -7), m15 = 2^14, p = -7. acc = 2^23: x = floor((2^23 + 64)/128) =
  // 65536 -> VQMOVN saturates to 32767; h = floor((32767*2^14 + 2^14)/2^15) = 2^14 = 16384.
  // With int16 bounds that is the output, where rndnu gives 2^23/2^8 = 32768 -> 32767.
  // With uint8 bounds both clamp to 255 (Q11.8: invisible while qmax - Zy < 16384).
  const auto p = rndnu16_params_from_binary32_scale(0x1p-8f, 0, -32768, 32767);
  DeployedRequantTrace trace;
  EXPECT_EQ(deployed_requantize(Integer(1) << 23, p, &trace), 16384);
  EXPECT_TRUE(trace.pre_shift_saturated);
  EXPECT_EQ(trace.left_shifted, 32767);
  EXPECT_EQ(run(q7(RequantVariant::rndnu, 1 << 30, -7, 0, -32768, 32767), 1 << 23), 32767);
  EXPECT_EQ(run(rndnu16_params_from_binary32_scale(0x1p-8f, 0, 0, 255), 1 << 23), 255);
  // The most negative: acc = INT32_MIN at s = 2^-8: x16 = -32768, h = floor((-2^29 + 2^14)/2^15)
  // = -16384 (the only product that reaches -2^29; VQRDMULH cannot saturate with m15 >= 0).
  EXPECT_EQ(run(p, std::numeric_limits<std::int32_t>::min()), -16384);
}

TEST(DeployedRequantize, Rndnu16RejectsBoundsOutsideInt16AndAccumulatorsOutsideInt32) {
  using D = DeployedRequant;
  EXPECT_EQ(rejected_parameter([] { deployed(D::rndnu16, 1 << 30, 9).validate(); }), "shift");
  EXPECT_EQ(rejected_parameter([] { deployed(D::rndnu16, 1 << 30, 8).validate(); }),
            "<not rejected>");
  EXPECT_EQ(rejected_parameter([] { deployed(D::rndnu16, 1 << 30, 0, 0, -32769, 0).validate(); }),
            "qmin");
  EXPECT_EQ(rejected_parameter([] { deployed(D::rndnu16, 1 << 30, 0, 0, 0, 32768).validate(); }),
            "qmax");
  EXPECT_EQ(rejected_parameter([] {
              deployed_requantize(Integer(1) << 31, deployed(D::rndnu16, 1 << 30, 0, 0, 0, 255));
            }),
            "acc");
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
                                        DeployedRequant::int16x8_int64, DeployedRequant::rndnu16);
  DeployedRequantParams p;
  p.member = member;
  p.multiplier = *rc::gen::weightedOneOf<std::int32_t>(
      {{4, testgen::q31_multiplier()},
       {2, rc::gen::just<std::int32_t>(1 << 30)},  // SQRDMULH exact on even x: ties reach step 3
       {1, rc::gen::element<std::int32_t>(0x7FFF0000, 0x7FFEFFFF, 0x7FFF7FFF, 0x7FFF8000)},
       // rndnu16: multipliers of the rndnu derivation (Q6.4), m = significand * 2^7.
       {2, rc::gen::map(rc::gen::inRange<std::int32_t>(1 << 23, 1 << 24),
                        [](std::int32_t m24) { return m24 << 7; })}});
  p.shift = member == DeployedRequant::neon_double_round ? *rc::gen::inRange(-31, 31)
            : member == DeployedRequant::int16x8_int64   ? *rc::gen::inRange(-31, 8)
                                                         : *rc::gen::inRange(-31, 9);
  const bool wide_output = *rc::gen::arbitrary<bool>();
  if (member == DeployedRequant::rndnu16) {  // int16 lanes: uint8 (XNNPACK's) or int16 bounds
    p.qmin = wide_output ? -32768 : 0;
    p.qmax = wide_output ? 32767 : 255;
  } else {
    p.qmin = wide_output ? testgen::kInt32Min : -128;
    p.qmax = wide_output ? testgen::kInt32Max : 127;
  }
  std::int32_t zero = std::max<std::int32_t>(0, p.qmin);
  std::int32_t minus5 = std::max<std::int32_t>(-5, p.qmin);
  p.zero_point = *rc::gen::element(zero, p.qmin, p.qmax, std::int32_t{3}, minus5);
  std::vector<std::int64_t> accs;
  for (int i = 0; i < 8; ++i) accs.push_back(*testgen::accumulator());
  const int right = p.shift < 0 ? -p.shift : 0;
  if (right >= 1 && right <= 24) {
    // +-(2k+1) * 2^right: with m = 2^30, h = acc/2 is a tie at the rounding shift (Q11.1).
    const std::int64_t odd = 2 * *rc::gen::inRange<std::int64_t>(0, 60) + 1;
    accs.push_back(-(odd << right));  // not -odd << right: a left shift of a negative value is UB in C++17
    accs.push_back(odd << right);
    // rndnu16: +-(2k+1) * 2^(right-1) is a tie of the rounding pre-shift (Q11.8 step 2).
    accs.push_back(-(odd << (right - 1)));
    accs.push_back(odd << (right - 1));
  }
  if (member == DeployedRequant::rndnu16) {
    // Around the int16 saturation of the pre-shifted value (|acc * 2^p| near 2^15).
    const int p_shift = p.shift;
    for (const std::int64_t edge : {std::int64_t{32767}, std::int64_t{32768}, std::int64_t{-32768},
                                    std::int64_t{-32769}}) {
      const std::int64_t a = p_shift >= 0 ? edge >> std::min(p_shift, 15)
                                          : edge * (std::int64_t{1} << std::min(-p_shift, 16));
      accs.push_back(std::clamp<std::int64_t>(a, testgen::kInt32Min, testgen::kInt32Max));
    }
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
