// Q19 histogram-based calibration (SPEC.md §Q19): examples derived by hand here.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quantspec/reference/histogram_calibration.hpp"
#include "rejected_parameter.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

// |x| = [0, 1, 2, 3, 4], Amax = 4, 4 bins of width 1: 0 -> bin 0, 1 on an edge -> bin 1,
// 2 -> bin 2, 3 and 4 (= Amax, the closed last bin) -> bin 3.
TEST(Q19Histogram, EdgesAndCounting) {
  const Histogram h = histogram_of_magnitudes({0.0f, -1.0f, 2.0f, 3.0f, -4.0f}, 4);
  ASSERT_EQ(h.edges.size(), 5u);
  EXPECT_EQ(h.edges[1], Rational(1));
  EXPECT_EQ(h.edges[4], Rational(4));
  EXPECT_EQ(h.counts, (std::vector<std::uint64_t>{1, 1, 1, 2}));
  const Histogram zeros = histogram_of_magnitudes({0.0f, 0.0f}, 2);
  EXPECT_EQ(zeros.counts, (std::vector<std::uint64_t>{2, 0}));
}

// Example Q19.E1: 100 x 1.0 and one 14.0, int4 symmetric (qmax 7), 4 bins of |x|:
// candidates 3.5, 7, 10.5, 14, so S = T/7 = 0.5, 1, 1.5, 2 (all exact in binary32).
// T = 3.5: the ones are exact (1/0.5 = 2), 14/0.5 = 28 clamps to 7 -> 3.5: E = 10.5^2 = 110.25.
// T = 7: the ones exact, 14 -> 7: E = 49.
// T = 10.5: 1/1.5 = 0.67 -> 1 -> 1.5, off by 0.5 each (25); 14/1.5 = 9.3 clamps to 7 -> 10.5
//   (3.5^2 = 12.25): E = 37.25, the minimum.
// T = 14: 1/2 = 0.5 is a tie, half_even -> 0, off by 1 each: E = 100; 14 exact.
TEST(Q19Mse, ExampleQ19E1ClippingTheOutlierWins) {
  std::vector<float> data(100, 1.0f);
  data.push_back(14.0f);
  ParamsOptions options;
  options.dtype = DType::int4;
  options.symmetric = true;
  const MseSearch search = mse_optimal_threshold(data, 4, options);
  EXPECT_EQ(search.candidates, (std::vector<float>{3.5f, 7.0f, 10.5f, 14.0f}));
  ASSERT_EQ(search.errors.size(), 4u);
  EXPECT_EQ(search.errors[0], Rational(441, 4));
  EXPECT_EQ(search.errors[1], Rational(49));
  EXPECT_EQ(search.errors[2], Rational(149, 4));
  EXPECT_EQ(search.errors[3], Rational(100));
  EXPECT_EQ(search.threshold(), 10.5f);
}

// Example Q19.E3 (asymmetric): 0, 300 x 3.0 and one 60.0, uint4 (0..15), 4 bins: candidates
// [0, 15], [0, 30], [0, 45], [0, 60] with S = 1, 2, 3, 4 (exact), Z = 0.
// [0, 15]: the 3s exact, 60 clamps to 15: E = 45^2 = 2025.
// [0, 30]: 3/2 = 1.5 is a tie, half_even -> 2 -> 4, off by 1 each (300); 60 -> 15 -> 30 (900).
// [0, 45]: the 3s exact; 60/3 = 20 clamps to 15 -> 45: E = 225, the minimum.
// [0, 60]: 3/4 -> 1 -> 4, off by 1 each (300); 60 exact: E = 300.
TEST(Q19Mse, ExampleQ19E3AsymmetricRange) {
  std::vector<float> data(300, 3.0f);
  data.push_back(0.0f);
  data.push_back(60.0f);
  ParamsOptions options;
  options.dtype = DType::uint4;
  const MseRangeSearch search = mse_optimal_range(data, 4, options);
  ASSERT_EQ(search.candidates.size(), 4u);
  EXPECT_EQ(search.candidates[2].min, 0.0f);
  EXPECT_EQ(search.candidates[2].max, 45.0f);
  EXPECT_EQ(search.errors, (std::vector<Rational>{2025, 1200, 225, 300}));
  EXPECT_EQ(search.range().max, 45.0f);
  ParamsOptions symmetric;
  symmetric.symmetric = true;
  EXPECT_EQ(rejected_parameter([&] { mse_optimal_range(data, 4, symmetric); }), "symmetric");
}

TEST(Q19Mse, BadParametersAreNamed) {
  ParamsOptions symmetric;
  symmetric.symmetric = true;
  EXPECT_EQ(rejected_parameter([&] { mse_optimal_threshold({1.0f}, 1, symmetric); }), "bins");
  EXPECT_EQ(rejected_parameter([&] { mse_optimal_threshold({1.0f}, 70000, symmetric); }), "bins");
  EXPECT_EQ(rejected_parameter([] { mse_optimal_threshold({1.0f}, 8, ParamsOptions{}); }),
            "symmetric");
  EXPECT_EQ(rejected_parameter([&] { mse_optimal_threshold({}, 8, symmetric); }), "data");
  EXPECT_EQ(rejected_parameter([] { histogram_of_magnitudes({1.0f, std::nanf("")}, 8); }),
            "data[1]");
}

}  // namespace
}  // namespace quantspec::ref
