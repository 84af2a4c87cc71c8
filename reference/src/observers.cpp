// Q18 observers (SPEC.md §Q18). Comparisons of binary32 values are exact; the only arithmetic
// is the moving average (Q18.3, three binary32 operations per end, modelled by exact rounding
// of the exact rational) and the percentile interpolation (Q18.5, exact, rounded once).
#include "quantspec/reference/observers.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {
namespace {

// Q18.2: a zero end is reported as +0 (SPEC CHOICE), so that the result is unique.
float without_negative_zero(float v) { return v == 0.0f ? 0.0f : v; }

ObservedRange extremes(const std::vector<float>& data) {
  ObservedRange range{data[0], data[0]};
  for (float v : data) {
    range.min = std::min(range.min, v);
    range.max = std::max(range.max, v);
  }
  return ObservedRange{without_negative_zero(range.min), without_negative_zero(range.max)};
}

// Q18.3: fl32(a - b), fl32(a * b), fl32(a + b), each the exact result rounded once.
float fl32_sub(float a, float b) { return round_to_binary32(exact(a) - exact(b)); }
float fl32_mul(float a, float b) { return round_to_binary32(exact(a) * exact(b)); }
float fl32_add(float a, float b) { return round_to_binary32(exact(a) + exact(b)); }

float moved_end(float end, float batch_end, float constant) {
  return fl32_add(end, fl32_mul(constant, fl32_sub(batch_end, end)));
}

// Q18.5: the exact p-th percentile of sorted values by linear interpolation: h = (n-1)p/100,
// v = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
Rational interpolated_percentile(const std::vector<float>& sorted, const Rational& p) {
  const Rational h = Rational(static_cast<long long>(sorted.size() - 1)) * p / 100;
  const Integer below = floor_div(numerator(h), denominator(h));
  const auto i = below.convert_to<std::size_t>();
  const Rational fraction = h - Rational(below);
  const Rational low = exact(sorted[i]);
  if (fraction == 0) return low;
  return low + fraction * (exact(sorted[i + 1]) - low);
}

Rational checked_percentile(double p) {
  if (!(p >= 0.0 && p <= 100.0)) {
    throw ParameterError("percentile", "in [0, 100]", hex_float(p));
  }
  return exact(p, "percentile");
}

float percentile_of_checked(const std::vector<float>& data, const Rational& p) {
  std::vector<float> sorted = data;
  std::sort(sorted.begin(), sorted.end());
  return round_to_binary32(interpolated_percentile(sorted, p));
}

}  // namespace


// Q18.1.
void check_calibration_data(const std::vector<float>& data) {
  if (data.empty()) throw ParameterError("data", "at least one element", "an empty tensor");
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!std::isfinite(data[i])) {
      throw ParameterError("data[" + std::to_string(i) + "]",
                           "finite (NaN and infinities are rejected, not skipped: SPEC Q18.1)",
                           hex_float(data[i]));
    }
  }
}

// Q18.2.
ObservedRange observe_min_max(const std::vector<float>& data) {
  check_calibration_data(data);
  return extremes(data);
}

// Q18.2.
std::vector<ObservedRange> observe_min_max_per_channel(const std::vector<float>& data,
                                                       const std::vector<std::size_t>& shape,
                                                       std::int64_t axis) {
  check_calibration_data(data);
  const std::size_t channel_axis = normalise_axis(data.size(), shape, axis);
  std::vector<std::vector<float>> slices(shape[channel_axis]);
  for (std::size_t i = 0; i < data.size(); ++i) {
    slices[channel_of(i, shape, channel_axis)].push_back(data[i]);
  }
  std::vector<ObservedRange> ranges;
  for (const auto& slice : slices) ranges.push_back(extremes(slice));
  return ranges;
}

// Q18.3.
MovingAverageMinMax::MovingAverageMinMax(double averaging_constant) {
  if (!(averaging_constant > 0.0 && averaging_constant <= 1.0)) {
    throw ParameterError("averaging_constant", "in (0, 1]", hex_float(averaging_constant));
  }
  constant_ = round_to_binary32(exact(averaging_constant, "averaging_constant"));
}

void MovingAverageMinMax::observe(const std::vector<float>& batch) {
  const ObservedRange current = observe_min_max(batch);
  if (!range_) {
    range_ = current;
    return;
  }
  range_->min = moved_end(range_->min, current.min, constant_);
  range_->max = moved_end(range_->max, current.max, constant_);
}

ObservedRange MovingAverageMinMax::range() const {
  if (!range_) throw ParameterError("data", "at least one observed batch", "none");
  return *range_;
}

// Q18.4.
float observe_max_abs(const std::vector<float>& data) {
  const ObservedRange range = observe_min_max(data);
  return std::max(std::fabs(range.min), std::fabs(range.max));
}

// Q18.5.
float percentile(const std::vector<float>& data, double p) {
  const Rational exact_p = checked_percentile(p);
  check_calibration_data(data);
  return percentile_of_checked(data, exact_p);
}

// Q18.5.
ObservedRange observe_percentile(const std::vector<float>& data, double p, bool symmetric) {
  const Rational exact_p = checked_percentile(p);
  check_calibration_data(data);
  if (symmetric) {
    std::vector<float> magnitudes;
    magnitudes.reserve(data.size());
    for (float v : data) magnitudes.push_back(std::fabs(v));
    return range_from_threshold(percentile_of_checked(magnitudes, exact_p));
  }
  // The lower end is the exact (100 - p)-th percentile (no binary64 subtraction).
  return ObservedRange{percentile_of_checked(data, Rational(100) - exact_p),
                       percentile_of_checked(data, exact_p)};
}

// Q18.6.
ObservedRange range_from_threshold(float threshold) {
  if (!(threshold >= 0.0f) || std::isinf(threshold)) {
    throw ParameterError("threshold", "finite and >= 0", hex_float(threshold));
  }
  return ObservedRange{without_negative_zero(-threshold), threshold};
}

// Q18.6.
QuantizationParams params_from_range(const ObservedRange& range, const ParamsOptions& options) {
  return choose_params(range.min, range.max, options);
}

}  // namespace quantspec::ref
