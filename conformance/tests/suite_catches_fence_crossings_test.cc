// The suite fences every buffer of a call, parameter arrays included (execute.hpp): a kernel
// that reads one element before or after a buffer fails with the buffer's name and the signed
// offset of the access, even when its output is right (broken_kernels_fences.cc). Each of these
// kernels passed the suite before the fences (checked at the commit that added them).
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>

#include "broken_kernels.hpp"
#include "quantspec/conformance/suite.hpp"

namespace quantspec::conformance {
namespace {

const VariantSuite& find_suite(const std::string& op, const std::string& variant) {
  for (const VariantSuite& suite : all_variant_suites()) {
    if (suite.op == op && suite.variant == variant) return suite;
  }
  throw std::runtime_error("no suite " + op + " " + variant);
}

// The whole variant fails, and its report shows `evidence` (the buffer and the offset).
void expect_caught(const qs_kernel_table& table, const std::string& op, const std::string& variant,
                   const std::string& evidence) {
  Settings settings;
  settings.seed = 7;
  settings.cases = 30;
  const VariantResult r = run_variant(table, table.name, find_suite(op, variant), settings);
  EXPECT_EQ(r.status, VariantResult::Status::fail) << table.name << " was not caught by " << op << " " << variant;
  EXPECT_NE(r.counterexample.find(evidence), std::string::npos) << r.counterexample;
  std::cout << "--- " << table.name << ": " << op << " " << variant << ", failed in " << r.failed_check << "\n"
            << r.counterexample << std::endl;
}

TEST(SuiteCatches, ReadOfScalesBeforeTheFirstChannel) {
  expect_caught(broken::reads_scale_before_the_first(), "quantize_per_channel", "f32_divide half_even",
                "read before the start of its parameter array 'scales': offset -4");
}

TEST(SuiteCatches, ReadOfBiasPastTheLastColumn) {
  expect_caught(broken::reads_bias_past_the_last(), "gemm", "s8*s8",
                "read past the end of its parameter array 'bias'");
}

TEST(SuiteCatches, ReadOfLutEntry256) {
  expect_caught(broken::reads_lut_entry_256(), "lut", "u8",
                "read past the end of its parameter array 'table': offset 256");
}

TEST(SuiteCatches, ReadOfInputBeforeTheFirstElement) {
  expect_caught(broken::reads_input_before_the_first(), "dequantize", "fl32",
                "read before the start of its input 'input': offset -1");
}

// Bad-parameter calls are fenced too: the read happens only while the kernel rejects a call.
TEST(SuiteCatches, ReadPastTheScalesWhileRejectingACall) {
  expect_caught(broken::reads_past_the_scales_while_rejecting(), "dequantize_per_channel", "fl32",
                "read past the end of its parameter array 'scales': offset 8");
}

TEST(SuiteCatches, WriteFarPastTheOutput) {
  expect_caught(broken::writes_far_past_the_output(), "dequantize", "fl32",
                "wrote past the end of its output 'output'");
}

}  // namespace
}  // namespace quantspec::conformance
