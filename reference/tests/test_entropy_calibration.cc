// Q19.3-Q19.5 entropy calibration (SPEC.md §Q19.3-§Q19.5). Expected values are derived in the
// comments or were printed by numpy 1.24.2 and by ONNX Runtime 1.32.0's own HistogramCollector
// (onnxruntime/quantization/calibrate.py from the PyPI wheel, run under /usr/bin/python3 on
// this machine with stub modules for the model-handling imports the collector does not use;
// tools/python/ort_entropy_check.py repeats the run).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include <boost/multiprecision/cpp_bin_float.hpp>

#include "quantspec/reference/entropy_calibration.hpp"
#include "quantspec/reference/numbers.hpp"
#include "rejected_parameter.hpp"

namespace quantspec::ref {
namespace {

using testing::rejected_parameter;

// The fixed data of the ORT comparisons: u/v in binary32 with u = (37k mod 199) - 99 and
// v = (53k mod 97) + 1, times `scale` (a small v gives the heavy tail). numpy computes the same
// binary32 quotients (IEEE division), so both sides see identical data.
std::vector<float> ratio_data(int n, float scale) {
  std::vector<float> data;
  for (int k = 0; k < n; ++k) {
    const float u = static_cast<float>((k * 37) % 199 - 99);
    const float v = static_cast<float>((k * 53) % 97 + 1);
    data.push_back(u / v * scale);
  }
  return data;
}

// numpy 1.24.2: np.histogram(x, 3, range=(-T, T))[1] for T = fl32(0.1) printed
// -0x1.99999ap-4, -0x1.111112p-5, 0x1.111112p-5, 0x1.99999ap-4 (binary64 step 2T/3, k*step - T,
// rounded to binary32); an empty range (T = 0) becomes [-0.5, 0.5]: -0.5, -0.25, 0, 0.25, 0.5.
TEST(Q19SignedHistogram, EdgesAreNumpys) {
  const float t = 0.1f;
  EXPECT_EQ(numpy_histogram_edges(-t, t, 3),
            (std::vector<float>{-0x1.99999ap-4f, -0x1.111112p-5f, 0x1.111112p-5f, 0x1.99999ap-4f}));
  EXPECT_EQ(numpy_histogram_edges(-0.0, 0.0, 4),
            (std::vector<float>{-0.5f, -0.25f, 0.0f, 0.25f, 0.5f}));
}

// Edges -2, -1, 0, 1, 2: a value on an inner edge opens the bin to its right, 2 (the last
// edge) is in the closed last bin, 3 is outside the range and dropped.
TEST(Q19SignedHistogram, CountingOnEdges) {
  const std::vector<float> edges{-2.0f, -1.0f, 0.0f, 1.0f, 2.0f};
  EXPECT_EQ(count_into_bins({-2.0f, -1.0f, -0.5f, 0.0f, 1.0f, 2.0f, 3.0f}, edges),
            (std::vector<std::uint64_t>{1, 2, 1, 2}));
}

// The ORT runs (num_bins 2048): one batch of ratio_data(3000, 1) has T = 99/1 = 0x1.8cp+6
// and 2048 bins; a second batch ratio_data(1000, 3) (T_b = 297) widens it by whole old bins:
// w = 2*99/2048, h = floor((297 - 99)/w) + 1 = 2049, 2048 + 2*2049 = 6146 bins,
// T'' = h*w + 99 = 0x1.2918cp+8 (binary64, 297.0966796875); 4000 elements counted.
TEST(Q19SignedHistogram, MergingWidensByWholeOldBins) {
  SignedHistogramCollector collector(2048);
  collector.observe(ratio_data(3000, 1.0f));
  EXPECT_EQ(collector.histogram().counts.size(), 2048u);
  EXPECT_EQ(collector.histogram().threshold, 0x1.8cp+6);
  collector.observe(ratio_data(1000, 3.0f));
  const SignedHistogram& h = collector.histogram();
  EXPECT_EQ(h.counts.size(), 6146u);
  EXPECT_EQ(h.threshold, 0x1.2918cp+8);
  EXPECT_EQ(h.min, -0x1.29p+8f);
  EXPECT_EQ(h.max, 0x1.84p+6f);
  std::uint64_t total = 0;
  for (std::uint64_t c : h.counts) total += c;
  EXPECT_EQ(total, 4000u);
}

// numpy 1.24.2: np.sum(np.arange(1, 201, dtype=float32) * float32(0.1)) = 0x1.f67ffep+10;
// adding left to right gives 0x1.f68p+10, so the pairwise order is what is checked.
TEST(Q19Entropy, NumpySumIsPairwise) {
  std::vector<float> values;
  for (int k = 1; k <= 200; ++k) values.push_back(static_cast<float>(k) * 0.1f);
  EXPECT_EQ(numpy_sum_binary32(values), 0x1.f67ffep+10f);
  float sequential = 0.0f;
  for (float v : values) sequential += v;
  EXPECT_EQ(sequential, 0x1.f68p+10f);
}

// log_binary32 against ln evaluated with 166 bits and rounded once, over binary32 values
// around 1 (where p/q lies) and over the whole exponent range.
TEST(Q19Entropy, LogBinary32IsCorrectlyRounded) {
  using Wide = boost::multiprecision::cpp_bin_float_50;
  std::vector<float> xs;
  for (float x = 0.5f; x < 2.0f; x = std::nextafter(x, 3.0f) + 0x1p-13f) xs.push_back(x);
  for (int e = -149; e < 128; e += 3) xs.push_back(std::ldexp(1.37f, e));
  for (float x : xs) {
    const Wide precise = boost::multiprecision::log(Wide(x));
    const float expected = x == 1.0f ? 0.0f : static_cast<float>(static_cast<double>(precise));
    // Rounding 166 bits to binary64 first is a double rounding only within 2^-113 relative of
    // a binary32 midpoint; none of these x is that close (else the two would disagree here).
    ASSERT_EQ(log_binary32(x), expected) << std::hexfloat << x;
  }
  EXPECT_EQ(rejected_parameter([] { log_binary32(0.0f); }), "x");
}

// counts [0, 2, 0, 3]: 2 zeros, 2 non-zeros, eps1 = fl64(fl64(1e-4 * 2) / 2) = the binary64
// 1e-4; zero bins get fl32(1e-4), non-zero ones c - fl32(1e-4).
TEST(Q19Entropy, SmoothingTakesFromNonZeroBins) {
  const auto smoothed = smooth_distribution({0, 2, 0, 3});
  ASSERT_TRUE(smoothed.has_value());
  const float eps = static_cast<float>(0.0001);
  EXPECT_EQ(*smoothed, (std::vector<float>{eps, 2.0f - eps, eps, 3.0f - eps}));
  EXPECT_FALSE(smooth_distribution({0, 0}).has_value());
}

// Example Q19.E2: 8 bins over [-4, 4] (edges -4, -3, ..., 4), data -0.5, 0.5, 4 -> counts
// [0 0 0 1 1 0 0 1], 4 quantized bins: candidates i = 2, 3, 4 with ranges (-2, 3), (-3, 4),
// (-4, 4). i = 4 (the whole histogram, m = 2) has q = [0 0 1 1 1 1 1 1], i = 2 and 3 move the
// outlier 4 into p's last bin where q has nothing (i = 2) or into a merged group (i = 3).
// ORT 1.32 returned (-0.5, 4.0): candidate (-4, 4) clamped to the data's [min, max].
TEST(Q19Entropy, ExampleQ19E2SmallHistogram) {
  SignedHistogramCollector collector(8);
  collector.observe({-0.5f, 0.5f, 4.0f});
  const SignedHistogram& h = collector.histogram();
  EXPECT_EQ(h.counts, (std::vector<std::uint64_t>{0, 0, 0, 1, 1, 0, 0, 1}));
  const EntropySearch search = entropy_threshold(h, 4);
  ASSERT_EQ(search.candidates.size(), 3u);
  EXPECT_EQ(search.candidates[0].range.min, -2.0f);
  EXPECT_EQ(search.candidates[0].range.max, 3.0f);
  EXPECT_EQ(search.candidates[1].range.min, -3.0f);
  EXPECT_EQ(search.candidates[1].range.max, 4.0f);
  EXPECT_EQ(search.chosen, 2u);
  EXPECT_EQ(search.range.min, -0.5f);
  EXPECT_EQ(search.range.max, 4.0f);
}

// ORT 1.32 get_entropy_threshold(2048 bins, 128 quantized bins) on the fixed data: one batch
// -> (-0x1.056cp+5, 0x1.0632p+5), two batches -> (-0x1.59bap+5, 0x1.5a8p+5). The candidate's
// upper end is one bin further out than its lower one (edges[Z - i], edges[Z + i + 1]).
TEST(Q19Entropy, MatchesOnnxRuntimeOnFixedData) {
  SignedHistogramCollector collector(2048);
  collector.observe(ratio_data(3000, 1.0f));
  const EntropySearch one = entropy_threshold(collector.histogram(), 128);
  EXPECT_EQ(one.range.min, -0x1.056cp+5f);
  EXPECT_EQ(one.range.max, 0x1.0632p+5f);
  collector.observe(ratio_data(1000, 3.0f));
  const EntropySearch two = entropy_threshold(collector.histogram(), 128);
  EXPECT_EQ(two.range.min, -0x1.59bap+5f);
  EXPECT_EQ(two.range.max, 0x1.5a8p+5f);
}

TEST(Q19Entropy, BadParametersAreNamed) {
  EXPECT_EQ(rejected_parameter([] { SignedHistogramCollector collector(1); }), "bins");
  EXPECT_EQ(rejected_parameter([] { SignedHistogramCollector collector(70000); }), "bins");
  EXPECT_EQ(rejected_parameter([] { SignedHistogramCollector(8).histogram(); }), "data");
  EXPECT_EQ(rejected_parameter([] { SignedHistogramCollector(8).observe({}); }), "data");
  EXPECT_EQ(rejected_parameter([] {
              SignedHistogramCollector(8).observe({1.0f, std::numeric_limits<float>::infinity()});
            }),
            "data[1]");
  SignedHistogramCollector collector(8);
  collector.observe({1.0f, -2.0f});
  EXPECT_EQ(rejected_parameter([&] { entropy_threshold(collector.histogram(), 1); }),
            "quantized_bins");
  EXPECT_EQ(rejected_parameter([&] { entropy_threshold(collector.histogram(), 9); }),
            "quantized_bins");
  // A widening past 2^20 bins: T = 1 over 2 bins, then T_b = 2^21.
  SignedHistogramCollector small(2);
  small.observe({1.0f});
  EXPECT_EQ(rejected_parameter([&] { small.observe({0x1p21f}); }), "bins");
}

}  // namespace
}  // namespace quantspec::ref
