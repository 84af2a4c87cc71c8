// Q4: bias quantization (SPEC.md §Q4).
#include "quantspec/reference/bias.hpp"

#include <cmath>
#include <string>

#include "quantspec/reference/errors.hpp"

namespace quantspec::ref {
namespace {

Rational positive_scale(float scale, const char* parameter) {
  if (!std::isfinite(scale) || scale <= 0) {
    throw ParameterError(parameter, "a finite binary32 > 0", hex_float(scale));
  }
  return exact(scale, parameter);
}

}  // namespace

// Q4.1
Rational bias_scale(float input_scale, float weight_scale) {
  return positive_scale(input_scale, "input_scale") * positive_scale(weight_scale, "weight_scale");
}

// Q4.2, Q4.3
QuantizedBias quantize_bias(float bias, float input_scale, float weight_scale, Rounding rounding) {
  QuantizedBias result;
  result.bias_scale = bias_scale(input_scale, weight_scale);
  result.exact = round_to_integer(exact(bias, "bias") / result.bias_scale, rounding);
  Integer stored = clamp(result.exact, int32_min(), int32_max());
  result.saturated = stored != result.exact;
  result.stored = stored.convert_to<std::int32_t>();
  return result;
}

// Q4.4
std::vector<QuantizedBias> quantize_bias_per_channel(const std::vector<float>& biases,
                                                     float input_scale,
                                                     const std::vector<float>& weight_scales,
                                                     Rounding rounding) {
  if (biases.size() != weight_scales.size()) {
    throw ParameterError("weight_scales", "one scale per bias channel (" +
                                              std::to_string(biases.size()) + ")",
                         std::to_string(weight_scales.size()) + " scales");
  }
  std::vector<QuantizedBias> result;
  result.reserve(biases.size());
  for (std::size_t c = 0; c < biases.size(); ++c) {
    result.push_back(quantize_bias(biases[c], input_scale, weight_scales[c], rounding));
  }
  return result;
}

}  // namespace quantspec::ref
