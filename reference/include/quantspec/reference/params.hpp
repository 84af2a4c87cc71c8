// Q1 quantization parameters (SPEC.md §Q1): choosing the scale S and zero point Z of a
// tensor from its real range [min, max], per tensor or per channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

// Q1.1: the parameters of one quantized tensor (or one channel of it): real value
// r = (q - zero_point) * scale on the integer grid [qmin, qmax].
struct QuantizationParams {
  float scale = 1.0f;
  std::int64_t zero_point = 0;
  std::int64_t qmin = -128;
  std::int64_t qmax = 127;
};

// Q1.2 / Q1.3 options. `dtype` must be one of int8, uint8, int16, uint16, int4, uint4
// (int32 parameters are derived, Q1.6). `zero_point_rounding` rounds Qmin - min/S (Q1.2);
// its default, half_away, is std::round as in TFLite's ChooseQuantizationParams.
struct ParamsOptions {
  DType dtype = DType::int8;
  bool symmetric = false;
  bool narrow_range = false;
  Rounding zero_point_rounding = Rounding::half_away;
};

// Q1.2 (asymmetric) / Q1.3 (symmetric) / Q1.4 (degenerate ranges): parameters for real
// values in [min, max]. Throws ParameterError naming "min" or "max" (non-finite, min > max),
// "dtype" (int32) or "scale" (the derived scale is not a positive finite binary32).
QuantizationParams choose_params(float min, float max, const ParamsOptions& options = {});

// Q1.5: the smallest and largest element of `data` (the calibration range of one tensor).
// Throws ParameterError naming "data" for an empty tensor or a NaN/infinite element.
struct MinMax {
  float min;
  float max;
};
MinMax min_max(const std::vector<float>& data);

// Q1.5: parameters per tensor from its data: choose_params(min_max(data)); an empty tensor
// is rejected (naming "data").
QuantizationParams choose_params_for_data(const std::vector<float>& data,
                                          const ParamsOptions& options = {});

// Q1.5: one set of parameters per slice along `axis` of a row-major tensor of `shape`
// (channel c holds the elements whose index along `axis` is c). `axis` may be negative,
// counting from the end, as in ONNX: axis in [-rank, rank). Throws ParameterError naming
// "shape" (product of the dimensions != data.size()), "axis" (outside [-rank, rank)) or
// "data" (a NaN or infinite element). A slice with no elements has the range [0, 0].
std::vector<QuantizationParams> choose_params_per_channel(const std::vector<float>& data,
                                                          const std::vector<std::size_t>& shape,
                                                          std::int64_t axis,
                                                          const ParamsOptions& options = {});

// Q1.5: the channel of flat index `index` in a row-major tensor of `shape` sliced along
// `axis` (already normalised to [0, rank)): (index / inner) % shape[axis], inner = the
// product of the dimensions after `axis`.
std::size_t channel_of(std::size_t index, const std::vector<std::size_t>& shape, std::size_t axis);

// Validates (shape, axis) against a tensor of `element_count` elements and returns the axis
// normalised to [0, rank). Throws ParameterError naming "shape" or "axis".
std::size_t normalise_axis(std::size_t element_count, const std::vector<std::size_t>& shape,
                           std::int64_t axis);

}  // namespace quantspec::ref
