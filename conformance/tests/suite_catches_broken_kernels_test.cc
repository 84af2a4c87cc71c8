// The suite must demonstrably catch wrong kernels: each deliberately broken table fails the
// named check of the named variant, with a counterexample that shows the bug.
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "broken_kernels.hpp"
#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance {
namespace {

Settings test_settings() {
  Settings settings;
  settings.seed = 7;
  settings.cases = 30;
  return settings;
}

const VariantSuite& find_suite(const std::string& op, const std::string& variant) {
  for (const VariantSuite& suite : all_variant_suites()) {
    if (suite.op == op && suite.variant == variant) return suite;
  }
  throw std::runtime_error("no suite " + op + " " + variant);
}

VariantResult run(const qs_kernel_table& table, const std::string& op, const std::string& variant) {
  return run_variant(table, table.name, find_suite(op, variant), test_settings());
}

// The variant fails as a whole, and the named check (the one aimed at this bug) fails on its
// own with a counterexample showing `evidence`.
void expect_caught(const qs_kernel_table& table, const std::string& op, const std::string& variant,
                   const std::string& check_name, const std::string& evidence) {
  const VariantResult whole = run(table, op, variant);
  EXPECT_EQ(whole.status, VariantResult::Status::fail) << table.name << " was not caught by " << op << " " << variant;
  const VariantSuite& suite = find_suite(op, variant);
  const Support support = suite.probe(table);
  bool found = false;
  for (const Check& check : suite.checks) {
    if (check.name != check_name) continue;
    found = true;
    const CheckResult r = check.run(table, support, test_settings());
    EXPECT_EQ(r.verdict, CheckResult::Verdict::fail) << table.name << " passed " << check_name;
    EXPECT_NE(r.counterexample.find(evidence), std::string::npos) << r.counterexample;
    std::cout << "--- " << table.name << ": " << op << " " << variant << ", check " << check_name
              << " (whole variant first failed in " << whole.failed_check << ")\n"
              << r.counterexample << std::endl;
  }
  EXPECT_TRUE(found) << "no check " << check_name;
}

// A binary64 `ideal` kernel agrees with the exact reference on everything except exact halves
// (and, for floor, exact integers) of non-dyadic multipliers: the catalogue's derived ties
// catch it under every rounding rule that has such points.
TEST(SuiteCatches, IdealRequantizationInBinary64) {
  for (const char* variant : {"ideal half_even", "ideal half_away", "ideal half_up", "ideal floor",
                              "ideal toward_zero", "ideal half_even before_rounding"}) {
    SCOPED_TRACE(variant);
    expect_caught(broken::ideal_requantize_in_binary64(), "requantize", variant,
                  "RoundsExactTiesOfNonDyadicMultipliers", "non-dyadic");
  }
}

TEST(SuiteCatches, HalfAwayRoundingWhereHalfEvenWasDeclared) {
  expect_caught(broken::half_away_for_half_even(), "quantize", "f32_divide half_even", "RoundsExactTiesByItsRule",
                "expected -4, got -5");
}

TEST(SuiteCatches, ConvertBeforeClamp) {
  expect_caught(broken::convert_before_clamp(), "quantize", "f32_divide half_even", "SaturatesQuotientsBeyondInt32",
                "expected 127, got -128");
}

TEST(SuiteCatches, Int16PairSaturationInTheU8S8DotProduct) {
  expect_caught(broken::int16_pair_saturation(), "gemm", "u8*s8", "NeverSaturatesInt16ProductPairs", "wrong out[0][0]");
}

TEST(SuiteCatches, Int8WrapOfTheZeroPointSumBeforeTheClamp) {
  expect_caught(broken::int8_zero_point_wrap(), "requantize", "double_round",
                "AddsZeroPointWithoutWrappingBeforeTheClamp", "wrong output at index");
}

// The SPEC Q11 members run as the Q7 pipeline each is most easily mistaken for: the catalogue's
// ties (negative ties rounded away by gemmlowp, ties of rndnu16's pre-shift) and its 15-bit
// multiplier boundaries (0x40007FFF: int16x8_int64 drops the low 16 bits) name each one.
TEST(SuiteCatches, DeployedMembersRunAsTheirQ7Neighbours) {
  for (const char* op : {"requantize", "requantize_per_channel"}) {
    SCOPED_TRACE(op);
    expect_caught(broken::neon_double_round_as_gemmlowp(), op, "neon_double_round", "RoundsTiesByItsRule",
                  "wrong output at index");
    expect_caught(broken::int16x8_with_the_full_multiplier(), op, "int16x8_int64",
                  "SaturatesAtInt32ExtremesAndShiftBounds", "multiplier");
    expect_caught(broken::rndnu16_as_rndnu(), op, "rndnu16", "RoundsTiesByItsRule", "wrong output at index");
  }
}

// Q7.2's left-shift overflow members swapped: the catalogue's extremes (acc << shift beyond
// int32 at shifts 1, 5 and 30) tell saturate from wrap in both directions.
TEST(SuiteCatches, LeftShiftOverflowMembersSwapped) {
  for (const char* op : {"requantize", "requantize_per_channel"}) {
    SCOPED_TRACE(op);
    expect_caught(broken::double_round_with_a_wrapping_left_shift(), op, "double_round",
                  "SaturatesAtInt32ExtremesAndShiftBounds", "wrong output at index");
    expect_caught(broken::double_round_wrap_that_saturates(), op, "double_round_wrap",
                  "SaturatesAtInt32ExtremesAndShiftBounds", "wrong output at index");
  }
}

// kernel_abi.h: variants 9..11 were appended within ABI version 1, so a kernel built before
// them rejects them as outside its enum. That is "not provided", named so, never a failure; a
// kernel that accepts a member for s8 and rejects it for u8 is failed.
TEST(SuiteReports, AKernelBuiltBeforeTheDeployedSelectorsAsNotProvidingThem) {
  for (const auto& [op, variant] : std::vector<std::pair<std::string, std::string>>{
           {"requantize", "neon_double_round"}, {"requantize_per_channel", "int16x8_int64"}, {"linear", "rndnu16"}}) {
    SCOPED_TRACE(op + " " + variant);
    const VariantResult r = run(broken::predates_the_deployed_selectors(), op, variant);
    EXPECT_EQ(r.status, VariantResult::Status::not_provided) << status_name(r.status) << ": " << r.counterexample;
    const Support support = find_suite(op, variant).probe(broken::predates_the_deployed_selectors());
    ASSERT_FALSE(support.not_supported.empty());
    EXPECT_NE(support.not_supported[0].find("built before this selector"), std::string::npos) << support.not_supported[0];
    // The variants it knows still run and pass.
    EXPECT_EQ(run(broken::predates_the_deployed_selectors(), op, "double_round").status, VariantResult::Status::pass);
  }
  const VariantResult half = run(broken::rejects_a_deployed_selector_for_u8_only(), "requantize", "neon_double_round");
  EXPECT_EQ(half.status, VariantResult::Status::fail) << status_name(half.status);
}

TEST(SuiteCatches, OffByOneTailThatSkipsTheLastElement) {
  expect_caught(broken::tail_skips_last_element(), "lut", "s8", "WritesEveryLengthExactlyOnce", "unwritten");
}

TEST(SuiteCatches, OffByOneTailThatWritesPastTheEnd) {
  expect_caught(broken::tail_writes_past_end(), "dequantize", "fl32", "WritesEveryLengthExactlyOnce",
                "wrote outside the output buffer");
}

TEST(SuiteCatches, OffByOneTailThatReadsPastTheEndOfItsInput) {
  expect_caught(broken::tail_reads_past_end(), "requantize", "double_round", "WritesEveryLengthExactlyOnce",
                "read past the end of its input 'input'");
}

TEST(SuiteCatches, PerChannelIndexMixUp) {
  expect_caught(broken::per_channel_index_mixup(), "requantize_per_channel", "double_round", "UsesChannelIModChannels",
                "wrong output at index");
}

TEST(SuiteCatches, PerTensorScaleReadInAPerChannelCall) {
  expect_caught(broken::per_tensor_scale_in_per_channel_call(), "quantize_per_channel", "f32_divide half_even",
                "UsesChannelIModChannels", "fields the call must not read");
}

TEST(SuiteCatches, ValidatingAFieldTheVariantDoesNotRead) {
  expect_caught(broken::validates_unread_scale(), "requantize", "double_round", "RoundsTiesByItsRule",
                "a kernel validating a field it must ignore");
}

// The scalar example before it read only its variant's fields (it read every per-channel array,
// whatever the variant): the unread pointers point into an inaccessible page, and the access is a
// failing case, not a crash.
TEST(SuiteCatches, DereferencingAPointerTheVariantDoesNotUse) {
  expect_caught(broken::reads_every_per_channel_array(), "requantize_per_channel", "double_round",
                "RoundsTiesByItsRule", "dereferenced an unused pointer field");
}

TEST(SuiteCatches, GemmRowsPast32FromTheWrongRow) {
  expect_caught(broken::gemm_rows_past_32_wrong(), "gemm", "s8*s8", "CoversEveryBlockOfMAndNAndDeepK", "m 33, n 17");
}

TEST(SuiteCatches, GemmDropsTheKTailPast4096) {
  expect_caught(broken::gemm_k_tail_past_4096_dropped(), "gemm", "u8*s8", "CoversEveryBlockOfMAndNAndDeepK",
                "k 4097");
}

TEST(SuiteCatches, ChannelIndexKeptIn16Bits) {
  expect_caught(broken::channel_index_in_16_bits(), "requantize_per_channel", "double_round", "UsesChannelIModChannels",
                "channel i % 65537");
}

// SRDHM(INT32_MIN, INT32_MIN) needs multiplier = INT32_MIN, which ABI version 1 and the
// reference (Q7.1: multiplier in [0, 2^31 - 1]) reject; no valid call can tell this kernel from
// a correct one. The suite covers the boundary it can reach (acc = INT32_MIN with multipliers
// 2^30 and 2^31 - 1, shifts -31..30) and the rejection of negative multipliers, so this
// asserts the honest result: the kernel passes, and would be caught only if the ABI ever
// admitted negative multipliers.
TEST(SuiteCatches, MissingSrdhmSaturationIsUnreachableThroughAbiVersion1) {
  const VariantResult r = run(broken::srdhm_without_saturation(), "requantize", "double_round");
  EXPECT_EQ(r.status, VariantResult::Status::pass) << r.counterexample;
}

}  // namespace
}  // namespace quantspec::conformance

