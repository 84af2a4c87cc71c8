// Q4: bias quantization (SPEC.md §Q4).
#include "quantspec/reference/bias.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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

// Q4.5: every step is one binary32 (or binary64) rounding of an exact value, as in the source.
TfliteConverterBias quantize_bias_tflite_converter(float bias, float input_scale,
                                                   float weight_scale) {
  const Rational sx = positive_scale(input_scale, "input_scale");
  const Rational sw = positive_scale(weight_scale, "weight_scale");
  TfliteConverterBias result{};
  result.bias_scale = round_to_binary32(sx * sw);  // float * float; may underflow to 0
  if (result.bias_scale == 0.0f) {
    result.inverse_scale = 0.0f;  // the source's guard: scaling_factor == 0 ? 0 : ...
  } else {
    // `1.0 / scaling_factor` is a binary64 division, then stored in a float. (Double rounding
    // of a quotient is innocuous for 53 >= 2*24 + 2 bits, so this equals fl32(1/s); it is
    // computed as written anyway.) A quotient beyond FLT_MAX becomes +inf, as IEEE hardware
    // converts it.
    const double inverse = round_to_binary64(Rational(1) / exact(result.bias_scale));
    result.inverse_scale = std::isinf(inverse) ? std::numeric_limits<float>::infinity()
                                               : round_to_binary32(exact(inverse));
  }
  // fl32(B * inv); the IEEE special cases (0 * inf = NaN, inf * x = inf) are taken from the
  // host, whose binary32 multiply is IEEE 754 (the finite case is modelled exactly).
  if (std::isfinite(bias) && std::isfinite(result.inverse_scale)) {
    result.scaled = round_to_binary32(exact(bias) * exact(result.inverse_scale));
  } else {
    result.scaled = bias * result.inverse_scale;
  }
  // TfLiteRound: std::round, half away from zero; SafeCast<int32_t>: NaN -> 0, beyond the
  // range -> INT32_MIN / INT32_MAX; then the clamp to +-(2^31 - 1).
  constexpr std::int32_t limit = std::numeric_limits<std::int32_t>::max();
  std::int32_t cast = 0;
  if (std::isnan(result.scaled)) {
    cast = 0;
  } else if (std::isinf(result.scaled)) {
    cast = result.scaled < 0 ? std::numeric_limits<std::int32_t>::min() : limit;
  } else {
    const Integer rounded = round_to_integer(exact(result.scaled), Rounding::half_away);
    cast = clamp(rounded, int32_min(), int32_max()).convert_to<std::int32_t>();
  }
  result.stored = std::clamp(cast, -limit, limit);
  return result;
}

}  // namespace quantspec::ref
