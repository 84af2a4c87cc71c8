// The scalar example plug-in (examples/scalar_plugin) is correct: it passes every check of every
// operation x variant, linked in (fast) here and loaded as a plug-in in plugin_runner_test.cc.
#include <gtest/gtest.h>

#include "broken_kernels.hpp"
#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance {
namespace {

void expect_all_pass(const std::string& family, int cases) {
  Settings settings;
  settings.seed = 3;
  settings.cases = cases;
  const qs_kernel_table& table = *qs_scalar_example_table();
  for (const VariantSuite& suite : all_variant_suites()) {
    if (operation_family(suite.op) != family) continue;
    const VariantResult r = run_variant(table, "scalar example", suite, settings);
    EXPECT_EQ(r.status, VariantResult::Status::pass)
        << suite.op << " " << suite.variant << ": " << status_name(r.status) << " in " << r.failed_check << "\n"
        << r.counterexample;
  }
}

TEST(ScalarExample, PassesQuantize) { expect_all_pass("quantize", 15); }
TEST(ScalarExample, PassesDequantize) { expect_all_pass("dequantize", 30); }
TEST(ScalarExample, PassesRequantize) { expect_all_pass("requantize", 20); }
TEST(ScalarExample, PassesGemm) { expect_all_pass("gemm", 30); }
TEST(ScalarExample, PassesLinear) { expect_all_pass("linear", 16); }
TEST(ScalarExample, PassesLut) { expect_all_pass("lut", 30); }

}  // namespace
}  // namespace quantspec::conformance
