// Q19.3-Q19.5 entropy calibration (SPEC.md §Q19.3-§Q19.5), ONNX Runtime's HistogramCollector
// (onnxruntime/python/tools/quantization/calibrate.py, collect_value, merge_histogram,
// get_entropy_threshold; quant_utils.py smooth_distribution) operation by operation.
// The operations are binary32/binary64 ones by definition, so they run on the host's IEEE
// arithmetic: FLT_EVAL_METHOD == 0 (checked below) and -ffp-contract=off (top CMakeLists.txt)
// make every + - * / one correctly rounded operation; only the logarithm needs care (Q19.5).
#include "quantspec/reference/entropy_calibration.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>

#include <boost/multiprecision/cpp_bin_float.hpp>

#include "quantspec/reference/errors.hpp"

static_assert(FLT_EVAL_METHOD == 0, "Q19.5 needs binary32 arithmetic without extended precision");

namespace quantspec::ref {
namespace {

constexpr std::size_t kMaxMergedBins = std::size_t{1} << 20;  // Q19.4

void check_bins(std::int64_t bins) {
  if (bins < 2 || bins > 65536) {
    throw ParameterError("bins", "an integer in [2, 65536]", std::to_string(bins));
  }
}

// Q19.3: T = max(|min|, |max|) of a batch, the batch's own range.
float magnitude_of(float min, float max) { return std::max(std::fabs(min), std::fabs(max)); }

// Q19.3: one batch counted over [-T, T] in `bins` bins (np.histogram with range=(-T, T)).
void histogram_over(const std::vector<float>& batch, double threshold, std::size_t bins,
                    std::vector<float>& edges, std::vector<std::uint64_t>& counts) {
  edges = numpy_histogram_edges(-threshold, threshold, bins);
  counts = count_into_bins(batch, edges);
}

// Q19.5: numpy's pairwise_sum for n elements (numpy/core/src/umath/loops_utils.h.src).
float pairwise_sum(const float* v, std::size_t n) {
  if (n < 8) {
    float sum = 0.0f;
    for (std::size_t i = 0; i < n; ++i) sum += v[i];
    return sum;
  }
  if (n <= 128) {
    float r[8];
    for (std::size_t k = 0; k < 8; ++k) r[k] = v[k];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (std::size_t k = 0; k < 8; ++k) r[k] += v[i + k];
    }
    float sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += v[i];
    return sum;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(v, half) + pairwise_sum(v + half, n - half);
}

// One unit in the last place of a positive finite binary64.
double ulp_of(double v) { return std::nextafter(v, std::numeric_limits<double>::infinity()) - v; }

}  // namespace

// Q19.3.
std::vector<float> numpy_histogram_edges(double first, double last, std::size_t bins) {
  if (first == last) {  // numpy's _get_outer_edges: an empty range becomes one of width 1
    first -= 0.5;
    last += 0.5;
  }
  const double step = (last - first) / static_cast<double>(bins);
  std::vector<float> edges(bins + 1);
  for (std::size_t k = 0; k < bins; ++k) {
    const double scaled = static_cast<double>(k) * step;  // np.arange(num) * step
    edges[k] = static_cast<float>(scaled + first);        // + start, then astype(float32)
  }
  edges[bins] = static_cast<float>(last);  // linspace sets the endpoint to stop
  return edges;
}

// Q19.3.
std::vector<std::uint64_t> count_into_bins(const std::vector<float>& data,
                                           const std::vector<float>& edges) {
  const std::size_t bins = edges.size() - 1;
  std::vector<std::uint64_t> counts(bins, 0);
  for (float x : data) {
    if (!(x >= edges.front() && x <= edges.back())) continue;  // numpy's `keep`
    std::size_t k = static_cast<std::size_t>(
        std::upper_bound(edges.begin(), edges.end(), x) - edges.begin() - 1);
    if (k >= bins) k = bins - 1;  // x on the last edge: the last bin is closed
    ++counts[k];
  }
  return counts;
}

SignedHistogramCollector::SignedHistogramCollector(std::int64_t bins) {
  check_bins(bins);
  initial_bins_ = static_cast<std::size_t>(bins);
}

// Q19.3 and Q19.4 (collect_value and merge_histogram).
void SignedHistogramCollector::observe(const std::vector<float>& batch) {
  const ObservedRange range = observe_min_max(batch);  // Q18.1 errors
  const float batch_threshold = magnitude_of(range.min, range.max);
  SignedHistogram next;
  if (!histogram_) {
    histogram_over(batch, batch_threshold, initial_bins_, next.edges, next.counts);
    next.threshold = batch_threshold;
    next.min = range.min;
    next.max = range.max;
    histogram_ = next;
    return;
  }
  const SignedHistogram& old = *histogram_;
  next.min = std::min(old.min, range.min);
  next.max = std::max(old.max, range.max);
  const std::size_t old_bins = old.counts.size();
  std::size_t offset = 0;
  if (static_cast<double>(batch_threshold) <= old.threshold) {
    // The batch fits: count it over the same range and bins.
    histogram_over(batch, old.threshold, old_bins, next.edges, next.counts);
    next.threshold = old.threshold;
  } else if (old.threshold == 0) {
    // All data so far was zero (bin Z of [-0.5, 0.5]); it stays in bin Z of the new range.
    histogram_over(batch, batch_threshold, old_bins, next.edges, next.counts);
    next.threshold = batch_threshold;
  } else {
    // Widen by h old-width bins on each side, in binary64 (numpy 1.24 promotes
    // 2 * float32 scalar to float64): w = 2T/N, h = floor((T_b - T) / w) + 1, T'' = h*w + T.
    const double stride = 2.0 * old.threshold / static_cast<double>(old_bins);
    const double growth = static_cast<double>(batch_threshold) - old.threshold;
    const double half_increase = std::floor(growth / stride) + 1.0;
    if (half_increase > static_cast<double>(kMaxMergedBins)) {
      throw ParameterError("bins", "a merged histogram of at most 2^20 bins",
                           "a widening by " + std::to_string(half_increase) + " bins per side");
    }
    offset = static_cast<std::size_t>(half_increase);
    const std::size_t new_bins = old_bins + 2 * offset;
    if (new_bins > kMaxMergedBins) {
      throw ParameterError("bins", "a merged histogram of at most 2^20 bins",
                           std::to_string(new_bins));
    }
    const double widened = half_increase * stride + old.threshold;
    histogram_over(batch, widened, new_bins, next.edges, next.counts);
    next.threshold = widened;
  }
  for (std::size_t k = 0; k < old_bins; ++k) next.counts[offset + k] += old.counts[k];
  histogram_ = next;
}

const SignedHistogram& SignedHistogramCollector::histogram() const {
  if (!histogram_) throw ParameterError("data", "at least one batch", "none observed");
  return *histogram_;
}

// Q19.5.
float numpy_sum_binary32(const std::vector<float>& values) {
  constexpr std::size_t kBlock = 8192;  // numpy's ufunc buffer size
  float sum = 0.0f;
  for (std::size_t start = 0; start < values.size(); start += kBlock) {
    sum += pairwise_sum(values.data() + start, std::min(kBlock, values.size() - start));
  }
  return sum;
}

// Q19.5: fl32(ln x). The host's binary64 log (assumed within 4 ulp of ln x, as glibc's is
// documented to be) decides the binary32 rounding unless it lies within 4 binary64 ulp of a
// binary32 midpoint; then ln x is evaluated with 166 bits. ln x equals no midpoint (x != 1).
float log_binary32(float x) {
  if (!(x > 0.0f) || !std::isfinite(x)) {
    throw ParameterError("x", "a positive finite binary32", std::to_string(x));
  }
  if (x == 1.0f) return 0.0f;
  const double approximation = std::log(static_cast<double>(x));
  const float rounded = static_cast<float>(approximation);
  const float neighbour = static_cast<double>(rounded) < approximation
                              ? std::nextafter(rounded, std::numeric_limits<float>::infinity())
                              : std::nextafter(rounded, -std::numeric_limits<float>::infinity());
  const double midpoint = (static_cast<double>(rounded) + static_cast<double>(neighbour)) / 2;
  if (std::fabs(approximation - midpoint) > 4 * ulp_of(std::fabs(approximation))) return rounded;
  using Wide = boost::multiprecision::cpp_bin_float_50;
  const Wide precise = boost::multiprecision::log(Wide(x));
  const bool above = precise > Wide(midpoint);
  return above ? std::max(rounded, neighbour) : std::min(rounded, neighbour);
}

// Q19.5.
std::optional<std::vector<float>> smooth_distribution(const std::vector<std::int64_t>& counts) {
  std::size_t zeros = 0;
  for (std::int64_t c : counts) zeros += c == 0 ? 1 : 0;
  const std::size_t nonzeros = counts.size() - zeros;
  if (nonzeros == 0) return std::nullopt;
  const double eps = 0.0001;
  const double eps1 = eps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
  const float zero_bin = static_cast<float>(eps);
  const float taken = static_cast<float>(eps1);
  std::vector<float> smoothed(counts.size());
  for (std::size_t k = 0; k < counts.size(); ++k) {
    smoothed[k] = counts[k] == 0 ? zero_bin : static_cast<float>(counts[k]) - taken;
  }
  return smoothed;
}

// Q19.5.
float kl_divergence_binary32(const std::vector<float>& p, const std::vector<float>& q) {
  const float p_sum = numpy_sum_binary32(p);
  const float q_sum = numpy_sum_binary32(q);
  std::vector<float> terms(p.size());
  for (std::size_t k = 0; k < p.size(); ++k) {
    const float pk = p[k] / p_sum;
    const float qk = q[k] / q_sum;
    terms[k] = pk * log_binary32(pk / qk);
  }
  return numpy_sum_binary32(terms);
}

// Q19.5 (get_entropy_threshold).
EntropySearch entropy_threshold(const SignedHistogram& histogram, std::int64_t quantized_bins) {
  const std::vector<std::uint64_t>& hist = histogram.counts;
  const std::size_t bins = hist.size();
  if (quantized_bins < 2 || static_cast<std::uint64_t>(quantized_bins) > bins) {
    throw ParameterError("quantized_bins", "an integer in [2, bins = " + std::to_string(bins) + "]",
                         std::to_string(quantized_bins));
  }
  const std::size_t levels = static_cast<std::size_t>(quantized_bins);
  const std::size_t zero_bin = bins / 2;
  EntropySearch search;
  for (std::size_t i = levels / 2; i <= zero_bin; ++i) {
    const std::size_t start = zero_bin - i;
    const std::size_t end = std::min(zero_bin + i + 1, bins);
    const std::size_t length = end - start;
    // Reference distribution p: the slice, the outliers added to its first and last bins.
    std::vector<std::int64_t> p(hist.begin() + static_cast<std::ptrdiff_t>(start),
                                hist.begin() + static_cast<std::ptrdiff_t>(end));
    for (std::size_t k = 0; k < start; ++k) p.front() += static_cast<std::int64_t>(hist[k]);
    for (std::size_t k = end; k < bins; ++k) p.back() += static_cast<std::int64_t>(hist[k]);
    // Quantized: the slice without outliers merged into `levels` groups of m bins; the bins
    // past levels * m go to the last group.
    const std::size_t merged = length / levels;
    std::vector<std::int64_t> quantized(levels, 0);
    for (std::size_t j = 0; j < levels; ++j) {
      for (std::size_t k = j * merged; k < (j + 1) * merged; ++k) {
        quantized[j] += static_cast<std::int64_t>(hist[start + k]);
      }
    }
    for (std::size_t k = levels * merged; k < length; ++k) {
      quantized.back() += static_cast<std::int64_t>(hist[start + k]);
    }
    // Candidate q: each group's mass spread over the group's bins where p is non-zero, as
    // floor(mass / nonzero count) in every bin of the group (ORT stores the binary64 quotient
    // into an int64 array); the bins past levels * m stay 0.
    std::vector<std::int64_t> q(length, 0);
    for (std::size_t j = 0; j < levels; ++j) {
      std::int64_t nonzero = 0;
      for (std::size_t k = j * merged; k < (j + 1) * merged; ++k) nonzero += p[k] != 0 ? 1 : 0;
      if (nonzero == 0) continue;
      const std::int64_t spread = quantized[j] / nonzero;  // floor of a non-negative quotient
      for (std::size_t k = j * merged; k < (j + 1) * merged; ++k) q[k] = spread;
    }
    const auto smoothed_p = smooth_distribution(p);
    const auto smoothed_q = smooth_distribution(q);
    EntropyCandidate candidate;
    candidate.half_width = static_cast<std::int64_t>(i);
    candidate.range = {histogram.edges[start], histogram.edges[end]};
    candidate.divergence = smoothed_p && smoothed_q
                               ? kl_divergence_binary32(*smoothed_p, *smoothed_q)
                               : std::numeric_limits<float>::infinity();
    search.candidates.push_back(candidate);
    if (candidate.divergence < search.candidates[search.chosen].divergence) {
      search.chosen = search.candidates.size() - 1;
    }
  }
  ObservedRange range = search.candidates[search.chosen].range;
  if (range.min < histogram.min) range.min = histogram.min;
  if (range.max > histogram.max) range.max = histogram.max;
  search.range = range;
  return search;
}

}  // namespace quantspec::ref
