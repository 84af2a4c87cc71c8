// Q1 quantization parameters (SPEC.md §Q1). Every quantity is an exact rational; the scale
// is rounded to binary32 exactly once (Q1.2), and the zero point is computed from that
// binary32 scale, as deployed systems do.
#include "quantspec/reference/params.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::ref {
namespace {

// Q1.1: the dtypes whose parameters Q1 chooses (int32 is derived, Q1.6).
IntRange grid_for(const ParamsOptions& options) {
  if (options.dtype == DType::int32) {
    throw ParameterError("dtype",
                         "one of int8, uint8, int16, uint16, int4, uint4 (int32 bias parameters "
                         "are derived: Sb = Sx*Sw, Zb = 0, SPEC Q1.6/Q4)",
                         std::string(name(options.dtype)));
  }
  return dtype_range(options.dtype, options.narrow_range);
}

bool is_signed(DType type) { return dtype_range(type).min < 0; }

// Q1.2: the one rounding of the exact scale to binary32, and its admissibility.
float scale_to_binary32(const Rational& exact_scale, const char* formula) {
  const float scale = round_to_binary32(exact_scale);
  if (!(scale > 0.0f) || std::isinf(scale)) {
    throw ParameterError("scale",
                         std::string("the derived scale ") + formula +
                             " must round to a positive finite binary32 (range too narrow or "
                             "too wide)",
                         hex_float(scale) + " from " + to_string(exact_scale));
  }
  return scale;
}

void check_range(float min, float max) {
  exact(min, "min");  // throws ParameterError("min", "finite", ...) for NaN/inf
  exact(max, "max");
  if (min > max) {
    throw ParameterError("min", "min <= max", hex_float(min) + " > " + hex_float(max));
  }
}

// Q1.2: asymmetric parameters.
QuantizationParams choose_asymmetric(float min, float max, const ParamsOptions& options,
                                     IntRange grid) {
  // Widen the range so that it contains 0 (0 must be exactly representable).
  const Rational low = min < 0.0f ? exact(min, "min") : Rational(0);
  const Rational high = max > 0.0f ? exact(max, "max") : Rational(0);
  QuantizationParams params{1.0f, 0, grid.min, grid.max};
  if (low == high) {
    // Q1.4: the range is {0}. Any scale represents it; S = 1, Z = the grid value nearest 0.
    params.zero_point = clamp(Integer(0), Integer(grid.min), Integer(grid.max))
                            .convert_to<std::int64_t>();
    return params;
  }
  const Rational exact_scale = (high - low) / Rational(grid.max - grid.min);
  params.scale = scale_to_binary32(exact_scale, "(max - min) / (qmax - qmin)");
  const Rational zero_point_real = Rational(grid.min) - low / exact(params.scale);
  const Integer nudged = round_to_integer(zero_point_real, options.zero_point_rounding);
  params.zero_point =
      clamp(nudged, Integer(grid.min), Integer(grid.max)).convert_to<std::int64_t>();
  return params;
}

// Q1.3: symmetric parameters. Signed types: Z = 0, S = Amax / qmax. Unsigned types: the
// signed grid shifted by 2^(bits-1): Z = 2^(bits-1) (uint8 -> 128, as PyTorch), and
// S = Amax / (qmax - Z), so that +-Amax map to Z +- (qmax - Z).
QuantizationParams choose_symmetric(float min, float max, IntRange grid, DType type) {
  const Rational low = exact(min, "min");
  const Rational high = exact(max, "max");
  const Rational abs_low = abs(low);
  const Rational abs_high = abs(high);
  const Rational amax = abs_low > abs_high ? abs_low : abs_high;
  QuantizationParams params{1.0f, 0, grid.min, grid.max};
  if (!is_signed(type)) params.zero_point = (dtype_range(type).max + 1) / 2;
  if (amax == 0) return params;  // Q1.4: S = 1, Z as above
  const Rational exact_scale = amax / Rational(grid.max - params.zero_point);
  params.scale = scale_to_binary32(exact_scale, "max(|min|, |max|) / (qmax - Z)");
  return params;
}

}  // namespace

// Q1.2, Q1.3, Q1.4.
QuantizationParams choose_params(float min, float max, const ParamsOptions& options) {
  const IntRange grid = grid_for(options);
  check_range(min, max);
  return options.symmetric ? choose_symmetric(min, max, grid, options.dtype)
                           : choose_asymmetric(min, max, options, grid);
}

// Q1.5.
MinMax min_max(const std::vector<float>& data) {
  if (data.empty()) throw ParameterError("data", "at least one element", "an empty tensor");
  MinMax range{data[0], data[0]};
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!std::isfinite(data[i])) {
      throw ParameterError("data", "finite elements",
                           hex_float(data[i]) + " at index " + std::to_string(i));
    }
    range.min = std::min(range.min, data[i]);
    range.max = std::max(range.max, data[i]);
  }
  return range;
}

// Q1.5.
QuantizationParams choose_params_for_data(const std::vector<float>& data,
                                          const ParamsOptions& options) {
  const MinMax range = min_max(data);
  return choose_params(range.min, range.max, options);
}

// Q1.5.
std::size_t normalise_axis(std::size_t element_count, const std::vector<std::size_t>& shape,
                           std::int64_t axis) {
  std::size_t product = 1;
  std::string dims;
  for (std::size_t d : shape) {
    product *= d;
    dims += (dims.empty() ? "" : ",") + std::to_string(d);
  }
  if (product != element_count) {
    throw ParameterError("shape", "the product of the dimensions equals the element count (" +
                                      std::to_string(element_count) + ")",
                         "[" + dims + "]");
  }
  const auto rank = static_cast<std::int64_t>(shape.size());
  if (axis < -rank || axis >= rank) {
    throw ParameterError("axis",
                         "in [-rank, rank) = [" + std::to_string(-rank) + ", " +
                             std::to_string(rank) + ")",
                         std::to_string(axis));
  }
  return static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
}

// Q1.5.
std::size_t channel_of(std::size_t index, const std::vector<std::size_t>& shape,
                       std::size_t axis) {
  std::size_t inner = 1;
  for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  return (index / inner) % shape[axis];
}

// Q1.5.
std::vector<QuantizationParams> choose_params_per_channel(const std::vector<float>& data,
                                                          const std::vector<std::size_t>& shape,
                                                          std::int64_t axis,
                                                          const ParamsOptions& options) {
  const std::size_t channel_axis = normalise_axis(data.size(), shape, axis);
  const std::size_t channels = shape[channel_axis];
  std::vector<MinMax> ranges(channels, MinMax{0.0f, 0.0f});
  std::vector<bool> seen(channels, false);
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!std::isfinite(data[i])) {
      throw ParameterError("data", "finite elements",
                           hex_float(data[i]) + " at index " + std::to_string(i));
    }
    const std::size_t c = channel_of(i, shape, channel_axis);
    if (!seen[c]) {
      ranges[c] = MinMax{data[i], data[i]};
      seen[c] = true;
    } else {
      ranges[c].min = std::min(ranges[c].min, data[i]);
      ranges[c].max = std::max(ranges[c].max, data[i]);
    }
  }
  std::vector<QuantizationParams> params;
  params.reserve(channels);
  for (const MinMax& range : ranges) params.push_back(choose_params(range.min, range.max, options));
  return params;
}

}  // namespace quantspec::ref