namespace quantspec::conformance {
namespace {

// The random-case property finds the same bug without the catalogue, and shrinks it to one
// element with every parameter printed.
TEST(SuiteCatches, PropertyShrinksToAMinimalCounterexample) {
  const VariantSuite& suite = find_suite("quantize", "f32_divide half_even");
  const qs_kernel_table& table = broken::half_away_for_half_even();
  const Support support = suite.probe(table);
  for (const Check& check : suite.checks) {
    if (check.name != "MatchesReferenceOnRandomCases") continue;
    Settings settings = test_settings();
    settings.cases = 200;
    const CheckResult r = check.run(table, support, settings);
    ASSERT_EQ(r.verdict, CheckResult::Verdict::fail);
    EXPECT_NE(r.counterexample.find("shrunk"), std::string::npos) << r.counterexample;
    EXPECT_NE(r.counterexample.find("  n: 1\n"), std::string::npos) << r.counterexample;
    std::cout << r.counterexample << std::endl;
  }
}

TEST(SuiteCatches, LutInt16FractionAsSignedRemainder) {
  expect_caught(broken::lut_int16_signed_fraction(), "lut_int16", "tosa", "InterpolatesEveryInt16Input",
                "input -32767");
}

}  // namespace
}  // namespace quantspec::conformance
