// Q19.3-Q19.5 entropy (KL-divergence) calibration as ONNX Runtime's HistogramCollector does
// it (SPEC.md §Q19.3-§Q19.5): the signed histogram of numpy's np.histogram, its merging across
// batches, and get_entropy_threshold's search, each binary32/binary64 operation in ORT's order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "quantspec/reference/observers.hpp"

namespace quantspec::ref {

// Q19.3: numpy 1.24's np.histogram(..., bins, range=(first, last)) edges for binary32 data:
// step = fl64(fl64(last - first) / bins), edge k = fl32(fl64(fl64(k * step) + first)) for
// k < bins, edge bins = fl32(last); first == last widens the range to [first - 0.5, last + 0.5].
std::vector<float> numpy_histogram_edges(double first, double last, std::size_t bins);

// Q19.3: counts[k] = number of x with edges[k] <= x < edges[k + 1] (the last bin closed);
// x outside [edges[0], edges[bins]] is not counted (numpy drops it).
std::vector<std::uint64_t> count_into_bins(const std::vector<float>& data,
                                           const std::vector<float>& edges);

// Q19.3: the histogram over [-T, T] that ORT keeps for one tensor.
struct SignedHistogram {
  std::vector<float> edges;           // bins + 1 binary32 edges
  std::vector<std::uint64_t> counts;  // bins counts
  double threshold = 0;  // T: binary32 after the first batch, binary64 after a widening (Q19.4)
  float min = 0;         // running min and max of all observed data
  float max = 0;
};

// Q19.3 (first batch) and Q19.4 (later batches: same range, or widened by whole old bins).
class SignedHistogramCollector {
 public:
  // Throws ParameterError naming `bins` unless bins is in [2, 65536].
  explicit SignedHistogramCollector(std::int64_t bins = 2048);
  // Throws the Q18.1 data errors (empty, NaN, +-inf) and, when a widening would pass
  // 2^20 bins, ParameterError naming `bins`; a rejected batch leaves the histogram unchanged.
  void observe(const std::vector<float>& batch);
  // Throws ParameterError naming `data` if no batch was observed.
  const SignedHistogram& histogram() const;

 private:
  std::size_t initial_bins_;
  std::optional<SignedHistogram> histogram_;
};

// Q19.5: numpy's float32 summation order for np.sum of a contiguous vector: blocks of 8192
// elements, each summed pairwise (numpy's pairwise_sum: fewer than 8 elements left to right,
// up to 128 with 8 accumulators, else split at n/2 rounded down to a multiple of 8), the block
// sums added left to right starting from +0.
float numpy_sum_binary32(const std::vector<float>& values);

// Q19.5: the correctly rounded binary32 natural logarithm of a positive finite binary32.
float log_binary32(float x);

// Q19.5: ORT's smooth_distribution (quant_utils.py) in its order: nullopt when every count is
// zero; else eps1 = fl64(fl64(1e-4 * zeros) / nonzeros), zero bins -> fl32(1e-4), nonzero bins
// -> fl32(fl32(count) - fl32(eps1)).
std::optional<std::vector<float>> smooth_distribution(const std::vector<std::int64_t>& counts);

// Q19.5: ORT's entropy(p, q): p and q divided by their numpy sums, then
// sum of fl32(p_k * log_binary32(fl32(p_k / q_k))), every operation binary32.
float kl_divergence_binary32(const std::vector<float>& p, const std::vector<float>& q);

// Q19.5: one candidate i: the slice of bins [Z - i, Z + i] (Z = bins / 2), its range
// (edges[Z - i], edges[min(Z + i + 1, bins)]) and divergence (+inf when p or q is all zero).
struct EntropyCandidate {
  std::int64_t half_width;  // i
  ObservedRange range;
  float divergence;
};

struct EntropySearch {
  std::vector<EntropyCandidate> candidates;  // i = quantized_bins / 2 .. bins / 2
  std::size_t chosen = 0;                    // the first smallest divergence
  ObservedRange range;  // the chosen candidate's range clamped to [min, max] of the data
};

// Q19.5: ORT's get_entropy_threshold. Throws ParameterError naming `quantized_bins` unless
// 2 <= quantized_bins <= bins.
EntropySearch entropy_threshold(const SignedHistogram& histogram,
                                std::int64_t quantized_bins = 128);

}  // namespace quantspec::ref
