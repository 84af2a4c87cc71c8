// The golden-vector hook compares a kernel with the vector's own expected values (hand-derived
// here: Q2 with S = 0.5, Z = 1: x = 0.25 -> t = 0.5 -> half_even 0 -> q = 1; x = 0.75 -> 1.5 -> 2
// -> q = 3) and enforces "invalid" results.
#include <gtest/gtest.h>

#include "broken_kernels.hpp"
#include "quantspec/conformance/vectors.hpp"

namespace quantspec::conformance {
namespace {

VectorTest quantize_test(std::vector<std::int64_t> expected) {
  QuantizeCase c;
  c.rounding = QS_ROUND_HALF_EVEN;
  c.division = QS_DIV_F32_DIVIDE;
  c.scales = {0.5f};
  c.zero_points = {1};
  c.input = {0.25f, 0.75f};
  VectorTest t;
  t.id = "hand tcId 1";
  t.kernel_case = c;
  t.expected = std::move(expected);
  return t;
}

TEST(VectorsHook, PassesAKernelThatMatchesTheVector) {
  const auto results = run_vector_tests(*qs_scalar_example_table(), {quantize_test({1, 3})});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, VectorTestResult::Status::pass) << results[0].message;
}

TEST(VectorsHook, FailsWhenTheKernelDiffersFromTheVector) {
  const auto results = run_vector_tests(broken::half_away_for_half_even(), {quantize_test({1, 3})});
  EXPECT_EQ(results[0].status, VectorTestResult::Status::fail);
  EXPECT_NE(results[0].message.find("expected 1, got 2"), std::string::npos) << results[0].message;
}

TEST(VectorsHook, RequiresBadParametersForInvalidVectors) {
  VectorTest t = quantize_test({});
  std::get<QuantizeCase>(t.kernel_case).scales = {0.0f};
  t.valid = false;
  const auto results = run_vector_tests(*qs_scalar_example_table(), {t});
  EXPECT_EQ(results[0].status, VectorTestResult::Status::pass) << results[0].message;
}

// A GEMM output is named by row and column. A = [[1, 2], [3, 4]], W = [[1, 0], [0, 1], [1, 1]]
// (N x K): A * W^T = [[1, 2, 3], [3, 4, 7]]; the vector below claims 8 for out[1][2].
TEST(VectorsHook, NamesAMatrixElementByRowAndColumn) {
  GemmCase c;
  c.m = 2;
  c.n = 3;
  c.k = 2;
  c.a_stride = 2;
  c.w_stride = 2;
  c.out_stride = 3;
  c.a = {1, 2, 3, 4};
  c.w = {1, 0, 0, 1, 1, 1};
  VectorTest t;
  t.id = "hand tcId 2";
  t.kernel_case = c;
  t.expected = {1, 2, 3, 3, 4, 7};
  const auto pass = run_vector_tests(*qs_scalar_example_table(), {t});
  EXPECT_EQ(pass[0].status, VectorTestResult::Status::pass) << pass[0].message;
  t.expected.back() = 8;
  const auto fail = run_vector_tests(*qs_scalar_example_table(), {t});
  EXPECT_EQ(fail[0].status, VectorTestResult::Status::fail);
  EXPECT_NE(fail[0].message.find("wrong out[1][2]: expected 8, got 7"), std::string::npos) << fail[0].message;
}

}  // namespace
}  // namespace quantspec::conformance
