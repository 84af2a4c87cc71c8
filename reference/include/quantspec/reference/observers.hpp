// Q18 observers (SPEC.md §Q18): how calibration data becomes the real range [min, max] that
// Q1 turns into (S, Z). Every observer is a pure function of its data (the moving average
// of the batches in order); NaN and infinite elements are rejected, never skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "quantspec/reference/params.hpp"

namespace quantspec::ref {

// Q18.1: a calibrated real range, min <= max, both finite binary32.
struct ObservedRange {
  float min;
  float max;
};

// Q18.1: rejects an empty tensor (naming `data`) and a NaN or infinite element (naming
// `data[i]`).
void check_calibration_data(const std::vector<float>& data);

// Q18.2: the smallest and largest element.
ObservedRange observe_min_max(const std::vector<float>& data);

// Q18.2: one range per slice along `axis` of a row-major tensor of `shape` (Q1.5 channels);
// an empty slice is rejected (naming `shape`), unlike Q1.5's [0, 0].
std::vector<ObservedRange> observe_min_max_per_channel(const std::vector<float>& data,
                                                       const std::vector<std::size_t>& shape,
                                                       std::int64_t axis);

// Q18.3: PyTorch MovingAverageMinMaxObserver. The first batch sets the range to its min/max;
// each later batch moves each end by c * (batch value - end) in binary32, c = fl32(constant).
class MovingAverageMinMax {
 public:
  // Throws ParameterError naming `averaging_constant` unless it is finite and in (0, 1].
  explicit MovingAverageMinMax(double averaging_constant = 0.01);
  void observe(const std::vector<float>& batch);
  // Throws ParameterError naming `data` if no batch was observed.
  ObservedRange range() const;

 private:
  float constant_;
  std::optional<ObservedRange> range_;
};

// Q18.4: max |x| (ONNX Runtime / TensorRT "max of abs"); the range is [-T, T].
float observe_max_abs(const std::vector<float>& data);

// Q18.5: the p-th percentile, p in [0, 100], of the sorted data by linear interpolation
// between order statistics (numpy's default method "linear"), the exact rational rounded
// once to binary32. Throws ParameterError naming `percentile` outside [0, 100].
float percentile(const std::vector<float>& data, double p);

// Q18.5: asymmetric: [percentile(100 - p), percentile(p)]; symmetric: T = percentile(p) of
// |x|, range [-T, T].
ObservedRange observe_percentile(const std::vector<float>& data, double p, bool symmetric);

// Q18.6: a symmetric threshold T >= 0 as a range: [-T, T]. Throws ParameterError naming
// `threshold` for a negative, NaN or infinite T.
ObservedRange range_from_threshold(float threshold);

// Q18.6: (S, Z) of an observed range: Q1.2/Q1.3 on [min, max].
QuantizationParams params_from_range(const ObservedRange& range, const ParamsOptions& options);

}  // namespace quantspec::ref
