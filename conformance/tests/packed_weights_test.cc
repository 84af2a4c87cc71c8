// The packed-weights suites (conformance/src/ops_packed.cc): our kernels pass them on every
// compiled target (conformance_optimized_tests runs them per target), a table without the slots
// is "not provided", and deliberately broken packed kernels fail the check aimed at them.
#include <gtest/gtest.h>

#include <stdexcept>

#include "broken_kernels.hpp"
#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance {
namespace {

const VariantSuite& packed_suite(const std::string& op, const std::string& variant) {
  for (const VariantSuite& suite : all_variant_suites()) {
    if (suite.op == op && suite.variant == variant) return suite;
  }
  throw std::runtime_error("no suite " + op + " " + variant);
}

VariantResult run(const qs_kernel_table& table, const std::string& op, const std::string& variant) {
  Settings settings;
  settings.seed = 7;
  return run_variant(table, table.name, packed_suite(op, variant), settings);
}

TEST(PackedWeights, ATableWithoutTheSlotsIsNotProvided) {
  for (const char* variant : {"s8*s8", "u8*s8"}) {
    EXPECT_EQ(run(*qs_scalar_example_table(), "gemm_packed", variant).status,
              VariantResult::Status::not_provided);
  }
  EXPECT_EQ(run(*qs_scalar_example_table(), "linear_packed", "fp32").status,
            VariantResult::Status::not_provided);
}

TEST(PackedWeights, CatchesAKernelThatReadsTheCallsWeightZeroPoint) {
  const VariantResult r = run(broken::packed_uses_call_time_zero_point(), "gemm_packed", "s8*s8");
  EXPECT_EQ(r.status, VariantResult::Status::fail);
  EXPECT_EQ(r.failed_check, "PackedMatchesReferenceAndUnpackedOnBlockShapes");
  // The call's weight fields hold noise in every call: values unlike the packed ones, then
  // pointers into an inaccessible page, then NULL. This kernel dereferences the noise pointer.
  EXPECT_NE(r.counterexample.find("dereferenced an unused pointer field"), std::string::npos)
      << r.counterexample;
}

TEST(PackedWeights, CatchesAKernelThatDropsTheLastKBlock) {
  const VariantResult r = run(broken::packed_drops_k_beyond_4096(), "gemm_packed", "u8*s8");
  EXPECT_EQ(r.status, VariantResult::Status::fail);
  EXPECT_NE(r.counterexample.find("k = 4097"), std::string::npos) << r.counterexample;
}

// pack_weights gets W, w_zero_points and bias in fenced buffers (at a page end for the first
// packing, at a page start for the second): a read one past the bias is a failing case.
TEST(PackedWeights, CatchesAPackThatReadsOnePastTheBias) {
  const VariantResult r = run(broken::packed_reads_bias_past_the_last(), "gemm_packed", "s8*s8");
  EXPECT_EQ(r.status, VariantResult::Status::fail);
  EXPECT_NE(r.counterexample.find("pack_weights read past the end of its parameter array 'bias'"), std::string::npos)
      << r.counterexample;
}

TEST(PackedWeights, BadParameterCheckPassesAKernelThatValidatesCorrectly) {
  // The broken table's only bug is in its arithmetic; its parameter checks follow the ABI, so the
  // bad-parameter check must pass it (no false alarm). Our own kernels are run through every
  // packed check per target by conformance_optimized_tests.
  const VariantSuite& suite = packed_suite("gemm_packed", "s8*s8");
  const qs_kernel_table& table = broken::packed_drops_k_beyond_4096();
  for (const Check& check : suite.checks) {
    if (check.name != "PackRejectsBadParametersAndLeavesNull") continue;
    EXPECT_EQ(check.run(table, suite.probe(table), Settings{}).verdict, CheckResult::Verdict::pass);
  }
}

}  // namespace
}  // namespace quantspec::conformance
