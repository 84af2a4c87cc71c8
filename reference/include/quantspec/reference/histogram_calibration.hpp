// Q19 histogram-based calibration (SPEC.md §Q19.1-§Q19.2): the histogram of |x| and the
// MSE-optimal clipping (symmetric threshold or asymmetric range), its error measured exactly.
// Entropy calibration (Q19.3-Q19.5) is in entropy_calibration.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/observers.hpp"

namespace quantspec::ref {

// Q19.1: `bins` equal-width bins over [0, Amax], Amax = max |x|; edges[k] = k*Amax/bins
// (exact), counts[k] the elements with edges[k] <= |x| < edges[k+1], the last bin closed.
struct Histogram {
  std::vector<Rational> edges;  // bins + 1 values
  std::vector<std::uint64_t> counts;
};

// Q19.1: throws ParameterError naming `bins` (< 2 or > 65536) or the Q18.1 data errors.
Histogram histogram_of_magnitudes(const std::vector<float>& data, std::int64_t bins);

// Q19.2: the candidate thresholds fl32(edges[j]), j = 1..bins, the exact squared error of
// each (Q1.3 symmetric parameters, Q2 quantize half_even / exact division, Q3 dequantize),
// and the chosen one (smallest error, ties to the smaller threshold).
struct MseSearch {
  std::vector<float> candidates;
  std::vector<Rational> errors;
  std::size_t chosen = 0;
  float threshold() const { return candidates[chosen]; }
};

// Q19.2: `options.symmetric` must be true (ParameterError naming `symmetric`).
MseSearch mse_optimal_threshold(const std::vector<float>& data, std::int64_t bins,
                                const ParamsOptions& options);

// Q19.2 asymmetric: the candidate ranges [fl32(min*j/bins), fl32(max*j/bins)], j = 1..bins, of
// the data's [min, max] (both ends scaled by one factor), the exact squared error of each with
// Q1.2 parameters, and the chosen one (smallest error, ties to the smaller j).
struct MseRangeSearch {
  std::vector<ObservedRange> candidates;
  std::vector<Rational> errors;
  std::size_t chosen = 0;
  ObservedRange range() const { return candidates[chosen]; }
};

// Q19.2: `options.symmetric` must be false (ParameterError naming `symmetric`).
MseRangeSearch mse_optimal_range(const std::vector<float>& data, std::int64_t bins,
                                 const ParamsOptions& options);

}  // namespace quantspec::ref
