// Q4: bias quantization. The bias of a quantized linear layer lives on the accumulator's grid:
// Sb = Sx * Sw (per output channel when the weights are per channel), Zb = 0, b = R(B / Sb).
#pragma once

#include <cstdint>
#include <vector>

#include "quantspec/reference/numbers.hpp"
#include "quantspec/reference/variants.hpp"

namespace quantspec::ref {

struct QuantizedBias {
  Rational bias_scale;    // Sb = Sx * Sw, exact (Q4.1)
  Integer exact;          // R(B / Sb) before any int32 limit (Q4.2)
  std::int32_t stored;    // exact saturated to [INT32_MIN, INT32_MAX] (Q4.3)
  bool saturated = false; // stored != exact
};

// Q4.1 Sb = Sx * Sw as an exact rational of the two binary32 scales (each finite and > 0;
// ParameterError names "input_scale" / "weight_scale").
Rational bias_scale(float input_scale, float weight_scale);

// Q4.2-Q4.3: b = R(B / Sb) with the named rounding rule (default half_away, as std::round in
// TFLite's bias quantization), saturated to int32 with a flag. B must be finite ("bias").
QuantizedBias quantize_bias(float bias, float input_scale, float weight_scale,
                            Rounding rounding = Rounding::half_away);

// Q4.4: per output channel, weight_scales[c] pairs with biases[c]; sizes must match
// (ParameterError names "weight_scales").
std::vector<QuantizedBias> quantize_bias_per_channel(const std::vector<float>& biases,
                                                     float input_scale,
                                                     const std::vector<float>& weight_scales,
                                                     Rounding rounding = Rounding::half_away);

// Q4.5: the TFLite converter's bias quantization (tensorflow/lite/tools/optimize/
// quantization_utils.cc, SymmetricPerLayerBiasQuantize / SymmetricPerChannelBiasQuantize), step
// by step in binary32: s = fl32(Sx*Sw), inv = fl32(fl64(1/s)) (0 when s == 0),
// p = fl32(B*inv), std::round (half away), SafeCast to int32 (NaN -> 0, saturating), clamp to
// +-(2^31 - 1). Scales as Q4.1 ("input_scale", "weight_scale"); any binary32 B is accepted, as
// the converter does.
struct TfliteConverterBias {
  float bias_scale;       // s = fl32(Sx * Sw): the scale the converter stores for the bias
  float inverse_scale;    // fl32(fl64(1 / s)), 0 when s == 0
  float scaled;           // p = fl32(B * inverse_scale)
  std::int32_t stored;    // the int32 the converter writes
};
TfliteConverterBias quantize_bias_tflite_converter(float bias, float input_scale,
                                                   float weight_scale);

}  // namespace quantspec::ref
