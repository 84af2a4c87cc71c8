// Q19 histogram-based calibration (SPEC.md §Q19). Bin positions and errors are exact
// rationals; each candidate threshold is rounded once to binary32 (it becomes a Q1 range).
#include "quantspec/reference/histogram_calibration.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/quantize.hpp"

namespace quantspec::ref {
namespace {

void check_bins(std::int64_t bins) {
  if (bins < 2 || bins > 65536) {
    throw ParameterError("bins", "an integer in [2, 65536]", std::to_string(bins));
  }
}

// Q19.2: sum of (x - (q - Z) * S)^2 over the data, exactly.
Rational squared_error(const std::vector<float>& data, const QuantizationParams& params) {
  const QuantizeParams quantize_params = QuantizeParams::from(params);
  const Rational scale = exact(params.scale);
  Rational sum = 0;
  for (float x : data) {
    const Integer q = quantize(x, quantize_params);
    const Rational difference = exact(x) - Rational(q - params.zero_point) * scale;
    sum += difference * difference;
  }
  return sum;
}

}  // namespace

// Q19.1.
Histogram histogram_of_magnitudes(const std::vector<float>& data, std::int64_t bins) {
  check_bins(bins);
  const Rational amax = exact(observe_max_abs(data));
  Histogram h;
  for (std::int64_t k = 0; k <= bins; ++k) h.edges.push_back(amax * k / bins);
  h.counts.assign(static_cast<std::size_t>(bins), 0);
  for (float x : data) {
    if (amax == 0) {
      ++h.counts[0];  // Q19.1: Amax = 0 puts every element in the first bin
      continue;
    }
    const Rational position = abs(exact(x)) * bins / amax;  // in [0, bins]
    Integer k = floor_div(numerator(position), denominator(position));
    if (k == bins) k = bins - 1;  // the last bin is closed: |x| = Amax
    ++h.counts[k.convert_to<std::size_t>()];
  }
  return h;
}

// Q19.2.
MseSearch mse_optimal_threshold(const std::vector<float>& data, std::int64_t bins,
                                const ParamsOptions& options) {
  if (!options.symmetric) {
    throw ParameterError("symmetric", "true (the MSE search of Q19.2 is symmetric)", "false");
  }
  const Histogram h = histogram_of_magnitudes(data, bins);
  MseSearch search;
  for (std::size_t j = 1; j < h.edges.size(); ++j) {
    const float threshold = round_to_binary32(h.edges[j]);
    if (!search.candidates.empty() && threshold == search.candidates.back()) continue;
    search.candidates.push_back(threshold);
    search.errors.push_back(
        squared_error(data, params_from_range(range_from_threshold(threshold), options)));
    if (search.errors.back() < search.errors[search.chosen]) {
      search.chosen = search.errors.size() - 1;
    }
  }
  return search;
}

// Q19.2 asymmetric.
MseRangeSearch mse_optimal_range(const std::vector<float>& data, std::int64_t bins,
                                 const ParamsOptions& options) {
  if (options.symmetric) {
    throw ParameterError("symmetric", "false (the asymmetric MSE search of Q19.2)", "true");
  }
  check_bins(bins);
  const ObservedRange full = observe_min_max(data);
  MseRangeSearch search;
  for (std::int64_t j = 1; j <= bins; ++j) {
    const ObservedRange candidate{round_to_binary32(exact(full.min) * j / bins),
                                  round_to_binary32(exact(full.max) * j / bins)};
    if (!search.candidates.empty() && candidate.min == search.candidates.back().min &&
        candidate.max == search.candidates.back().max) {
      continue;
    }
    search.candidates.push_back(candidate);
    search.errors.push_back(squared_error(data, params_from_range(candidate, options)));
    if (search.errors.back() < search.errors[search.chosen]) {
      search.chosen = search.errors.size() - 1;
    }
  }
  return search;
}

}  // namespace quantspec::ref
